/* Async bridge variables: getVariableAsync.
 *
 * getVariableAsync returns a thenable Proxy right away. Each property read or
 * call on it is one more step of a chain; every step that touches a Python
 * object is an async run of its own (runs.js cbAsyncCall, so
 * urlopen(...).read() may wait on the network), started when the steps it
 * needs have settled, and queued behind other async work on this instance
 * instead of failing as busy. Awaiting a step gives its value: a plain value
 * or an ordinary PythonVariable. The bridge prepares each step's operands
 * (prepareLookup / prepareGet / prepareCall) exactly as for a sync call.
 */
import { cbCheckString } from './options.js';
import { cbRequireLoaded } from './instance.js';
import { cbIdle, cbWhenIdle } from './calls.js';
import { cbAsyncCall } from './runs.js';
import { CB_ASYNC_PROMISE, PythonKeywords } from './py-proxy.js';

/* step() once the instance is free, after the steps queued before it. */
function queued(inst, step) {
  const next = inst.asyncQueue.then(async () => {
    while (!cbIdle(inst)) await cbWhenIdle(inst);
    return step();
  });
  inst.asyncQueue = next.catch(() => {});
  return next;
}

function asyncStep(inst, prepared, exportName) {
  return cbAsyncCall(inst, 'getVariableAsync', exportName, () => prepared.prepare(), (r) => prepared.finish(r));
}

function asyncGet(inst, value, key) {
  const prepared = inst.bridge.prepareGet(value, key);
  if (prepared) return asyncStep(inst, prepared, 'cb_py_get');
  if (value === null || value === undefined) throw new TypeError(`Cannot read properties of ${value} (reading '${key}')`);
  return value[key];
}

function asyncApply(inst, self, fn, args, construct) {
  const prepared = inst.bridge.prepareCall(fn, args);
  if (prepared) return asyncStep(inst, prepared, construct ? 'cb_py_construct' : 'cb_py_call');
  if (typeof fn !== 'function') throw new TypeError(`${fn === null ? 'null' : typeof fn} is not a function`);
  return construct ? new fn(...args) : Reflect.apply(fn, self, args);
}

function asyncVariable(inst, promise, parent) {
  promise.catch(() => {});   // a failed step is reported where the chain is awaited
  return new Proxy(function AsyncPythonVariable() {}, {
    get(target, prop) {
      if (prop === 'then') return (ok, fail) => promise.then(ok, fail);
      if (prop === 'catch') return (fail) => promise.catch(fail);
      if (prop === 'finally') return (f) => promise.finally(f);
      if (prop === CB_ASYNC_PROMISE || prop === '__raw_promise__') return promise;
      if (typeof prop === 'symbol') return undefined;
      return asyncVariable(inst, promise.then((v) => queued(inst, () => asyncGet(inst, v, prop))), promise);
    },
    apply(target, thisArg, args) {
      const step = Promise.all([parent, promise, ...args])
        .then(([self, fn, ...a]) => queued(inst, () => asyncApply(inst, self, fn, a, false)));
      return asyncVariable(inst, step, null);
    },
    construct(target, args) {
      const step = Promise.all([promise, ...args])
        .then(([fn, ...a]) => queued(inst, () => asyncApply(inst, undefined, fn, a, true)));
      return asyncVariable(inst, step, null);
    },
    set() {
      throw new TypeError('Coldbrew: an async Python variable cannot be assigned to; await it first');
    },
  });
}

/* runFunctionAsync: the call's Promise arguments (keyword values too) are
 * awaited first; the result is an async variable like getVariableAsync's. */
export function cbRunFunctionAsync(inst, name, args) {
  const call = Promise.resolve().then(async () => {
    cbCheckString('runFunctionAsync', 'name', name);
    cbRequireLoaded(inst, 'runFunctionAsync');
    const settled = await Promise.all(args.map(async (a) => {
      if (!(a instanceof PythonKeywords)) return a;
      const entries = await Promise.all(Object.entries(a.keywords).map(async ([k, v]) => [k, await v]));
      return new PythonKeywords(Object.fromEntries(entries));
    }));
    return queued(inst, () => {
      const prepared = inst.bridge.prepareCallNamed(name, settled);
      return cbAsyncCall(inst, 'runFunctionAsync', 'cb_py_call_named', () => prepared.prepare(), (r) => prepared.finish(r));
    });
  });
  return asyncVariable(inst, call, undefined);
}

export function cbGetVariableAsync(inst, name) {
  const lookup = Promise.resolve().then(() => {
    cbCheckString('getVariableAsync', 'name', name);
    cbRequireLoaded(inst, 'getVariableAsync');
    return queued(inst, () => {
      const call = inst.bridge.prepareLookup(name);
      return cbAsyncCall(inst, 'getVariableAsync', 'cb_py_lookup', () => call.prepare(), (r) => call.finish(r));
    });
  });
  return asyncVariable(inst, lookup, undefined);
}
