/* Coldbrew persistence: where saveFiles() keeps /home and /tmp, and how.
 *
 * An ES module of the API. Owns the snapshot of a
 * persisted folder, its one-file archive format, and the two stores:
 *   - Node: one archive file per folder (`home.cbstore`, `tmp.cbstore`) in
 *     fsOptions.storage (default ~/.coldbrew/files). Nothing of Python's tree
 *     becomes a host file: names, modes (setuid included), symlinks and times
 *     are records inside the archive, so a save cannot plant an executable,
 *     follow or create a link on the host, or fail on a name the host refuses.
 *     Node saves by itself as files change (persistence.js): each save merges
 *     the changed paths into the archive (merge()), so instances sharing the
 *     folder keep each other's files. It writes a temporary file, syncs it
 *     and renames it over the old archive: killed at any moment, the store
 *     holds the old save or the new. A lock file held during the
 *     read-merge-write serialises two processes' saves.
 *   - Browsers: IndexedDB, one readwrite transaction per saveFiles(), which
 *     writes a whole snapshot. Every save stamps the folder's record with a
 *     new generation. An instance remembers the generation it last loaded or
 *     saved; a save finding another one there (another instance saved in
 *     between) refuses with a clear error (code ESTALE) instead of silently
 *     dropping that instance's files, unless called with {overwrite: true}.
 *
 * Why the MEMFS nodes are read directly: the saver must see every file
 * whatever Python did to its permission bits (a chmod 0 file or folder), and
 * the node tree is what MEMFS holds; the FS API would refuse with EACCES.
 */

import { CB_IS_NODE } from './host.js';
import { cbMakeFolders } from './vfs.js';

const CB_STORE_MAGIC = 'CBSTORE1';

/* The tree under each root, read from MEMFS nodes: path -> entry, where an
 * entry is {dir, mode, mtime} | {data, mode, mtime} | {link, mode, mtime}.
 * Data is copied, so the save is of this moment even if Python goes on. */
export function cbSnapshot(FS, roots, onSkipped) {
  const files = new Map();
  const skipped = [];
  const time = (node) => {
    const t = Number(node.mtime ?? node.timestamp);
    return Number.isFinite(t) ? t : Date.now();
  };
  const walk = (p, node) => {
    const mode = node.mode & 0o7777;
    if (FS.isDir(node.mode)) {
      files.set(p, { dir: true, mode, mtime: time(node) });
      const names = node.contents && typeof node.contents === 'object' ? Object.keys(node.contents).sort() : [];
      for (const n of names) walk(`${p}/${n}`, node.contents[n]);
    } else if (FS.isFile(node.mode)) {
      const c = node.contents;
      let data;
      if (!c) data = new Uint8Array(0);
      else if (c instanceof Uint8Array) data = c.slice(0, node.usedBytes ?? c.length);
      else data = Uint8Array.from(c.slice(0, node.usedBytes ?? c.length));
      files.set(p, { data, mode, mtime: time(node) });
    } else if (FS.isLink(node.mode)) {
      files.set(p, { link: String(node.link), mode, mtime: time(node) });
    } else {
      skipped.push(p);   // devices, sockets and pipes are not saved
    }
  };
  for (const r of roots) {
    let node;
    try {
      node = FS.lookupPath(r, { follow: false }).node;
    } catch (e) {
      continue;   // the folder is gone: saved as empty
    }
    walk(r, node);
  }
  if (skipped.length && onSkipped) onSkipped(skipped);
  return files;
}

/* Puts a snapshot back. Folders first (in path order), then files and links,
 * then the folders' own modes and times (a read-only folder is filled before
 * it is closed). Returns [number of files, problems]. */
