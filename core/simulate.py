"""Config → Snapshot: draw the weights and the batch, run forward and backward, measure.

A Simulator keeps the network's buffers and the seed's noise between calls, so the per-frame
path of an animation (a new σ, gain or activation on the same shapes) allocates nothing large and
redraws nothing. `run(config)` is the one-shot form for notebooks, the CLI and tests.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from core import cancel, fused, memory, parallel, stats
from core.activations import ACTIVATIONS
from core.config import Config
from core.inits import INITS, LSUV_MAX_ITER, LSUV_TOL, spare_bytes
from core.measure import GRADIENT_ROWS, Prefetch, measure_joint
from core.network import Dense, Network
from core.noise import NoiseBank
from core.residual import arch, build, init_extras

_CACHED_SHAPES = 2  # the full batch and the small drag-time batch of the window


def needs_backward(rows: tuple[str, ...]) -> bool:
    """Only a gradient row needs the backward pass."""
    return bool(set(rows) & GRADIENT_ROWS)


class Simulator:
    """Keeps what the next frame of a config like the last one reuses: its network, with a second
    one at another batch (the window's drag-time preview) that shares its weights, and the seed's
    noise, bounded to what the config reads (core/noise.py NoiseBank). A net of other shapes is let
    go before the new one is built, so the memory held is one config's (Config.estimated_bytes)
    plus the preview's batch-sized buffers."""

    def __init__(self, prefetch: bool = False):
        """prefetch: take each layer's moments on a helper thread as the layer finishes. It pays
        when BLAS leaves a core idle (the window's policy); beside BLAS on every core it costs."""
        self.prefetch = prefetch
        self._nets: list[Network] = []  # the most recently used first
        self._bank: NoiseBank | None = None
        self._scratch = stats.Scratch()

    def network(self, c: Config) -> Network:
        acts = [ACTIVATIONS[a] for a in c.activations]
        kept = (n for n in self._nets if _same_weights(n, c) and n.batch == c.batch)
        net = next(kept, None)  # (a loop variable would hold the old net while the new is built)
        if net is not None:
            for layer, act in zip(net.layers, acts, strict=True):
                layer.act = act
            self._nets = [net, *(n for n in self._nets if n is not net)]
            return net
        same = [n for n in self._nets if _same_weights(n, c)][: _CACHED_SHAPES - 1]
        self._nets = same  # the old shapes' buffers go before the new ones are allocated
        _new_scratch(self)
        memory.give_back()
        net = _build(c, acts, same[0] if same else None)
        self._nets = [net, *same]
        return net

    def bank(self, c: Config) -> NoiseBank:
        if self._bank is None or (self._bank.seed, self._bank.dtype) != (c.seed, np.dtype(c.dtype)):
            self._bank = NoiseBank(c.seed, c.dtype)
        return self._bank

    def open(self, c: Config) -> Network:
        """Start a frame of c: the bank lets go of the draws c will not read, then the network
        is found or built, so that neither an old net nor its noise is held while the new ones
        are made."""
        self.bank(c).begin(_reads(c), spare_bytes(c))
        return self.network(c)

    @property
    def scratch(self) -> stats.Scratch:
        """The work arrays its statistics use (measure_joint takes them; a new net renews them)."""
        return self._scratch

    def release(self) -> None:
        """Let go of the networks, the noise and the scratch (a side no longer shown)."""
        if self._nets or self._bank is not None:
            self._nets, self._bank = [], None
            _new_scratch(self)
            memory.give_back()

    def prepare(
        self,
        c: Config,
        backward: bool = True,
        bias_grads: bool = True,
        pre: Prefetch | None = None,
        record: fused.Recorder | None = None,
    ) -> Network:
        """Weights, biases, input and output gradient for c, forward (and backward) done; the
        viewer, which shows no ∂L/∂b, skips those column sums. With `pre`, each layer's moments
        are taken on a helper thread as soon as the layer is done; with `record`, the passes
        take the statistics' sums as they write (core/fused.py)."""
        net, bank = self.open(c), self.bank(c)
        record = record if record is not None and fused.fits(net) else None
        with np.errstate(all="ignore"):
            _draw_input(net, bank, c)
            for i, layer in enumerate(net.layers):
                cancel.point()
                init_layer(layer, i, bank, c, record)
            init_extras(net, c)
            if INITS[c.init].data_dependent:
                _lsuv(net)
            top = net.forward(done=pre and pre.forward_done, record=record)
            if backward:
                _output_gradient(net.layers[-1], top, bank, c)
                net.backward(bias_grads, done=pre and pre.backward_done, record=record)
        bank.end()
        return net

    def draw(self, c: Config, size: int, layers: bool = True) -> tuple[Network, NoiseBank]:
        """c's weights in a net of `size` examples, through which core/chunks.py runs c's batch
        a chunk at a time; the bank is left open for the batch's draws (the caller ends it).
        Without `layers`, the net is built but its weights are left to the caller, who draws
        them a layer at a time (init_layer, then init_extras)."""
        bank = self.bank(c)
        bank.begin(_reads(c), spare_bytes(c))
        net = self.network(c.replace(batch=size))
        with np.errstate(all="ignore"):
            for i, layer in enumerate(net.layers if layers else ()):
                cancel.point()
                init_layer(layer, i, bank, c)
            if layers:
                init_extras(net, c)
        return net, bank

    def calibrate(self, net: Network, c: Config) -> None:
        """A data-dependent init (LSUV) on the examples net.x holds: a chunked frame's first."""
        if INITS[c.init].data_dependent:
            with np.errstate(all="ignore"):
                _lsuv(net)

    def run(
        self, c: Config, rows: tuple[str, ...] = stats.ROWS, chunk: int | None = None
    ) -> stats.Snapshot:
        """c's snapshot, `chunk` examples at a time (None: the whole batch when the memory
        limit lets it be held at once, else as many as fit; core/chunks.py)."""
        from core import chunks  # (chunks builds on this module)

        return chunks.run([self], [c], rows, chunk)[0]


def run(config: Config) -> stats.Snapshot:
    return Simulator().run(config)


def run_joint(
    sims: list[Simulator],
    configs: list[Config],
    rows: tuple[str, ...] = stats.ROWS,
    ranges: list[list[dict]] | None = None,
) -> tuple[stats.Snapshot, ...]:
    """Several configs (an A/B comparison), each on its own Simulator, measured on common
    histogram ranges so that their panels overlay bin for bin.

    `rows` are the histograms wanted (the window asks only for the rows it shows). Without a
    gradient row the backward pass is skipped: an activations-only frame costs the forward pass,
    as in the CS231n notebook, and the gradient statistics are NaN."""
    t0 = time.perf_counter()
    backward = needs_backward(rows)
    pairs = list(zip(sims, configs, strict=True))
    fits = all(fused.fits(s.open(c)) for s, c in pairs)
    record = fused.Recorder(wgrad="wgrad" in rows) if fits else None
    pre = Prefetch() if sims[0].prefetch and record is None else None
    nets = [sim.prepare(c, backward, bias_grads=False, pre=pre, record=record) for sim, c in pairs]
    pre = record or pre
    layers = measure_joint(nets, list(configs), sims[0].scratch, rows, backward, pre, ranges=ranges)
    ms = (time.perf_counter() - t0) * 1e3
    return tuple(stats.Snapshot(c, ls, ms) for c, ls in zip(configs, layers, strict=True))


def _new_scratch(sim: Simulator) -> None:
    """Fresh scratch for new shapes, the Simulator's and the helper thread's: a Scratch keeps an
    array of every size it is asked for (a vector of ones per size, for the moments of float64
    and ill-conditioned arrays), so over many nets the helper's grew without bound (3.9 MB in
    20 random changes). Only the helper thread uses parallel.SCRATCH, so a new one can be put in
    its place from here."""
    sim._scratch = stats.Scratch()
    parallel.SCRATCH = stats.Scratch()


def _build(c: Config, acts, like: Network | None) -> Network:
    """A plain net takes `like`'s weights as it is built; one with norms or skips (built by
    core/residual.py) after, its own zeros briefly allocated."""
    if like is not None and arch(c) is None:
        return Network(c.widths, acts, c.batch, c.dtype, like=like)
    net = build(c, acts)
    if like is not None:
        net.share_weights(like)
    return net


def _same_weights(net: Network, c: Config) -> bool:
    """The same weight shapes (another batch): a net that can share the new one's weights."""
    return (net.widths, net.dtype, getattr(net, "arch", None)) == (
        tuple(c.widths),
        np.dtype(c.dtype),
        arch(c),
    )


def _reads(c: Config) -> set[tuple]:
    """The (key, shape) pairs a frame of c may read from the bank again: each layer's weights
    (0, i) (core/inits.py's samplers) and bias (3, i), and the mse targets (4,). The input (1,)
    and the Gaussian output gradient (2,) are copied into the net once and not read again, so
    they go at the next frame, like everything else not here."""
    out = {((4,), (c.batch, c.widths[-1]))}
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(c.widths)):
        out |= {((0, i), (fan_in, fan_out)), ((3, i), (fan_out,))}
    return out


