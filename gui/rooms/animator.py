"""The animation pump: while the state's animation runs, the next frame's change goes in as soon as
the engine can take it; the sweep's parameter also steps by key (← / →)."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer

from gui.animation import SWEEP_STEPS, step_value

PUMP_MS = 15


class Animator(QObject):
    def __init__(self, state, compute, central, messages, parent=None):
        super().__init__(parent)
        self.state, self.compute, self.central, self.messages = state, compute, central, messages
        self._t0 = time.perf_counter()
        self.sweep_k = 0  # which of SWEEP_STEPS stops the arrow keys are at
        self._pump = QTimer(self)
        self._pump.setInterval(PUMP_MS)
        self._pump.timeout.connect(self.animate)
        state.changed.connect(self._state_changed)
        compute.arrived.connect(self._arrived)

    @property
    def running(self) -> bool:
        return self._pump.isActive()

    def toggle(self) -> None:
        a = self.state.animation
        self.state.animation = a.replace(mode="resample" if a.mode == "off" else "off")

    def animate(self) -> None:
        s = self.state
        if not s.live or self.compute.awaiting or not self.compute.engine.idle:
            return
        if self.central.animating:
            return
        anim = s.animation
        changes = anim.next_changes(s.edited, time.perf_counter() - self._t0)
        self.messages.clear_message()
        if not s.apply_changes(changes):  # e.g. a sweep bound outside the allowed range
            s.animation = anim.replace(mode="off")

    def sweep_step(self, direction: int) -> None:
        """One of SWEEP_STEPS steps of the sweep's range per key press (the animation pauses)."""
        anim = self.state.animation
        if not anim.param:
            return
        self.state.animation = anim.replace(mode="off")
        self.sweep_k = min(max(self.sweep_k + direction, 0), SWEEP_STEPS)
        self.state.apply_changes({anim.param: step_value(self.sweep_k, anim.lo, anim.hi)})

    def stop(self) -> None:
        self._pump.stop()

    def _state_changed(self, what: frozenset[str]) -> None:
        if "animation" not in what:
            return
        if self.state.animation.mode == "off":
            self._pump.stop()
        else:  # blending is off while it runs (presenter.py: motion)
            self._t0 = time.perf_counter()
            self._pump.start()

    def _arrived(self) -> None:
        if self._pump.isActive():  # the next frame computes while this one paints
            self.animate()
