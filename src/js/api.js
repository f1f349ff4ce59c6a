/* Coldbrew JavaScript API: the Coldbrew object, as a table of contents.
 *
 * The entry module of the bundle (build/assemble_js.py runs esbuild on it);
 * the bundle sits after Emscripten's factory `createColdbrewModule` and before
 * a CommonJS / classic-script or an ES-module epilogue. Each public function
 * is one line into the module that owns it, called with this instance's state
 * record (instance.js); per instance: lifecycle (load/unload), runs, calls,
 * async-variables, environment, files, persistence, stdio; shared by all
 * instances: bridge (values and proxies), options, loader, jspi, http, packages,
 * storage, vfs, text.
 *
 * Expects from the prelude: cbScriptBase (URL or directory of this file, or null);
 * from build/assemble_js.py: CB_EXAMPLES, CB_ASSET_SIZES, CB_STDLIB_BUNDLES, CB_VERSION, CB_PYVERSION.
 */
import { PythonKeywords, PythonVariable } from './bridge.js';
import { PythonError, cbCheckString } from './options.js';
import { cbNewInstance, cbRequireLoaded } from './instance.js';
import { cbInterrupt } from './calls.js';
import { cbLoad, cbUnload } from './lifecycle.js';
import { cbRun, cbRunFile, cbRunAsync, cbRunFileAsync, cbSetAsyncYieldRate } from './runs.js';
import { cbGetVariableAsync, cbRunFunctionAsync } from './async-variables.js';
import { cbChdir, cbGetcwd, cbGetenv, cbReset, cbResetenv, cbSetenv, cbUnsetenv } from './environment.js';
import { cbAddFile, cbAddFilesFromZip, cbCreateFolder, cbDeletePath, cbDownloadPathToZip, cbListFiles, cbPathExists,
  cbReadBinaryFile, cbReadFile } from './files.js';
import { cbLoadFiles, cbSaveFiles } from './persistence.js';
import { cbInstallPackages } from './packages.js';
import { cbMountHostDirectory } from './host-mount.js';
import { CB_STDIN_HELP } from './stdio.js';
import { cbStartWorker, cbStopWorker, cbWorkerMembers } from './worker-client.js';
import { cbServeWorker, cbWorkerChannel } from './worker-server.js';
import { cbCheckOptions } from './options.js';

const CB_INSTANCE = Symbol('coldbrew.instance');   // the worker's server reaches its instance's state

export { PythonError };

