"""How much memory a config may ask for: never more than the machine has.

`memory_limit_gib` left unset means min(4 GiB, half the physical memory); a limit set higher than
the machine can give is clipped to its physical memory less a margin (an eighth of it, at least
1 GiB, for the system and the window), so a 90 GiB net is refused before its first array rather
than allocated until the system kills the process. Read without psutil, which the core does not
depend on.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import threading
import time

GIB = 2**30
DEFAULT_GIB = 4.0  # the default limit on a machine with 8 GiB or more
_UNKNOWN = 8 * GIB  # assumed when the system will not say (then the default limit is 4 GiB)


def physical_bytes() -> int:
    """The machine's physical memory (not what is free: the limit is about what can ever fit)."""
    try:
        n = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # Windows has no sysconf
        n = _windows_bytes()
    return n if n and n > 0 else _UNKNOWN


def _windows_bytes() -> int | None:
    if sys.platform != "win32":
        return None
    longs = ("total", "avail", "page_total", "page_avail", "virt_total", "virt_avail", "ext")

    class Status(ctypes.Structure):  # MEMORYSTATUSEX
        _fields_ = [("length", ctypes.c_ulong), ("load", ctypes.c_ulong)] + [
            (name, ctypes.c_ulonglong) for name in longs
        ]

    status = Status()
    status.length = ctypes.sizeof(Status)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
        return None
    return int(status.total)


def ceiling_bytes(physical: int | None = None) -> int:
    """The most any limit may be: physical memory less an eighth (at least 1 GiB), and never
    less than half of it."""
    phys = physical_bytes() if physical is None else physical
    return max(phys // 2, phys - max(GIB, phys // 8))


def limit_bytes(asked_gib: float | None) -> int:
    """The limit in force for `memory_limit_gib` (None: the default)."""
    phys = physical_bytes()
    if asked_gib is None:
        return int(min(DEFAULT_GIB * GIB, phys // 2))
    return int(min(asked_gib * GIB, ceiling_bytes(phys)))


def allowed(asked_gib: float | None, smaller: str) -> str:
    """The limit as a refusal names it, and why it is lower than asked when it is; `smaller`
    says what to make smaller."""
    limit = limit_bytes(asked_gib)
    if asked_gib is None:
        return (
            f"at most {limit / GIB:.2f} GiB, the default limit ({smaller}, or raise "
            "memory_limit_gib)"
        )
    if limit < asked_gib * GIB:
        return (
            f"at most {limit / GIB:.2f} GiB: memory_limit_gib = {asked_gib:g} is more than this "
            f"machine's {physical_bytes() / GIB:.1f} GiB can give ({smaller})"
        )
    return f"at most memory_limit_gib = {asked_gib:g} GiB ({smaller}, or raise the limit)"


_own_blocks = False  # this process is the compute process (map_large_blocks_apart)


@functools.cache
def _libc():
    try:
        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def give_back() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim), in the compute process
    only (see map_large_blocks_apart): called when a Simulator lets a net go, so that the pages
    a net of other shapes is not built in go back (RSS after 200 random changes +5% rather than
    +9%). The window's process, where Qt shares the heap, trims its own (gui/heap.py)."""
    libc = _libc()
    if libc is not None and _own_blocks:
        libc.malloc_trim(0)


def map_large_blocks_apart() -> None:
    """For the compute process, which makes nets of every size one after another: each block of
    128 KiB or more gets a mapping of its own, returned to the system when freed. glibc's default
    raises that threshold to the largest block freed (up to 32 MiB), after which the arrays of
    freed nets stay in the heap between live ones: 100 random changes left the canonical net's
    RSS 20% higher than at the start (+5% with this, flat after; benchmarks/memory_soak.py)."""
    global _own_blocks
    libc = _libc()
    if libc is not None:
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD; setting it fixes it
        _own_blocks = True


# idle this long after a frame, a process's heap's free pages go back: the compute process's
# (QuietTrim) and the window's (gui/heap.py). A drag's or a sweep's frames of a small or medium
# net come closer than this and never pay the trim; a big net's (session 20: 3.5-6 frames/s at
# 50 × 2048) may pay it between frames, 0.3-2 ms (benchmarks/README.md, session 22)
QUIET_S = 0.25


class QuietTrim:
    """give_back once the process has been idle for `quiet_s` after a frame, on a thread of its
    own while the serving thread waits for the next request. A new net's give_back (above)
    returns what the old net's shapes left, but what a frame frees in the heap's middle (blocks
    under the mmap threshold) stayed resident until the next new net: at issue 17's soak's
    samples (the same config, malloc's bytes in use 36.5-37.1 MiB) the heap's RSS ranged over
    3.4 MiB, 0.6 with this (benchmarks/README.md, session 21). Not after every frame: a drag's
    (30 a second) would each pay the trim, 0.2 to a few ms. A request that comes during a trim
    is served beside it, its allocations waiting on malloc's lock for what is left of it."""

    def __init__(self, quiet_s: float):
        self.quiet_s = quiet_s
        self.trims = 0  # (tests)
        self._cv = threading.Condition()
        self._since: float | None = None  # when the process went idle; None: busy, or trimmed
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="quiet-trim", daemon=True)
        self._thread.start()

    def idle(self) -> None:
        with self._cv:
            self._since = time.monotonic()
            self._cv.notify()

    def busy(self) -> None:
        with self._cv:
            self._since = None

    def stop(self) -> None:
        """The thread ends (after a trim under way)."""
        with self._cv:
            self._stopped = True
            self._cv.notify()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stopped and (
                    self._since is None or time.monotonic() < self._since + self.quiet_s
                ):
                    left = None if self._since is None else self._since + self.quiet_s
                    self._cv.wait(None if left is None else max(0.0, left - time.monotonic()))
                if self._stopped:
                    return
                self._since = None
            give_back()
            self.trims += 1


def largest_chunk(c) -> int:
    """The most examples of c's batch a frame may hold at once under its memory limit: the whole
    batch when it fits (one chunk, the one-shot frame), else as many as fit beside the weights
    (Config.estimated_bytes(chunk)); at least 1, which config validation has checked fits.
    BatchNorm couples the examples, so its batch is always one chunk."""
    limit = limit_bytes(c.memory_limit_gib)
    if c.norm == "batch" or c.estimated_bytes() <= limit:
        return c.batch
    fixed, one = c.estimated_bytes(chunk=1), c.estimated_bytes(chunk=2)
    per_example = max(one - fixed, 1)
    n = max(1, min(c.batch, 1 + (limit - fixed) // per_example))
    while n > 1 and c.estimated_bytes(chunk=n) > limit:  # the scratch's max() is not linear
        n = max(1, n * 9 // 10)
    return int(n)
