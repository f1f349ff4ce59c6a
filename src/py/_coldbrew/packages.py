"""Installing pure-Python wheels at run time: Coldbrew.installPackages() in
JavaScript, Coldbrew.install_packages() in Python.

Shaped as a resolver that does no I/O of its own (`_resolve`, a generator):
it yields the URLs it needs and is sent back what was fetched. JavaScript
drives it with fetch() (async, so a page stays responsive, and in Node it
reads host paths); Python drives it with urllib and open() (synchronous,
usable from any run). Everything else is here, once: requirement, version
and marker parsing (a small PEP 440 / PEP 508 subset: what wheels' metadata
uses), PEP 503 (HTML) and PEP 691 (JSON) index pages, the wheel's tags and
Requires-Python, the index's sha256 and the wheel's own RECORD hashes, and the
install itself (the wheel's files into site-packages, `.data/purelib` too).

What is refused, with the wheel named: compiled code (a platform tag, an ABI
tag, or any .so inside), a wheel for another Python, a wheel whose bytes do not
match its RECORD or the index's hash, a dependency nobody can provide.
"""
import base64
import csv
import email.parser
import hashlib
import html.parser
import importlib
import io
import json
import os
import re
import shutil
import sys
import urllib.parse
import zipfile

PY_VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
INDEX_ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.5"


from Coldbrew import PackageInstallError   # defined in C (cb_module.c) so that it is there before this loads


def canonical_name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


# ---- versions (PEP 440) ------------------------------------------------------

_VERSION_RE = re.compile(
    r"^v?(?:(?P<epoch>\d+)!)?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre_l>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?P<pre_n>\d+)?)?"
    r"(?:-(?P<post_n1>\d+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>\d+)?)?"
    r"(?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>\d+)?)?"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$", re.I)
_PRE_ORDER = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}


class Version:
    """A PEP 440 version; compares as PEP 440 orders them (local labels ignored)."""

    def __init__(self, text):
        m = _VERSION_RE.match(text.strip())
        if not m:
            raise ValueError(f"not a version: {text!r}")
        self.text = text.strip()
        self.release = tuple(int(p) for p in m["release"].split("."))
        trimmed = list(self.release)
        while len(trimmed) > 1 and trimmed[-1] == 0:
            trimmed.pop()
        post = m["post_n1"] or (m["post_n2"] or "0" if m["post_l"] else None)
        dev = (m["dev_n"] or "0") if m["dev_l"] else None
        self.is_prerelease = bool(m["pre_l"] or dev is not None)
        if m["pre_l"]:
            pre = (_PRE_ORDER[m["pre_l"].lower()], int(m["pre_n"] or 0))
        elif dev is not None and post is None:
            pre = (-1, 0)    # 1.0.dev1 comes before 1.0a1
        else:
            pre = (3, 0)     # a final release comes after its pre-releases
        self.key = (int(m["epoch"] or 0), tuple(trimmed), pre,
                    -1 if post is None else int(post), float("inf") if dev is None else int(dev))

    def __eq__(self, other):
        return self.key == other.key

    def __lt__(self, other):
        return self.key < other.key

    def __le__(self, other):
        return self.key <= other.key

    def __gt__(self, other):
        return self.key > other.key

    def __ge__(self, other):
        return self.key >= other.key

    def __hash__(self):
        return hash(self.key)

    def __str__(self):
        return self.text


def _prefix_match(version, prefix):
    """`== 1.2.*`: the release starts with 1.2 (and the epochs agree)."""
    want = Version(prefix)
    n = len(want.release)
    return version.key[0] == want.key[0] and (version.release + (0,) * n)[:n] == want.release


