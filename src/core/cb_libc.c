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
 */
#include "coldbrew.h"

#include <errno.h>
#include <stddef.h>
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
    return cb_async_sleep(ms) ? EINTR : 0;
}
