"""Config → Snapshot: draw the weights and the batch, run forward and backward, measure.

A Simulator keeps the network's buffers and the seed's noise between calls, so the per-frame
path of an animation (a new σ, gain or activation on the same shapes) allocates nothing large and
redraws nothing. `run(config)` is the one-shot form for notebooks, the CLI and tests.
"""

from __future__ import annotations

import math
import time

import numpy as np

from core import stats
from core.activations import ACTIVATIONS
from core.config import Config
from core.inits import INITS, LSUV_MAX_ITER, LSUV_TOL, NoiseBank
from core.network import Dense, Network

_CACHED_SHAPES = 2  # the full batch and the small drag-time batch of the window


class Simulator:
    def __init__(self):
        self._nets: list[Network] = []
        self._bank: NoiseBank | None = None
        self._scratch = stats.Scratch()

    def network(self, c: Config) -> Network:
        acts = [ACTIVATIONS[a] for a in c.activations]
        for net in self._nets:
            if net.fits(c.widths, c.batch, c.dtype):
                for layer, act in zip(net.layers, acts, strict=True):
                    layer.act = act
                return net
        net = Network(c.widths, acts, c.batch, c.dtype)
        self._nets = [net, *self._nets][:_CACHED_SHAPES]
        return net

    def bank(self, c: Config) -> NoiseBank:
        if self._bank is None or (self._bank.seed, self._bank.dtype) != (c.seed, np.dtype(c.dtype)):
            self._bank = NoiseBank(c.seed, c.dtype)
        return self._bank

    def prepare(self, c: Config) -> Network:
        """Weights, biases, input and output gradient for c, forward and backward done."""
        net, bank = self.network(c), self.bank(c)
        with np.errstate(all="ignore"):
            _draw_input(net, bank, c)
            for i, layer in enumerate(net.layers):
                _init_layer(layer, i, bank, c)
            if INITS[c.init].data_dependent:
                _lsuv(net)
            top = net.forward()
            _output_gradient(net.layers[-1], top, bank, c)
            net.backward()
        return net

    def run(self, c: Config) -> stats.Snapshot:
        t0 = time.perf_counter()
        net = self.prepare(c)
        layers = _measure(net, c, self._scratch)
        return stats.Snapshot(c, layers, (time.perf_counter() - t0) * 1e3)


def run(config: Config) -> stats.Snapshot:
    return Simulator().run(config)


def _draw_input(net: Network, bank: NoiseBank, c: Config) -> None:
    shape = net.x.shape
    if c.input == "normal":
        np.copyto(net.x, bank.normal((1,), shape))
    elif c.input == "uniform":
        np.copyto(net.x, bank.uniform((1,), shape))
    else:  # positive: U(0, 1)
        np.add(bank.uniform((1,), shape), 1.0, out=net.x)
        net.x *= 0.5


def _init_layer(layer: Dense, i: int, bank: NoiseBank, c: Config) -> None:
    init = INITS[c.init]
    fan_in, fan_out = layer.W.shape
    init.sample(bank, i, fan_in, fan_out, c, layer.W)
    if c.bias == "constant":
        layer.b.fill(c.bias_value)
    elif c.bias == "default" and init.torch_bias:
        np.multiply(bank.uniform((3, i), (fan_out,)), 1.0 / math.sqrt(fan_in), out=layer.b)
    else:
        layer.b.fill(0.0)
    layer.has_bias = bool(layer.b.any())


def _lsuv(net: Network) -> None:
    """Mishkin & Matas: rescale each layer, input side first, until Var(h) is 1 on this batch."""
    a = net.x
    for layer in net.layers:
        for _ in range(LSUV_MAX_ITER):
            layer.forward(a)
            var = float(layer.h.var())
            if not math.isfinite(var) or var == 0.0 or abs(var - 1.0) <= LSUV_TOL:
                break
            layer.W *= 1.0 / math.sqrt(var)
        a = layer.forward(a)


