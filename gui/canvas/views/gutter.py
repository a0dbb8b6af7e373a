"""Labels stacked in a gutter beside a plot (the ladder's "×0.22 per layer" column): each as
near the height of its line's end as the others leave room for."""

from __future__ import annotations


def spread(wanted: list[float], height: float, top: float, bottom: float) -> list[float]:
    """Centres at least `height` apart, each as near its wish as that allows, within
    [top + height/2, bottom − height/2] where they fit (sorted wishes in, same order out)."""
    out = []
    for w in wanted:
        y = max(w, top + height / 2)
        if out:
            y = max(y, out[-1] + height)
        out.append(y)
    limit = bottom - height / 2
    for i in range(len(out) - 1, -1, -1):
        if out[i] > limit:
            out[i] = limit
        limit = out[i] - height
    return out
