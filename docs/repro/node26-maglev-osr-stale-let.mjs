// A V8 bug met in Node 26.10 (V8 14.6.202.34): a function's loop reads a
// `let` of the function that a closure it calls advances; once Maglev
// compiles the running loop on the stack (OSR), the loop goes on with a stale
// copy of the variable. Here a synthetic wasm data section of 20000 active
// segments is parsed, and the count must be 20000:
//   for i in $(seq 20); do node docs/repro/node26-maglev-osr-stale-let.mjs; done | sort | uniq -c
// printed 20000 in 6 of 20 processes on Node 26.10 (the others 19960-19996),
// and 20000 every time with --no-maglev-osr and on Node 20. Coldbrew's tests
// met it in their own wasm parser (tests/node/stdlib-bundles.test.mjs), which
// now keeps the position in an object; docs/architecture.md says what to avoid.
const uleb = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const body = [...uleb(20000)];
for (let i = 0; i < 20000; i++) {
  const len = (i * 37) % 50;
  body.push(0, 0x41, ...uleb(1024 + i * 64), 0x0b, ...uleb(len), ...new Array(len).fill(7));
}
const wasm = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 11, ...uleb(body.length), ...body]);
function dataSegments(wasm) {
  let pos = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do { byte = wasm[pos++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return value;
  };
  const segments = [];
  while (pos < wasm.length) {
    const id = wasm[pos++], size = leb(), end = pos + size;
    if (id === 11) {
      for (let n = leb(); n > 0; n--) {
        const flags = leb();
        let address = null;
        if (flags === 0 || flags === 2) {
          if (flags === 2) leb();
          pos++;
          address = leb();
          pos++;
        }
        const length = leb();
        if (address !== null) segments.push([address, length]);
        pos += length;
      }
    }
    pos = end;
  }
  return segments;
}
console.log(dataSegments(wasm).length);
