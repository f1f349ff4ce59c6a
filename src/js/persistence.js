/* saveFiles / loadFiles for one instance: which folders persist (load's
 * fsOptions), the queue that runs one instance's saves and loads one after
 * another, and the warnings. The store itself (format, atomic writes, locks,
 * generations) is storage.js.
 */
import { cbRestore, cbSnapshot, cbStorage } from './storage.js';
import { cbRequireLoaded, cbWarn } from './instance.js';

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

/* Resolves to the number of files saved. options.overwrite: replace what
 * another instance saved there since this one last loaded or saved. */
export async function cbSaveFiles(inst, options) {
  if (options === null || typeof options !== 'object') throw new TypeError('Coldbrew.saveFiles(): options must be an object');
  for (const k of Object.keys(options)) {
    if (k !== 'overwrite') throw new TypeError(`Coldbrew.saveFiles(): unknown option '${k}' (known: overwrite)`);
  }
  requirePersistence(inst, 'saveFiles');
  const roots = cbPersistedRoots(inst);
  const files = cbSnapshot(inst.Module.FS, roots, (skipped) => {
    cbWarn(inst, `saveFiles(): ${skipped.length} special file(s) (devices, pipes, sockets) are not saved: ${skipped.slice(0, 5).join(', ')}`);
  });
  const store = cbStorage(inst.loadOptions.fsOptions);
  await persisting(inst, () => store.write('saveFiles', roots, files, inst.storeSeen, options.overwrite === true));
  return [...files.values()].filter((f) => f.data).length;
}

/* Puts the saved files back. Resolves to the number of files loaded. */
export async function cbLoadFiles(inst) {
  requirePersistence(inst, 'loadFiles');
  const roots = cbPersistedRoots(inst);
  const store = cbStorage(inst.loadOptions.fsOptions);
  const files = await persisting(inst, () => store.read('loadFiles', roots, inst.storeSeen));
  cbRequireLoaded(inst, 'loadFiles');
  const [count, problems] = cbRestore(inst.Module.FS, files);
  if (problems.length) {
    cbWarn(inst, `loadFiles(): ${problems.length} saved path(s) from ${store.where} could not be restored:\n  ${problems.slice(0, 20).join('\n  ')}`);
  }
  return count;
}