def version_matches(version, specifier):
    """Whether Version `version` satisfies a specifier such as '>=1.0, !=1.3.*, <2'."""
    for clause in filter(None, (c.strip() for c in specifier.split(","))):
        m = re.match(r"^(===|~=|==|!=|<=|>=|<|>)\s*(\S+)$", clause)
        if not m:
            raise ValueError(f"not a version specifier: {clause!r}")
        op, value = m.groups()
        if op == "===":
            ok = version.text == value
        elif value.endswith(".*"):
            if op not in ("==", "!="):
                raise ValueError(f"not a version specifier: {clause!r}")
            ok = _prefix_match(version, value[:-2]) == (op == "==")
        elif op == "~=":
            target = Version(value)
            if len(target.release) < 2:
                raise ValueError(f"~= needs at least two release numbers: {clause!r}")
            prefix = ".".join(str(p) for p in target.release[:-1])
            ok = version >= target and _prefix_match(version, prefix)
        else:
            target = Version(value)
            ok = {"==": version == target, "!=": version != target, "<=": version <= target,
                  ">=": version >= target, "<": version < target, ">": version > target}[op]
        if not ok:
            return False
    return True


# ---- requirements and markers (PEP 508) -------------------------------------

_REQ_RE = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"
    r"(?:\[(?P<extras>[^\]]*)\])?\s*"
    r"(?:@\s*(?P<url>[^\s;]+)|\(?(?P<spec>[^;()]*)\)?)?\s*"
    r"(?:;\s*(?P<marker>.+))?$")


class Requirement:
    def __init__(self, text):
        m = _REQ_RE.match(text)
        if not m:
            raise PackageInstallError(f"not a requirement: {text!r} (expected e.g. 'name', 'name>=1.0', "
                                      "or a wheel's URL or path ending in .whl)")
        self.text = text.strip()
        self.name = canonical_name(m["name"])
        self.extras = {canonical_name(e) for e in (m["extras"] or "").split(",") if e.strip()}
        self.url = m["url"]
        self.specifier = (m["spec"] or "").strip()
        self.marker = m["marker"]
        try:
            version_matches(Version("0"), self.specifier)   # a bad specifier fails here, named
        except ValueError as e:
            raise PackageInstallError(f"requirement {text!r}: {e}") from None

    def allows(self, version):
        return version_matches(version, self.specifier)


def marker_environment():
    return {
        "python_version": PY_VERSION,
        "python_full_version": ".".join(str(p) for p in sys.version_info[:3]),
        "implementation_name": sys.implementation.name,
        "implementation_version": ".".join(str(p) for p in sys.implementation.version[:3]),
        "platform_python_implementation": "CPython",
        "os_name": os.name,
        "sys_platform": sys.platform,
        "platform_system": "Emscripten",
        "platform_machine": "wasm32",
        "platform_release": "",
        "platform_version": "",
        "extra": "",
    }


_MARKER_TOKEN = re.compile(r"""\s*(?:(?P<str>'[^']*'|"[^"]*")|(?P<op>===|==|!=|<=|>=|~=|<|>|\(|\)|not\s+in\b|in\b)"""
                           r"""|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))""")


