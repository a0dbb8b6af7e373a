"""The compute process: the window's frames are made here, beside the window's process, not in it.

Why a process: NumPy releases the GIL inside every call and must take it back after, and a thread
that wants it back waits for the holder's switch interval (5 ms) whenever the UI thread is running
Python. A frame makes hundreds of such calls, so the UI's paint stretched the engine thread's
compute: a batch-100 frame took 29 ms alone and 1,214 ms beside a busy Python thread (measured on
this 2-core machine); in the window, drag frames took 53–95 ms against 16–29 standalone. Here the
frame pays one pickle each way (a Frame is ~100 kB).

Protocol, over pipes whose descriptors are the arguments: the server writes each message as its
pickle's length (8 bytes, little-endian) and the pickle (`send`, `receive`), so the window takes a
frame in two reads of the pipe (its length, then the rest), not one per pickle frame of 64 kB:
each read gave the GIL up, and a drag's frame waited 7-14 ms in the pipe for the window's reader
(benchmarks/README.md, session 14). The messages: ("ready", pid),
then for each request (configs, rows, blas threads, phase[, number]) or (configs, rows, blas
threads, phase, chunk, number) writes, for a frame refined chunk by chunk (core/chunks.py), a
("partial", Frame) for each chunk but the last, then ("frame", Frame),
("refused", message) for a config the core refuses, ("cancelled",) for a frame abandoned between
layers, or ("bug", message, traceback). None or end of file ends it. On the third pipe, the cancel
pipe, the window writes the number of a request to abandon (8 bytes, little-endian): numbers
only grow, so one meant for a finished request can never stop a later one (core/cancel.py).

    python -c "from core.serve import main; main()" READ_FD WRITE_FD [CANCEL_FD]
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import select
import struct
import sys
import traceback
from typing import BinaryIO

from core import memory
from core.cancel import Cancelled
from core.config import Config, ConfigError
from core.frame import FrameMaker


def answer(maker: FrameMaker, request, cancelled=None, partial=None) -> tuple:
    """`request` without its number; a fifth item is the chunk (FrameMaker.make)."""
    more = {"chunk": request[4]} if len(request) > 4 else {}
    more |= {"partial": partial} if partial is not None else {}
    try:
        return ("frame", maker.make(*request[:4], cancelled=cancelled, **more))
    except Cancelled:
        return ("cancelled",)
    except (ConfigError, MemoryError) as e:
        return ("refused", str(e))
    except Exception as e:  # a bug: the window shows it and keeps its last frame
        return ("bug", f"{type(e).__name__}: {e}", traceback.format_exc())


# A frame this small still takes every first-call cost (45-50 ms: NumPy's and BLAS's first
# calls, the theory's tables): paid before "ready", while the window's process builds its window.
WARM_UP = Config(depth=2, width=16, batch=16)


def serve(inp, out, cancel_fd: int | None = None) -> None:
    memory.map_large_blocks_apart()
    maker = FrameMaker()
    maker.make([WARM_UP], ("act", "grad"), 1, False)
    send(out, ("ready", os.getpid()))
    cancels = None if cancel_fd is None else CancelPipe(cancel_fd)
    quiet = memory.QuietTrim(memory.QUIET_S)
    try:
        _serve(maker, inp, out, cancels, quiet)
    finally:
        quiet.stop()


def _serve(maker: FrameMaker, inp, out, cancels, quiet: memory.QuietTrim) -> None:
    while True:
        quiet.idle()
        try:
            request = pickle.load(inp)
        except (EOFError, OSError):  # the window's process is gone
            return
        quiet.busy()
        if request is None:
            return
        check = None
        if len(request) >= 5:
            *request, number = request
            check = cancels and functools.partial(cancels.asked, number)
        send(out, answer(maker, request, check, lambda f: send(out, ("partial", f))))


class CancelPipe:
    """The numbers the window has asked to abandon, read as they come (one select a layer)."""

    def __init__(self, fd: int):
        self.fd, self.highest, self._rest = fd, -1, b""

    def asked(self, number: int) -> bool:
        while select.select([self.fd], [], [], 0)[0]:
            try:
                data = os.read(self.fd, 4096)
            except BlockingIOError:
                break
            if not data:  # the window's end is closed
                break
            data, cut = self._rest + data, (len(self._rest) + len(data)) // 8 * 8
            self._rest = data[cut:]
            self.highest = max((self.highest, *struct.unpack(f"<{cut // 8}q", data[:cut])))
        return self.highest >= number


LENGTH = struct.Struct("<Q")
# a length beyond this is not a frame's (a depth-200 frame is 0.6 MB): the pipe is corrupt
MAX_MESSAGE = 1 << 28


def send(out: BinaryIO, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(LENGTH.pack(len(data)))
    out.write(data)
    out.flush()


def receive(inp: BinaryIO):
    """The next message `send` wrote; EOFError if the pipe ends first, pickle.UnpicklingError
    for a length no message has."""
    (n,) = LENGTH.unpack(_exactly(inp, LENGTH.size))
    if n > MAX_MESSAGE:
        raise pickle.UnpicklingError(f"a message of {n} bytes")
    return pickle.loads(_exactly(inp, n))


def _exactly(inp: BinaryIO, n: int) -> bytearray:
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = inp.readinto(view[got:])
        if not k:
            raise EOFError(f"the pipe ended {got} bytes into a message of {n}")
        got += k
    return buf


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        fds = [int(a) for a in args]
        if len(fds) not in (2, 3):
            raise ValueError(args)
        inp, out = os.fdopen(fds[0], "rb"), os.fdopen(fds[1], "wb")
        cancel_fd = fds[2] if len(fds) == 3 else None
        if cancel_fd is not None:
            os.set_blocking(cancel_fd, False)
    except (ValueError, OSError):
        print(
            "usage: core.serve READ_FD WRITE_FD [CANCEL_FD] (started by the window)",
            file=sys.stderr,
        )
        return 2
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt), inp, out:
        serve(inp, out, cancel_fd)
    return 0
