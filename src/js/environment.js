/* The process state Python sees, for one instance: the working directory,
 * environment variables (for the whole instance, or for one runFile), and
 * reset(). Each is one call into a cb_rt_* export of src/core/cb_runtime.c;
 * the environment comes back through Module.coldbrew.envOut, the one field
 * C fills while cb_rt_getenv runs.
 */
import { cbCheckString } from './options.js';
import { cbCheck, cbEnter, cbWithStrings } from './calls.js';
import { cbSayInitialized } from './instance.js';
import { cbRewindStdin } from './stdio.js';

export function cbGetcwd(inst) {
  return cbEnter(inst, 'getcwd', () => {
    const Module = inst.Module;
    const p = Module._cb_rt_getcwd();
    const s = Module.UTF8ToString(p);
    Module._free(p);
    return s;
  });
}

export function cbChdir(inst, path) {
  cbCheckString('chdir', 'path', path);
  return cbEnter(inst, 'chdir', () => cbWithStrings(inst, [path], (p) => cbCheck(inst, inst.Module._cb_rt_chdir(p))));
}

export function cbSetenv(inst, key, value) {
  cbCheckString('setenv', 'key', key);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TypeError('Coldbrew.setenv(): value must be a string');
  }
  return cbEnter(inst, 'setenv', () => cbWithStrings(inst, [key, String(value)],
    (k, v) => cbCheck(inst, inst.Module._cb_rt_setenv(k, v))));
}

export function cbUnsetenv(inst, key) {
  cbCheckString('unsetenv', 'key', key);
  return cbEnter(inst, 'unsetenv', () => cbWithStrings(inst, [key], (k) => cbCheck(inst, inst.Module._cb_rt_unsetenv(k))));
}

/* os.environ as an object (inside a call into Python). */
function readEnv(inst) {
  const Module = inst.Module;
  Module.coldbrew.envOut = {};
  try {
    cbCheck(inst, Module._cb_rt_getenv());
    return Module.coldbrew.envOut;
  } finally {
    Module.coldbrew.envOut = null;
  }
}

export function cbGetenv(inst) {
  return cbEnter(inst, 'getenv', () => readEnv(inst));
}

export function cbResetenv(inst) {
  return cbEnter(inst, 'resetenv', () => cbCheck(inst, inst.Module._cb_rt_resetenv()));
}

export function cbReset(inst) {
  return cbEnter(inst, 'reset', () => {
    const Module = inst.Module;
    cbCheck(inst, Module._cb_rt_reset());
    cbCheck(inst, Module._cb_rt_resetenv());
    cbWithStrings(inst, ['/files'], (p) => cbCheck(inst, Module._cb_rt_chdir(p)));
    inst.lastException = null;
    cbRewindStdin(inst);
    cbSayInitialized(inst);
    return 0;
  });
}

/* Sets environment variables for one run; returns what puts them back. */
export function cbSetRunEnv(inst, envEntries) {
  if (!envEntries.length) return () => {};
  const Module = inst.Module;
  const saved = readEnv(inst);
  for (const [k, v] of envEntries) cbWithStrings(inst, [k, v], (kp, vp) => cbCheck(inst, Module._cb_rt_setenv(kp, vp)));
  return () => {
    if (inst.state !== 'loaded') return;
    for (const [k] of envEntries) {
      if (k in saved) cbWithStrings(inst, [k, saved[k]], (kp, vp) => Module._cb_rt_setenv(kp, vp));
      else cbWithStrings(inst, [k], (kp) => Module._cb_rt_unsetenv(kp));
    }
  };
}