def marker_holds(marker, extras=()):
    """Evaluates a PEP 508 environment marker for this runtime; `extra` is true
    when any of `extras` satisfies it."""
    tokens, pos = [], 0
    marker = marker.strip()
    while pos < len(marker):
        m = _MARKER_TOKEN.match(marker, pos)
        if not m or m.end() == pos:
            raise PackageInstallError(f"cannot read the environment marker {marker!r}")
        pos = m.end()
        kind = m.lastgroup
        tokens.append((kind, m[kind]))
    env = marker_environment()
    extra_names = [canonical_name(e) for e in extras] or [""]

    def value(tok, extra):
        kind, text = tok
        if kind == "str":
            return text[1:-1]
        if kind == "word" and text in env:
            return extra if text == "extra" else env[text]
        raise PackageInstallError(f"unknown name {text!r} in the environment marker {marker!r}")

    def compare(left, op, right):
        op = re.sub(r"\s+", " ", op)
        if op == "in":
            return left in right
        if op == "not in":
            return left not in right
        try:
            return version_matches(Version(left), f"{op}{right}")
        except ValueError:
            if op in ("==", "==="):
                return left == right
            if op == "!=":
                return left != right
            raise PackageInstallError(f"cannot compare {left!r} {op} {right!r} in the marker {marker!r}") from None

    def parse(extra):
        i = 0

        def atom():
            nonlocal i
            if tokens[i] == ("op", "("):
                i += 1
                r = expr()
                i += 1   # ")"
                return r
            left, op, right = tokens[i], tokens[i + 1], tokens[i + 2]
            i += 3
            if op[0] != "op":
                raise PackageInstallError(f"cannot read the environment marker {marker!r}")
            lv, rv = value(left, extra), value(right, extra)
            if "extra" in (left[1], right[1]) and left[0] != right[0]:
                lv, rv = canonical_name(lv), canonical_name(rv)
            return compare(lv, op[1], rv)

        def chain(word, operand, combine):
            """operand (word operand)*: every operand is parsed, then combined."""
            def parse_chain():
                nonlocal i
                r = operand()
                while i < len(tokens) and tokens[i] == ("word", word):
                    i += 1
                    r = combine(operand(), r)
                return r
            return parse_chain

        conj = chain("and", atom, lambda a, b: a and b)
        expr = chain("or", conj, lambda a, b: a or b)

        try:
            result = expr()
        except IndexError:
            raise PackageInstallError(f"cannot read the environment marker {marker!r}") from None
        if i != len(tokens):
            raise PackageInstallError(f"cannot read the environment marker {marker!r}")
        return result

    return any(parse(extra) for extra in extra_names)


# ---- wheels ------------------------------------------------------------------

_WHEEL_NAME = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)(?:-(?P<build>\d[^-]*))?"
                         r"-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)\.whl$")


def wheel_filename_problem(filename):
    """None when Coldbrew can install a wheel of this name; else why not."""
    m = _WHEEL_NAME.match(filename)
    if not m:
        return "it is not a wheel's file name (name-version-python-abi-platform.whl)"
    if m["plat"] != "any" or m["abi"] not in ("none",):
        return (f"it contains compiled code (platform {m['plat']}, ABI {m['abi']}); installPackages installs "
                "pure-Python wheels only; C extensions go into a custom build (docs/custom-builds.md)")
    ours = {"py3", f"py{sys.version_info[0]}{sys.version_info[1]}", f"cp{sys.version_info[0]}{sys.version_info[1]}"}
    ours |= {f"py3{n}" for n in range(sys.version_info[1])}
    if not set(m["py"].split(".")) & ours:
        return f"it is for another Python ({m['py']}); this is Python {PY_VERSION}"
    return None


