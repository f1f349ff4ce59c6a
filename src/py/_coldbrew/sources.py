"""Source lines of the standard library, for tracebacks and inspect.

The stdlib ships compiled (.pyc in coldbrew-stdlib.zip and its bundles), so linecache finds no
source for its frames; cpython/lib-patches/0005 asks lines() first. The
sources are a second archive, coldbrew-stdlib-src.zip, next to the first: the
host reads it (Node) or fetches it (browsers, a synchronous request) the first
time a line is wanted, never at start-up. JavaScript belongs to Python's main
thread, so other threads get no lines until the main thread has fetched them.
A missing archive is remembered: no source lines, and no second attempt.
"""
import _coldbrew
from .stdlib_bundles import member

ARCHIVE = "coldbrew-stdlib-src.zip"
_archive = None    # a ZipFile once read; False when the archive is not there


def _open():
    global _archive
    import threading
    if threading.current_thread() is not threading.main_thread():
        return None
    import io
    import zipfile
    try:
        data = _coldbrew.host.asset_bytes(ARCHIVE)
        _archive = zipfile.ZipFile(io.BytesIO(bytes(data))) if data is not None else False
    except Exception:
        _archive = False
    return _archive


def lines(filename):
    """The source lines (each ending in a newline) of a stdlib file, or None."""
    inside = member(filename)   # in the stdlib zip, or in a bundle of it
    if inside is None:
        return None
    if inside.endswith(".pyc"):   # a module's __file__ in the zip (only .pyc is there)
        inside = inside[:-1]
    archive = _archive if _archive is not None else _open()
    if not archive:
        return None
    try:
        text = archive.read(inside).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return None
    import io
    # Only newlines end a line (as for linecache's own files): not form feeds.
    return [line if line.endswith("\n") else line + "\n" for line in io.StringIO(text).readlines()]