def _draw_input(net: Network, bank: NoiseBank, c: Config) -> None:
    """Copied only when it differs from what net.x holds: a sweep keeps its batch, and the copy
    moved 6 MB of the canonical frame's memory traffic (input and output gradient alike)."""
    key = (bank.seed, c.input)
    if net.input_key == key:
        return
    shape = net.x.shape
    if c.input == "normal":
        np.copyto(net.x, bank.normal((1,), shape))
    elif c.input == "uniform":
        np.copyto(net.x, bank.uniform((1,), shape))
    else:  # positive: U(0, 1)
        np.add(bank.uniform((1,), shape), 1.0, out=net.x)
        net.x *= 0.5
    net.input_key = key


def init_layer(
    layer: Dense, i: int, bank: NoiseBank, c: Config, record: fused.Recorder | None = None
) -> None:
    """With `record`, a scaled draw's W is written by the kernel that takes its sums (LSUV's is
    rescaled afterwards: not that one), or, in a small-batch frame, left unwritten as k·base for
    the matmuls to scale (fused.Recorder.scaled); a pictured layer's summary forms the rows it
    reads (core/weights.py summarize)."""
    init = INITS[c.init]
    fan_in, fan_out = layer.wslot.array.shape
    draw = getattr(init.sample, "draw", None)
    if record is not None and draw is not None and not init.data_dependent:
        base, k = draw(bank, i, fan_in, fan_out, c)
        if not record.scaled(layer, base, k):
            record.scale_into(layer, base, k)
    else:
        init.sample(bank, i, fan_in, fan_out, c, layer.wslot.written())
    if c.bias == "constant":
        layer.b.fill(c.bias_value)
    elif c.bias == "normal":
        np.multiply(bank.normal((3, i), (fan_out,)), c.bias_value, out=layer.b)
    elif c.bias == "default" and init.torch_bias:
        np.multiply(bank.uniform((3, i), (fan_out,)), 1.0 / math.sqrt(fan_in), out=layer.b)
    else:
        layer.b.fill(0.0)
    layer.has_bias = bool(layer.b.any())


