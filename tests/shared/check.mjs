// The assertions of the shared test bodies (tests/shared/api-bodies.mjs):
// the same few checks in Node and in a browser page, where node:assert does
// not exist. Each failure is an Error whose message says what differed.
function show(v) {
  try { return typeof v === 'string' ? JSON.stringify(v) : (ArrayBuffer.isView(v) ? `${v.constructor.name}(${v.length})` : JSON.stringify(v) ?? String(v)); } catch (e) { return String(v); }
}

function fail(message, detail) {
  throw new Error(message ? `${message}: ${detail}` : detail);
}

export function equal(actual, expected, message) {
  if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
}

export function ok(value, message) {
  if (!value) fail(message, `expected a true value, got ${show(value)}`);
}

export function match(text, pattern, message) {
  if (typeof text !== 'string' || !pattern.test(text)) fail(message, `${show(text)} does not match ${pattern}`);
}

function same(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a)) return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
}

export function deepEqual(actual, expected, message) {
  if (!same(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
}

/* The call (a function, sync or async, or a Promise) must fail; `expected` is
 * a RegExp for the message, an error class, or a predicate returning true. */
export async function rejects(call, expected, message) {
  let error;
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (e) {
    error = e;
  }
  if (!error) fail(message, 'expected an error, none was thrown');
  let good;
  if (expected instanceof RegExp) good = expected.test(String(error && error.message));
  else if (expected.prototype instanceof Error || expected === Error) good = error instanceof expected;
  else good = expected(error) === true;
  if (!good) fail(message, `unexpected error ${error && error.name}: ${error && error.message}${error && error.errorData ? ` ${show(error.errorData.type)}` : ''}`);
  return error;
}
