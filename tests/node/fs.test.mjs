// Zip files in and out, and persistence of /home (Node: a folder on disk).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadedInstance, py } from './helpers.mjs';

// The file helpers themselves (addFile, readFile, listFiles, ...) are shared
// bodies run in both modes: tests/shared/api-bodies.mjs via modes.test.mjs.
describe('zip files', () => {
  let cb, dir;
  before(async () => {
    cb = await loadedInstance();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-zip-'));
  });
  const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

  test('downloadPathToZip writes a zip (Node: to the given path, a Promise settled once written) with binary entries intact', async () => {
    cb.addFile('/home/proj/data.bin', allBytes);
    cb.addFile('/home/proj/src/main.py', 'print("zipped")\n');
    cb.createFolder('/home/proj/empty');
    const file = path.join(dir, 'proj.zip');
    const pending = cb.downloadPathToZip('/home/proj', file);
    assert.ok(pending instanceof Promise);
    const bytes = await pending;
    assert.deepEqual(new Uint8Array(fs.readFileSync(file)), bytes);
    cb.addFile('/tmp/check.zip', bytes);
    assert.equal(py(cb, 'import zipfile\nz = zipfile.ZipFile("/tmp/check.zip")\nprint(sorted(z.namelist()), z.read("data.bin") == bytes(range(256)))'),
      "['data.bin', 'empty/', 'src/main.py'] True");
  });

  test('addFilesFromZip extracts a zip file (path or file: URL) into a folder', async () => {
    const file = path.join(dir, 'proj.zip');
    assert.equal(await cb.addFilesFromZip('/files/unzipped', file), 3);
    assert.deepEqual(cb.readBinaryFile('/files/unzipped/data.bin'), allBytes);
    assert.equal(cb.readFile('/files/unzipped/src/main.py'), 'print("zipped")\n');
    assert.equal(cb.pathExists('/files/unzipped/empty').isFolder, true);
    assert.equal(await cb.addFilesFromZip('/files/again', `file://${file}`), 3);
    assert.equal(cb.runFile('main.py', { cwd: '/files/again/src' }), 0);
  });

  test('a zip of a single file, and of / (devices are skipped)', async () => {
    cb.addFile('/files/one.txt', 'one');
    const one = await cb.downloadPathToZip('/files/one.txt', path.join(dir, 'one.zip'));
    cb.addFile('/tmp/one.zip', one);
    assert.equal(py(cb, 'import zipfile\nprint(zipfile.ZipFile("/tmp/one.zip").namelist())'), "['one.txt']");
    const all = await cb.downloadPathToZip('/', path.join(dir, 'all.zip'));
    cb.addFile('/tmp/all.zip', all);
    assert.equal(py(cb, 'import zipfile\nn = zipfile.ZipFile("/tmp/all.zip").namelist()\nprint("files/one.txt" in n, any(x.startswith("dev/") for x in n))'), 'True False');
  });

  test('bad input: a missing path, a missing zip, a file that is not a zip', async () => {
    await assert.rejects(cb.downloadPathToZip('/no/such/thing', path.join(dir, 'x.zip')), (e) => e.code === 'ENOENT');
    await assert.rejects(cb.addFilesFromZip('/files/x', path.join(dir, 'missing.zip')), /cannot read/);
    fs.writeFileSync(path.join(dir, 'not.zip'), 'not a zip');
    await assert.rejects(cb.addFilesFromZip('/files/x', path.join(dir, 'not.zip')), (e) => e.errorData.type === 'BadZipFile');
    assert.equal(cb.run('x = 1'), 0);
  });
});

