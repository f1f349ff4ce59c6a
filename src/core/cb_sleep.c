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
    cb_js_sleep(ms);
    return 0;
}