export function cbRestore(FS, files) {
  const paths = [...files.keys()].sort();
  const problems = [];
  const attempt = (p, body) => {
    try {
      body();
    } catch (e) {
      problems.push(`${p}: ${e && e.message ? e.message : e}`);
    }
  };
  const clear = (p) => {
    try {
      const st = FS.lstat(p);
      if (!FS.isDir(st.mode)) FS.unlink(p);
    } catch (e) { /* not there */ }
  };
  let count = 0;
  for (const p of paths) {
    const f = files.get(p);
    if (f.dir) attempt(p, () => cbMakeFolders(FS, p));
  }
  for (const p of paths) {
    const f = files.get(p);
    if (f.dir) continue;
    attempt(p, () => {
      cbMakeFolders(FS, p.slice(0, p.lastIndexOf('/')) || '/');
      clear(p);
      if (f.link !== undefined) {
        FS.symlink(f.link, p);
      } else {
        FS.writeFile(p, f.data);
        FS.chmod(p, f.mode & 0o7777);
        FS.utime(p, f.mtime, f.mtime);
        count++;
      }
    });
  }
  for (const p of paths.slice().reverse()) {
    const f = files.get(p);
    if (!f.dir || f.mode === undefined) continue;
    attempt(p, () => {
      FS.chmod(p, f.mode & 0o7777);
      if (f.mtime !== undefined) FS.utime(p, f.mtime, f.mtime);
    });
  }
  return [count, problems];
}

/* ---- the archive: CBSTORE1, u32 header length, JSON header, file bytes ---- */

function cbStoreEncode(files, generation) {
  const entries = [];
  let size = 0;
  for (const [p, f] of files) {
    if (f.dir) entries.push({ p, t: 'd', m: f.mode, mt: f.mtime });
    else if (f.link !== undefined) entries.push({ p, t: 'l', m: f.mode, mt: f.mtime, l: f.link });
    else {
      entries.push({ p, t: 'f', m: f.mode, mt: f.mtime, n: f.data.length });
      size += f.data.length;
    }
  }
  // JSON.stringify writes lone surrogates as \uXXXX escapes: any MEMFS name survives.
  const header = new TextEncoder().encode(JSON.stringify({ generation, saved: Date.now(), entries }));
  const out = new Uint8Array(12 + header.length + size);
  for (let i = 0; i < 8; i++) out[i] = CB_STORE_MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  let pos = 12 + header.length;
  for (const f of files.values()) {
    if (f.data) {
      out.set(f.data, pos);
      pos += f.data.length;
    }
  }
  return out;
}

/* -> {generation, files}; throws on a damaged archive. */
function cbStoreDecode(bytes, where) {
  const bad = (why) => new Error(`Coldbrew: the saved files in ${where} are damaged (${why}); they were not loaded`);
  if (bytes.length < 12) throw bad('too short');
  for (let i = 0; i < 8; i++) if (bytes[i] !== CB_STORE_MAGIC.charCodeAt(i)) throw bad('not a Coldbrew store');
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + n > bytes.length) throw bad('header cut short');
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n)));
  } catch (e) {
    throw bad('unreadable header');
  }
  const files = new Map();
  let pos = 12 + n;
  for (const e of header.entries) {
    if (e.t === 'd') files.set(e.p, { dir: true, mode: e.m, mtime: e.mt });
    else if (e.t === 'l') files.set(e.p, { link: e.l, mode: e.m, mtime: e.mt });
    else {
      if (pos + e.n > bytes.length) throw bad('file data cut short');
      files.set(e.p, { data: bytes.slice(pos, pos + e.n), mode: e.m, mtime: e.mt });
      pos += e.n;
    }
  }
  return { generation: header.generation, files };
}

