"""Staging a scene and stepping its reveal (issue 20): the keys' slots, and what resets it.

The state's `reveal` (core/reveal.py) says which layers the presentation view shows; this room
changes it. T stages the scene (nothing shown) or shows it all; Space steps the reveal on while it
is staged (else it plays or pauses the animation, as it always did); Backspace steps back; Enter
plays the rest at PLAY_MS a layer. A scene whose file says `staged = true` opens staged in the
presentation view; another scene, or leaving the view, starts afresh. Its depth is the deeper
side's: both sides of an A/B comparison advance together.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from core.reveal import Reveal

PLAY_MS = 330  # Enter: the rest of the reveal at about three layers a second


def depth_of(state) -> int:
    """The deeper side's number of layers."""
    sides = [state.config] + ([state.compare] if state.compare is not None else [])
    return max(c.depth for c in sides)


def refit(reveal: Reveal, depth: int) -> Reveal:
    """The same place in the reveal for a net of another depth: k forward layers stay k (at most
    the depth), k backward layers stay k, a complete reveal stays complete."""
    if reveal.depth == depth:
        return reveal
    if reveal.complete:
        return Reveal(depth, 2 * depth)
    if reveal.step <= reveal.depth:
        return Reveal(depth, min(reveal.step, depth))
    return Reveal(depth, depth + min(reveal.step - reveal.depth, depth))


class RevealRoom(QObject):
    def __init__(self, state, animator, parent=None):
        super().__init__(parent)
        self.state, self.animator = state, animator
        self._play = QTimer(self)
        self._play.setInterval(PLAY_MS)
        self._play.timeout.connect(self._played)
        state.changed.connect(self._state_changed)

    @property
    def staged(self) -> bool:
        return self.state.reveal is not None

    @property
    def playing(self) -> bool:
        return self._play.isActive()

    # ------------------------------------------------------------------ the keys
    def toggle_stage(self) -> None:
        """T: stage the scene (no data shown, the animation paused), or show everything."""
        self._play.stop()
        if self.staged:
            self.state.reveal = None
        else:
            anim = self.state.animation
            self.state.update(
                reveal=Reveal(depth_of(self.state)), animation=anim.replace(mode="off")
            )

    def space(self) -> None:
        """Space: the next layer while a scene is staged in the presentation view, else play or
        pause the animation."""
        if self.staged and self.state.presentation:
            self.step(+1)
        else:
            self.animator.toggle()

    def step(self, direction: int) -> None:
        """One layer on (+1) or back (−1); a hand's step ends Enter's playing."""
        self._play.stop()
        self._step(direction)

    def play_rest(self) -> None:
        """Enter: the rest of the reveal, a layer every PLAY_MS; Enter again stops it."""
        if self._play.isActive():
            self._play.stop()
        elif self.staged and not self.state.reveal.complete:
            self._step(+1)
            self._play.start()

    # ------------------------------------------------------------------ internals
    def _step(self, direction: int) -> None:
        r = self.state.reveal
        if r is not None:
            self.state.reveal = r.next() if direction > 0 else r.previous()

    def _played(self) -> None:
        self._step(+1)
        if self.state.reveal is None or self.state.reveal.complete:
            self._play.stop()

    def _state_changed(self, what: frozenset[str]) -> None:
        s = self.state
        if "presentation" in what or "scene" in what:
            self._play.stop()
            asks = s.scene is not None and (s.scene.staged or s.scene.question is not None)
            staged = s.presentation and asks
            s.reveal = Reveal(depth_of(s)) if staged else None
        elif s.reveal is not None and {"config", "compare"} & what:
            s.reveal = refit(s.reveal, depth_of(s))
