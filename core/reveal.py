"""Which layers a staged scene shows yet: the forward pass arriving layer by layer, then the
backward pass from the output down (issue 20).

A lecturer stages a scene, asks the room "what comes next?", and steps the reveal on: step 0
shows no data; steps 1..depth add the forward rows (activations, pre-activations, the weights
that made them, the ladder's → points) of layers 1..depth; steps depth+1..2·depth add the backward
rows (gradients, weight gradients, the ladder's ← points) of layers depth..1. A view that draws the
whole net at once (a spectrum, a correlation map) appears when the reveal is complete. Both sides
of an A/B comparison advance together: a layer index is compared against the same step, so the
shallower side is simply complete sooner. `None` in place of a Reveal means nothing is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

FORWARD_ROWS = frozenset({"act", "preact", "weights"})
BACKWARD_ROWS = frozenset({"grad", "wgrad"})


@dataclass(frozen=True)
class Reveal:
    depth: int  # the deeper side's number of layers
    step: int = 0  # 0 … 2·depth

    def __post_init__(self) -> None:
        if self.depth < 1 or not 0 <= self.step <= self.steps:
            raise ValueError(f"reveal step {self.step} of a depth-{self.depth} net")

    @property
    def steps(self) -> int:
        return 2 * self.depth

    @property
    def complete(self) -> bool:
        return self.step >= self.steps

    def forward(self, layer: int) -> bool:
        """Layer `layer` (1-based) of the forward pass is shown."""
        return layer <= self.step

    def backward(self, layer: int) -> bool:
        """Layer `layer` (1-based) of the backward pass is shown (it arrives from the output)."""
        return self.step - self.depth >= self.depth - layer + 1

    def shows(self, row: str, layer: int) -> bool:
        """`row` is one of FORWARD_ROWS or BACKWARD_ROWS (core/stats.py ROWS, plus "weights")."""
        if row in BACKWARD_ROWS:
            return self.backward(layer)
        if row in FORWARD_ROWS:
            return self.forward(layer)
        raise ValueError(f"reveal: unknown row {row!r}")

    @property
    def newest(self) -> tuple[str, int] | None:
        """("forward" | "backward", layer) that the last step added; None at step 0."""
        if self.step == 0:
            return None
        if self.step <= self.depth:
            return "forward", self.step
        return "backward", 2 * self.depth - self.step + 1

    def next(self) -> Reveal:
        return replace(self, step=min(self.steps, self.step + 1))

    def previous(self) -> Reveal:
        return replace(self, step=max(0, self.step - 1))

    def describe(self) -> str:
        """What the room sees now, for the canvas's quiet status line."""
        newest = self.newest
        if newest is None:
            return "staged: nothing shown yet"
        if self.complete:
            return "revealed"
        way, layer = newest
        return f"{way} pass: layer {layer} of {self.depth}"
