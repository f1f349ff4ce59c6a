/* Coldbrew's standard streams: the line sink behind onStandardOut and
 * onStandardErr, and the three devices of one instance (/dev/coldbrew-stdin,
 * -stdout, -stderr) that Python's file descriptors 0, 1 and 2 open, and
 * /dev/null's behaviour.
 *
 * A JS exception must never unwind through the wasm stack: a callback that
 * throws becomes EIO, which Python raises as OSError. While a callback runs,
 * inst.inCallback names it (calls.js refuses calls into Python then).
 */
import { cbDecodeText } from './text.js';
import { cbUnloadedError } from './instance.js';

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


/* standardInBuffer's default, as the original Coldbrew had one: input()
 * without any set-up reads this line instead of meeting the end of input. */
export const CB_STDIN_HELP = 'Coldbrew: no standard input was provided; set Coldbrew.standardInBuffer, ' +
  'Coldbrew.onStandardInRead or Coldbrew.onStandardInReadAsync to provide it\n';

/* What of standardInBuffer is not read yet. Reading advances a position
 * (inst.stdinPos) that assigning the buffer or reset() puts back to 0. The
 * default text gives way to a callback the user set. */
export function cbUnreadStdin(inst) {
  const { api } = inst;
  const text = inst.stdinText;
  if (typeof text !== 'string') return '';
  if (text === CB_STDIN_HELP && (typeof api.onStandardInRead === 'function' || typeof api.onStandardInReadAsync === 'function')) {
    return '';
  }
  return text.slice(inst.stdinPos);
}

export function cbRewindStdin(inst) {
  inst.stdinPos = 0;
  inst.stdinPending = new Uint8Array(0);
}

/* The devices of one instance, made after each load (lifecycle.js). */
export function cbMakeStdio(inst) {
  const { api, Module } = inst;
  const FS = Module.FS;
  const myLife = inst.life;
  const stdoutSink = inst.stdoutSink = new CbLineSink((line, partial) => api.onStandardOut(line, partial));
  const stderrSink = inst.stderrSink = new CbLineSink((line, partial) => api.onStandardErr(line, partial));
  const encoder = new TextEncoder();
  function guarded(what, body) {
    const outer = inst.inCallback;
    inst.inCallback = what;
    let result;
    try {
      result = body();
    } catch (e) {
      if (!myLife.alive) throw cbUnloadedError();
      if (e && e.cbErrno) throw new FS.ErrnoError(e.cbErrno);   // worker mode's stdin, interrupted: EINTR
      console.error(`Coldbrew: ${what} threw:`, e);
      throw new FS.ErrnoError(29);
    } finally {
      inst.inCallback = outer;
    }
    if (!myLife.alive) throw cbUnloadedError();   // unload() from the callback: unwind the run
    return result;
  }
  const buffered = () => cbUnreadStdin(inst).length > 0;
  function take(s, from) {
    if (typeof s === 'string') inst.stdinPending = encoder.encode(s);
    else if (s instanceof Uint8Array) inst.stdinPending = s;
    else if (s != null) throw new TypeError(`Coldbrew.${from} must return a string (or null for end of input)`);
  }
  function refillStdin(size) {
    const unread = cbUnreadStdin(inst);
    if (unread.length) {
      inst.stdinPending = encoder.encode(unread);
      inst.stdinPos = inst.stdinText.length;   // read: the string itself stays as it is
      return;
    }
    if (typeof api.onStandardInRead === 'function') {
      stdoutSink.flush();   // show a prompt written without a newline
      take(api.onStandardInRead(size), 'onStandardInRead');
    }
  }
  /* Async runs (src/core/cb_libc.c's read()): before a read of stdin that
   * would find nothing, onStandardInReadAsync's Promise is awaited. */
  let stdinFailed = false;
  Module.coldbrew.stdin = {
    wantsAsync: () => inst.stdinPending.length === 0 && typeof api.onStandardInReadAsync === 'function' && !buffered(),
    readAsync(size) {
      stdoutSink.flush();   // show a prompt written without a newline
      return Promise.resolve().then(() => api.onStandardInReadAsync(size)).then(
        (s) => take(s, 'onStandardInReadAsync'),
      ).catch((e) => {
        console.error('Coldbrew: onStandardInReadAsync failed:', e);
        stdinFailed = true;   // the read that follows raises OSError (EIO)
      });
    },
  };
  const ops = (sink, name) => ({
    open() {}, close() {},
    fsync() { if (sink) guarded(name, () => sink.flush()); },
    read(stream, buffer, offset, length) {
      if (sink) return 0;
      if (stdinFailed) {
        stdinFailed = false;
        throw new FS.ErrnoError(29);
      }
      if (inst.stdinPending.length === 0) guarded('onStandardInRead', () => refillStdin(length));
      const pending = inst.stdinPending;
      const n = Math.min(length, pending.length);
      buffer.set(pending.subarray(0, n), offset);
      inst.stdinPending = pending.subarray(n);
      return n;
    },
    write(stream, buffer, offset, length) {
      if (!sink) throw new FS.ErrnoError(8);
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length).slice();
      guarded(name, () => sink.write(bytes));
      return length;
    },
  });
  const devs = [['stdin', null, null], ['stdout', stdoutSink, 'onStandardOut'], ['stderr', stderrSink, 'onStandardErr']];
  for (let i = 0; i < 3; i++) {
    const [name, sink, callback] = devs[i];
    const dev = FS.makedev(64, i);
    FS.registerDevice(dev, ops(sink, callback));
    const path = `/dev/coldbrew-${name}`;
    FS.mkdev(path, i === 0 ? 0o444 : 0o222, dev);
    FS.close(FS.streams[i]);
    const s = FS.open(path, i === 0 ? 'r' : 'w');
    if (s.fd !== i) throw new Error(`Coldbrew.load(): could not set up ${name}`);
  }
  // /dev/null as on Linux, where seeking it succeeds (at 0): Emscripten's has
  // no llseek, so tell() on it failed (logging's RotatingFileHandler(os.devnull)).
  FS.registerDevice(FS.makedev(1, 3), { read: () => 0, write: (stream, buffer, offset, length) => length, llseek: () => 0 });
}

/* The last lines without a newline, once Python has finished: a callback
 * that throws here is reported, not turned into a failure of the run. */
export function cbFlushSinks(inst) {
  flushReporting(inst.stdoutSink, 'onStandardOut');
  flushReporting(inst.stderrSink, 'onStandardErr');
}

function flushReporting(sink, name) {
  if (sink === null || sink.pending.length === 0) return;
  try {
    sink.flush();
  } catch (e) {
    console.error(`Coldbrew: ${name} threw:`, e);
  }
}
