/* The handle table: JS values Python holds (a JavaScriptVariable in Python
 * is a handle, an index into `values`). The JS half of cb_jsvar.c's lifetime.
 *
 * C may drop a handle right after writing it into a result record (the
 * value's last Python reference goes with the call), so a released slot is
 * freed only once the record has been read: after each call into C returns
 * (flush()).
 */
export class CbHandleTable {
  constructor() {
    this.values = [];
    this.free = [];
    this.deferred = [];
    this.live = 0;
  }
  hold(v) {
    const h = this.free.length ? this.free.pop() : this.values.length;
    this.values[h] = v;
    this.live++;
    return h;
  }
  release(h) {
    this.deferred.push(h);
  }
  flush() {
    const deferred = this.deferred;
    if (deferred.length === 0) return;
    for (const h of deferred) {
      this.values[h] = undefined;
      this.free.push(h);
      this.live--;
    }
    deferred.length = 0;
  }
}
