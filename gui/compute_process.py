"""The window's side of the compute process (core/serve.py says why frames are made there).

One process serves every Engine of this interpreter (a test session opens many windows), one
engine's requests at a time: a drag's next request waits in the pipe while the frame before it
is made (Follow), the rest go one by one. The app starts it before it loads Qt (gui/app.py): it
imports NumPy on the other core while this process imports Qt and builds the window, and makes
the first frame there, beside the build (on the engine's thread that frame waited for the GIL
the build held). Otherwise the first Engine starts it. An engine computes on its own thread
until the process says it is ready (its first frame waits for that up to engine.FIRST_WAIT_S). A
process that ends (killed, out of memory) is replaced by a new one, which makes the frame it was
making; only when processes keep ending (MAX_STARTS within RESTART_WINDOW_S) or none can start
do frames stay on the engine's thread, where they compete with the UI for the GIL (a frame of
1.6 s there took 46.6 s, issue 17). INITSCOPE_COMPUTE=thread keeps every frame on the engine's
thread."""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not a POSIX system
    fcntl = None

from core import serve
from core.cancel import Cancelled
from core.frame import Frame

ROOT = Path(__file__).resolve().parent.parent
SERVER_FLAG = "--compute-server"  # what the frozen executable is started with (the launcher)
STOP_WAIT_S = 2.0


class Refused(ValueError):
    """The core refused the config there (a ConfigError or MemoryError); the message says why."""


class RemoteBug(RuntimeError):
    """An exception in the compute process; its trace has been printed on stderr here."""


class ProcessEnded(RuntimeError):
    """The compute process is gone; the engine asks for a new one (`replace`)."""