class Wheel:
    """A fetched wheel, checked: its name, version, metadata and files."""

    def __init__(self, filename, data, source):
        self.filename, self.source = filename, source
        problem = wheel_filename_problem(filename)
        if problem:
            raise PackageInstallError(f"cannot install {filename}: {problem}")
        m = _WHEEL_NAME.match(filename)
        self.name = canonical_name(m["name"])
        self.version = Version(m["version"])
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise PackageInstallError(f"{filename} ({source}) is not a zip archive: not a wheel") from None
        names = self.zip.namelist()
        dist_info = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info") and "/" in n}
        if len(dist_info) != 1:
            raise PackageInstallError(f"{filename}: expected one .dist-info folder, found {sorted(dist_info) or 'none'}")
        self.dist_info = dist_info.pop()
        self.metadata = email.parser.Parser().parsestr(self._text("METADATA"))
        wheel_info = email.parser.Parser().parsestr(self._text("WHEEL"))
        if (wheel_info.get("Root-Is-Purelib") or "").strip().lower() != "true":
            raise PackageInstallError(f"cannot install {filename}: its WHEEL file says Root-Is-Purelib is not true "
                                      "(a platform wheel); Coldbrew installs pure-Python wheels only")
        compiled = [n for n in names if re.search(r"\.(so|pyd|dylib|dll|wasm)$", n)]
        if compiled:
            raise PackageInstallError(f"cannot install {filename}: it contains compiled code ({compiled[0]}); "
                                      "installPackages installs pure-Python wheels only; C extensions go into a "
                                      "custom build (docs/custom-builds.md)")
        requires_python = self.metadata.get("Requires-Python")
        if requires_python and not version_matches(Version(".".join(map(str, sys.version_info[:3]))), requires_python):
            raise PackageInstallError(f"cannot install {filename}: it requires Python {requires_python.strip()}; "
                                      f"this is Python {PY_VERSION}")
        self._check_record()

    def _text(self, name):
        try:
            return self.zip.read(f"{self.dist_info}/{name}").decode("utf-8")
        except KeyError:
            raise PackageInstallError(f"{self.filename}: {self.dist_info}/{name} is missing: not a valid wheel") from None

    def _check_record(self):
        record = f"{self.dist_info}/RECORD"
        rows = list(csv.reader(io.StringIO(self._text("RECORD"))))
        listed = {}
        for row in rows:
            if row and row[0]:
                listed[row[0]] = row[1] if len(row) > 1 else ""
        for info in self.zip.infolist():
            if info.is_dir():
                continue
            name = info.filename
            if name == record or name.startswith(f"{self.dist_info}/RECORD."):
                continue
            if name not in listed:
                raise PackageInstallError(f"{self.filename}: {name} is not listed in its RECORD; refusing a wheel "
                                          "whose contents do not match its record")
            algorithm, _, expected = listed[name].partition("=")
            if not expected or algorithm not in ("sha256", "sha384", "sha512"):
                raise PackageInstallError(f"{self.filename}: RECORD has no sha256 hash for {name}")
            digest = base64.urlsafe_b64encode(hashlib.new(algorithm, self.zip.read(name)).digest()).rstrip(b"=")
            if digest.decode() != expected:
                raise PackageInstallError(f"{self.filename}: the RECORD hash of {name} does not match its contents "
                                          "(the wheel was changed or damaged)")
        for name in listed:
            if name != record and not name.endswith("/") and name not in self.zip.NameToInfo:
                raise PackageInstallError(f"{self.filename}: RECORD lists {name}, which the wheel does not contain")

    def requirements(self, extras):
        """The Requires-Dist entries that apply here (markers evaluated)."""
        out = []
        for text in self.metadata.get_all("Requires-Dist") or []:
            req = Requirement(text)
            if req.marker is None or marker_holds(req.marker, extras):
                out.append(req)
        return out

    def install(self, site):
        """Writes the wheel's files under `site` and a RECORD of what was written."""
        data_dir = self.dist_info[:-len(".dist-info")] + ".data"
        written = []
        for info in self.zip.infolist():
            if info.is_dir():
                continue
            parts = info.filename.split("/")
            if parts[0] == data_dir:
                if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                    continue    # scripts, headers and data files have no place in this runtime
                parts = parts[2:]
            if any(p in ("", ".", "..") for p in parts):
                raise PackageInstallError(f"{self.filename}: unsafe path in the wheel: {info.filename}")
            rel = "/".join(parts)
            target = os.path.join(site, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(self.zip.read(info))
            written.append(rel)
        installer = f"{self.dist_info}/INSTALLER"
        with open(os.path.join(site, installer), "w") as f:
            f.write("coldbrew\n")
        record = f"{self.dist_info}/RECORD"
        rows = [r for r in csv.reader(io.StringIO(self._text("RECORD"))) if r and r[0] != record]
        rows = [[rel, "", ""] for rel in written if rel != record and rel not in {r[0] for r in rows}] + rows
        rows += [[installer, "", ""], [record, "", ""]]
        with open(os.path.join(site, record), "w", newline="") as f:
            csv.writer(f).writerows(rows)


# ---- index pages (PEP 503 HTML, PEP 691 JSON) ------------------------------

class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.files, self._href, self._attrs = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._attrs = dict(attrs)
            self._href, self._text = self._attrs.get("href"), ""

    def handle_data(self, data):
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.files.append({"filename": self._text.strip(), "url": self._href,
                               "requires-python": self._attrs.get("data-requires-python"),
                               "yanked": "data-yanked" in self._attrs})
            self._href = None


def index_files(page_url, data):
    """The files an index page lists: dicts with filename, url (absolute), sha256 or None."""
    text = data.decode("utf-8", "replace")
    if text.lstrip().startswith("{"):
        try:
            files = json.loads(text).get("files", [])
        except (ValueError, AttributeError):
            raise PackageInstallError(f"the index page {page_url} is not valid JSON") from None
    else:
        parser = _Links()
        parser.feed(text)
        files = parser.files
    out = []
    for f in files:
        url, _, fragment = urllib.parse.urljoin(page_url, f.get("url", "")).partition("#")
        hashes = dict(f.get("hashes") or {})
        if fragment.startswith("sha256="):
            hashes.setdefault("sha256", fragment[len("sha256="):])
        filename = f.get("filename") or urllib.parse.unquote(url.rsplit("/", 1)[-1])
        out.append({"filename": filename, "url": url, "sha256": hashes.get("sha256"),
                    "requires_python": f.get("requires-python"), "yanked": bool(f.get("yanked"))})
    return out


def choose_file(req, page_url, files):
    """The newest installable wheel in an index page's files for `req`."""
    python = Version(".".join(map(str, sys.version_info[:3])))
    candidates, seen = [], []
    for f in files:
        seen.append(f["filename"])
        if not f["filename"].endswith(".whl") or wheel_filename_problem(f["filename"]):
            continue
        m = _WHEEL_NAME.match(f["filename"])
        try:
            version = Version(m["version"])
            if f["requires_python"] and not version_matches(python, f["requires_python"]):
                continue
        except ValueError:
            continue
        if canonical_name(m["name"]) != req.name or not req.allows(version):
            continue
        if f["yanked"] and not req.specifier.startswith("=="):
            continue
        candidates.append((version, f))
    finals = [c for c in candidates if not c[0].is_prerelease]
    pick = finals or candidates
    if not pick:
        found = ", ".join(seen[-8:]) or "no files"
        raise PackageInstallError(f"{req.text}: the index has no pure-Python wheel for Python {PY_VERSION} that "
                                  f"matches ({page_url} lists: {found})")
    return max(pick, key=lambda c: c[0])[1]


# ---- where packages go -------------------------------------------------------

def site_packages(user=False):
    """The folder packages are installed into: the runtime's site-packages, or
    with user=True the user's (under /home, so persistHome and saveFiles() keep
    it; load() puts it on sys.path when it exists)."""
    if user:
        return os.path.join(os.path.expanduser("~"), ".local", "lib", f"python{PY_VERSION}", "site-packages")
    for entry in sys.path:
        if entry.endswith("/site-packages"):
            return entry
    return f"/usr/local/lib/python{PY_VERSION}/site-packages"


def _activate(site):
    if site not in sys.path:
        sys.path.append(site)
    sys.path_importer_cache.pop(site, None)
    importlib.invalidate_caches()


def add_user_site():
    """After persisted files come back: the user's site-packages on sys.path if it exists."""
    site = site_packages(user=True)
    if os.path.isdir(site):
        _activate(site)


def _installed_version(name, site):
    for entry in os.listdir(site) if os.path.isdir(site) else ():
        if entry.endswith(".dist-info"):
            dist, _, version = entry[:-len(".dist-info")].partition("-")
            if canonical_name(dist) == name:
                return entry, Version(version)
    return None, None


def _installed_anywhere(name):
    for entry in sys.path:
        if os.path.isdir(entry):
            found = _installed_version(name, entry)
            if found[0]:
                return found
    return None, None


def _remove(site, dist_info):
    """Uninstalls what the RECORD of an installed distribution lists."""
    try:
        with open(os.path.join(site, dist_info, "RECORD"), newline="") as f:
            rows = list(csv.reader(f))
    except OSError:
        rows = []
    for row in rows:
        if row and row[0] and not row[0].startswith(("/", "..")):
            try:
                os.unlink(os.path.join(site, row[0]))
            except OSError:
                pass
    shutil.rmtree(os.path.join(site, dist_info), ignore_errors=True)


# ---- the resolver: yields what it needs, is sent what was fetched -----------

def _is_wheel_location(text):
    return text.strip().lower().split("?")[0].split("#")[0].endswith(".whl")


def _page_url(index_url, name):
    return index_url.rstrip("/") + "/" + name + "/"


def resolve(requirements, index_url=None, dependencies=True, user=False):
    """A generator. Yields lists of fetches ({"url", "index": bool}); is sent a
    dict url -> bytes, or url -> {"error": text, "status": n} for a fetch that
    failed. Returns (via StopIteration) the list of installed
    {"name", "version"}, after installing."""
    if isinstance(requirements, str):
        requirements = [requirements]
    if not isinstance(requirements, (list, tuple)) or not requirements or \
            not all(isinstance(r, str) and r.strip() for r in requirements):
        raise PackageInstallError("give a list of requirements: wheel URLs or paths ending in .whl, or names "
                                  "(with index_url), e.g. ['https://example.org/pkg-1.0-py3-none-any.whl']")
    site = site_packages(user)
    chosen = {}      # canonical name -> (Wheel, required extras)
    wanted = []      # (Requirement, who asked)
    direct = []
    for text in requirements:
        if _is_wheel_location(text):
            direct.append(text.strip())
        else:
            wanted.append((Requirement(text), None))
    if direct:
        got = yield [{"url": u, "index": False} for u in direct]
        for url in direct:
            filename = urllib.parse.unquote(url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1])
            data = _take(got, url, filename)
            wheel = Wheel(filename, data, url)
            if wheel.name in chosen:
                raise PackageInstallError(f"two wheels of {wheel.name} were given: {chosen[wheel.name][0].source} and {url}")
            chosen[wheel.name] = (wheel, set())
            if dependencies:
                wanted += [(r, wheel) for r in wheel.requirements(())]
    while wanted:
        pending, wanted, lookups = wanted, [], {}
        for req, asker in pending:
            if req.name in chosen:
                wheel, extras = chosen[req.name]
                if not req.allows(wheel.version):
                    raise PackageInstallError(f"conflict: {_who(asker)} needs {req.text}, but {wheel.filename} was chosen")
                if dependencies and req.extras - extras:
                    extras |= req.extras
                    wanted += [(r, wheel) for r in wheel.requirements(req.extras)]
                continue
            if asker is None or dependencies:
                _, have = _installed_anywhere(req.name)
                if have is not None and req.allows(have) and not req.extras:
                    continue
            if req.url:
                raise PackageInstallError(f"{req.text}: direct URL requirements are given as wheel URLs in the list itself")
            if not index_url and asker is None:
                raise PackageInstallError(
                    f"{req.text}: installing a package by name needs a package index (options.indexURL in "
                    "JavaScript, index_url in Python); or give its wheel's URL or path, ending in .whl")
            if not index_url:
                raise PackageInstallError(
                    f"missing dependency: {req.text} (required by {_who(asker)}); give its wheel's URL or path "
                    "in the list too, or name a package index (options.indexURL / index_url)")
            lookups.setdefault(req.name, []).append((req, asker))
        if not lookups:
            continue
        pages = {name: _page_url(index_url, name) for name in lookups}
        got = yield [{"url": u, "index": True} for u in pages.values()]
        files = {}
        for name, url in pages.items():
            req, asker = lookups[name][0]
            data = _take(got, url, f"{req.text}" + (f" (required by {_who(asker)})" if asker else ""), index=True)
            merged = Requirement(req.text.split(";")[0])
            merged.specifier = ",".join(r.specifier for r, _ in lookups[name] if r.specifier)
            files[name] = (merged, choose_file(merged, url, index_files(url, data)), lookups[name])
        got = yield [{"url": f["url"], "index": False} for _, f, _ in files.values()]
        for name, (merged, f, askers) in files.items():
            data = _take(got, f["url"], f["filename"])
            if f["sha256"] and hashlib.sha256(data).hexdigest() != f["sha256"].lower():
                raise PackageInstallError(f"{f['filename']}: its sha256 hash does not match the one the index gives "
                                          f"({f['url']}); refusing it")
            wheel = Wheel(f["filename"], data, f["url"])
            if wheel.name != name:
                raise PackageInstallError(f"{f['filename']}: the index listed it under {name}")
            extras = set().union(*(r.extras for r, _ in askers))
            chosen[name] = (wheel, extras)
            if dependencies:
                wanted += [(r, wheel) for r in wheel.requirements(extras)]
    installed = []
    os.makedirs(site, exist_ok=True)
    for name, (wheel, _) in chosen.items():
        old, _ = _installed_version(name, site)
        if old:
            _remove(site, old)
        wheel.install(site)
        installed.append({"name": wheel.metadata.get("Name") or name, "version": str(wheel.version)})
    _activate(site)
    return installed


