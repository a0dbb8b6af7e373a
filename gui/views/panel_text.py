"""What a layer panel writes: its title (the layer, σ, saturation and dead units), the shares
of values left and right of its range, and the round top of its y axis."""

from __future__ import annotations

import math

from core.activations import ACTIVATIONS
from core.stats import Hist, LayerStats
from gui.views import log_axis
from gui.views.grid_items import Run, _Panel
from gui.views.log_axis import Binned

STD_FIELD = {
    "preact": "preact_std",
    "act": "act_std",
    "grad": "grad_std",
    "wgrad": "weight_grad_std",
}


def _std(row: str, s: LayerStats) -> float:
    return getattr(s, STD_FIELD[row])


def panel_title(row: str, s: LayerStats) -> tuple[tuple[Run, ...], ...]:
    """Lines of text runs: the layer in bold and σ, then saturation and dead units if notable."""
    std = _std(row, s)
    notes = []
    if row in ("act", "preact"):
        saturates = ACTIVATIONS[s.activation].saturates != "none"  # not ReLU's off half
        if saturates and s.saturated_frac >= 0.05:
            notes.append(f"sat {100 * s.saturated_frac:.0f}%")
        if s.dead_units >= 0.01:
            notes.append(f"dead {100 * s.dead_units:.0f}%")
    first = ((f"L{s.index}", True, None), (f"  σ {_fmt(std)}", False, None))
    return (first, ((" · ".join(notes), False, None),)) if notes else (first,)


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "—"
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}"
    mantissa, exponent = f"{v:.0e}".split("e") if abs(v) >= 1e4 else f"{v:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"  # 2.9e-7, not 2.9e-07: a title that fits its panel


BADGE_FROM = 0.01  # an out-of-range share is noted from 1% of the values on (issue #18)


def mark_outside(p: _Panel, d: Binned | Hist) -> None:
    """The shares of the values left and right of the panel's range (exact zeros, on a log
    axis, among the left ones), in its top corners: from BADGE_FROM on, a rounding error's worth
    of tails is no news."""
    if isinstance(d, Hist):
        d = log_axis.linear(d)
    left = d.under + d.zeros
    for kind, share in (("under", left), ("over", d.over)):
        if share >= BADGE_FROM:
            text = f"{100 * share:.1f}%" if share < 0.1 else f"{100 * share:.0f}%"
            if kind == "under" and d.zeros >= 0.5 * left:
                text += " at 0"
            p.note(kind).setText(f"◀ {text}" if kind == "under" else f"{text} ▶")
            p.note(kind).show()
        else:
            p.hide_note(kind)
    _place_outside(p)


def _place_outside(p: _Panel) -> None:
    """The out-of-range shares at the top corners; with both shown, the right one a line lower
    (in a narrow panel the two met in the middle and read as one garbled label)."""
    top = max(p.ymax, 1e-12)
    under, over = p.notes.get("under"), p.notes.get("over")
    if under is not None:
        under.setPos(p.xrange[0], top)
    if over is not None:
        both = under is not None and under.isVisible()
        over.setPos(p.xrange[1], top * (0.8 if both else 1.0))


def _nice_top(v: float) -> float:
    """Headroom above the peak, rounded so the axis labels stay short."""
    if not math.isfinite(v) or v <= 0:
        return 1.0
    v *= 1.15
    e = math.floor(math.log10(v))
    for m in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        if m * 10**e >= v:
            return min(m * 10**e, 1.0)
    return 1.0
