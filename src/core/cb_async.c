/* cb_async.c: the periodic hook, async runs' state, and waiting.
 *
 * Layer 1 (see src/core/layers.txt): it calls no other file of the core; the
 * libc overrides (cb_libc.c), the JS-value type (cb_jsvar.c) and the runtime's
 * async entry point (cb_runtime.c) call into it.
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
 *   - after unload() during a run (cb_async_abandon), the next check unwinds.
 * Waiting: cb_async_sleep (time.sleep through cb_libc.c's clock_nanosleep,
 * and asyncio) blocks in Atomics.wait where the host allows it, or, in an
 * async run, suspends on a timer (cb_js_sleep_async); cb_async_stdin_wait
 * (before cb_libc.c's read of fd 0) awaits onStandardInReadAsync in an async
 * run. Suspending imports may only be called under WebAssembly.promising, so
 * the JS API switches cb_async_set() on and off as async runs, and calls
 * nested in them, begin and end.
 * asyncio: _coldbrew.aio.HostEventLoop waits through Coldbrew._asyncio_wait()
 * here, for its next timer or for a JS Promise a coroutine awaits to settle
 * (the JS API keeps the settled ones in a queue, Module.coldbrew.aio): suspended on
 * the event loop in an async run, asleep in a sync one. While such a loop
 * runs (Coldbrew._asyncio_loop), a Promise a JS call returns reaches Python as
 * an awaitable JavaScriptVariable instead of being waited for.
 */
#include "coldbrew.h"

#include <errno.h>

/* ---- the periodic hook (replaces Python/emscripten_signal.c) ---------------- */

/* The signal the host sent (Coldbrew.interrupt(): SIGINT), taken: an
 * Int32Array the JS API makes (shared with the calling thread in worker
 * mode), or any buffer a host set as CPython's own file allowed. */
EM_JS(int, cb_js_pending_signal, (void), {
    const buffer = Module.Py_EmscriptenSignalBuffer;
    if (!buffer) return 0;
    if (buffer instanceof Int32Array) return Atomics.exchange(buffer, 0, 0);
    const signal = buffer[0];
    buffer[0] = 0;
    return signal;
});

/* Replaced by the JS API (WebAssembly.Suspending) where the engine has JSPI. */
EM_JS(void, cb_js_async_tick, (void), { throw new Error('Coldbrew: async tick without JSPI'); });
EM_JS(void, cb_js_sleep_async, (double ms), { throw new Error('Coldbrew: async sleep without JSPI'); });
EM_JS(void, cb_js_async_entered, (void), { Module.coldbrew.asyncEntered(); });

EMSCRIPTEN_KEEPALIVE int Py_EMSCRIPTEN_SIGNAL_HANDLING = 0;   /* CPython's name: the hook is on */
int _Py_emscripten_signal_clock = 50;                          /* checks left until it runs */
static int cb_async_running;   /* inside an async run: suspending imports allowed */
static int cb_async_interval = 50;
/* Outside async runs the hook only looks for a signal (Coldbrew.interrupt()),
 * every this many interpreter checks: one JS call per ~1000 checks. */
#define CB_SIGNAL_INTERVAL 1000
static unsigned cb_signal_calls;   /* PyErr_CheckSignals() calls, to look every 64th time */

/* Takes a pending host signal into CPython (KeyboardInterrupt for SIGINT
 * at the next check); 1 if there was one. */
static int
cb_async_poll_signal(void)
{
    int signal = cb_js_pending_signal();
    if (signal) {
        PyErr_SetInterruptEx(signal);
    }
    return signal != 0;
}

static int cb_abandoned;   /* the JS side unloaded this instance during a run */

/* Unwinds the whole wasm stack to the JS caller; only for an abandoned instance. */
EM_JS(void, cb_js_abandoned, (void), {
    const err = new Error('Coldbrew: Coldbrew.unload() was called while Python was running; the run was ended');
    err.code = 'COLDBREW_UNLOADED';
    throw err;
});

/* Called by unload() during a run: Python that is still computing stops at
 * the next check of the hook instead of running on in a dead instance. */
CB_EXPORT void
cb_async_abandon(void)
{
    cb_abandoned = 1;
    cb_async_running = 0;
    _Py_emscripten_signal_clock = 0;
}

/* For a wait the JS API ends on an interrupt (worker mode's stdin): the
 * signal goes into CPython now, so the EINTR that follows raises it. */
