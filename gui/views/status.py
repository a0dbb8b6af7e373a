"""The status bar's live figures: frames a second, the compute time, the batch a frame had, and a
note when a frame overflowed. Their labels never change size (FixedLabel), so a frame relayouts
nothing."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QStatusBar

from gui.docks.controls import FixedLabel
from gui.presenter import ViewBase, ViewFrame


class StatusView(ViewBase):
    def __init__(self, bar: QStatusBar):
        self.bar = bar
        self.fps_label = FixedLabel("99.9 fps · compute 99999 ms")
        self.batch_label = FixedLabel("batch 1000000 (dragging; full 1000000 on release)")
        bar.addPermanentWidget(self.batch_label)
        bar.addPermanentWidget(self.fps_label)
        self._times: list[float] = []

    def present(self, f: ViewFrame) -> None:
        snap = f.a
        now = time.perf_counter()
        self._times = [t for t in self._times if now - t < 2.0] + [now]
        span = self._times[-1] - self._times[0]
        fps = (len(self._times) - 1) / span if span > 0 else 0.0
        self.fps_label.setText(f"{fps:4.1f} fps · compute {snap.compute_ms:.0f} ms")
        shown = snap.config.batch
        if f.step is not None:
            self.batch_label.setText(f"training step {f.step} · batch {shown}")
        elif snap.refining and len(snap.layers) < snap.config.depth:  # core/preview.py
            k, depth = len(snap.layers), snap.config.depth
            which = f"layers 1-{k}" if k > 1 else "layer 1"
            self.batch_label.setText(f"{which} of {depth} · {snap.examples} of {shown} examples")
        elif snap.refining:
            self.batch_label.setText(f"{snap.examples} of {shown} examples")
        elif shown < f.batch:
            note = f"dragging; full {f.batch} on release" if f.dragging else f"full {f.batch} next"
            self.batch_label.setText(f"batch {shown} ({note})")
        else:
            self.batch_label.setText(f"batch {shown}")
        if snap.nonfinite:
            bad = [s.index for s in snap.layers if s.nonfinite]
            self.bar.showMessage(
                f"non-finite values (overflow) in {len(bad)} layer(s), from layer {bad[0]}", 5000
            )