def _output_gradient(top: Dense, out: np.ndarray, bank: NoiseBank, c: Config) -> None:
    if c.grad_source == "gaussian":
        np.copyto(top.grad_a, bank.normal((2,), out.shape))
    else:  # mse against random targets
        np.subtract(out, bank.normal((4,), out.shape), out=top.grad_a)


def _measure(net: Network, c: Config, scratch: stats.Scratch) -> tuple[stats.LayerStats, ...]:
    init = INITS[c.init]
    rows = {r: [] for r in stats.ROWS}
    per_layer = []
    with np.errstate(all="ignore"):
        for layer in net.layers:
            m = {
                "preact": stats.moments(layer.h, scratch),
                "act": stats.moments(layer.a, scratch),
                "grad": stats.moments(layer.grad_a, scratch),
                "wgrad": stats.moments(layer.dW, scratch),
            }
            for r in stats.ROWS:
                rows[r].append(stats.spread(m[r]))
            per_layer.append(m)
        ranges = _ranges(net, c, rows)
        out = []
        for i, (layer, m) in enumerate(zip(net.layers, per_layer, strict=True)):
            arrays = {"preact": layer.h, "act": layer.a, "grad": layer.grad_a, "wgrad": layer.dW}
            hists = {
                r: stats.histogram(arrays[r], *ranges[r][i], c.bins, scratch, m[r].nonfinite > 0)
                for r in stats.ROWS
            }
            out.append(_layer_stats(i, layer, m, hists, init, c, scratch))
    return tuple(out)


def _ranges(net: Network, c: Config, spreads: dict[str, list[float]]) -> dict[str, list[tuple]]:
    """Shared: one range per row for every layer (what makes a collapse visible). Layer: each its own."""
    acts = [layer.act for layer in net.layers]
    lower = {a.lower for a in acts}
    upper = {a.upper for a in acts}
    bounds = {
        "act": (lower.pop() if len(lower) == 1 else None, upper.pop() if len(upper) == 1 else None),
        "preact": (None, None),
        "grad": (None, None),
        "wgrad": (None, None),
    }
    out = {}
    for r in stats.ROWS:
        if c.hist_scale == "shared":
            out[r] = [stats.row_range(spreads[r], *bounds[r])] * len(net.layers)
        else:
            out[r] = [
                stats.row_range([s], a.lower, a.upper)
                if r == "act"
                else stats.row_range([s], None, None)
                for s, a in zip(spreads[r], acts, strict=True)
            ]
    return out


def _layer_stats(i, layer: Dense, m, hists, init, c: Config, scratch) -> stats.LayerStats:
    fan_in, fan_out = layer.W.shape
    act = layer.act
    d = layer.dphi
    saturated = np.count_nonzero(d < 0.05 * act.df_max) / d.size
    dead = np.count_nonzero(d.max(axis=0) <= 1e-6 * act.df_max) / fan_out
    w = stats.moments(layer.W, scratch)
    delta = stats.moments(layer.delta, scratch)
    ratio = m["wgrad"].std / w.std if w.std > 0 else math.nan
    nonfinite = sum(v.nonfinite for v in m.values())
    return stats.LayerStats(
        index=i + 1,
        fan_in=fan_in,
        fan_out=fan_out,
        activation=act.name,
        sigma_w2=init.sigma_w2(fan_in, fan_out, c),
        sigma_w2_measured=fan_in * w.std**2,
        preact_mean=m["preact"].mean,
        preact_std=m["preact"].std,
        act_mean=m["act"].mean,
        act_std=m["act"].std,
        saturated_frac=saturated,
        dead_units=dead,
        grad_std=m["grad"].std,
        preact_grad_std=delta.std,
        weight_std=w.std,
        weight_grad_std=m["wgrad"].std,
        grad_data_ratio=ratio,
        nonfinite=nonfinite,
        nonfinite_frac=m["act"].nonfinite / max(m["act"].size, 1),
        hists=hists,
    )
