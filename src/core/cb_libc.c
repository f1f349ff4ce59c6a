/* cb_libc.c: the C library functions Coldbrew defines itself.
 *
 * Layer 2 (src/core/layers.txt): calls down into cb_async.c only. Defining a
 * libc function here keeps libc's own copy (or Emscripten's JS version) out
 * of the link; CPython calls these by their standard names.
 *
 * system(): in Node, Emscripten runs the command on the HOST with
 * child_process, which would let Python escape the virtual file system. Here
 * it reports that no command processor exists (POSIX: system(NULL) == 0) and
 * any command fails with -1/ENOSYS, so os.system() returns -1 and runs nothing.
 *
 * socket(): Emscripten's socket emulation (SOCKFS) require()s the 'ws'
 * package in Node and dies when it is missing; a browser cannot open raw
 * sockets anyway. So socket() fails with ENOSYS, which Python raises as a plain
 * OSError, and the runtime stays alive. (HTTP from Python is provided above
 * the socket layer, not through it.)
 *
 * read(): musl's, plus one step: a read of fd 0 in an async run may first
 * await Coldbrew.onStandardInReadAsync (cb_async_stdin_wait).
 *
 * clock_nanosleep() (a weak alias in musl, behind time.sleep): without
 * pthreads Emscripten's libc spins on the clock; here it sleeps through
 * cb_async_sleep (Atomics.wait, or a timer in an async run).
 *
 * strftime() (wrapped, below): musl's, except that a conversion musl does not know (say
 * "%4" or "%\x01") is copied as it stands, as glibc does, where musl fails
 * the whole call (time.strftime then raised "embedded null byte").
 *
 * clock_gettime(), clock_getres() and clock() (weak aliases in Emscripten's
 * libc), for the CPU-time clocks only (time.process_time): WebAssembly has no CPU clock and
 * Emscripten answers with the wall clock, so a sleep counted as work. Here a
 * CPU clock is the thread's monotonic time less the time it spent in
 * clock_nanosleep: close to CPU time for code that computes or sleeps (waits
 * for input or HTTP in JavaScript still count). Other clocks are musl's.
 */
#include "coldbrew.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>


int _emscripten_system(const char *command);

int
_emscripten_system(const char *command)
{
    if (command == NULL) {
        return 0;
    }
    errno = ENOSYS;
    return -1;
}

int __syscall_socket(int domain, int type, int protocol, int dummy1, int dummy2, int dummy3);

int
__syscall_socket(int domain, int type, int protocol, int dummy1, int dummy2, int dummy3)
{
    (void)domain; (void)type; (void)protocol; (void)dummy1; (void)dummy2; (void)dummy3;
    return -ENOSYS;
}

ssize_t
read(int fd, void *buf, size_t count)
{
    if (fd == 0 && cb_async_stdin_wait(count)) {
        errno = EINTR;   /* Coldbrew.interrupt() while waiting for input: KeyboardInterrupt */
        return -1;
    }
    __wasi_iovec_t iov = {.buf = buf, .buf_len = count};
    __wasi_size_t num;
    __wasi_errno_t err = __wasi_fd_read(fd, &iov, 1, &num);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return (ssize_t)num;
}

/* Milliseconds this thread has slept in clock_nanosleep. */
static _Thread_local double cb_asleep_ms;

int __clock_gettime(clockid_t clk, struct timespec *ts);

static double
cb_monotonic_ms(void)
{
    struct timespec now;
    __clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000.0 + now.tv_nsec / 1e6;
}

int __clock_getres(clockid_t clk, struct timespec *ts);

int
clock_getres(clockid_t clk, struct timespec *ts)
{
    if (clk != CLOCK_PROCESS_CPUTIME_ID && clk != CLOCK_THREAD_CPUTIME_ID) {
        return __clock_getres(clk, ts);
    }
    if (ts != NULL) {
        ts->tv_sec = 0;
        ts->tv_nsec = 1000;
    }
    return 0;
}

/* clock() (time.process_time's last resort in CPython): the same CPU clock. */
clock_t
clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (clock_t)(ts.tv_sec * (double)CLOCKS_PER_SEC + ts.tv_nsec / (1e9 / CLOCKS_PER_SEC));
}

int
clock_gettime(clockid_t clk, struct timespec *ts)
{
    if (clk != CLOCK_PROCESS_CPUTIME_ID && clk != CLOCK_THREAD_CPUTIME_ID) {
        return __clock_gettime(clk, ts);
    }
    double ms = cb_monotonic_ms() - cb_asleep_ms;
    if (ms < 0) {
        ms = 0;
    }
    ts->tv_sec = (time_t)(ms / 1000);
    ts->tv_nsec = (long)((ms - ts->tv_sec * 1000.0) * 1e6);
    if (ts->tv_nsec > 999999999L) {
        ts->tv_nsec = 999999999L;
    }
    return 0;
}

int
clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    (void)rem;
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
    double start = cb_monotonic_ms();
    int interrupted = cb_async_sleep(ms);
    cb_asleep_ms += cb_monotonic_ms() - start;
    return interrupted ? EINTR : 0;
}

/* The conversions musl's strftime knows (after flags, width and E/O). */
static const char cb_strftime_known[] = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";

size_t __real_strftime(char *restrict s, size_t n, const char *restrict f, const struct tm *restrict tm);
size_t __wrap_strftime(char *restrict s, size_t n, const char *restrict f, const struct tm *restrict tm);

/* Linked with -Wl,--wrap=strftime (build/runtime.mk): every call of strftime
 * comes here, and __real_strftime is musl's (defining strftime itself would
 * clash with musl's strftime.o, which strftime_l also lives in). */
size_t
__wrap_strftime(char *restrict s, size_t n, const char *restrict f, const struct tm *restrict tm)
{
    /* Worst case every '%' doubles: a format twice as long, plus the NUL. */
    size_t len = strlen(f);
    char *escaped = malloc(2 * len + 1);
    if (escaped == NULL) {
        return 0;
    }
    char *out = escaped;
    for (const char *p = f; *p; ) {
        if (*p != '%') {
            *out++ = *p++;
            continue;
        }
        const char *q = p + 1;
        while (*q == '_' || *q == '-' || *q == '0' || *q == '+' || (*q >= '1' && *q <= '9')) {
            q++;
        }
        if (*q == 'E' || *q == 'O') {
            q++;
        }
        if (*q != '\0' && strchr(cb_strftime_known, *q) != NULL) {
            memcpy(out, p, (size_t)(q + 1 - p));   /* a conversion musl knows: as it is */
            out += q + 1 - p;
            p = q + 1;
        } else {
            *out++ = '%';   /* unknown: "%%" prints the '%', the rest follows as text */
            *out++ = '%';
            p++;
        }
    }
    *out = '\0';
    size_t written = __real_strftime(s, n, escaped, tm);
    free(escaped);
    return written;
}
