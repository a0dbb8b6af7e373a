"""A process's RSS by kind of mapping, from /proc/PID/smaps (Linux): what grew, not just how much.

    heap     glibc's main heap (brk): small blocks, and large ones carved from its free space
    arenas   glibc's other arenas (64 MiB reservations a thread's allocations land in)
    blas     OpenBLAS's per-thread GEMM buffers (anonymous mappings of exactly BLAS_BUFFER_KIB):
             their touched pages grow with the widest matmul once, then stay (up to the buffer)
    anon     other anonymous memory: arrays glibc maps apart, Python's object arenas, stacks
    file     pages of mapped files (the libraries' code and data)

The split is approximate: adjacent anonymous mappings of the same permissions merge in smaps, so a
buffer next to another mapping counts as anon. Elsewhere than Linux, {}.
"""

from __future__ import annotations

import ctypes
import re

BLAS_BUFFER_KIB = 32 * 1024  # OpenBLAS's BUFFER_SIZE on x86-64 (32 MiB)
ARENA_KIB = 64 * 1024  # glibc's HEAP_MAX_SIZE on 64-bit
_HEADER = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$")


def parts(pid: int | str = "self") -> dict[str, float]:
    """MiB of RSS per kind (see the module's docstring)."""
    try:
        with open(f"/proc/{pid}/smaps") as f:
            lines = f.read().splitlines()
    except OSError:
        return {}
    kib: dict[str, int] = {}
    kind = "anon"
    for line in lines:
        m = _HEADER.match(line)
        if m:
            lo, hi = int(m.group(1), 16), int(m.group(2), 16)
            kind = _kind(lo, (hi - lo) // 1024, m.group(3).strip())
        elif line.startswith("Rss:"):
            kib[kind] = kib.get(kind, 0) + int(line.split()[1])
    return {k: round(v / 1024, 1) for k, v in sorted(kib.items())}


def _kind(start: int, size_kib: int, name: str) -> str:
    if name == "[heap]":
        return "heap"
    if name.startswith("["):
        return "other"
    if name:
        return "file"
    if size_kib == BLAS_BUFFER_KIB:
        return "blas"
    # an arena's heap is aligned to its reservation; its used part is a mapping of its own
    if start % (ARENA_KIB * 1024) == 0 and size_kib <= ARENA_KIB:
        return "arenas"
    return "anon"


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in [
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        ]
    ]


def malloc_use() -> dict[str, float]:
    """This process's glibc malloc, MiB: `in_use` (blocks allocated, mapped ones included) and
    `free` (freed blocks the heap keeps): a rise of RSS with `in_use` flat is the allocator
    keeping freed memory, not something held. Elsewhere than glibc, {}."""
    try:
        fn = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return {}
    fn.restype = _MallInfo2
    m = fn()
    return {
        "in_use": round((m.uordblks + m.hblkhd) / 2**20, 1),
        "free": round(m.fordblks / 2**20, 1),
    }
