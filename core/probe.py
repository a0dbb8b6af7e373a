"""A few inputs of our own pushed through the app's weights, its buffers left alone (issue #19).

The c-map and the Jacobian ask questions of the very network a frame (or `python -m core stats`)
has drawn: its layers' W, b and φ after `Simulator.prepare`, LSUV's rescaling included. They need
other inputs than the batch (a pair at a chosen correlation, a circle, a few examples), so they
run their own forward pass on a handful of rows rather than write into the net's batch-sized
buffers, which the next frame or a view may still be reading.

Only plain layers (h = a·W + b, a = φ(h)) are probed: a norm couples the examples of a batch
(BatchNorm of a pair is a different net) and mean field, the other half of every comparison here,
is stated for plain nets (core/theory.py predict).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np

from core.config import Config
from core.fields import text

# NoiseBank keys 0-4 are the app's own draws (weights, input, output gradient, biases, targets):
# the probes' inputs come from a key of their own, so asking for them changes no other number.
PROBE_KEY = 19


class ProbeError(ValueError):
    """A probe that cannot be run for this config or these sizes: one line, shown as it is."""


def check_plain(c: Config, what: str) -> None:
    if c.norm != "none" or c.residual:
        raise ProbeError(f"{what}: needs a plain net (no --norm, no --residual)")


def rng(c: Config, *key: int) -> np.random.Generator:
    """The probe's generator for this config's seed (the app's NoiseBank seeding, own key)."""
    return np.random.default_rng(np.random.SeedSequence(c.seed, spawn_key=(PROBE_KEY, *key)))


def forward(layers: Sequence, x: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, object]]:
    """(h, a, layer) of every layer for the rows x: the same rule as core/network.Dense, in the
    net's dtype, into arrays of the probe's own."""
    a = np.asarray(x, layers[0].W.dtype)
    with np.errstate(all="ignore"):
        for layer in layers:
            h = a @ layer.W
            if layer.has_bias:
                h += layer.b
            a = layer.act.f(h, np.empty_like(h))
            yield h, a, layer


def derivative(layer, h: np.ndarray, a: np.ndarray) -> np.ndarray:
    """φ′(h) of the layer (the activation registry's, as the backward pass uses)."""
    with np.errstate(all="ignore"):
        return layer.act.df(h, a, np.empty_like(h))


def orthonormal_pair(r: np.random.Generator, rows: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two (rows, n) arrays whose rows are unit vectors, u_i ⊥ v_i (Gram-Schmidt, float64)."""
    if n < 2:
        raise ProbeError(f"correlation: needs an input width of at least 2 (got {n})")
    u = r.standard_normal((rows, n))
    v = r.standard_normal((rows, n))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v -= np.sum(u * v, axis=1, keepdims=True) * u
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return u, v


def number(v) -> str:
    """A table's number: 3 significant digits, "–" where there is none."""
    return "–" if v is None or not math.isfinite(v) else text(v, "g")
