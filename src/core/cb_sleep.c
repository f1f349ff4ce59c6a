/* cb_sleep.c: sleeping without burning a core.
 *
 * Without pthreads, Emscripten's libc sleeps by spinning on the clock
 * (emscripten_thread_sleep in library_pthread_stub.c), so time.sleep(1) kept
 * a core busy for a second. CPython's time.sleep() calls clock_nanosleep(),
 * which musl defines as a weak alias: this strong definition replaces it and
 * blocks in Atomics.wait where the host allows it (Node, workers, and
 * cross-origin-isolated pages off the main thread); only a browser's main
 * thread, where blocking is forbidden, still spins. nanosleep() and usleep()
 * keep musl's spinning path; CPython does not use them for time.sleep().
 *
 * During an asynchronous run (JSPI), sleeping goes to cb_js_sleep_async, an
 * import the JS API wraps in WebAssembly.Suspending: the Python stack is
 * suspended on a timer and the event loop keeps running. A suspending import
 * may only be called under WebAssembly.promising, so the JS API switches
 * cb_rt_set_async() on and off as async runs (and calls nested in them) begin
 * and end; the same switch turns CPython's periodic hook on (the yields).
 */
#include "coldbrew.h"

#include <errno.h>
#include <time.h>

EM_JS(void, cb_js_sleep, (double ms), {
    if (!(ms > 0)) return;
    try {
        if (!Module.cbSleepCell) Module.cbSleepCell = new Int32Array(new SharedArrayBuffer(4));
        Atomics.wait(Module.cbSleepCell, 0, 0, ms);
        return;
    } catch (e) {
        /* no SharedArrayBuffer, or a thread that may not block: spin below */
    }
    const end = performance.now() + ms;
    while (performance.now() < end) {}
});

/* Replaced by the JS API (WebAssembly.Suspending) where the engine has JSPI. */
EM_JS(void, cb_js_sleep_async, (double ms), {
    throw new Error('Coldbrew: asynchronous sleep without JSPI');
});

static int cb_sleep_async;

extern int Py_EMSCRIPTEN_SIGNAL_HANDLING;   /* Python/emscripten_signal.c */

CB_EXPORT void
cb_rt_set_async(int on)
{
    cb_sleep_async = on;
    Py_EMSCRIPTEN_SIGNAL_HANDLING = on;
}

/* The entry point of every async run, called through WebAssembly.promising:
 * tells JS that the run has really started on the wasm stack (until then, and
 * whenever it is suspended, other calls into this instance are refused), then
 * runs the requested entry point. */
EM_JS(void, cb_js_async_entered, (void), { Module.cbAsyncEntered(); });

int cb_rt_run(const char *source, size_t length);
int cb_rt_run_file(const char *path, const char *cwd, const char **args, int nargs);
char *cb_py_call_named(const char *buf, int nargs, int has_kw);
char *cb_py_lookup(const char *buf);

CB_EXPORT uintptr_t
cb_rt_async_call(int which, uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d)
{
    cb_js_async_entered();
    switch (which) {
    case 0:
        return (uintptr_t)cb_rt_run((const char *)a, (size_t)b);
    case 1:
        return (uintptr_t)cb_rt_run_file((const char *)a, (const char *)b, (const char **)c, (int)d);
    case 2:
        return (uintptr_t)cb_py_call_named((const char *)a, (int)b, (int)c);
    default:
        return (uintptr_t)cb_py_lookup((const char *)a);
    }
}

int
clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    if (clk == CLOCK_THREAD_CPUTIME_ID) {
        return EINVAL;
    }
    if (req == NULL || req->tv_nsec < 0 || req->tv_nsec > 999999999L || req->tv_sec < 0) {
        return EINVAL;
    }
    double ms = req->tv_sec * 1000.0 + req->tv_nsec / 1e6;
    if (flags & TIMER_ABSTIME) {
        struct timespec now;
        clock_gettime(clk, &now);
        ms -= now.tv_sec * 1000.0 + now.tv_nsec / 1e6;
    }
    if (cb_sleep_async) {
        cb_js_sleep_async(ms);
    } else {
        cb_js_sleep(ms);
    }
    return 0;
}
