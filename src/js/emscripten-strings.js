/* Emscripten JS library (linked with --js-library, build/runtime.mk): replaces
 * Emscripten's UTF-8 conversions with Coldbrew's one text rule
 * (src/js/text.js), handed in by load() as Module.cbText.
 * Emscripten's own decoder read invalid bytes as garbage code points (a file
 * b"bad\xff\xfename" came back as 'bad\U000feba1me') and its encoder joined a
 * lone surrogate with the next character ("\uDC00x" became U+10078); every
 * syscall path, environment string and FS text goes through these three. */
addToLibrary({
  $UTF8ArrayToString: (heapOrArray, idx = 0, maxBytesToRead = NaN) => {
    idx >>>= 0;
    const endIdx = idx + maxBytesToRead;
    let end = idx;
    while (heapOrArray[end] && !(end >= endIdx)) ++end;   // C strings end at NUL
    return Module.cbText.decode(heapOrArray, idx, end);
  },
  $lengthBytesUTF8: (str) => Module.cbText.length(str),
  $stringToUTF8Array: (str, heap, outIdx, maxBytesToWrite) => {
    outIdx >>>= 0;
    if (!(maxBytesToWrite > 0)) return 0;
    const n = Module.cbText.write(str, heap, outIdx, maxBytesToWrite - 1);
    heap[outIdx + n] = 0;
    return n;
  },
});
