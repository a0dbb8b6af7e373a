"""The per-layer statistics a LayerStats carries, each declared once, and how every reader shows it.

The JSON of `python -m core stats --json`, the CLI's table, the window's statistics table and the
depth profile's curves are all generated from FIELDS, read when they are built: showing a new
statistic everywhere is one entry here (its number is still computed in core/simulate.py and held
by stats.LayerStats). FIELDS is in the order of the JSON, which scripts read and which is kept as
it was; the tables put first the fields that name their row (`key`), then the others in this order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Field:
    attr: str  # the LayerStats attribute; also its JSON key, when it is in the JSON
    header: str  # the window's table and its CSV/Markdown copies ("": not in that table)
    tooltip: str  # what it measures, in a sentence
    fmt: str = "g"  # "g" 3 significant digits, "%" a share written in per cent, "d" whole, "s" text
    backward: bool = False  # made by the backward pass: NaN (JSON null) when only forward ran
    json: bool = True
    cli: str = ""  # the CLI table's column header ("": not in the CLI table)
    width: int = 9  # the CLI table's column width
    legend: str = ""  # a depth-profile curve ("": none); backward ones go on the gradient plot
    signed: bool = False  # may be ≤ 0: never on a log axis, and listed after the spreads
    key: bool = False  # names the row (layer, activation): first in the tables


FIELDS: dict[str, Field] = {
    f.attr: f
    for f in (
        Field(
            "index",
            "layer",
            "layer number, input side first",
            fmt="d",
            cli="layer",
            width=5,
            key=True,
        ),
        Field("preact_mean", "", "mean of the pre-activations h", signed=True),
        Field("preact_std", "", "standard deviation of the pre-activations h", cli="h std"),
        Field(
            "act_mean",
            "mean",
            "mean of the activations",
            cli="a mean",
            legend="mean",
            signed=True,
        ),
        Field("act_std", "std", "standard deviation of the activations", cli="a std", legend="std"),
        Field(
            "saturated_frac",
            "% sat",
            "share of values where φ′ is below 5% of its maximum",
            fmt="%",
            cli="sat%",
            width=6,
        ),
        Field(
            "dead_units",
            "% dead",
            "share of units whose φ′ is ~0 on every example",
            fmt="%",
            cli="dead%",
            width=6,
        ),
        Field(
            "grad_std",
            "∂a std",
            "std of the per-example gradient ∂ℓ/∂a",
            backward=True,
            cli="∂a std",
            legend="∂L/∂a std",
        ),
        Field("preact_grad_std", "∂h std", "std of δ = ∂ℓ/∂h", backward=True, cli="∂h std"),
        Field("weight_std", "", "standard deviation of the weights W"),
        Field(
            "weight_grad_std",
            "",
            "std of ∂L/∂W of the batch mean",
            backward=True,
            legend="∂L/∂W std",
        ),
        Field(
            "grad_data_ratio",
            "∂W/W",
            "weight-gradient std / weight std",
            backward=True,
            cli="∂W/W",
        ),
        Field(
            "nonfinite",
            "non-finite",
            "Inf/NaN values in this layer's arrays",
            fmt="d",
            cli="nonfin",
            width=7,
        ),
        Field("sigma_w2", "", "fan_in·Var(w) by the scheme's formula (null where it has none)"),
        Field("sigma_w2_measured", "σ_w²", "fan_in·Var(w) of the drawn weights"),
        Field("fan_in", "", "inputs of the layer", fmt="d"),
        Field("fan_out", "", "units of the layer", fmt="d"),
        Field("activation", "act", "activation function", fmt="s", cli="act", width=10, key=True),
    )
}


def _shown(wanted) -> list[Field]:
    chosen = [f for f in FIELDS.values() if wanted(f)]
    return [f for f in chosen if f.key] + [f for f in chosen if not f.key]


def table_fields() -> list[Field]:
    """The window's statistics table, column by column."""
    return _shown(lambda f: f.header)


def cli_fields() -> list[Field]:
    """The CLI's text table, column by column."""
    return _shown(lambda f: f.cli)


def profile_fields() -> list[Field]:
    """The depth profile's curves, the activation plot's first; on each plot the spreads (which
    decide a log axis) before the signed ones."""
    plotted = [f for f in FIELDS.values() if f.legend]
    return sorted(plotted, key=lambda f: (f.backward, f.signed))


def layer_json(stats) -> dict:
    """One LayerStats as the JSON's layer object: non-finite numbers become null."""
    return {f.attr: finite_or_none(getattr(stats, f.attr)) for f in FIELDS.values() if f.json}


def finite_or_none(v):
    """A number for JSON: Inf and NaN (which JSON has not) become None; anything else is kept."""
    if isinstance(v, (float, np.floating)) and not math.isfinite(v):
        return None
    return v


def text(value, fmt: str, width: int = 0) -> str:
    """The value as a table writes it, right-aligned in `width` characters (0: no padding)."""
    w = str(width) if width else ""
    if fmt == "%":
        return f"{100 * value:{w}.1f}"
    if fmt == "g":
        return f"{value:{w}.3g}"
    return f"{value:>{w}}"
