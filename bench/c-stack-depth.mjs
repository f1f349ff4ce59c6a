// Measures how deep C-level recursion can go in this JS engine before its
// stack overflows, to choose CPython's C recursion limit for Emscripten
// (cpython/patches/0001 and src/core). Lifts the limit, then finds, by
// bisection over fresh instances, the deepest nesting that repr(), json.dumps()
// and json.loads() survive. Usage: node bench/c-stack-depth.mjs
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const Coldbrew = require('../dist/coldbrew.js');

const probes = {
  repr: (d) => `x = []\nfor i in range(${d}): x = [x]\nrepr(x)`,
  'json.dumps': (d) => `import json\nx = []\nfor i in range(${d}): x = [x]\njson.dumps(x)`,
  'json.loads': (d) => `import json\njson.loads("[" * ${d} + "]" * ${d})`,
  'pickle.dumps': (d) => `import pickle\nx = []\nfor i in range(${d}): x = [x]\npickle.dumps(x)`,
  'recursive __repr__': (d) => `import sys\nsys.setrecursionlimit(10**6)\nclass A:\n    def __init__(s, n): s.n = n\n    def __repr__(s): return repr(A(s.n - 1)) if s.n else "A"\nrepr(A(${d}))`,
};

async function survives(source) {
  const cb = Coldbrew.createNewInstance();
  await cb.load({ hideWarnings: true });
  cb.onStandardOut = cb.onStandardErr = () => {};
  cb._module._cb_rt_set_c_recursion_limit(1 << 30);
  try {
    cb.run(source);
    return true;
  } catch (e) {
    return e instanceof cb.PythonError && e.errorData.type !== 'RecursionError';
  }
}

console.log(`Node ${process.version}`);
for (const [name, make] of Object.entries(probes)) {
  let lo = 100, hi = 200000;
  while (hi - lo > Math.max(50, lo / 50)) {
    const mid = Math.floor((lo + hi) / 2);
    if (await survives(make(mid))) lo = mid; else hi = mid;
  }
  console.log(`${name.padEnd(20)} survives ~${lo} levels`);
}
