/* What host Coldbrew runs in: shared by the modules that differ between Node
 * and browsers (storage, loader, HTTP). */
export const CB_IS_NODE = typeof process === 'object' && process.versions != null && process.versions.node != null;

/* Why this thread cannot make a SharedArrayBuffer, in words for an error
 * message, or null if it can. Worker mode needs one to wait for the calling
 * thread (input(), the page's scope) and to be interrupted. */
export function cbNoSharedMemory() {
  try {
    new SharedArrayBuffer(4);
    return null;
  } catch (e) {
    if (globalThis.crossOriginIsolated !== false) {
      return 'this browser has no SharedArrayBuffer, even on a cross-origin isolated page (WebKit and Safari lack it)';
    }
    return 'the page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin ' +
      'and Cross-Origin-Embedder-Policy: require-corp, as bin/coldbrew-serve does)';
  }
}
