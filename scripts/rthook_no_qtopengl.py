"""PyInstaller runtime hook (build.spec): a stand-in for PySide6.QtOpenGL.

pyqtgraph's PlotCurveItem imports the QtOpenGL binding (9 MiB) when it is imported, but uses it
only to draw curves with OpenGL, which InitScope never turns on. The bundle leaves the binding
out; this stand-in satisfies the import and fails with a clear message if anything reaches in.
"""

import sys
import types


class _NoOpenGL(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ImportError(f"PySide6.QtOpenGL.{name}: OpenGL drawing is not part of this bundle")


sys.modules.setdefault("PySide6.QtOpenGL", _NoOpenGL("PySide6.QtOpenGL"))
