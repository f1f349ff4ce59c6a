/* saveFiles / loadFiles for one instance: which folders persist (load's
 * fsOptions), the queue that runs one instance's saves and loads one after
 * another, and the warnings. The store itself (format, atomic writes, locks,
 * generations) is storage.js.
 *
 * Browsers save when asked (saveFiles, into IndexedDB). Node saves by
 * itself, as the original Coldbrew's host-folder mount did: the file-system
 * calls that change a persisted folder are watched (cbWatchPersisted), and
 * right after the JavaScript that made the change (a run, a file helper)
 * the changed paths are merged into the store; saveFiles() then only waits
 * for that and resolves true, loadFiles() reads the store back.
 */
import { CB_IS_NODE } from './host.js';
import { cbRestore, cbSnapshot, cbStorage } from './storage.js';
import { cbRequireLoaded, cbWarn } from './instance.js';
import { cbResolvePath } from './vfs.js';

export function cbPersistedRoots(inst) {
  const fo = inst.loadOptions.fsOptions || {};
  return [fo.persistHome && '/home', fo.persistTmp && '/tmp'].filter(Boolean);
}

function requirePersistence(inst, fn) {
  cbRequireLoaded(inst, fn);
  if (!cbPersistedRoots(inst).length) {
    throw new Error(`Coldbrew.${fn}(): nothing to persist; load with fsOptions: {persistHome: true} and/or {persistTmp: true}`);
  }
}

/* Two saves started together (an autosave timer and a button) must not see
 * each other's new generation as another instance's. */
function persisting(inst, step) {
  const next = inst.persistQueue.then(step);
  inst.persistQueue = next.catch(() => {});
  return next;
}

/* Node: said once per instance, the first time saveFiles/loadFiles is called. */
function sayNodeSaves(inst) {
  if (inst.nodeSavesSaid) return;
  inst.nodeSavesSaid = true;
  cbWarn(inst, `in Node, ${cbPersistedRoots(inst).join(' and ')} are saved automatically as files change; ` +
    'saveFiles() waits for the last save and loadFiles() reads the store back');
}

/* Resolves to the number of files saved (Node: true, once the automatic
 * saves are done). options.overwrite: replace what another instance saved
 * there since this one last loaded or saved. */
export async function cbSaveFiles(inst, options) {
  if (options === null || typeof options !== 'object') throw new TypeError('Coldbrew.saveFiles(): options must be an object');
  for (const k of Object.keys(options)) {
    if (k !== 'overwrite') throw new TypeError(`Coldbrew.saveFiles(): unknown option '${k}' (known: overwrite)`);
  }
  requirePersistence(inst, 'saveFiles');
  if (CB_IS_NODE) {
    sayNodeSaves(inst);
    await cbFlushChanges(inst, 'saveFiles');
    return true;
  }
  const roots = cbPersistedRoots(inst);
  const files = cbSnapshot(inst.Module.FS, roots, (skipped) => warnSkipped(inst, 'saveFiles', skipped));
  const store = cbStorage(inst.loadOptions.fsOptions);
  await persisting(inst, () => store.write('saveFiles', roots, files, inst.storeSeen, options.overwrite === true));
  return [...files.values()].filter((f) => f.data).length;
}

function warnSkipped(inst, fn, skipped) {
  cbWarn(inst, `${fn}(): ${skipped.length} special file(s) (devices, pipes, sockets) are not saved: ${skipped.slice(0, 5).join(', ')}`);
}

/* Puts the saved files back. Resolves to the number of files loaded
 * (the API's loadFiles in Node: true). */
