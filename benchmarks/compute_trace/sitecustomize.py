"""Imported by every Python started with this folder on PYTHONPATH: config_soak.py's
--compute-python puts it there for the compute process alone (set after the window's process
has started). On SIGUSR1 the process writes Python's allocator statistics and, when
INITSCOPE_TRACE_MALLOC is set (the process then runs under tracemalloc), a snapshot.

Both at once cannot be had: under tracemalloc, sys._debugmallocstats() leaves out pymalloc's
arenas (the allocator it reports on is then tracemalloc's wrapper).

The compute process serves from its main thread, blocked in a pipe read between frames; the
signal's handler runs there once the read is interrupted (PEP 475 resumes the read after it)."""

import os

_DIR = os.environ.get("INITSCOPE_TRACE_DIR")

if _DIR:
    import signal
    import sys
    import tracemalloc

    if os.environ.get("INITSCOPE_TRACE_MALLOC"):
        tracemalloc.start()
    _taken = [0]

    def _report(signum, frame):
        """The statistics, then the snapshot; last, an empty .done file: all is whole then."""
        path = os.path.join(_DIR, f"{os.getpid()}-{_taken[0]}")
        with open(path + ".mallocstats", "w") as f:
            err = os.dup(2)
            os.dup2(f.fileno(), 2)
            try:
                sys._debugmallocstats()
            finally:
                os.dup2(err, 2)
                os.close(err)
            f.write(f"# traced bytes = {tracemalloc.get_traced_memory()[0]}\n")
            for name, mib in _malloc_use().items():  # glibc's heap: in use, and kept free
                f.write(f"# malloc {name} bytes = {int(mib * 2**20)}\n")
        if tracemalloc.is_tracing():
            tracemalloc.take_snapshot().dump(path + ".snap")
        open(path + ".done", "w").close()
        _taken[0] += 1

    sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import rss_parts  # benchmarks/rss_parts.py (last on the path: it shadows nothing)

    def _malloc_use() -> dict:
        return rss_parts.malloc_use()

    signal.signal(signal.SIGUSR1, _report)