def _lsuv(net: Network) -> None:
    """Mishkin & Matas: rescale each layer, input side first, until Var(h) is 1 on this batch."""
    a = net.x
    for layer in net.layers:
        cancel.point()
        a = lsuv_layer(layer, a)


def lsuv_layer(layer: Dense, a: np.ndarray) -> np.ndarray:
    """One layer of LSUV on its input `a`: W rescaled until Var(h) is 1; its output returned
    (core/chunks.py calibrates a layer as soon as it is drawn, so LSUV shows its progress)."""
    for _ in range(LSUV_MAX_ITER):
        layer.forward(a)
        var = float(layer.h.var())
        if not math.isfinite(var) or var == 0.0 or abs(var - 1.0) <= LSUV_TOL:
            break
        layer.W *= 1.0 / math.sqrt(var)
    return layer.forward(a)


def _output_gradient(top: Dense, out: np.ndarray, bank: NoiseBank, c: Config) -> None:
    """Nothing writes the top layer's grad_a but this, so a Gaussian one is copied only when the
    seed changed (as the input is)."""
    if c.grad_source == "gaussian":
        if top.grad_key != bank.seed:
            np.copyto(top.grad_a, bank.normal((2,), out.shape))
            top.grad_key = bank.seed
    else:  # mse against random targets
        np.subtract(out, bank.normal((4,), out.shape), out=top.grad_a)
        top.grad_key = None
