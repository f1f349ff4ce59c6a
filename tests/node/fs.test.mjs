// The virtual file system helpers, and that Python sees the same files.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadedInstance, py } from './helpers.mjs';

describe('file system helpers', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); });

  test('addFile (text) then readFile; Python reads it too', () => {
    assert.equal(cb.addFile('/test.txt', 'Hello World!'), true);
    assert.equal(cb.readFile('/test.txt'), 'Hello World!');
    assert.equal(py(cb, 'print(open("/test.txt").read())'), 'Hello World!');
  });

  test('addFile (bytes) keeps every byte; readBinaryFile returns them', () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    cb.addFile('/files/all-bytes.bin', bytes);
    assert.deepEqual(cb.readBinaryFile('/files/all-bytes.bin'), bytes);
    assert.equal(py(cb, 'd = open("/files/all-bytes.bin", "rb").read(); print(len(d), d == bytes(range(256)))'), '256 True');
    cb.addFile('/files/from-buffer.bin', bytes.buffer);
    assert.deepEqual(cb.readBinaryFile('/files/from-buffer.bin'), bytes);
  });

  test('files Python writes are readable from JS', () => {
    cb.run('open("/tmp/py.txt", "w", encoding="utf-8").write("written by Python ☕")');
    assert.equal(cb.readFile('/tmp/py.txt'), 'written by Python ☕');
  });

  test('addFile makes missing parent folders', () => {
    cb.addFile('/home/a/b/c.txt', 'deep');
    assert.equal(cb.pathExists('/home/a/b').isFolder, true);
  });

  test('createFolder, including nested and trailing slash', () => {
    assert.equal(cb.createFolder('/home/myfolder/'), true);
    assert.equal(cb.createFolder('/home/x/y/z'), true);
    assert.equal(cb.pathExists('/home/x/y/z').isFolder, true);
    assert.equal(py(cb, 'import os; print(os.path.isdir("/home/x/y/z"))'), 'True');
  });

  test('pathExists gives info or null', () => {
    cb.addFile('/files/info.txt', '12345');
    const info = cb.pathExists('/files/info.txt');
    assert.equal(info.isFile, true);
    assert.equal(info.isFolder, false);
    assert.equal(info.size, 5);
    assert.equal(info.name, 'info.txt');
    assert.equal(info.path, '/files/info.txt');
    assert.equal(typeof info.modified, 'number');
    assert.equal(cb.pathExists('/files/not-here'), null);
    assert.equal(cb.pathExists('/home').isFolder, true);
  });

  test('relative paths are relative to the working directory', () => {
    cb.chdir('/files');
    cb.addFile('rel.txt', 'r');
    assert.equal(cb.pathExists('/files/rel.txt').isFile, true);
    assert.equal(cb.readFile('rel.txt'), 'r');
  });

  test('listFiles lists names with info, sorted', () => {
    cb.createFolder('/home/list');
    cb.addFile('/home/list/b.txt', 'b');
    cb.addFile('/home/list/a.txt', 'a');
    cb.createFolder('/home/list/sub');
    const items = cb.listFiles('/home/list');
    assert.deepEqual(items.map((i) => i.name), ['a.txt', 'b.txt', 'sub']);
    assert.deepEqual(items.map((i) => i.isFolder), [false, false, true]);
    assert.equal(items[0].path, '/home/list/a.txt');
    assert.ok(cb.listFiles('/').some((i) => i.name === 'files'));
  });

  test('deletePath removes files and whole folders', () => {
    cb.addFile('/home/del/one.txt', '1');
    cb.addFile('/home/del/sub/two.txt', '2');
    assert.equal(cb.deletePath('/home/del/one.txt'), true);
    assert.equal(cb.pathExists('/home/del/one.txt'), null);
    assert.equal(cb.deletePath('/home/del'), true);
    assert.equal(cb.pathExists('/home/del'), null);
  });

  test('missing paths are clear errors with a code', () => {
    for (const [fn, args] of [['readFile', ['/nope.txt']], ['readBinaryFile', ['/nope.bin']], ['deletePath', ['/nope']], ['listFiles', ['/nope']]]) {
      assert.throws(() => cb[fn](...args), (e) => e.code === 'ENOENT' && e.message.includes("'/nope") && e.message.includes(fn), fn);
    }
    assert.throws(() => cb.readFile('/home'), (e) => e.code === 'EISDIR');
  });

  test('bad arguments are TypeErrors', () => {
    assert.throws(() => cb.addFile('/x.txt', 42), TypeError);
    assert.throws(() => cb.addFile(7, 'x'), TypeError);
    assert.throws(() => cb.readFile(undefined), TypeError);
    assert.throws(() => cb.pathExists(null), TypeError);
  });
});
