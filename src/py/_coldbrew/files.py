"""Zip archives in and out of the virtual file system, for Coldbrew.addFilesFromZip
and Coldbrew.downloadPathToZip. Python's own zipfile does the work: it keeps
binary entries intact, reads zip64 and deflate/bzip2/lzma entries, and its
extractall() refuses names that would escape the destination ("..", absolute)."""
import os
import stat
import zipfile

# Device and process trees: reading them would block on standard input or mean nothing.
_SKIP = ("/dev", "/proc")


def unzip(archive, dest):
    """Extracts archive into the folder dest (created if needed); returns how many entries."""
    os.makedirs(dest, exist_ok=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(dest)
        return len(zf.namelist())


def zip_path(path, archive):
    """Writes the file or folder at path (recursively, regular files and empty
    folders only) to archive, names relative to path; returns how many files."""
    path = os.path.abspath(path)
    archive = os.path.abspath(archive)
    count = 0
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        if not os.path.isdir(path):
            zf.write(path, os.path.basename(path))
            return 1
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if os.path.join(root, d) not in _SKIP)
            rel_root = os.path.relpath(root, path)
            if rel_root != "." and not files and not dirs:
                zf.write(root, rel_root)
            for name in sorted(files):
                full = os.path.join(root, name)
                if full != archive and stat.S_ISREG(os.lstat(full).st_mode):
                    zf.write(full, os.path.relpath(full, path))
                    count += 1
    return count