function createColdbrew() {
  const api = {};
  const inst = cbNewInstance(api);
  /* The bridge of a loaded instance, for the functions that are one bridge call. */
  const bridge = (fn) => {
    cbRequireLoaded(inst, fn);
    return inst.bridge;
  };

  // Before load() and after unload(), the object holds only these, as the
  // original Coldbrew's did: types, versions, the standard-stream callbacks
  // (stdio.js reads them at each use) with their defaults, and loading.
  const defaults = {
    onStandardOut: (line) => console.log(line),
    onStandardErr: (line) => console.warn(line),
    onStandardInRead: null,
    onStandardInReadAsync: null,   // async runs: (size) => Promise of a string (or null at the end)
  };
  api.PythonError = PythonError;
  api.PythonKeywords = PythonKeywords;
  api.PythonVariable = PythonVariable;
  api.version = CB_VERSION;       // Coldbrew's (dist/package.json)
  api.pyversion = CB_PYVERSION;   // CPython's, e.g. 3.13.5
  Object.assign(api, defaults);
  // Read from a position (stdio.js): assigning it starts reading it from its beginning.
  Object.defineProperty(api, 'standardInBuffer', {
    get: () => inst.stdinText,
    set: (text) => { inst.stdinText = text; inst.stdinPos = 0; },
    enumerable: true,
  });
  api.standardInBuffer = CB_STDIN_HELP;
  Object.assign(api, {
    load(options) {
      if (options !== null && typeof options === 'object' && options.worker === true) return loadWorker(options);
      Object.assign(api, loaded);   // the rest of the API, from the call on (a call while loading says so)
      const loading = cbLoad(inst, options);
      loading.catch(() => { if (inst.state === 'unloaded') removeLoaded(); });
      return loading;
    },
    unload(reason) {
      if (inst.worker) {
        cbStopWorker(inst.worker, reason);
        inst.worker = null;
        inst.state = 'unloaded';
        inst.generation++;
      } else {
        cbUnload(inst);
      }
      removeLoaded();
      Object.assign(api, defaults);
      api.standardInBuffer = CB_STDIN_HELP;
    },
    createNewInstance() { return createColdbrew(); },
  });

  // What load() adds (and unload() takes away again).
  const loaded = {};
  let workerKeys = [];
  const removeLoaded = () => { for (const k of [...Object.keys(loaded), ...workerKeys]) delete api[k]; };

  /* load({worker: true}): Python in a worker, every method a Promise (worker-client.js). */
  function loadWorker(options) {
    try {
      cbCheckOptions(options);
    } catch (e) {
      return Promise.reject(e);
    }
    if (inst.state === 'loaded') return Promise.resolve();
    if (inst.state === 'loading') return inst.loading;
    inst.state = 'loading';
    inst.hideWarnings = !!options.hideWarnings;
    const myGeneration = ++inst.generation;
    inst.loading = cbStartWorker(inst, options).then((client) => {
      if (myGeneration !== inst.generation) {
        cbStopWorker(client);
        throw new Error('Coldbrew.load(): unload() was called while loading');
      }
      inst.worker = client;
      const members = cbWorkerMembers(inst, client, (err) => api.unload(err));
      workerKeys = Object.keys(members);
      Object.assign(api, members);
      inst.state = 'loaded';
    }, (e) => {
      if (myGeneration === inst.generation) inst.state = 'unloaded';
      throw e;
    });
    return inst.loading;
  }

  // Running Python (runs.js, async-variables.js).
  Object.assign(loaded, {
    run(source, options) { return cbRun(inst, source, options); },
    runFile(path, options = {}) { return cbRunFile(inst, path, options); },
    async runAsync(source, options) { return cbRunAsync(inst, source, options); },
    async runFileAsync(path, options = {}) { return cbRunFileAsync(inst, path, options); },
    runFunctionAsync(name, ...args) { return cbRunFunctionAsync(inst, name, args); },
    getVariableAsync(name) { return cbGetVariableAsync(inst, name); },
    setAsyncYieldRate(rate) { return cbSetAsyncYieldRate(inst, rate); },
    interrupt() { return cbInterrupt(inst); },
    getAsyncYieldRate() { return inst.yieldRate; },
  });

  // Values and bridge variables (bridge.js).
  Object.assign(loaded, {
    getVariable(name) {
      cbCheckString('getVariable', 'name', name);
      return bridge('getVariable').lookup(name);
    },
    runFunction(name, ...args) {
      cbCheckString('runFunction', 'name', name);
      return bridge('runFunction').callNamed(name, args);
    },
    destroyAllVariables() { return bridge('destroyAllVariables').destroyAll(); },
    liveVariableCounts() { return bridge('liveVariableCounts').counts(); },   // leak checks: handles held on each side
    getExceptionInfo() {
      cbRequireLoaded(inst, 'getExceptionInfo');
      return inst.lastException;
    },
  });

  // Slimming a custom build (src/py/_coldbrew/usage.py; docs/custom-builds.md).
  Object.assign(loaded, {
    getUsedFiles() {
      if (!(inst.loadOptions && inst.loadOptions.monitorFileUsage)) {
        throw new Error('Coldbrew.getUsedFiles(): file usage is not being recorded; load Coldbrew with ' +
          'load({monitorFileUsage: true}), run the program, then call getUsedFiles()');
      }
      return bridge('getUsedFiles').callNamed("__import__('_coldbrew.usage', fromlist=['x']).used_files", []);
    },
    getUnusedModules() {
      return bridge('getUnusedModules').callNamed("__import__('_coldbrew.usage', fromlist=['x']).unused_modules", []);
    },
  });

  // Pure-Python wheels at run time (packages.js; src/py/_coldbrew/packages.py).
  Object.assign(loaded, {
    async installPackages(requirements, options = {}) { return cbInstallPackages(inst, requirements, options); },
  });

  // The process Python sees (environment.js).
  Object.assign(loaded, {
    getcwd() { return cbGetcwd(inst); },
    chdir(path) { return cbChdir(inst, path); },
    setenv(key, value) { return cbSetenv(inst, key, value); },
    unsetenv(key) { return cbUnsetenv(inst, key); },
    getenv() { return cbGetenv(inst); },
    resetenv() { return cbResetenv(inst); },
    reset() { return cbReset(inst); },
  });

  // The virtual file system and zip (files.js).
  Object.assign(loaded, {
    listFiles(path = '/') { return cbListFiles(inst, path); },
    createFolder(path) { return cbCreateFolder(inst, path); },
    addFile(path, data) { return cbAddFile(inst, path, data); },
    pathExists(path) { return cbPathExists(inst, path); },
    readFile(path) { return cbReadFile(inst, path); },
    readBinaryFile(path) { return cbReadBinaryFile(inst, path); },
    deletePath(path) { return cbDeletePath(inst, path); },
    async addFilesFromZip(path, url) { return cbAddFilesFromZip(inst, path, url); },
    downloadPathToZip(path, name = 'download.zip') { return cbDownloadPathToZip(inst, path, name); },
    mountHostDirectory(hostPath, vfsPath, options = {}) { return cbMountHostDirectory(inst, hostPath, vfsPath, options); },
  });

  // Persistence of /home and /tmp (persistence.js, storage.js).
  Object.assign(loaded, {
    async saveFiles(options = {}) { return cbSaveFiles(inst, options); },
    async loadFiles() { return cbLoadFiles(inst); },
  });

  /* For tests and tools: the Emscripten module of this instance (or null). */
  Object.defineProperty(api, '_module', { get: () => inst.Module });
  Object.defineProperty(api, CB_INSTANCE, { value: inst });
  return api;
}

export const Coldbrew = createColdbrew();

// In a worker that worker mode started, this bundle serves its client.
const cbChannel = cbWorkerChannel();
if (cbChannel) {
  const served = createColdbrew();
  cbServeWorker(cbChannel, served, served[CB_INSTANCE]);
}