function cbNewGeneration() {
  const a = new Uint8Array(12);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

function cbStaleError(fn, root, where) {
  const err = new Error(`Coldbrew.${fn}(): ${root} in ${where} was saved by another Coldbrew instance since this ` +
    'one loaded or saved it; saving now would delete that instance\'s files. Call Coldbrew.loadFiles() to take ' +
    'them in first, or Coldbrew.saveFiles({overwrite: true}) to replace them with this instance\'s files');
  err.code = 'ESTALE';
  return err;
}

/* Saves in this process, by store folder: instances of one process take
 * turns here, so a lock file naming this process is a leftover of a save that
 * never finished (another process's is checked by its pid). */
const cbStoreTurns = new Map();

/* Node's store: a folder of archives. */
function cbNodeStore(dir) {
  const fs = require('fs');
  const path = require('path');
  const file = (root) => path.join(dir, `${root.slice(1)}.cbstore`);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /* A lock file naming its holder; a holder that died (kill -9) is noticed. */
  async function lock(fn) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const lockPath = path.join(dir, '.lock');
    const deadline = Date.now() + 10000;
    for (;;) {
      try {
        const fd = fs.openSync(lockPath, 'wx', 0o600);
        fs.writeSync(fd, `${process.pid}\n`);
        fs.closeSync(fd);
        return () => { try { fs.unlinkSync(lockPath); } catch (e) { /* gone */ } };
      } catch (e) {
        if (e.code !== 'EEXIST') throw new Error(`Coldbrew.${fn}(): cannot lock ${dir}: ${e.message}`);
      }
      let holder = NaN;
      try { holder = parseInt(fs.readFileSync(lockPath, 'utf8'), 10); } catch (e) { continue; }
      let alive = true;
      if (holder === process.pid) alive = false;   // a save of ours that never finished
      else if (Number.isInteger(holder)) {
        try { process.kill(holder, 0); } catch (e) { alive = e.code === 'EPERM'; }
      } else {
        alive = false;
      }
      if (!alive) {
        try { fs.unlinkSync(lockPath); } catch (e) { /* someone else took it over */ }
        continue;
      }
      if (Date.now() > deadline) {
        const err = new Error(`Coldbrew.${fn}(): ${dir} is locked by process ${holder}, which is saving files there`);
        err.code = 'EBUSY';
        throw err;
      }
      await sleep(25);
    }
  }

  /* Files saved by earlier versions as a plain tree (dir/home/...): read
   * without following links, regular files and folders only. */
  function readLegacy(root, files) {
    const walk = (p) => {
      const host = path.join(dir, p);
      let st;
      try { st = fs.lstatSync(host); } catch (e) { return; }
      if (st.isDirectory()) {
        files.set(p, { dir: true, mode: st.mode & 0o777, mtime: st.mtimeMs });
        for (const n of fs.readdirSync(host)) walk(`${p}/${n}`);
      } else if (st.isFile()) {
        files.set(p, { data: new Uint8Array(fs.readFileSync(host)), mode: st.mode & 0o777, mtime: st.mtimeMs });
      }
    };
    walk(root);
  }

  /* One archive written atomically: a temporary file, synced, renamed over
   * the old one, the folder synced. Returns the generation it carries. */
  function writeArchive(fn, r, files) {
    const generation = cbNewGeneration();
    const bytes = cbStoreEncode(files, generation);
    const tmp = `${file(r)}.${process.pid}.${generation}.tmp`;
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 24));
      fs.fsyncSync(fd);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw new Error(`Coldbrew.${fn}(): writing ${tmp} failed (the previous save is intact): ${e.message}`);
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, file(r));
    try {
      const d = fs.openSync(dir, 'r');
      fs.fsyncSync(d);
      fs.closeSync(d);
    } catch (e) { /* a platform without directory sync */ }
    // The old plain-tree layout, if any, is replaced by the archive.
    fs.rmSync(path.join(dir, r.slice(1)), { recursive: true, force: true });
    return generation;
  }

  /* Temporary files of saves killed half-way (by this process or a dead one). */
  function clearLeftovers() {
    for (const n of fs.readdirSync(dir)) {
      const m = /^[a-z]+\.cbstore\.(\d+)\.[0-9a-f]+\.tmp$/.exec(n);
      if (!m) continue;
      let alive = Number(m[1]) !== process.pid;
      if (alive) { try { process.kill(Number(m[1]), 0); } catch (e) { alive = e.code === 'EPERM'; } }
      if (!alive) fs.rmSync(path.join(dir, n), { force: true });
    }
  }

  /* A root's saved files and generation (the old plain-tree layout read too). */
  function readRoot(fn, r) {
    const files = new Map();
    let bytes = null;
    try {
      bytes = fs.readFileSync(file(r));
    } catch (e) {
      if (e.code !== 'ENOENT') throw new Error(`Coldbrew.${fn}(): cannot read ${file(r)}: ${e.message}`);
    }
    if (!bytes) {
      readLegacy(r, files);
      return { files, generation: null };
    }
    const got = cbStoreDecode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file(r));
    return { files: got.files, generation: got.generation };
  }

  /* step() in this process's turn for the folder, under the lock (a read:
   * in turn only, so it sees every save this process started before it). */
  function inTurn(fn, step, locked = true) {
    const key = path.resolve(dir);
    const previous = cbStoreTurns.get(key) || Promise.resolve();
    const mine = previous.then(async () => {
      if (!locked) return step();
      const unlock = await lock(fn);
      try {
        return step();
      } finally {
        unlock();
      }
    });
    const turn = mine.catch(() => {});
    cbStoreTurns.set(key, turn);
    turn.then(() => { if (cbStoreTurns.get(key) === turn) cbStoreTurns.delete(key); });
    return mine;
  }

  return {
    where: dir,
    /* Node's automatic saves: each change {root, path, entries} replaces
     * what the archive holds at path (and under it) with entries, the rest
     * of the archive kept, so instances saving different files never drop
     * each other's (the same file: the last save wins, as on a disk). */
    merge(fn, changes) {
      return inTurn(fn, () => {
        for (const r of new Set(changes.map((c) => c.root))) {
          const { files } = readRoot(fn, r);
          for (const c of changes) {
            if (c.root !== r) continue;
            for (const p of [...files.keys()]) if (p === c.path || p.startsWith(`${c.path}/`)) files.delete(p);
            for (const [p, f] of c.entries) files.set(p, f);
          }
          writeArchive(fn, r, files);
        }
        clearLeftovers();
      });
    },
    read(fn, roots, seen) {
      return inTurn(fn, () => {
        const files = new Map();
        for (const r of roots) {
          const got = readRoot(fn, r);
          for (const [p, f] of got.files) files.set(p, f);
          seen.set(r, got.generation);
        }
        return files;
      }, false);
    },
  };
}

