// Shared helpers for the Node suites: a loaded Coldbrew instance whose output
// is captured instead of printed.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
export const Coldbrew = require('../../dist/coldbrew.js');

export async function loadedInstance(options = { hideWarnings: true }) {
  const cb = Coldbrew.createNewInstance();
  await cb.load(options);
  capture(cb);
  return cb;
}

// Replaces the instance's stdout/stderr callbacks; returns the arrays of lines.
export function capture(cb) {
  const out = [], err = [];
  cb.onStandardOut = (line) => out.push(line);
  cb.onStandardErr = (line) => err.push(line);
  cb.out = out;
  cb.err = err;
  return { out, err };
}

// Runs Python and returns what it printed (lines joined with \n).
export function py(cb, source) {
  cb.out.length = 0;
  cb.run(source);
  return cb.out.join('\n');
}
