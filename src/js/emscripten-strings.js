/* Emscripten JS library (linked with --js-library, build/runtime.mk): replaces
 * Emscripten's UTF-8 conversions with Coldbrew's one text rule
 * (src/js/text.js), handed in by load() as Module.cbText.
 * Emscripten's own decoder read invalid bytes as garbage code points (a file
 * b"bad\xff\xfename" came back as 'bad\U000feba1me') and its encoder joined a
 * lone surrogate with the next character ("\uDC00x" became U+10078); every
 * syscall path, environment string and FS text goes through these three.
 * A Python thread's worker (the threaded runtime) has no Module.cbText: its
 * file and console work is done on the main thread, and what little text it
 * converts itself (Emscripten's own messages) takes the standard UTF-8 of
 * TextDecoder/TextEncoder below. */
addToLibrary({
  $UTF8ArrayToString: (heapOrArray, idx = 0, maxBytesToRead = NaN) => {
    idx >>>= 0;
    const endIdx = idx + maxBytesToRead;
    let end = idx;
    while (heapOrArray[end] && !(end >= endIdx)) ++end;   // C strings end at NUL
    if (!Module.cbText) return new TextDecoder().decode(heapOrArray.slice(idx, end));
    return Module.cbText.decode(heapOrArray, idx, end);
  },
  $lengthBytesUTF8: (str) => (Module.cbText ? Module.cbText.length(str) : new TextEncoder().encode(str).length),
  $stringToUTF8Array: (str, heap, outIdx, maxBytesToWrite) => {
    outIdx >>>= 0;
    if (!(maxBytesToWrite > 0)) return 0;
    let n;
    if (Module.cbText) {
      n = Module.cbText.write(str, heap, outIdx, maxBytesToWrite - 1);
    } else {
      const bytes = new TextEncoder().encode(str).subarray(0, maxBytesToWrite - 1);
      heap.set(bytes, outIdx);
      n = bytes.length;
    }
    heap[outIdx + n] = 0;
    return n;
  },
});
