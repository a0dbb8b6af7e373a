"""`python -m core stats --correlation C0 --jacobian K --seeds K` (issue #19): the flags, their
checks (before anything is run or allocated) and how their numbers join the JSON and the table.

Each probe's result says itself how it is written: `KEY` and `to_json()` for a top-level object,
`layer_json(i)` for what it adds to layer i, `columns()` and `summary()` for the text table. These
per-layer numbers are not fields of core/fields.py: that registry is what every frame measures
into a LayerStats (and every table, curve and JSON shows); these are asked for, cost a pair's
forward pass, K Jacobian products or K whole runs, and are computed beside the frame, not in it.
"""

from __future__ import annotations

import argparse
import math

from core import correlation, jacobian, probe, seeds
from core.config import Config
from core.messages import shown
from core.simulate import Simulator
from core.stats import Snapshot


def _c0(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {shown(text)}") from None
    if not (math.isfinite(v) and -1.0 <= v <= 1.0):
        raise argparse.ArgumentTypeError(f"not a correlation from -1 to 1: {shown(text)}")
    return v


def _count(most: int):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {shown(text)}") from None
        if not 1 <= v <= most:
            raise argparse.ArgumentTypeError(f"not from 1 to {most}: {shown(text)}")
        return v

    return parse


def add_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--correlation",
        type=_c0,
        metavar="C0",
        help="per layer, the correlation of input pairs at cosine C0, measured and mean field",
    )
    p.add_argument(
        "--jacobian",
        type=_count(jacobian.MAX_EXAMPLES),
        metavar="K",
        help="singular values of ∂a_L/∂x at K examples of the batch, beside mean field",
    )
    p.add_argument(
        "--seeds",
        type=_count(seeds.MAX_SEEDS),
        metavar="K",
        help="per layer, the spread of the depth-profile statistics across K seeds",
    )


def check(args: argparse.Namespace, c: Config) -> None:
    """Everything that can be refused, refused before the run (ProbeError: one line)."""
    if args.correlation is not None:
        probe.check_plain(c, "--correlation")
    if args.jacobian is not None:
        probe.check_plain(c, "--jacobian")
        jacobian.check_examples(c, args.jacobian)
    if args.seeds is not None:
        seeds.check_count(c, args.seeds)


def run(args: argparse.Namespace, sim: Simulator, snap: Snapshot) -> list:
    """On the net `sim` has just run for snap (its weights and batch), then the other seeds."""
    c, out = snap.config, []
    net = sim.network(c)
    if args.correlation is not None:
        out.append(correlation.profile(c, net.layers, args.correlation))
    if args.jacobian is not None:
        out.append(jacobian.spectrum(c, net.layers, net.x[: args.jacobian].copy()))
    if args.seeds is not None:  # last: the other seeds' runs overwrite the net
        out.append(seeds.spread(c, args.seeds, first=snap, sim=sim))
    return out


def with_json(doc: dict, results: list) -> dict:
    if not results:
        return doc
    layers = [dict(layer) for layer in doc["layers"]]
    top = {}
    for r in results:
        top[r.KEY] = r.to_json()
        if hasattr(r, "layer_json"):
            for i, layer in enumerate(layers):
                layer.update(r.layer_json(i))
    return {**doc, **top, "layers": layers}


def with_table(table: str, results: list, depth: int) -> str:
    """The probes' columns appended to the header and the `depth` layer rows under it, their
    summaries underneath everything."""
    lines = table.splitlines()
    tail = []
    for r in results:
        for header, values in r.columns():
            width = max(9, len(header), *(len(v) for v in values))
            lines[0] += f" {header:>{width}}"
            for i in range(depth):
                lines[1 + i] += f" {values[i]:>{width}}"
        tail.append(r.summary())
    return "\n".join([*lines, *tail])