class ComputeProcess:
    def __init__(self):
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        _widen(res_r)
        cancel_r, self._cancel_w = os.pipe()
        os.set_blocking(self._cancel_w, False)  # a full pipe already says "cancel"
        try:
            self._proc = subprocess.Popen(
                [*_command(), str(req_r), str(res_w), str(cancel_r)],
                pass_fds=(req_r, res_w, cancel_r),
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        except OSError:
            os.close(self._cancel_w)
            raise
        finally:
            for fd in (req_r, res_w, cancel_r):
                os.close(fd)
        self._out = os.fdopen(req_w, "wb")
        self._in = os.fdopen(res_r, "rb", buffering=0)  # a frame: one read (core/serve.py)
        self._ready = False
        self._dead = False
        self._lock = threading.Lock()  # one request, or one drag's chain of them, at a time
        self._flight = threading.Lock()  # held to number a request or ask to abandon it
        self._number = 0  # the newest request's number
        self._in_flight = False

    @property
    def pid(self) -> int:
        return self._proc.pid

    def ready(self, wait: float = 0.0) -> bool:
        """Whether it has said it is up (waiting up to `wait` seconds for it) and has not ended
        since."""
        with self._lock:
            if not (self._ready or self._dead) and select.select([self._in], [], [], wait)[0]:
                with contextlib.suppress(ProcessEnded):
                    self._ready = self._receive()[0] == "ready"
            return self._ready and not self._dead

    @property
    def ended(self) -> bool:
        """The process has exited (after close(), or on its own)."""
        return self._proc.poll() is not None

    @property
    def alive(self) -> bool:
        return not self._dead and self._proc.poll() is None

    def make(
        self, configs, rows, blas: int, phase: bool, chunk=None, partial=None, follow=None
    ) -> Frame:
        """The frame, made there. Raises Refused for a config the core refuses, RemoteBug for a
        bug there (its trace is printed), ProcessEnded if the process is gone, Cancelled if
        cancel() abandoned it. With `chunk`, a frame refined chunk by chunk: each frame before
        the last goes to `partial` as it arrives (core/serve.py). With `follow` (a Follow: a
        drag's frames), the next request may be sent while this one is made; then this one's
        answer goes to follow.done and the next one's is waited for, and so on."""
        with self._lock:
            if self._dead:
                code = self._proc.poll()
                raise ProcessEnded(f"the compute process has ended (exit status {code})")
            self._request((list(configs), tuple(rows), blas, phase, chunk))
            try:
                answer = self._answer(partial, follow)
                while follow is not None and follow.sent:
                    follow.sent = False
                    follow.done(answer)
                    answer = self._answer(partial, follow)
            except ProcessEnded:
                raise
            except BaseException:  # answers still to come would be read as the next request's
                self._stop_now()
                raise
            finally:
                with self._flight:
                    self._in_flight = False
        return result(answer)

    def _request(self, request: tuple) -> None:
        with self._flight:
            self._number += 1
            self._in_flight = True
        try:
            pickle.dump((*request, self._number), self._out, protocol=5)
            self._out.flush()
        except OSError as e:
            with self._flight:
                self._in_flight = False
            raise self._ended(e) from None

    def _answer(self, partial, follow) -> tuple:
        """The answer to the oldest request in flight (its partial frames to `partial`). A
        follow's next request goes once this one has taken follow.due seconds: the process then
        starts it as soon as it has sent this one, on a config at most that much older."""
        t0 = time.perf_counter()
        waiting = follow is not None and follow.due is not None
        if waiting and not select.select([self._in], [], [], follow.due)[0]:
            request = follow.next()
            if request is not None:
                self._request(request)
                follow.sent = True
                if follow.abandoned():
                    self.cancel()
        kind, *rest = self._receive()
        while kind == "partial":
            if partial is not None:
                partial(rest[0])
            kind, *rest = self._receive()
        if follow is not None:
            follow.took(time.perf_counter() - t0)
        return (kind, *rest)

    def cancel(self) -> None:
        """Abandon every request in flight (the one being made at its next layer; a drag's
        next, sent ahead, before it starts); none in flight: nothing happens."""
        with self._flight:
            if self._in_flight and not self._dead:
                with contextlib.suppress(BlockingIOError, BrokenPipeError):
                    os.write(self._cancel_w, struct.pack("<q", self._number))

    def _receive(self) -> tuple:
        try:
            return serve.receive(self._in)
        except (EOFError, OSError, MemoryError, ValueError, pickle.UnpicklingError) as e:
            raise self._ended(e) from None

    def _stop_now(self) -> None:
        """Of no use any more: ended at once (a new one takes its place, `replace`)."""
        self._dead = True
        self._proc.kill()
        self._proc.wait()

    def _ended(self, cause: Exception) -> ProcessEnded:
        self._dead = True
        try:
            code = self._proc.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:  # alive, but its pipe is broken: of no use any more
            self._proc.kill()
            code = self._proc.wait()
        return ProcessEnded(f"the compute process has ended (exit status {code}; {cause!r})")

    def close(self) -> None:
        """Tell it to end, and make sure it has; closing twice is harmless."""
        with self._lock:
            self._dead = True
            if not self._out.closed:
                with contextlib.suppress(OSError):
                    pickle.dump(None, self._out)
                with contextlib.suppress(OSError):
                    self._out.close()
        try:
            self._proc.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._in.close()
        with self._flight:
            if self._cancel_w >= 0:
                os.close(self._cancel_w)
                self._cancel_w = -1


def result(answer: tuple) -> Frame:
    """The frame an answer brings, or the exception it stands for (ComputeProcess.make)."""
    kind, *rest = answer
    if kind == "frame":
        return rest[0]
    if kind == "cancelled":
        raise Cancelled
    if kind == "refused":
        raise Refused(rest[0])
    print(rest[1], file=sys.stderr, end="")
    raise RemoteBug(rest[0])


class Follow:
    """A drag's frames, made back to back (ComputeProcess.make). Without it the process waited
    for each next request while the window took the frame it had sent (read, unpickled, shown)
    and asked again: 6-14 ms of every 80-90 ms drag frame at depth 200 (benchmarks/README.md,
    session 14). `next()` (the engine's) gives the next request or None; `done(answer)` takes
    each answer but the last. The next request is asked for once the frame has taken AHEAD of
    the one before: late enough that its config is a recent one."""

    AHEAD = 0.75

    def __init__(self, next, done, due: float | None = None, abandoned=lambda: False):
        self.next, self.done = next, done
        # the engine's: it has asked to abandon what is in flight (a cancel written before the
        # next request had its number would miss that request)
        self.abandoned = abandoned
        self.due = due  # seconds into a frame to ask for the next (None: not before it is made)
        self.sent = False  # a next request is in flight
        self.jobs: list = []  # the caller's: what the requests in flight were for, oldest first

    def took(self, seconds: float) -> None:
        self.due = self.AHEAD * seconds


# a pipe this big holds a depth-200 frame (0.6 MB): the compute process writes it at once and
# goes on, and the window reads it in one call (Linux's default is 64 kB, its unprivileged most
# 1 MiB)
PIPE_BYTES = 1 << 20


def _widen(fd: int) -> None:
    size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if size is not None:
        with contextlib.suppress(OSError):  # over the system's most: the pipe stays as it is
            fcntl.fcntl(fd, size, PIPE_BYTES)


def _command() -> list[str]:
    if getattr(sys, "frozen", False):  # the bundle's launcher dispatches on the flag
        return [sys.executable, SERVER_FLAG]
    boot = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from core.serve import main; main()"
    return [sys.executable, "-c", boot]


_shared: ComputeProcess | None = None
_shared_lock = threading.Lock()
_failed = False
_unready = 0  # processes in a row that ended before they said they were up
_starts: list[float] = []  # when each process was started: a crash loop gives up
# more starts than this within RESTART_WINDOW_S and the window computes on its own thread
MAX_STARTS = 5
RESTART_WINDOW_S = 60.0


def enabled() -> bool:
    return os.environ.get("INITSCOPE_COMPUTE", "process") != "thread"


def running() -> ComputeProcess | None:
    """The interpreter's compute process if it has been started and has not ended."""
    with _shared_lock:
        return _shared if _shared is not None and _shared.alive else None


def shared() -> ComputeProcess | None:
    """The interpreter's compute process, started on first call (or in place of one that has
    ended); None if none can start, or while processes keep ending."""
    return replace(None)


def replace(dead: ComputeProcess | None) -> ComputeProcess | None:
    """A new process in place of `dead` (killed, crashed, out of memory, or None: an engine that
    has had none), or the one another engine already started in its place. None while processes
    keep dying (MAX_STARTS within RESTART_WINDOW_S) or when none can start: then frames are made
    on the engine's thread, which asks again at its next frame."""
    if not enabled():
        return None
    with _shared_lock:
        if _shared is not None and _shared.alive:
            return _shared
        for gone in {dead, _shared} - {None}:
            gone.close()
        now = time.monotonic()
        if _failed or sum(now - t < RESTART_WINDOW_S for t in _starts) >= MAX_STARTS:
            return None
        _start()
        return _shared if _shared is not None and _shared.alive else None  # (None: none started)


def _start() -> None:
    """Under _shared_lock. MAX_STARTS processes in a row that ended before they were up (a
    broken install, not a lecturer's kill) and none is started again: each retry would hold a
    frame while processes start and die one after another."""
    global _shared, _failed, _unready
    if _shared is not None:
        _unready = 0 if _shared._ready else _unready + 1
    if _unready >= MAX_STARTS:
        print("warning: the compute process never starts; computing in the window", file=sys.stderr)
        _failed = True
        return
    try:
        _shared = ComputeProcess()
    except OSError as e:
        print(f"warning: no compute process ({e}); computing in the window", file=sys.stderr)
        _failed = True
        return
    if not _starts:
        atexit.register(_close_shared)
    _starts.append(time.monotonic())


def _close_shared() -> None:
    if _shared is not None:
        _shared.close()
