// Coldbrew.mountHostDirectory (Node): a host folder in the virtual file
// system, read-write or read-only, and nothing outside it reachable — not
// by '..', not through a symbolic link pointing out, not by an absolute path.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Coldbrew, loadedInstance, py } from './helpers.mjs';

describe('mountHostDirectory', () => {
  let cb, outside, shared, secret;
  before(async () => {
    cb = await loadedInstance();
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-mount-'));
    shared = path.join(outside, 'shared');
    fs.mkdirSync(path.join(shared, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(shared, 'hello.txt'), 'from the host');
    fs.writeFileSync(path.join(shared, 'sub', 'data.bin'), Buffer.from([0, 1, 2, 255]));
    secret = path.join(outside, 'secret.txt');
    fs.writeFileSync(secret, 'must stay invisible');
    fs.symlinkSync(secret, path.join(shared, 'link-out'));            // absolute target outside
    fs.symlinkSync('../secret.txt', path.join(shared, 'link-up'));    // relative target outside
    fs.symlinkSync('hello.txt', path.join(shared, 'link-in'));        // inside: fine
  });
  after(() => fs.rmSync(outside, { recursive: true, force: true }));

  test('off by default: nothing of the host is visible', () => {
    assert.equal(py(cb, `import os; print(os.path.exists(${JSON.stringify(shared)}), os.path.exists("/etc/hostname"))`), 'False False');
  });

  test('read-write: Python lists, reads and writes host files; JS helpers see them', () => {
    assert.equal(cb.mountHostDirectory(shared, '/mnt/shared'), '/mnt/shared');
    assert.equal(py(cb, 'import os; print(sorted(os.listdir("/mnt/shared")))'), "['hello.txt', 'link-in', 'link-out', 'link-up', 'sub']");
    assert.equal(py(cb, 'print(open("/mnt/shared/hello.txt").read(), list(open("/mnt/shared/sub/data.bin", "rb").read()))'),
      'from the host [0, 1, 2, 255]');
    cb.run('open("/mnt/shared/new.txt", "w").write("from Python")\nimport os\nos.mkdir("/mnt/shared/made")\nos.rename("/mnt/shared/new.txt", "/mnt/shared/made/moved.txt")');
    assert.equal(fs.readFileSync(path.join(shared, 'made', 'moved.txt'), 'utf8'), 'from Python');
    assert.equal(cb.readFile('/mnt/shared/made/moved.txt'), 'from Python');
    assert.equal(py(cb, 'print(open("/mnt/shared/link-in").read())'), 'from the host');
    cb.run('import os\nos.remove("/mnt/shared/made/moved.txt")\nos.rmdir("/mnt/shared/made")');
    assert.equal(fs.existsSync(path.join(shared, 'made')), false);
  });

  test("nothing outside is reachable: '..', links pointing out, absolute paths", () => {
    const out = py(cb, `
import os
def attempt(p):
    try:
        return open(p).read()
    except OSError as e:
        return type(e).__name__
print(attempt("/mnt/shared/../secret.txt"))
print(attempt("/mnt/shared/link-out"))
print(attempt("/mnt/shared/link-up"))
print(attempt(${JSON.stringify(secret)}))
print(attempt("/mnt/shared/sub/../../secret.txt"))
print(os.path.realpath("/mnt/shared/link-out"))
`);
    assert.doesNotMatch(out, /must stay invisible/);
    assert.deepEqual(out.split('\n').slice(0, 5), Array(5).fill('FileNotFoundError'));
    assert.equal(out.split('\n')[5], secret, 'an absolute link target names the virtual path');
  });

  test('no host links made, no set-uid bits, no devices', () => {
    const out = py(cb, `
import os
try:
    os.symlink("/etc/passwd", "/mnt/shared/evil")
except OSError as e:
    print(type(e).__name__)
open("/mnt/shared/mode.sh", "w").write("#!/bin/sh")
os.chmod("/mnt/shared/mode.sh", 0o4777)
print(oct(os.stat("/mnt/shared/mode.sh").st_mode & 0o7777))
`);
    assert.equal(out, 'PermissionError\n0o777');
    assert.equal(fs.existsSync(path.join(shared, 'evil')), false);
    assert.equal(fs.statSync(path.join(shared, 'mode.sh')).mode & 0o7777, 0o777);
    fs.rmSync(path.join(shared, 'mode.sh'));
  });

  test('read-only: reads work, every change is OSError EROFS and the host is untouched', () => {
    cb.mountHostDirectory(shared, '/mnt/ro', { readOnly: true });
    const out = py(cb, `
import errno, os
print(open("/mnt/ro/hello.txt").read())
for action in (lambda: open("/mnt/ro/x.txt", "w"), lambda: open("/mnt/ro/hello.txt", "a"), lambda: os.remove("/mnt/ro/hello.txt"),
               lambda: os.mkdir("/mnt/ro/d"), lambda: os.rename("/mnt/ro/hello.txt", "/mnt/ro/h2.txt"), lambda: os.chmod("/mnt/ro/hello.txt", 0o600)):
    try:
        action()
        print("changed!")
    except OSError as e:
        print(errno.errorcode[e.errno])
`);
    assert.equal(out, 'from the host\nEROFS\nEROFS\nEROFS\nEROFS\nEROFS\nEROFS');
    assert.equal(fs.readFileSync(path.join(shared, 'hello.txt'), 'utf8'), 'from the host');
    assert.throws(() => cb.addFile('/mnt/ro/y.txt', 'y'));
    assert.equal(fs.existsSync(path.join(shared, 'y.txt')), false);
  });

  test('bad input: clear errors, and the runtime goes on', async () => {
    assert.throws(() => cb.mountHostDirectory(42, '/mnt/x'), /hostPath must be a string/);
    assert.throws(() => cb.mountHostDirectory(shared, null), /vfsPath must be a string/);
    assert.throws(() => cb.mountHostDirectory(shared, '/mnt/y', { readonly: true }), /unknown option 'readonly'/);
    assert.throws(() => cb.mountHostDirectory(path.join(outside, 'nope'), '/mnt/z'), /no such host folder/);
    assert.throws(() => cb.mountHostDirectory(path.join(shared, 'hello.txt'), '/mnt/z'), /not a folder/);
    assert.throws(() => cb.mountHostDirectory(shared, '/'), /cannot mount over '\/'/);
    assert.throws(() => cb.mountHostDirectory(shared, '/usr/local'), /Coldbrew's own files/);
    assert.throws(() => cb.mountHostDirectory(shared, '/mnt/shared'), /already a mount point/);
    const persisted = Coldbrew.createNewInstance();
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-mount-store-'));
    await persisted.load({ hideWarnings: true, fsOptions: { persistHome: true, storage } });
    assert.throws(() => persisted.mountHostDirectory(shared, '/home/shared'), /\/home is persisted/);
    persisted.unload();
    fs.rmSync(storage, { recursive: true, force: true });
    assert.equal(py(cb, 'print("alive")'), 'alive');
  });

  test('in worker mode too', async () => {
    const w = Coldbrew.createNewInstance();
    await w.load({ hideWarnings: true, worker: true });
    assert.equal(await w.mountHostDirectory(shared, '/mnt/w', { readOnly: true }), '/mnt/w');
    assert.equal(await w.readFile('/mnt/w/hello.txt'), 'from the host');
    await assert.rejects(w.mountHostDirectory(shared, '/'), /cannot mount over/);
    w.unload();
  });
});