def _who(wheel):
    return f"{wheel.metadata.get('Name') or wheel.name} {wheel.version}" if wheel else "the list"


def _take(got, url, what, index=False):
    data = got.get(url)
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    error = data or {"error": f"{url} was not fetched"}
    if index and error.get("status") == 404:
        raise PackageInstallError(f"{what}: the index has no such project ({url}: HTTP 404)")
    raise PackageInstallError(f"{what}: {error.get('error')}")


# ---- drivers -----------------------------------------------------------------

_sessions = {}
_next_session = 0


def begin(requirements, index_url=None, dependencies=True, user=False):
    """JavaScript's side (Coldbrew.installPackages): starts a resolve() run;
    returns its id for step()."""
    global _next_session
    _next_session += 1
    _sessions[_next_session] = resolve(requirements, index_url, dependencies, user)
    return _next_session


def step(session, fetched):
    """Sends what JavaScript fetched (None the first time); returns
    {"fetch": [...]} for more, or {"installed": [...]} when done. An error ends
    the run."""
    gen = _sessions[session]
    try:
        return {"fetch": gen.send(fetched)}
    except StopIteration as done:
        del _sessions[session]
        return {"installed": done.value}
    except BaseException:
        del _sessions[session]
        raise


def _fetch_here(item):
    """Python's own fetching (Coldbrew.install_packages): urllib for URLs, open() for paths."""
    import urllib.error
    import urllib.request
    url = item["url"]
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I):
        try:
            with open(url, "rb") as f:
                return f.read()
        except OSError as e:
            return {"error": f"cannot read {url}: {e.strerror or e}", "status": None}
    failed = f"fetching {url} failed"
    headers = {"Accept": INDEX_ACCEPT} if item["index"] else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        return {"error": f"{failed}: HTTP {e.code}", "status": e.code}
    except (OSError, ValueError) as e:
        return {"error": f"{failed}: {e}", "status": None}


def install(requirements, index_url=None, dependencies=True, user=False):
    """Coldbrew.install_packages(): installs pure-Python wheels (URLs or paths in
    this file system ending in .whl, or names looked up in index_url, a PEP 503
    or PEP 691 simple index) and their dependencies. Returns the list of
    installed {"name", "version"}. Raises PackageInstallError naming the
    package and the cause."""
    gen = resolve(requirements, index_url, dependencies, user)
    fetched = None
    while True:
        try:
            needed = gen.send(fetched)
        except StopIteration as done:
            return done.value
        fetched = {item["url"]: _fetch_here(item) for item in needed}
