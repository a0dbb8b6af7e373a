"""The Qt window over core/.

OpenBLAS's idle worker threads spin for about 0.1 s (2^28 cycles) after each call before they
sleep. In a frame that spin holds the second core through the statistics after the last matmul,
and through the UI thread's paint (measured, 2 BLAS threads on 2 cores: the statistics shared with
a helper thread took 16.6 ms with the spin, 10.7 ms without). So the workers sleep at once; set
here, before anything loads numpy, and a value the user gave wins.

Qt's raster engine hands a fill of 96 spans or more to a pool of threads and waits for them
(QLatch), which on 2 cores means waiting for the core the compute process is using: a depth
profile's small log axis took 4-15 ms to paint, most of it waiting (py-spy), and a settled
window's single actions had gaps of 129-130 ms (benchmarks/README.md, session 15). Qt's own switch,
QT_NO_GUI_THREADPOOL, keeps every fill on the painting thread; set here, before Qt loads.

After every import PySide6 asks whether the new module uses its `__feature__` switches, by reading
the module's source with inspect.getsource (shibokensupport/feature.py, for PYSIDE-2029): 55 ms of
a launch from source, 369 modules. The same question is answered here from the file's bytes;
anything else (no .py file, an unreadable one) still goes to PySide6.
"""

import os
import sys

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def _quick_pyside_import_hook() -> None:
    import shiboken6  # noqa: F401  (installs shibokensupport and its import hook)

    feature = sys.modules.get("shibokensupport.feature")
    slow = getattr(feature, "_mod_uses_pyside", None)
    if slow is None or getattr(slow, "quick", False):
        return

    def uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if not (isinstance(path, str) and path.endswith(".py")):
            return slow(module)
        try:
            with open(path, "rb") as f:
                return b"PySide6" in f.read()
        except OSError:
            return slow(module)

    uses_pyside.quick = True
    feature._mod_uses_pyside = uses_pyside


_quick_pyside_import_hook()