/* The browser's store: IndexedDB, a 'files' object store keyed by path and a
 * 'meta' store holding each root's generation. */
function cbBrowserStore(name) {
  if (typeof indexedDB === 'undefined') throw new Error('Coldbrew: this environment has no IndexedDB to save files in');
  const under = (roots, p) => roots.some((r) => p === r || p.startsWith(`${r}/`));
  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const open = () => {
    const r = indexedDB.open(name, 2);
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains('files')) db.createObjectStore('files');
      if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
    };
    return request(r);
  };
  return {
    where: `IndexedDB '${name}'`,
    async write(fn, roots, files, seen, overwrite) {
      const db = await open();
      try {
        const tx = db.transaction(['files', 'meta'], 'readwrite');
        const store = tx.objectStore('files');
        const meta = tx.objectStore('meta');
        const done = new Promise((resolve, reject) => {
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error || new Error('aborted'));
        });
        done.catch(() => {});
        const stamps = new Map();
        try {
          for (const r of roots) {
            const current = await request(meta.get(r));
            if (!overwrite && current && current !== seen.get(r)) throw cbStaleError(fn, r, `IndexedDB '${name}'`);
          }
          const keys = await request(store.getAllKeys());
          for (const k of keys) if (under(roots, k) && !files.has(k)) store.delete(k);
          for (const [p, f] of files) store.put(f, p);
          for (const r of roots) {
            stamps.set(r, cbNewGeneration());
            meta.put(stamps.get(r), r);
          }
        } catch (e) {
          try { tx.abort(); } catch (x) { /* already finished */ }
          throw e;
        }
        await done;
        for (const [r, g] of stamps) seen.set(r, g);
      } finally {
        db.close();
      }
    },
    async read(fn, roots, seen) {
      const db = await open();
      try {
        const tx = db.transaction(['files', 'meta'], 'readonly');
        const store = tx.objectStore('files');
        const meta = tx.objectStore('meta');
        const [keys, values, ...gens] = await Promise.all([request(store.getAllKeys()), request(store.getAll()),
          ...roots.map((r) => request(meta.get(r)))]);
        const files = new Map();
        keys.forEach((k, i) => { if (under(roots, k)) files.set(k, values[i]); });
        roots.forEach((r, i) => seen.set(r, gens[i] ?? null));
        return files;
      } finally {
        db.close();
      }
    },
  };
}

/* Where saveFiles() keeps files: IndexedDB in browsers, a folder in Node. */
export function cbStorage(fsOptions) {
  if (CB_IS_NODE) {
    const path = require('path');
    return cbNodeStore(fsOptions.storage || path.join(require('os').homedir(), '.coldbrew', 'files'));
  }
  return cbBrowserStore(fsOptions.storage || 'coldbrew-files');
}
