"""The compute process: the window's frames are made here, beside the window's process, not in it.

Why a process: NumPy releases the GIL inside every call and must take it back after, and a thread
that wants it back waits for the holder's switch interval (5 ms) whenever the UI thread is running
Python. A frame makes hundreds of such calls, so the UI's paint stretched the engine thread's
compute: a batch-100 frame took 29 ms alone and 1,214 ms beside a busy Python thread (measured on
this 2-core machine); in the window, drag frames took 53–95 ms against 16–29 standalone. Here the
frame pays one pickle each way (a Frame is ~100 kB).

Protocol, over two pipes whose descriptors are the arguments: the server writes ("ready", pid),
then for each request (configs, rows, blas threads, phase) writes ("frame", Frame), ("refused",
message) for a config the core refuses, or ("bug", message, traceback). None or end of file ends it.

    python -c "from core.serve import main; main()" READ_FD WRITE_FD
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import traceback

from core import memory
from core.config import Config, ConfigError
from core.frame import FrameMaker


def answer(maker: FrameMaker, request) -> tuple:
    try:
        return ("frame", maker.make(*request))
    except (ConfigError, MemoryError) as e:
        return ("refused", str(e))
    except Exception as e:  # a bug: the window shows it and keeps its last frame
        return ("bug", f"{type(e).__name__}: {e}", traceback.format_exc())


# A frame this small still takes every first-call cost (45-50 ms: NumPy's and BLAS's first
# calls, the theory's tables): paid before "ready", while the window's process builds its window.
WARM_UP = Config(depth=2, width=16, batch=16)


def serve(inp, out) -> None:
    memory.map_large_blocks_apart()
    maker = FrameMaker()
    maker.make([WARM_UP], ("act", "grad"), 1, False)
    _send(out, ("ready", os.getpid()))
    while True:
        try:
            request = pickle.load(inp)
        except (EOFError, OSError):  # the window's process is gone
            return
        if request is None:
            return
        _send(out, answer(maker, request))


def _send(out, message) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        rfd, wfd = (int(a) for a in args)
        inp, out = os.fdopen(rfd, "rb"), os.fdopen(wfd, "wb")
    except (ValueError, OSError):
        print("usage: core.serve READ_FD WRITE_FD (started by the window)", file=sys.stderr)
        return 2
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt), inp, out:
        serve(inp, out)
    return 0
