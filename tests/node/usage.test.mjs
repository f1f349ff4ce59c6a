// load({monitorFileUsage}), getUsedFiles() and getUnusedModules(): the lists a
// custom build's keeplist.txt and UNUSED_BUILTIN_MODULES take (docs/custom-builds.md),
// on the calling thread and in worker mode; and the error without monitoring.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Coldbrew, loadedInstance } from './helpers.mjs';

const PROGRAM = 'import json, zoneinfo\njson.dumps({"a": 1})\nzoneinfo.ZoneInfo("Europe/Paris")';

describe('file usage', () => {
  test('getUsedFiles(): start-up files, then what the program read (modules and data files), one a line', async () => {
    const cb = await loadedInstance({ hideWarnings: true, monitorFileUsage: true });
    try {
      const atStart = cb.getUsedFiles().split('\n');
      for (const f of ['encodings/__init__.pyc', 'encodings/utf_8.pyc', '_coldbrew/__init__.pyc']) assert.ok(atStart.includes(f), f);
      assert.ok(!atStart.includes('json/__init__.pyc'));
      cb.run(PROGRAM);
      const used = cb.getUsedFiles().split('\n');
      for (const f of ['json/__init__.pyc', 'json/encoder.pyc', 'zoneinfo/__init__.pyc', 'tzdata/zoneinfo/Europe/Paris']) {
        assert.ok(used.includes(f), f);
      }
      assert.deepEqual(used, [...used].sort());
      assert.ok(!used.includes('email/__init__.pyc'));
    } finally {
      cb.unload();
    }
  });

  test('getUnusedModules(): the built-in C modules never imported, an array; shrinks as code imports them', async () => {
    const cb = await loadedInstance();
    try {
      const before = cb.getUnusedModules();
      assert.ok(Array.isArray(before));
      for (const m of ['_sqlite3', '_decimal', 'unicodedata', '_csv']) assert.ok(before.includes(m), m);
      for (const m of ['sys', 'builtins', '_io', 'posix', 'Coldbrew']) assert.ok(!before.includes(m), m);
      cb.run('import sqlite3, csv');
      const after = cb.getUnusedModules();
      assert.ok(!after.includes('_sqlite3') && !after.includes('_csv'));
      assert.ok(after.every((m) => before.includes(m)), 'nothing becomes unused');
    } finally {
      cb.unload();
    }
  });

  test('getUsedFiles() without monitorFileUsage says how to turn it on', async () => {
    const cb = await loadedInstance();
    try {
      assert.throws(() => cb.getUsedFiles(), /load Coldbrew with load\(\{monitorFileUsage: true\}\), run the program/);
    } finally {
      cb.unload();
    }
    await assert.rejects(Coldbrew.createNewInstance().load({ monitorFileUsage: 'yes' }), /option 'monitorFileUsage' must be a boolean/);
  });

  test('worker mode: the same lists, as Promises', async () => {
    const cb = Coldbrew.createNewInstance();
    await cb.load({ hideWarnings: true, worker: true, monitorFileUsage: true });
    try {
      await cb.run(PROGRAM);
      assert.ok((await cb.getUsedFiles()).split('\n').includes('tzdata/zoneinfo/Europe/Paris'));
      assert.ok((await cb.getUnusedModules()).includes('_sqlite3'));
    } finally {
      await cb.unload();
    }
  });
});