CB_EXPORT int
cb_async_take_signal(void)
{
    return cb_async_poll_signal();
}

void
_Py_CheckEmscriptenSignals(void)
{
    if (!CB_ON_MAIN_THREAD()) {
        return;   /* host signals, async runs and unload() concern the main thread (CPython too runs handlers there) */
    }
    /* Here, not in the periodic function below: that one runs at every
     * check of the eval loop and must stay small enough to be inlined. */
    if (cb_abandoned) {
        cb_js_abandoned();
    }
    /* PyErr_CheckSignals() comes here very often (per str(int), per sort,
     * and from C loops such as re's matcher): a look at the host's signal
     * costs a JS call, so only every 64th time. */
    if (Py_EMSCRIPTEN_SIGNAL_HANDLING && (++cb_signal_calls & 63) == 0) {
        cb_async_poll_signal();
    }
}

static void cb_eval_epoch_tick(void);

void
_Py_CheckEmscriptenSignalsPeriodically(void)
{
    if (_Py_emscripten_signal_clock <= 0) {
        if (!CB_ON_MAIN_THREAD()) {
            return;   /* another Python thread: the clock is the main thread's */
        }
        _Py_emscripten_signal_clock = cb_async_interval;
        if (cb_async_running) {
            cb_js_async_tick();   /* may suspend this whole stack (JSPI) */
        }
        if (cb_abandoned) {
            cb_js_abandoned();
        }
        cb_async_poll_signal();
        cb_eval_epoch_tick();
    }
    else if (Py_EMSCRIPTEN_SIGNAL_HANDLING) {
        _Py_emscripten_signal_clock--;
    }
}

/* ---- the eval loop's epochs ---------------------------------------------------------- */

/* A wasm engine compiles a function first with a fast baseline compiler and,
 * once it runs hot, again with its optimizing one; only calls made after that
 * run the new code. A running activation keeps what it began with (V8 has no
 * on-stack replacement for wasm), and CPython 3.13 runs Python-to-Python
 * calls inside one activation of _PyEval_EvalFrameDefault: a program's whole
 * run would stay on the baseline code its first frame began with, about 25 %
 * slower (docs/performance.md). cpython/patches/0003 makes an activation that
 * began before the last advance of _Py_emscripten_eval_epoch run each call it
 * makes in a new activation. The epochs advance here, at growing intervals
 * from the first check (the engine's tier-ups, and its deoptimizations back
 * to the baseline code, happen early): each advance costs at most one more
 * level of C recursion per Python stack, nine in all. */
extern int _Py_emscripten_eval_epoch;
static double cb_epoch_next_ms;          /* when the next epoch begins; 0: not yet timed */
static double cb_epoch_step_ms = 125;    /* doubles at each advance */
#define CB_EPOCH_LAST_STEP_MS 32000

static void
cb_eval_epoch_tick(void)
{
    if (cb_epoch_step_ms > CB_EPOCH_LAST_STEP_MS) {
        return;
    }
    double now = emscripten_get_now();
    if (cb_epoch_next_ms == 0) {
        cb_epoch_next_ms = now + cb_epoch_step_ms;
    }
    else if (now >= cb_epoch_next_ms) {
        _Py_emscripten_eval_epoch++;
        cb_epoch_step_ms *= 2;
        cb_epoch_next_ms = now + cb_epoch_step_ms;
    }
}

int
cb_async_on(void)
{
    return cb_async_running && CB_ON_MAIN_THREAD();
}

/* Async runs on or off; `interval`: interpreter checks between two ticks.
 * The hook stays on either way (after the first call, made at load): off an
 * async run it only looks for a host signal. */
CB_EXPORT void
cb_async_set(int on, int interval)
{
    cb_async_running = on;
    cb_async_interval = on ? (interval > 0 ? interval : 50) : CB_SIGNAL_INTERVAL;
    if (_Py_emscripten_signal_clock > cb_async_interval) {
        _Py_emscripten_signal_clock = cb_async_interval;
    }
    Py_EMSCRIPTEN_SIGNAL_HANDLING = 1;
}

/* Tells JS that an async run has started on the wasm stack (cb_rt_async_call). */
void
cb_async_enter(void)
{
    cb_js_async_entered();
}

/* ---- sleeping ------------------------------------------------------------------------ */

/* Blocks ms milliseconds; a signal (the shared cell turns non-zero: Coldbrew.interrupt()
 * from the calling thread in worker mode) wakes it early. */
