"""The process-level calls of `os` and `signal`, kept inside the run.

Python in Coldbrew is not a process of its own: it runs inside the host's
JavaScript process (a Node program, a browser tab). Left alone, os._exit(3)
would reach Emscripten's exit and set the host's exit code, and a signal sent
to our own pid with its default action (SIGTERM, SIGKILL, ...) would exit the
same way. So these end the *run* instead: each raises SystemExit with the
status a native process would have had (os._exit(n) -> n, a fatal signal ->
128 + signal, os.abort() -> 134), which the JS API reports as a PythonError
with errorData.exitCode, and the runtime stays usable. The CLI maps that code
to its own exit status; the library never touches process.exitCode.
Signals Python handles (SIGINT -> KeyboardInterrupt, handlers set with
signal.signal) and signals to other pids keep their usual behaviour.
It works on `_signal`, the C module that `signal` re-exports, so that start-up
does not import `signal` (and the enum, functools and collections modules it
brings: a third of start-up's imports); `signal`, imported later, takes the
stand-ins from there.
"""
import os
import posix
import sys

import _signal

_IGNORED_BY_DEFAULT = {_signal.SIGCHLD, _signal.SIGURG, _signal.SIGWINCH}
_STOP = {_signal.SIGSTOP, _signal.SIGTSTP, _signal.SIGTTIN, _signal.SIGTTOU, _signal.SIGCONT}


class _Exit(SystemExit):
    """os._exit() and fatal signals inside Coldbrew: the run ends with this status."""


def _exit(status):
    """Ends the Coldbrew run at once with this exit status (the host process is not touched)."""
    raise _Exit(int(status))


def abort():
    """Ends the Coldbrew run with status 134 (SIGABRT), as os.abort() ends a process."""
    raise _Exit(128 + _signal.SIGABRT)


def _to_self(sig, send):
    sig = int(sig)
    if sig == 0:
        return None   # "is it alive?": yes
    handler = _signal.getsignal(sig) if sig not in (_signal.SIGKILL, _signal.SIGSTOP) else _signal.SIG_DFL
    if handler == _signal.SIG_DFL and sig not in _IGNORED_BY_DEFAULT and sig not in _STOP:
        raise _Exit(128 + sig)
    if handler == _signal.SIG_IGN or handler == _signal.SIG_DFL:
        return None
    return send()


def _standing_in_for(original, module, wrapper):
    """The wrapper under the original's name, doc and module (introspection
    and the regression suite see os.kill / signal.raise_signal, not ours)."""
    wrapper.__name__ = wrapper.__qualname__ = original.__name__
    wrapper.__doc__, wrapper.__module__ = original.__doc__, module
    return wrapper


def _wrap_kill(kill, module):
    def wrapped(pid, sig):
        if pid in (0, -1, os.getpid()):
            return _to_self(sig, lambda: kill(os.getpid(), sig))
        return kill(pid, sig)
    return _standing_in_for(kill, module, wrapped)


def install():
    for mod in (os, posix):
        mod._exit = _exit
        mod.abort = abort
        mod.kill = _wrap_kill(posix.kill, "posix")
        if hasattr(posix, "killpg"):
            mod.killpg = _wrap_kill(posix.killpg, "posix")
    # In _signal, which `signal` copies its functions from when it is imported
    # (and in `signal` too if something imported it already).
    modules = [_signal] + ([sys.modules["signal"]] if "signal" in sys.modules else [])
    raise_signal = _signal.raise_signal
    wrapped = _standing_in_for(raise_signal, "signal", lambda sig: _to_self(sig, lambda: raise_signal(sig)))
    for mod in modules:
        mod.raise_signal = wrapped
    if hasattr(_signal, "pthread_kill"):
        pthread_kill = _signal.pthread_kill
        wrapped = _standing_in_for(pthread_kill, "signal", lambda tid, sig: _to_self(sig, lambda: pthread_kill(tid, sig)))
        for mod in modules:
            mod.pthread_kill = wrapped
