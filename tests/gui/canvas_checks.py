"""Checks over a layout report (gui/canvas/report.py), for any view the canvas shows.

Each returns a list of problems, one readable line each, so a failing test names every text that
collides or is too small, not only the first."""

from __future__ import annotations

from gui.canvas.sizes import FLOOR

# texts that must never lie on a plot's data
OFF_DATA = ("title", "claim", "details", "panel-title", "axis-label", "tick", "question", "answer")
# texts that carry the numbers a claim relies on
NUMBERS = ("tick", "panel-title", "legend", "chip", "axis-label", "answer")
SLACK = 1.0  # px: rectangles that only touch (or share a rounded pixel) do not collide


def _overlap(a: list[float], b: list[float]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = min(ax + aw, bx + bw) - max(ax, bx)
    h = min(ay + ah, by + bh) - max(ay, by)
    return w > SLACK and h > SLACK


def _name(t: dict) -> str:
    text = t["text"].replace("\n", " ")
    text = text if len(text) <= 40 else text[:39] + "…"
    return f"{t['role']} {text!r} at {[round(v) for v in t['rect']]}"


def _of(report: dict, only) -> list[dict]:
    return [t for t in report["texts"] if only is None or t["role"] in only]


def overlapping_texts(report: dict, only=None) -> list[str]:
    """Pairs of texts that overlap; with `only` (roles), pairs with one text of those roles."""
    texts = report["texts"]
    return [
        f"{_name(a)} overlaps {_name(b)}"
        for i, a in enumerate(texts)
        for b in texts[i + 1 :]
        if (only is None or a["role"] in only or b["role"] in only)
        and _overlap(a["rect"], b["rect"])
    ]


def texts_on_data(report: dict, only=None) -> list[str]:
    return [
        f"{_name(t)} lies on the data of plot {p['name']!r} {[round(v) for v in p['data_rect']]}"
        for t in _of(report, only)
        if t["role"] in OFF_DATA
        for p in report["plots"]
        if _overlap(t["rect"], p["data_rect"])
    ]


def too_small(report: dict, only=None) -> list[str]:
    height = report["size"][1]
    out = []
    for t in _of(report, only):
        floor = FLOOR["any"]
        if t["role"] == "claim":
            floor = FLOOR["claim"]
        elif t["role"] in NUMBERS:
            floor = FLOOR["number"]
        if t["px"] < floor * height - 0.5:  # a size rounded to whole pixels
            out.append(f"{_name(t)}: {t['px']:.1f} px < {100 * floor:.1f}% of {height}")
    return out


def off_screen(report: dict, only=None) -> list[str]:
    """Texts cut by the window's edge (a ladder's label ran past a half-width strip's edge)."""
    width, height = report["size"]
    return [
        f"{_name(t)} runs off the {width}×{height} window"
        for t in _of(report, only)
        if t["rect"][0] < -SLACK
        or t["rect"][1] < -SLACK
        or t["rect"][0] + t["rect"][2] > width + SLACK
        or t["rect"][1] + t["rect"][3] > height + SLACK
    ]


def problems(report: dict, only=None) -> list[str]:
    """Every problem; with `only` (roles), those of the texts of these roles."""
    return (
        overlapping_texts(report, only)
        + texts_on_data(report, only)
        + too_small(report, only)
        + off_screen(report, only)
    )
