/* Coldbrew's standard streams: the line sink behind onStandardOut and
 * onStandardErr (the devices themselves are made per instance in api.js). */
import { cbDecodeText } from './text.js';

/* A character device that delivers whole lines to a callback.
 * onLine(line, partial): partial is true for a line flushed without its newline. */
export class CbLineSink {
  constructor(onLine) {
    this.onLine = onLine;
    this.pending = [];
  }
  write(bytes) {
    let start = 0;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, start)) {
      this.pending.push(bytes.subarray(start, i));
      this.emit(false);
      start = i + 1;
    }
    if (start < bytes.length) this.pending.push(bytes.slice(start));
  }
  emit(partial) {
    let line;
    // Whole lines are decoded by the text rule (src/js/text.js): bytes Python
    // wrote that are not UTF-8 (print('\udcff') in UTF-8 mode) stay escapes.
    if (this.pending.length === 1) line = cbDecodeText(this.pending[0]);
    else {
      let n = 0;
      for (const p of this.pending) n += p.length;
      const all = new Uint8Array(n);
      n = 0;
      for (const p of this.pending) { all.set(p, n); n += p.length; }
      line = cbDecodeText(all);
    }
    this.pending = [];
    this.onLine(line, partial);
  }
  flush() {
    if (this.pending.length) this.emit(true);
  }
}

