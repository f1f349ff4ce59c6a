/* Coldbrew's checks of what callers pass in: load()'s options and string
 * arguments, and the PythonError class every failed call throws. */
import { cbCheckText } from './text.js';

/** An exception raised by Python code, carried into JavaScript. */
export class PythonError extends Error {
  constructor(errorData) {
    super(`${errorData.type}: ${errorData.message}`);
    this.name = 'PythonError';
    /** type, message, filename, line, traceback (and exitCode for SystemExit) */
    this.errorData = errorData;
  }
}

/* python3's interpreter options that load({pythonFlags}) passes to CPython's
 * own parser: letters that may be grouped (-OO, -BEs) and -W / -X with a value
 * (attached, -Werror, or the next item). Options that run something (-c, -m,
 * -i's prompt) belong to the caller, as bin/coldbrew does. */
const CB_PYTHON_FLAG_LETTERS = 'BdEIOPqsSuv';
function checkPythonFlags(v) {
  if (!Array.isArray(v)) return "must be an array of python3 options, e.g. ['-O', '-W', 'error']";
  for (let i = 0; i < v.length; i++) {
    const f = v[i];
    if (typeof f !== 'string' || !/^-./.test(f)) return `must hold options that start with '-' (item ${i}: ${JSON.stringify(f)})`;
    if (/^-[WX]/.test(f)) {
      if (f.length === 2 && (typeof v[++i] !== 'string' || !v[i])) return `has ${f} without a value`;
      continue;
    }
    const bad = [...f.slice(1)].find((c) => !CB_PYTHON_FLAG_LETTERS.includes(c));
    if (bad) return `has -${bad}, not an interpreter option Coldbrew passes on (known: -${[...CB_PYTHON_FLAG_LETTERS].join(', -')}, -W, -X)`;
  }
  return null;
}

/* What load() accepts: option name -> check(value) returning an error text or null. */
export const CB_LOAD_OPTIONS = {
  fsOptions: (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'must be an object';
    for (const k of Object.keys(v)) {
      if (k === 'storage') {
        if (typeof v[k] !== 'string' || !v[k]) return '.storage must be a non-empty string';
        continue;
      }
      if (k !== 'persistHome' && k !== 'persistTmp') return `has an unknown key '${k}' (known: persistHome, persistTmp, storage)`;
      if (typeof v[k] !== 'boolean') return `.${k} must be a boolean`;
    }
    return null;
  },
  onProgress: (v) => (typeof v === 'function' ? null : 'must be a function ({loaded, total}) => ...'),
  hideWarnings: (v) => (typeof v === 'boolean' ? null : 'must be a boolean'),
  monitorFileUsage: (v) => (typeof v === 'boolean' ? null : 'must be a boolean'),
  asyncYieldRate: (v) => (v === null || (typeof v === 'number' && v > 0) ? null
    : 'must be null or a number greater than 0 (Infinity allowed)'),
  worker: (v) => (typeof v === 'boolean' ? null : 'must be a boolean'),
  indexURL: (v) => (typeof v === 'string' && v ? null : 'must be a non-empty string: the URL or folder holding coldbrew.wasm and coldbrew-stdlib.zip'),
  locateFile: (v) => (typeof v === 'function' ? null : 'must be a function (name, base) => the URL or path of that file'),
  pythonFlags: checkPythonFlags,
  transformVariableCasing: (v) => (typeof v === 'boolean' ? null : 'must be a boolean'),
  // The pool of the threaded runtime (threads.js): whole, and at most 256
  // (each worker is a JS engine instance of its own, tens of MB).
  threadWorkers: (v) => (Number.isInteger(v) && v >= 1 && v <= 256 ? null
    : 'must be a whole number from 1 to 256: how many Python threads may run at once'),
};

export function cbCheckOptions(options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('Coldbrew.load(options): options must be an object');
  }
  for (const [k, v] of Object.entries(options)) {
    const check = Object.prototype.hasOwnProperty.call(CB_LOAD_OPTIONS, k) ? CB_LOAD_OPTIONS[k] : null;
    if (!check) {
      throw new TypeError(`Coldbrew.load(options): unknown option '${k}' (known: ${Object.keys(CB_LOAD_OPTIONS).join(', ')})`);
    }
    const problem = check(v);
    if (problem) throw new TypeError(`Coldbrew.load(options): option '${k}' ${problem}`);
  }
  return options;
}

/* A run's time limit ({timeout}, ms), on either thread. */
export function cbCheckTimeout(fn, timeout) {
  if (!(typeof timeout === 'number' && timeout > 0)) {
    throw new TypeError(`Coldbrew.${fn}(): options.timeout must be a number of milliseconds greater than 0`);
  }
}

/* Every string argument of the API: a string the text rule can encode (src/js/text.js). */
export function cbCheckString(fn, name, v) {
  if (typeof v !== 'string') {
    throw new TypeError(`Coldbrew.${fn}(): ${name} must be a string, not ${v === null ? 'null' : typeof v}`);
  }
  cbCheckText(fn, name, v);
}

