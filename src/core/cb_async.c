/* cb_async.c: the periodic hook, sleeping, and the entry of asynchronous runs.
 *
 * CPython's eval loop calls _Py_CheckEmscriptenSignalsPeriodically() every
 * few function calls and loop iterations, and PyErr_CheckSignals() calls
 * _Py_CheckEmscriptenSignals(). CPython defines both in
 * Python/emscripten_signal.c; this file defines every symbol of that file
 * instead (so the linker never takes CPython's copy from libpython3.13.a),
 * which makes it Coldbrew's one periodic hook:
 *   - during an asynchronous run (JSPI, see src/js/api.js), every `interval`
 *     interpreter checks it calls cb_js_async_tick, an import the JS API wraps
 *     in WebAssembly.Suspending: the Python stack is suspended and the event
 *     loop runs when the yield rate says so. PyErr_CheckSignals() (called per
 *     str(int), per sort, ...) does *not* reach JS: a suspending call costs a
 *     stack switch each time, which made call-heavy code 1.7-3.4x slower.
 *   - Module.Py_EmscriptenSignalBuffer (a SharedArrayBuffer a host may set)
 *     still delivers signals such as SIGINT, as with CPython's own file.
 * Sleeping: without pthreads Emscripten's libc spins on the clock for
 * time.sleep(); clock_nanosleep (a weak alias in musl) is replaced to block
 * in Atomics.wait where the host allows it, or, in an async run, to suspend
 * on a timer (cb_js_sleep_async). Suspending imports may only be called under
 * WebAssembly.promising, so the JS API switches cb_rt_set_async() on and off
 * as async runs, and calls nested in them, begin and end.
 */
#include "coldbrew.h"

#include <errno.h>
#include <time.h>

/* ---- the periodic hook (replaces Python/emscripten_signal.c) ---------------- */

EM_JS(int, cb_js_pending_signal, (void), {
    const buffer = Module.Py_EmscriptenSignalBuffer;
    if (!buffer) return 0;
    const signal = buffer[0];
    buffer[0] = 0;
    return signal;
});

/* Replaced by the JS API (WebAssembly.Suspending) where the engine has JSPI. */
EM_JS(void, cb_js_async_tick, (void), { throw new Error('Coldbrew: async tick without JSPI'); });
EM_JS(void, cb_js_sleep_async, (double ms), { throw new Error('Coldbrew: async sleep without JSPI'); });
EM_JS(void, cb_js_async_entered, (void), { Module.cbAsyncEntered(); });

EMSCRIPTEN_KEEPALIVE int Py_EMSCRIPTEN_SIGNAL_HANDLING = 0;   /* CPython's name: the hook is on */
int _Py_emscripten_signal_clock = 50;                          /* checks left until it runs */
static int cb_async_on;
static int cb_async_interval = 50;

void
_Py_CheckEmscriptenSignals(void)
{
    if (!Py_EMSCRIPTEN_SIGNAL_HANDLING) {
        return;
    }
    int signal = cb_js_pending_signal();
    if (signal) {
        PyErr_SetInterruptEx(signal);
    }
}

void
_Py_CheckEmscriptenSignalsPeriodically(void)
{
    if (_Py_emscripten_signal_clock <= 0) {
        _Py_emscripten_signal_clock = cb_async_interval;
        if (cb_async_on) {
            cb_js_async_tick();   /* may suspend this whole stack (JSPI) */
        }
        _Py_CheckEmscriptenSignals();
    }
    else if (Py_EMSCRIPTEN_SIGNAL_HANDLING) {
        _Py_emscripten_signal_clock--;
    }
}

int
cb_rt_async_on(void)
{
    return cb_async_on;
}

/* Async runs on or off; `interval`: interpreter checks between two ticks. */
CB_EXPORT void
cb_rt_set_async(int on, int interval)
{
    cb_async_on = on;
    cb_async_interval = interval > 0 ? interval : 50;
    if (_Py_emscripten_signal_clock > cb_async_interval) {
        _Py_emscripten_signal_clock = cb_async_interval;
    }
    Py_EMSCRIPTEN_SIGNAL_HANDLING = on;
}

/* ---- the entry of every async run ---------------------------------------------- */

int cb_rt_run(const char *source, size_t length);
int cb_rt_run_file(const char *path, const char *cwd, const char **args, int nargs);
char *cb_py_call_named(const char *buf, int nargs, int has_kw);
char *cb_py_lookup(const char *buf);

/* Called through WebAssembly.promising: tells JS that the run has started on
 * the wasm stack (until then, and while it is suspended, other calls into the
 * instance are refused), then runs the requested entry point. */
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

/* ---- sleeping ------------------------------------------------------------------------ */

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
    if (cb_async_on) {
        cb_js_sleep_async(ms);
    } else {
        cb_js_sleep(ms);
    }
    return 0;
}
