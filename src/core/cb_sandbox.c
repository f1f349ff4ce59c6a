/* cb_sandbox.c: system calls Coldbrew answers itself instead of Emscripten's JS.
 *
 * system(): in Node, Emscripten runs the command on the HOST with
 * child_process, which would let Python escape the virtual file system. Here
 * it reports that no command processor exists (POSIX: system(NULL) == 0) and
 * any command fails with -1/ENOSYS, so os.system() returns -1 and runs nothing.
 *
 * Emscripten's socket emulation (SOCKFS) require()s the 'ws' package in Node
 * and dies when it is missing; a browser cannot open raw sockets anyway. So
 * socket() fails here with ENOSYS, which Python raises as a plain OSError, and
 * the runtime stays alive. (HTTP from Python is provided above the socket
 * layer, not through it.) Defining the syscall in C keeps the JS library
 * version out of the link.
 */
#include <errno.h>
#include <stddef.h>

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
