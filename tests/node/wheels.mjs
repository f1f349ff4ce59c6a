// Wheels and a package index for tests/node/packages.test.mjs and
// tests/browser/packages.test.mjs, made by
// Coldbrew's own Python (zipfile, hashlib), so that the tests need no Python on
// the host: METADATA, WHEEL and a RECORD of sha256 hashes, as a build backend
// writes them. `tamper` replaces a file's bytes after its hash was recorded.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Coldbrew } from './helpers.mjs';

const MAKE_WHEEL = `
import base64, hashlib, io, zipfile
def make_wheel(name, version, files, requires=(), tag="py3-none-any", requires_python=None, purelib=True, tamper=None):
    stem = name.replace("-", "_")
    dist = f"{stem}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n"
    meta += "".join(f"Requires-Dist: {r}\\n" for r in requires)
    if requires_python:
        meta += f"Requires-Python: {requires_python}\\n"
    entries = dict(files)
    entries[f"{dist}/METADATA"] = meta
    entries[f"{dist}/WHEEL"] = f"Wheel-Version: 1.0\\nGenerator: coldbrew-test\\nRoot-Is-Purelib: {str(purelib).lower()}\\nTag: {tag}\\n"
    record = []
    for path, text in entries.items():
        data = text.encode() if isinstance(text, str) else text
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path, text in entries.items():
            z.writestr(path, (tamper or {}).get(path, text))
        z.writestr(f"{dist}/RECORD", "\\n".join(record) + "\\n")
    return f"{stem}-{version}-{tag}.whl", out.getvalue()
`;

/* specs: [{name, version, files: {path: text}, requires, tag, requiresPython, purelib, tamper}]
 * -> Map of file name -> Uint8Array. */
export async function makeWheels(specs) {
  const cb = Coldbrew.createNewInstance();
  await cb.load({ hideWarnings: true });
  try {
    cb.run(MAKE_WHEEL);
    const made = new Map();
    for (const s of specs) {
      const [filename, bytes] = cb.runFunction('make_wheel', s.name, s.version, s.files || {}, s.requires || [],
        s.tag || 'py3-none-any', s.requiresPython || null, s.purelib !== false, s.tamper || null);
      made.set(filename, bytes);
    }
    return made;
  } finally {
    cb.unload();
  }
}

/* The packages of the tests' index: what each test installs or is refused. */
const SPECS = [
  { name: 'helper-lib', version: '1.2', files: { 'helper_lib/__init__.py': 'def twice(x):\n    return 2 * x\n' } },
  { name: 'helper-lib', version: '2.0', requiresPython: '>=4', files: { 'helper_lib/__init__.py': 'raise ImportError("2.0")\n' } },
  { name: 'helper-lib', version: '9.0', tag: 'py2-none-any', files: { 'helper_lib/__init__.py': 'raise ImportError("9.0")\n' } },
  { name: 'app', version: '0.1', requires: ['helper-lib>=1.0'],
    files: { 'app.py': 'import helper_lib\nVERSION = "0.1"\ndef answer():\n    return helper_lib.twice(21)\n' } },
  { name: 'app', version: '0.2', requires: ['helper-lib>=1.0,<3', 'never-needed; python_version < "3"', 'fast-extra; extra == "fast"'],
    files: { 'app.py': 'import helper_lib\nVERSION = "0.2"\ndef answer():\n    return helper_lib.twice(21)\n' } },
  { name: 'app', version: '0.3b1', files: { 'app.py': 'VERSION = "0.3b1"\n' } },
  { name: 'tampered', version: '1.0', files: { 'tampered.py': 'X = 1\n' }, tamper: { 'tampered.py': 'X = 666\n' } },
  { name: 'native', version: '1.0', tag: 'cp313-cp313-linux_x86_64', purelib: false, files: { 'native.py': '' } },
  { name: 'sneaky', version: '1.0', files: { 'sneaky.cpython-313-wasm32-emscripten.so': 'not really', 'sneaky.py': '' } },
  { name: 'needs-ghost', version: '1.0', requires: ['ghost>=1'], files: { 'needs_ghost.py': '' } },
  { name: 'badhash', version: '1.0', files: { 'badhash.py': '' } },
];

/* Writes SPECS' wheels into dir/files/ and a simple index into dir/simple/:
 * project pages in HTML (PEP 503) and, for helper-lib, JSON (PEP 691) too, with
 * relative links; badhash's page gives a wrong sha256. Returns the Map of
 * file name -> bytes. */
export async function writePackageIndex(dir) {
  const made = await makeWheels(SPECS);
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  for (const [name, bytes] of made) fs.writeFileSync(path.join(dir, 'files', name), bytes);
  const sha = (name) => crypto.createHash('sha256').update(made.get(name)).digest('hex');
  const requiresPython = { 'helper_lib-2.0-py3-none-any.whl': '>=4' };
  const page = (project, names, { hash = sha } = {}) => {
    fs.mkdirSync(path.join(dir, 'simple', project), { recursive: true });
    const links = names.map((n) => {
      const rp = requiresPython[n] ? ` data-requires-python="${requiresPython[n].replace('>', '&gt;')}"` : '';
      return `<a href="../../files/${n}#sha256=${hash(n)}"${rp}>${n}</a><br>`;
    }).join('\n');
    fs.writeFileSync(path.join(dir, 'simple', project, 'index.html'), `<!DOCTYPE html><html><body>\n${links}\n</body></html>\n`);
  };
  page('app', ['app-0.1-py3-none-any.whl', 'app-0.2-py3-none-any.whl', 'app-0.3b1-py3-none-any.whl']);
  page('native', ['native-1.0-cp313-cp313-linux_x86_64.whl']);
  page('needs-ghost', ['needs_ghost-1.0-py3-none-any.whl']);
  page('badhash', ['badhash-1.0-py3-none-any.whl'], { hash: () => '0'.repeat(64) });
  const helperFiles = ['helper_lib-1.2-py3-none-any.whl', 'helper_lib-2.0-py3-none-any.whl', 'helper_lib-9.0-py2-none-any.whl'];
  page('helper-lib', helperFiles);   // for servers that do not negotiate (bin/coldbrew-serve)
  fs.writeFileSync(path.join(dir, 'simple', 'helper-lib', 'index.json'), JSON.stringify({
    meta: { 'api-version': '1.0' }, name: 'helper-lib',
    files: helperFiles.map((n) => ({ filename: n, url: `../../files/${n}`, hashes: { sha256: sha(n) },
      ...(requiresPython[n] ? { 'requires-python': requiresPython[n] } : {}) })),
  }));
  return made;
}
