/* Views of wasm memory for the API's own reads and writes.
 *
 * Emscripten's HEAPU8 / HEAPU32 go stale when memory grows on another thread
 * (the threaded runtime: a Python thread's malloc may grow the shared
 * memory, and this thread only learns of it when it looks). cbHeap compares
 * the views' buffer with the memory's current one and renews them; the test
 * is one property read, so every access goes through it. Module.cbMemory is
 * the WebAssembly.Memory (lifecycle.js sets it). */
export function cbHeap(Module) {
  const buffer = Module.cbMemory.buffer;
  let views = Module.cbHeapViews;
  if (!views || views.u8.buffer !== buffer) {
    views = Module.cbHeapViews = { u8: new Uint8Array(buffer), u32: new Uint32Array(buffer), i32: new Int32Array(buffer) };
  }
  return views;
}
