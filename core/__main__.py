"""`python -m core`. Ctrl-C ends it at any point with status 130 and one line: what a shell
expects of an interrupted command, and no traceback in front of a room.

A Ctrl-C that lands while numpy.random's compiled modules initialise is lost there (1 run in 10
interrupted at its first random draw, which imported numpy.random lazily, ran to the end). So
SIGINT is held back until the imports are done, NumPy's lazy ones included; one that came in the
meantime is raised when it is let through.

Held first thing, through the C module: `import signal` loads signal.py and enum, time in which
a Ctrl-C ended in a traceback (as it did while core/__init__.py imported NumPy, issue 17)."""

import _signal
import sys  # built in, as _signal is: neither loads a file

_hold = getattr(_signal, "pthread_sigmask", lambda how, signals: None)  # not on Windows
try:
    _hold(_signal.SIG_BLOCK, {_signal.SIGINT})
    import signal

    import numpy.linalg
    import numpy.random  # noqa: F401  (imported for the reason above)

    from core.cli import main

    _hold(signal.SIG_UNBLOCK, {signal.SIGINT})
    code = main()
except KeyboardInterrupt:
    print("interrupted (Ctrl-C)", file=sys.stderr)
    code = 130
sys.exit(code)