describe('saveFiles / loadFiles (Node: a folder on disk)', () => {
  test('Node saves /home as files change, without saveFiles(); saveFiles() and loadFiles() resolve true and say so once', async () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-persist-'));
    const opts = { hideWarnings: true, fsOptions: { persistHome: true, storage } };
    const a = await loadedInstance(opts);
    a.run('open("/home/auto.txt", "w").write("written by Python")\nopen("/files/not-kept.txt", "w").write("x")');
    a.addFile('/home/helper.txt', 'added from JS');
    a.unload();   // no saveFiles(): the changes are saved by themselves
    const b = await loadedInstance(opts);
    assert.equal(b.readFile('/home/auto.txt'), 'written by Python');
    assert.equal(b.readFile('/home/helper.txt'), 'added from JS');
    assert.equal(b.pathExists('/files/not-kept.txt'), null);
    const loud = await loadedInstance({ hideWarnings: false, fsOptions: { persistHome: true, storage } });
    const warned = [];
    const warnConsole = console.warn;
    console.warn = (m) => warned.push(String(m));
    try {
      assert.equal(await loud.saveFiles(), true);
      assert.equal(await loud.loadFiles(), true);
      assert.equal(await loud.saveFiles(), true);
    } finally {
      console.warn = warnConsole;
    }
    assert.equal(warned.length, 1);
    assert.match(warned[0], /saved automatically/);
  });

  test('/home persists into fsOptions.storage and comes back in a new instance', async () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-persist-'));
    const opts = { hideWarnings: true, fsOptions: { persistHome: true, storage } };
    const a = await loadedInstance(opts);
    a.addFile('/home/keep/data.bin', Uint8Array.from([0, 1, 255]));
    a.addFile('/home/notes.txt', 'kept');
    a.addFile('/tmp/lost.txt', 'not persisted');
    assert.equal(await a.saveFiles(), true);
    // One archive per persisted folder; no file of Python's becomes a host file.
    assert.deepEqual(fs.readdirSync(storage), ['home.cbstore']);
    const b = await loadedInstance(opts);   // load() reads them back
    assert.deepEqual(b.readBinaryFile('/home/keep/data.bin'), Uint8Array.from([0, 1, 255]));
    assert.equal(b.readFile('/home/notes.txt'), 'kept');
    assert.equal(b.pathExists('/tmp/lost.txt'), null);
    b.deletePath('/home/notes.txt');
    assert.equal(await b.saveFiles(), true);   // deleted files are deleted from storage too
    const c = await loadedInstance(opts);
    assert.equal(c.pathExists('/home/notes.txt'), null);
    b.addFile('/home/notes.txt', 'changed');
    assert.equal(await b.loadFiles(), true);
    assert.equal(b.readFile('/home/notes.txt'), 'changed');   // loadFiles adds and overwrites saved files only
  });

  test('files saved by earlier versions (a plain folder tree) are still loaded', async () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-persist-'));
    fs.mkdirSync(path.join(storage, 'home/old'), { recursive: true });
    fs.writeFileSync(path.join(storage, 'home/old/file.txt'), 'from the old layout');
    const a = await loadedInstance({ hideWarnings: true, fsOptions: { persistHome: true, storage } });
    assert.equal(a.readFile('/home/old/file.txt'), 'from the old layout');
    a.addFile('/home/new.txt', 'new');   // the first save writes the archive, the old files in it
    assert.equal(await a.saveFiles(), true);
    assert.deepEqual(fs.readdirSync(storage), ['home.cbstore']);
    const b = await loadedInstance({ hideWarnings: true, fsOptions: { persistHome: true, storage } });
    assert.deepEqual([b.readFile('/home/old/file.txt'), b.readFile('/home/new.txt')], ['from the old layout', 'new']);
  });

  test('persistTmp, and saveFiles without a persist option is a clear error', async () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-persist-'));
    const a = await loadedInstance({ hideWarnings: true, fsOptions: { persistTmp: true, storage } });
    a.addFile('/tmp/t.txt', 'tmp');
    assert.equal(await a.saveFiles(), true);
    const b = await loadedInstance({ hideWarnings: true, fsOptions: { persistTmp: true, storage } });
    assert.equal(b.readFile('/tmp/t.txt'), 'tmp');
    const c = await loadedInstance();
    await assert.rejects(c.saveFiles(), /persistHome/);
    await assert.rejects(c.loadFiles(), /persistHome/);
  });
});

