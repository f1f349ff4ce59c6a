"""asyncio on Coldbrew: an event loop that the JavaScript event loop drives.

asyncio's default loop wakes itself through a socket pair and waits in
select() on file descriptors; WebAssembly has neither. HostEventLoop is a
BaseEventLoop (every scheduling rule, Task, Future, timer and run_until_complete
stay asyncio's own) whose only waiting point, the selector's select(timeout),
goes to the host (Coldbrew._asyncio_wait, src/core/cb_async.c):

- in an async run (runAsync, ...), the Python stack is suspended on the JS
  event loop until the next timer is due or a JavaScript Promise that a
  coroutine awaits settles, so JavaScript runs meanwhile;
- in a sync run it sleeps until the next timer; a coroutine waiting for a
  Promise then raises RuntimeError, since nothing can settle it.

`await js_value` (JavaScriptVariable's am_await) comes here: the Promise is
watched from JS (host.aio_watch) and its outcome set on an asyncio Future.
cpython/lib-patches/0003 makes this asyncio's default loop, so asyncio.run()
and asyncio.new_event_loop() use it.
"""
import itertools
import sys

from asyncio import base_events, events

import Coldbrew

import _coldbrew

_tokens = itertools.count(1)
_THREAD_POLL_MS = 5.0


def _other_threads():
    """Do other Python threads run (the threaded runtime, load({threadWorkers}))?"""
    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


class _HostSelector:
    """The part of a selector BaseEventLoop._run_once uses: select(timeout)."""

    def __init__(self, loop):
        self._loop = loop

    def select(self, timeout):
        loop = self._loop
        ms = -1.0 if timeout is None else max(0.0, timeout * 1000.0)
        if (ms < 0 or ms > _THREAD_POLL_MS) and _other_threads():
            # Another thread may add work (call_soon_threadsafe: a thread pool's
            # result, asyncio.to_thread) and nothing can wake this wait early:
            # look again every few milliseconds while other threads run.
            ms = _THREAD_POLL_MS
        if Coldbrew._asyncio_wait(ms, loop._waiting_for_js()) > 0:
            loop._settle(_coldbrew.host.aio_take())
        return ()

    def close(self):
        pass


class HostEventLoop(base_events.BaseEventLoop):
    """asyncio's event loop on Coldbrew (no sockets, subprocesses or signals)."""

    def __init__(self):
        super().__init__()
        self._selector = _HostSelector(self)
        self._js_futures = {}   # token -> Future of a watched Promise

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass   # select() polls while other threads run (_other_threads)

    def _run_forever_setup(self):
        super()._run_forever_setup()
        Coldbrew._asyncio_loop(True)

    def _run_forever_cleanup(self):
        try:
            super()._run_forever_cleanup()
        finally:
            Coldbrew._asyncio_loop(False)

    def _waiting_for_js(self):
        for token, future in list(self._js_futures.items()):
            if future.done():   # cancelled: its Promise no longer matters
                del self._js_futures[token]
        return bool(self._js_futures)

    def _watch(self, promise):
        if _coldbrew.host is None:
            raise RuntimeError("Coldbrew's JavaScript side did not register its services")
        future = self.create_future()
        token = next(_tokens)
        self._js_futures[token] = future
        _coldbrew.host.aio_watch(promise, token)
        return future

    def _settle(self, settled):
        for token, ok, value in settled:
            future = self._js_futures.pop(token, None)
            if future is None or future.done():
                continue   # another loop's Promise, or a cancelled wait
            if ok:
                future.set_result(value)
            else:
                future.set_exception(Coldbrew._javascript_error(value))


def awaitable(value):
    """What `await value` iterates for a JavaScriptVariable."""
    then = getattr(value, "then", None)
    if not callable(then):
        raise TypeError(f"JavaScript {value.__type__} can't be used in 'await' expression (it is not a Promise)")
    loop = events._get_running_loop()
    if not isinstance(loop, HostEventLoop):
        raise RuntimeError("a JavaScript Promise can only be awaited in a coroutine run by Coldbrew's asyncio "
                           "event loop (asyncio.run() and asyncio.new_event_loop() use it)")
    return loop._watch(value).__await__()