EM_JS(void, cb_js_sleep, (double ms), {
    if (!(ms > 0)) return;
    const cell = Module.Py_EmscriptenSignalBuffer;
    try {
        if (cell instanceof Int32Array && cell.buffer instanceof SharedArrayBuffer) {
            Atomics.wait(cell, 0, 0, ms);
            return;
        }
        if (!Module.coldbrew.sleepCell) Module.coldbrew.sleepCell = new Int32Array(new SharedArrayBuffer(4));
        Atomics.wait(Module.coldbrew.sleepCell, 0, 0, ms);
        return;
    } catch (e) {
        /* no SharedArrayBuffer, or a thread that may not block: spin below */
    }
    const end = performance.now() + ms;
    while (performance.now() < end && !(cell && cell[0])) {}
});

/* The reference warned when Python slept synchronously (the JS API says it once per run). */
EM_JS(void, cb_js_warn_sync_sleep, (void), {
    if (Module.coldbrew.warnSyncSleep) Module.coldbrew.warnSyncSleep();
});

/* Sleeps ms milliseconds: suspended on a timer in an async run; otherwise
 * blocked in Atomics.wait (warning on each call, as the reference did).
 * Returns 1 when a host signal (Coldbrew.interrupt()) cut it short: the
 * caller reports EINTR, and CPython raises KeyboardInterrupt. */
int
cb_async_sleep(double ms)
{
#ifdef __EMSCRIPTEN_PTHREADS__
    if (!CB_ON_MAIN_THREAD()) {
        /* A Python thread's worker may block; the interrupt is the main thread's. */
        if (ms > 0) {
            emscripten_thread_sleep(ms);
        }
        return 0;
    }
    if (!cb_async_running) {
        /* The main thread of the threaded variant sleeps in Emscripten's own
         * wait, which runs the work other threads hand it meanwhile (their
         * output, their file operations); in slices, to see an interrupt. */
        if (ms > 0) {
            cb_js_warn_sync_sleep();
        }
        double end = emscripten_get_now() + ms;
        for (double left = ms; left > 0; left = end - emscripten_get_now()) {
            emscripten_thread_sleep(left < 10 ? left : 10);
            if (cb_async_poll_signal()) {
                return 1;
            }
        }
        return cb_async_poll_signal();
    }
#endif
    if (cb_async_running) {
        cb_js_sleep_async(ms);
    } else {
        if (ms > 0) {
            cb_js_warn_sync_sleep();
        }
        cb_js_sleep(ms);
    }
    return cb_async_poll_signal();
}

/* ---- standard input in async runs (Coldbrew.onStandardInReadAsync) --------------------- */

/* Does the JS API want to fill stdin asynchronously before this read? */
EM_JS(int, cb_js_stdin_wants_async, (void), { return Module.coldbrew.stdin.wantsAsync() ? 1 : 0; });
/* Replaced by the JS API (WebAssembly.Suspending): awaits onStandardInReadAsync(size). */
EM_JS(void, cb_js_stdin_async, (int size), { throw new Error('Coldbrew: asynchronous stdin without JSPI'); });

/* Before a read of fd 0 (cb_libc.c's read): in an async run, when no input
 * is buffered, waits for onStandardInReadAsync's Promise (the event loop
 * runs meanwhile); the read itself then goes through the stdin device. */
int
cb_async_stdin_wait(size_t count)
{
    if (cb_async_on() && count > 0 && cb_js_stdin_wants_async()) {
        cb_js_stdin_async(count > 0x7fffffff ? 0x7fffffff : (int)count);
        return cb_async_poll_signal();   /* interrupted while waiting: EINTR */
    }
    return 0;
}

/* ---- asyncio's waiting (src/py/_coldbrew/aio.py) ---------------------------------- */

static int cb_aio_loops;   /* HostEventLoops running (0 or 1: asyncio forbids nesting) */

/* Read by the bridge (src/js/bridge.js): should a Promise reach Python as is? */
CB_EXPORT int
cb_aio_loop_running(void)
{
    return cb_aio_loops > 0;
}

/* Sync runs: how many settled Promises are queued; -1 if the loop waits for a
 * Promise that cannot settle now; -2 if it has nothing to wait for at all. */