// Emscripten's file system as the toolchain ships it, fixed by build/emscripten-patches:
// what Python's os, shutil, tempfile and tarfile rely on.
describe('the file system behaves as POSIX where Python code relies on it', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); });

  test('os.utime keeps the access and modification times apart, to the microsecond; chmod leaves them; copystat copies them', () => {
    assert.equal(py(cb, `import os, shutil
os.makedirs("/tmp/times", exist_ok=True)
open("/tmp/times/a", "w").write("a")
os.utime("/tmp/times/a", ns=(1_002_003_000, 4_005_006_000))
st = os.stat("/tmp/times/a")
os.chmod("/tmp/times/a", 0o600)
after_chmod = os.stat("/tmp/times/a").st_mtime_ns
open("/tmp/times/b", "w").write("bb")
shutil.copystat("/tmp/times/a", "/tmp/times/b")
os.mkdir("/tmp/times/d")
os.utime("/tmp/times/d", (7, 8))
print(st.st_atime_ns, st.st_mtime_ns, after_chmod, os.stat("/tmp/times/b").st_mtime_ns, os.stat("/tmp/times/d").st_mtime)`),
    '1002003000 4005006000 4005006000 4005006000 8.0');
  });

  test('os.fstat works on an unlinked file (tempfile.TemporaryFile) and on a pipe (io.open of its end)', () => {
    assert.equal(py(cb, `import os, io, stat, tempfile
f = tempfile.TemporaryFile()
f.write(b"abc"); f.flush()
r, w = os.pipe()
reader = io.open(r, "rb", buffering=0)
os.write(w, b"through")
print(os.fstat(f.fileno()).st_size, stat.S_ISFIFO(os.fstat(r).st_mode), reader.read(7))`), "3 True b'through'");
  });

  test('os.readlink gives a relative target as written; making a folder inside a file is NotADirectoryError', () => {
    assert.equal(py(cb, `import os
os.makedirs("/tmp/links", exist_ok=True)
open("/tmp/links/target", "w").write("t")
os.symlink("target", "/tmp/links/rel")
open("/tmp/links/file", "w").write("f")
try:
    os.mkdir("/tmp/links/file/sub")
except OSError as e:
    err = type(e).__name__
print(os.readlink("/tmp/links/rel"), open("/tmp/links/rel").read(), err)`), 'target t NotADirectoryError');
  });

  test('".." is the parent of where a path has got to: a missing folder before it is ENOENT (nothing created), after a symlink it is the target\'s parent, after a file ENOTDIR', () => {
    assert.deepEqual(JSON.parse(py(cb, `import os, json
def outcome(fn):
    try:
        r = fn()
        return r if isinstance(r, (bool, list)) else "ok"
    except OSError as e:
        return type(e).__name__
os.makedirs("/tmp/dd/a", exist_ok=True); open("/tmp/dd/a/f.txt", "w").write("x")
os.makedirs("/tmp/dd/b/c", exist_ok=True)
os.symlink("/tmp/dd/b/c", "/tmp/dd/link")
out = {
  "open through a missing folder": outcome(lambda: open("/tmp/dd/missing/../a/f.txt").read()),
  "create through a missing folder": outcome(lambda: open("/tmp/dd/missing/../new.txt", "w").close()),
  "mkdir through a missing folder": outcome(lambda: os.mkdir("/tmp/dd/missing/../newdir")),
  "relative, through a missing folder": outcome(lambda: (os.chdir("/tmp/dd"), os.listdir("missing/../a"))[1]),
  "link/.. lists the target's parent": outcome(lambda: sorted(os.listdir("/tmp/dd/link/.."))),
  "link/../c is a folder": outcome(lambda: os.path.isdir("/tmp/dd/link/../c")),
  "relative link/..": outcome(lambda: (os.chdir("/tmp/dd"), sorted(os.listdir("link/../..")))[1]),
  "file/..": outcome(lambda: os.stat("/tmp/dd/a/f.txt/..")),
  "file/.": outcome(lambda: os.stat("/tmp/dd/a/f.txt/.")),
  "mkdir a/..": outcome(lambda: os.mkdir("/tmp/dd/a/..")),
  "symlink a/..": outcome(lambda: os.symlink("t", "/tmp/dd/a/..")),
  "a/../a/f.txt": outcome(lambda: open("/tmp/dd/a/../a/f.txt").read() == "x"),
  "/.. is /": outcome(lambda: os.path.samefile("/..", "/")),
  "getcwd after chdir link/..": outcome(lambda: (os.chdir("/tmp/dd/link/.."), [os.getcwd()])[1]),
  "rename a folder into its own child through a symlink": outcome(lambda: os.rename("/tmp/dd/b", "/tmp/dd/link/x")),
  "rename onto an ancestor": outcome(lambda: os.rename("/tmp/dd/b/c", "/tmp/dd/b")),
  "rename through ..": outcome(lambda: (os.rename("/tmp/dd/a/../a", "/tmp/dd/link/../a2"), sorted(os.listdir("/tmp/dd/b")))[1]),
}
out["left in /tmp/dd"] = sorted(os.listdir("/tmp/dd"))
out["left in /tmp/dd/a2"] = sorted(os.listdir("/tmp/dd/b/a2"))
print(json.dumps(out))`)), {
      'open through a missing folder': 'FileNotFoundError',
      'create through a missing folder': 'FileNotFoundError',
      'mkdir through a missing folder': 'FileNotFoundError',
      'relative, through a missing folder': 'FileNotFoundError',
      "link/.. lists the target's parent": ['c'],
      'link/../c is a folder': true,
      'relative link/..': ['a', 'b', 'link'],
      'file/..': 'NotADirectoryError',
      'file/.': 'NotADirectoryError',
      'mkdir a/..': 'FileExistsError',
      'symlink a/..': 'FileExistsError',
      'a/../a/f.txt': true,
      '/.. is /': true,
      'getcwd after chdir link/..': ['/tmp/dd/b'],
      'rename a folder into its own child through a symlink': 'OSError',
      'rename onto an ancestor': 'OSError',
      'rename through ..': ['a2', 'c'],
      'left in /tmp/dd': ['b', 'link'],
      'left in /tmp/dd/a2': ['f.txt'],
    });
  });

  test('a trailing slash names a folder and "." or ".." cannot be removed or renamed (the errors Linux gives, nothing changed); ".." inside the 8th nested symlink is not a loop', () => {
    assert.deepEqual(JSON.parse(py(cb, `import os, json, errno
def outcome(fn):
    try:
        r = fn()
        return r if isinstance(r, (bool, list)) else "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
os.makedirs("/tmp/ts/d/e"); os.chdir("/tmp/ts")
open("f", "w").write("keep"); os.symlink("d", "ld"); os.symlink("f", "lf")
out = {
  "open new/ w": outcome(lambda: open("new/", "w").close()),
  "open f/": outcome(lambda: open("f/").close()),
  "open f/x": outcome(lambda: open("f/x").close()),
  "open f/ w": outcome(lambda: open("f/", "w").close()),
  "stat f/": outcome(lambda: os.stat("f/")),
  "lstat lf/": outcome(lambda: os.lstat("lf/")),
  "lstat ld/ follows the link": outcome(lambda: os.path.isdir("ld/") and not os.path.islink("ld/")),
  "unlink f/": outcome(lambda: os.unlink("f/")),
  "unlink lf/": outcome(lambda: os.unlink("lf/")),
  "unlink ld/": outcome(lambda: os.unlink("ld/")),
  "rmdir f/": outcome(lambda: os.rmdir("f/")),
  "rename f/ g": outcome(lambda: os.rename("f/", "g")),
  "rename f g/": outcome(lambda: os.rename("f", "g/")),
  "rename d/e d/e2/ and back": outcome(lambda: (os.rename("d/e", "d/e2/"), os.rename("d/e2/", "d/e"), os.listdir("d"))[2]),
  "mkdir x/": outcome(lambda: os.mkdir("x/")),
  "symlink f new2/": outcome(lambda: os.symlink("f", "new2/")),
  "symlink f d/": outcome(lambda: os.symlink("f", "d/")),
  "rmdir d/e/..": outcome(lambda: os.rmdir("d/e/..")),
  "rmdir d/e/.": outcome(lambda: os.rmdir("d/e/.")),
  "rename d/e/.. d/z": outcome(lambda: os.rename("d/e/..", "d/z")),
  "rename x d/e/..": outcome(lambda: os.rename("x", "d/e/..")),
  "unlink d/e/..": outcome(lambda: os.unlink("d/e/..")),
  "rmdir missing/..": outcome(lambda: os.rmdir("missing/..")),
}
os.mkdir("sub")
for i in range(1, 8):
    os.symlink(f"l{i + 1}", f"l{i}")
os.symlink("sub/../d", "l8")
out["8 nested links, the last through .."] = outcome(lambda: os.listdir("l1"))
out["left"] = sorted(os.listdir("."))
out["f kept"] = open("f").read() == "keep"
print(json.dumps(out))`)), {
      'open new/ w': 'EISDIR',
      'open f/': 'ENOTDIR',
      'open f/x': 'ENOTDIR',
      'open f/ w': 'EISDIR',
      'stat f/': 'ENOTDIR',
      'lstat lf/': 'ENOTDIR',
      'lstat ld/ follows the link': true,
      'unlink f/': 'ENOTDIR',
      'unlink lf/': 'ENOTDIR',
      'unlink ld/': 'ENOTDIR',
      'rmdir f/': 'ENOTDIR',
      'rename f/ g': 'ENOTDIR',
      'rename f g/': 'ENOTDIR',
      'rename d/e d/e2/ and back': ['e'],
      'mkdir x/': 'ok',
      'symlink f new2/': 'ENOENT',
      'symlink f d/': 'EEXIST',
      'rmdir d/e/..': 'ENOTEMPTY',
      'rmdir d/e/.': 'EINVAL',
      'rename d/e/.. d/z': 'EBUSY',
      'rename x d/e/..': 'EBUSY',
      'unlink d/e/..': 'EISDIR',
      'rmdir missing/..': 'ENOENT',
      '8 nested links, the last through ..': ['e'],
      'left': ['d', 'f', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8', 'ld', 'lf', 'sub', 'x'],
      'f kept': true,
    });
  });

  test('creating through a symlink to a missing file creates that file, as on Linux; a loop is ELOOP, O_EXCL and O_NOFOLLOW refuse', () => {
    assert.deepEqual(JSON.parse(py(cb, `import os, json, errno
def outcome(fn):
    try:
        r = fn()
        return r if isinstance(r, (bool, list, str)) else "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
os.makedirs("/tmp/dl/d"); os.chdir("/tmp/dl")
os.symlink("target.txt", "rel")
os.symlink("/tmp/dl/d/abs.txt", "abs")
os.symlink("rel", "chain")
os.symlink("loop2", "loop1"); os.symlink("loop1", "loop2")
os.symlink("missing/x.txt", "nofolder")
os.symlink("d/inner", "d2")
out = {
  "create through a relative link": outcome(lambda: (open("rel", "w").write("r"), open("target.txt").read())[1]),
  "create through an absolute link": outcome(lambda: (open("abs", "w").write("a"), open("d/abs.txt").read())[1]),
  "O_EXCL through a dangling link": outcome(lambda: os.close(os.open("d2", os.O_CREAT | os.O_EXCL | os.O_WRONLY))),
  "create through a link to a link": outcome(lambda: (os.remove("target.txt"), open("chain", "a").write("c"), open("target.txt").read())[2]),
  "create through a loop": outcome(lambda: open("loop1", "w").close()),
  "create where the folder is missing": outcome(lambda: open("nofolder", "w").close()),
  "O_NOFOLLOW on a dangling link": outcome(lambda: os.close(os.open("d2", os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW))),
  "read a dangling link": outcome(lambda: open("d2").read()),
  "create through d2": outcome(lambda: (open("d2", "w").write("i"), sorted(os.listdir("d")))[1]),
}
out["left"] = sorted(os.listdir("."))
print(json.dumps(out))`)), {
      // What Debian's Python prints on Linux for the same script.
      'create through a relative link': 'r',
      'create through an absolute link': 'a',
      'O_EXCL through a dangling link': 'EEXIST',
      'create through a link to a link': 'c',
      'create through a loop': 'ELOOP',
      'create where the folder is missing': 'ENOENT',
      'O_NOFOLLOW on a dangling link': 'ELOOP',
      'read a dangling link': 'ENOENT',
      'create through d2': ['abs.txt', 'inner'],
      'left': ['abs', 'chain', 'd', 'd2', 'loop1', 'loop2', 'nofolder', 'rel', 'target.txt'],
    });
  });
});
