"""The core/gui split (napari's model/_qt rule) and the PySide6 6.12.0 refcount crash guard."""

import gc
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NO_QT = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'superqt', 'gui'):
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import core, core.cli, core.presets, core.simulate
from core import Config, run
s = run(Config(depth=2, width=8, batch=4))
assert len(s.layers) == 2
import pkgutil
for m in pkgutil.iter_modules(core.__path__):
    if m.name != '__main__':
        __import__('core.' + m.name)
print('ok')
"""


def test_core_imports_no_qt():
    r = subprocess.run(
        [sys.executable, "-c", NO_QT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_void_qt_calls_do_not_leak_none_references():
    """PySide6-Essentials 6.12.0 on CPython 3.11 drops a reference to None on every void call and
    aborts after a few thousand paints (platform-notes.md): keep the pin honest."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QImage, QPainter, QPen

    img = QImage(32, 32, QImage.Format.Format_ARGB32)
    painter = QPainter(img)
    pen = QPen()
    gc.collect()
    gc.disable()  # a collection inside the loop frees references to None and looks like a leak
    try:
        before = sys.getrefcount(None)
        for i in range(5000):
            pen.setWidthF(1.0 + (i % 3))
            painter.setPen(pen)
            painter.drawLine(QPointF(0, 0), QPointF(i % 32, 31))
        after = sys.getrefcount(None)
    finally:
        gc.enable()
        painter.end()
    assert after >= before - 10


BLAS_TIMEOUT_AT_NUMPY = """
import os, sys
seen = []
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == 'numpy' and not seen:
            seen.append(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))
sys.meta_path.insert(0, Watch())
from gui.app import main
print(seen[0])
"""


def test_openblas_workers_are_told_to_sleep_before_numpy_loads():
    """gui/__init__.py cuts OpenBLAS's 0.1 s idle spin, which took the second core from the
    statistics and the paint; OpenBLAS reads it once, as numpy loads. A user's value wins."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    for given, expected in ((None, "4"), ("12", "12")):
        r = subprocess.run(
            [sys.executable, "-c", BLAS_TIMEOUT_AT_NUMPY],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env=env if given is None else {**env, "OPENBLAS_THREAD_TIMEOUT": given},
        )
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == expected