export async function cbLoadFiles(inst, fn = 'loadFiles') {
  requirePersistence(inst, fn);
  const roots = cbPersistedRoots(inst);
  const store = cbStorage(inst.loadOptions.fsOptions);
  if (CB_IS_NODE && fn === 'loadFiles') {
    sayNodeSaves(inst);
    await cbFlushChanges(inst, fn);
  }
  const files = await persisting(inst, () => store.read(fn, roots, inst.storeSeen));
  cbRequireLoaded(inst, fn);
  inst.restoring = true;   // what is put back is what the store holds: no save of it
  let count, problems;
  try {
    [count, problems] = cbRestore(inst.Module.FS, files);
  } finally {
    inst.restoring = false;
  }
  // Packages installed with installPackages(..., {user: true}) came back too.
  inst.bridge.callNamed("__import__('_coldbrew.packages').packages.add_user_site", []);
  if (problems.length) {
    cbWarn(inst, `${fn}(): ${problems.length} saved path(s) from ${store.where} could not be restored:\n  ${problems.slice(0, 20).join('\n  ')}`);
  }
  return CB_IS_NODE && fn === 'loadFiles' ? true : count;
}

/* ---- Node: saving as files change -------------------------------------------- */

/* The FS calls that change a file or folder, and where each finds its path. */
const CB_CHANGING_CALLS = {
  write: (FS, stream) => stream && stream.path,
  mknod: (FS, p) => p,
  symlink: (FS, target, p) => p,
  unlink: (FS, p) => p,
  rmdir: (FS, p) => p,
  chmod: (FS, p) => (typeof p === 'string' ? p : FS.getPath(p)),
  lchmod: (FS, p) => p,
  fchmod: (FS, fd) => FS.getStream(fd) && FS.getStream(fd).path,
  truncate: (FS, p) => (typeof p === 'string' ? p : FS.getPath(p)),
  ftruncate: (FS, fd) => FS.getStream(fd) && FS.getStream(fd).path,
  utime: (FS, p) => p,
};

/* Watches the persisted folders of a loaded Node instance (after load()
 * has restored them). */
export function cbWatchPersisted(inst) {
  const roots = cbPersistedRoots(inst);
  if (!CB_IS_NODE || !roots.length) return;
  const FS = inst.Module.FS;
  inst.persistChanged = new Set();
  const note = (p) => {
    if (typeof p !== 'string' || inst.restoring) return;
    // Most writes are elsewhere (stdout, /files): an absolute, plain path outside the roots is passed over cheaply.
    if (p.charCodeAt(0) === 47 && !p.includes('/.') && !roots.some((r) => p.startsWith(r))) return;
    const full = cbResolvePath(FS, p);
    if (!roots.some((r) => full === r || full.startsWith(`${r}/`))) return;
    if (!inst.persistChanged.size) queueMicrotask(() => { cbFlushChanges(inst, 'saveFiles').catch(() => {}); });
    inst.persistChanged.add(full);
  };
  for (const [name, pathOf] of Object.entries(CB_CHANGING_CALLS)) {
    const original = FS[name];
    FS[name] = function watched(...args) {
      const result = original.apply(FS, args);
      try { note(pathOf(FS, ...args)); } catch (e) { /* a path it cannot name: the next save of its folder has it */ }
      return result;
    };
  }
  const rename = FS.rename;
  FS.rename = function watchedRename(from, to) {
    const result = rename.call(FS, from, to);
    note(from);
    note(to);
    return result;
  };
}

/* Merges the paths changed since the last save into the store. The
 * snapshot is taken now (synchronously: unload() calls this before the file
 * system goes); the write is queued. A failed automatic save is a warning;
 * saveFiles() gets it as its rejection. */
export function cbFlushChanges(inst, fn) {
  const changed = inst.persistChanged;
  if (!changed || !changed.size || !inst.Module) return inst.persistQueue;
  inst.persistChanged = new Set();
  const roots = cbPersistedRoots(inst);
  const paths = [...changed].sort().filter((p, i, all) => !all.slice(0, i).some((q) => p.startsWith(`${q}/`)));
  const FS = inst.Module.FS;
  const changes = paths.map((p) => ({
    root: roots.find((r) => p === r || p.startsWith(`${r}/`)),
    path: p,
    entries: cbSnapshot(FS, [p], (skipped) => warnSkipped(inst, fn, skipped)),
  }));
  const store = cbStorage(inst.loadOptions.fsOptions);
  const saved = persisting(inst, () => store.merge(fn, changes));
  saved.catch((e) => cbWarn(inst, `saving ${paths.slice(0, 3).join(', ')} to ${store.where} failed: ${e.message}`));
  return saved;
}