EM_JS(int, cb_js_aio_poll, (double ms, int pending), { return Module.coldbrew.aio.poll(ms, pending); });
/* Replaced by the JS API (WebAssembly.Suspending): waits for a settlement or ms. */
EM_JS(int, cb_js_aio_wait_async, (double ms), { throw new Error('Coldbrew: asyncio wait without JSPI'); });

static PyObject *
cb_aio_set_loop(PyObject *module, PyObject *running)
{
    int on = PyObject_IsTrue(running);
    if (on < 0) {
        return NULL;
    }
    if (!CB_ON_MAIN_THREAD()) {
        Py_RETURN_NONE;   /* another thread's loop never waits for JS (cb_aio_wait) */
    }
    cb_aio_loops = on ? cb_aio_loops + 1 : (cb_aio_loops > 0 ? cb_aio_loops - 1 : 0);
    Py_RETURN_NONE;
}

static PyObject *
cb_aio_wait(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "_asyncio_wait(milliseconds, pending) takes 2 arguments");
        return NULL;
    }
    double ms = PyFloat_AsDouble(args[0]);
    int pending = PyObject_IsTrue(args[1]);
    if ((ms == -1.0 && PyErr_Occurred()) || pending < 0) {
        return NULL;
    }
    int n;
    if (!CB_ON_MAIN_THREAD()) {
        /* another thread's loop holds no JS Promise (the bridge refuses it): a timer only */
        if (ms < 0) {
            n = -2;
        } else {
            cb_async_sleep(ms);
            n = 0;
        }
    } else if (cb_async_running && ms != 0) {
        /* suspended until a Promise settles or the next timer is due */
        if (pending || ms > 0) {
            /* Other Python threads run meanwhile: the GIL is released across
             * the suspension, as time.sleep does (JS cannot enter Python while
             * the run is paused: calls.js refuses, releases are queued). */
            Py_BEGIN_ALLOW_THREADS
            n = cb_js_aio_wait_async(ms);
            Py_END_ALLOW_THREADS
        } else {
            n = -2;
        }
        if (n >= 0 && cb_async_poll_signal() && PyErr_CheckSignals() < 0) {
            return NULL;   /* Coldbrew.interrupt() while the loop waited */
        }
    } else {
        /* a zero timeout (ready callbacks) never suspends: the periodic
         * hook still yields to the event loop every few ms of work */
        n = cb_js_aio_poll(ms, pending);
        if (n == 0 && ms > 0) {
            int interrupted;
            Py_BEGIN_ALLOW_THREADS   /* other Python threads run meanwhile, as in time.sleep */
            interrupted = cb_async_sleep(ms);
            Py_END_ALLOW_THREADS
            if (interrupted) {
                return PyErr_CheckSignals() < 0 ? NULL : PyLong_FromLong(0);
            }
        }
    }
    if (n == -1) {
        PyErr_SetString(PyExc_RuntimeError,
                        "asyncio is waiting for a JavaScript Promise, which cannot settle while Python runs "
                        "synchronously; run this code with Coldbrew.runAsync() (or runFunctionAsync/runFileAsync)");
        return NULL;
    }
    if (n == -2) {
        PyErr_SetString(PyExc_RuntimeError,
                        "the asyncio event loop has nothing left to wait for (no timer, no JavaScript Promise): "
                        "it would wait forever");
        return NULL;
    }
    return PyLong_FromLong(n);
}

/* Coldbrew._next_eval_epoch(): begins the next epoch now, so that the tests
 * reach cpython/patches/0003's new-activation path when they choose. */
static PyObject *
cb_mod_next_eval_epoch(PyObject *self, PyObject *unused)
{
    _Py_emscripten_eval_epoch++;
    Py_RETURN_NONE;
}

static PyMethodDef cb_aio_functions[] = {
    {"_next_eval_epoch", cb_mod_next_eval_epoch, METH_NOARGS,
     "Internal: begins the next epoch of the eval loop now (calls made by activations begun before it run "
     "in new ones)."},
    {"_asyncio_loop", cb_aio_set_loop, METH_O, "Internal: a Coldbrew asyncio loop starts (True) or stops running."},
    {"_asyncio_wait", (PyCFunction)(void (*)(void))cb_aio_wait, METH_FASTCALL,
     "Internal: waits up to ms milliseconds (< 0: no limit) for a JavaScript Promise to settle; "
     "returns how many have settled."},
    {NULL, NULL, 0, NULL},
};

int
cb_async_init(PyObject *module)
{
    return PyModule_AddFunctions(module, cb_aio_functions);
}
