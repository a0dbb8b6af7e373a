"""`python -m core`: the headless face of the core, for scripts, slides and CI.

Same Snapshot as the window, printed as a table or as JSON. Bad flags or files: one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

from core import cli_probes, fields, memory, prediction, presets
from core.activations import ACTIVATIONS
from core.config import (
    DTYPES,
    GRAD_SOURCES,
    INPUTS,
    NORM_POSITIONS,
    NORM_VIEWS,
    NORMS,
    Config,
    ConfigError,
)
from core.inits import INITS, MODES, TRUNCATIONS
from core.messages import MAX_LINE, one_line, shown
from core.probe import ProbeError
from core.residual import describe
from core.simulate import Simulator


class UsageError(ValueError):
    """A bad flag: argparse's own error prints the whole usage over several lines."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # clipped: argparse echoes whole values, and an ambiguous "--" lists every option
        see = " (see --help)"
        raise UsageError(one_line(message, MAX_LINE - len(see)) + see)


def _width(text: str) -> int | list[int]:
    try:
        parts = [int(p) for p in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an integer or a comma list of integers: {shown(text)}"
        ) from None
    return parts[0] if len(parts) == 1 else parts


def _finite(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {shown(text)}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"not a finite number: {shown(text)}")
    return v


def add_config_flags(p: argparse.ArgumentParser) -> None:
    """Flags shared by `python -m core stats` and the window's `initscope`."""
    p.add_argument("--config", metavar="FILE", help="a TOML config (flags given too override it)")
    p.add_argument("--preset", metavar="NAME", help="a named scene from resources/presets")
    p.add_argument("--depth", type=int, help="number of layers")
    p.add_argument("--width", type=_width, help="units per layer, or input,w1,...,wL")
    p.add_argument("--batch", type=int, help="examples in the batch")
    p.add_argument("--input", choices=list(INPUTS), help="input distribution")
    p.add_argument("--activation", help="one of " + ", ".join(ACTIVATIONS) + " (or a comma list)")
    p.add_argument("--init", choices=list(INITS), help="weight-init scheme")
    p.add_argument("--std", type=_finite, help="σ of normal, truncated-normal and sparse")
    p.add_argument("--limit", type=_finite, help="a of uniform U(−a, a)")
    p.add_argument("--gain", type=_finite, help="gain of Xavier/He/LeCun/orthogonal")
    p.add_argument("--mode", choices=MODES, help="fan used by Xavier/He/LeCun")
    p.add_argument("--truncation", choices=TRUNCATIONS, help="none, tf (real std 0.88σ) or keras")
    p.add_argument(
        "--bias",
        type=_bias,
        help="default, zeros, a constant such as 0.1, or normal:STD (random, N(0, STD²))",
    )
    p.add_argument("--seed", type=int, help="random seed (weights and batch)")
    p.add_argument("--dtype", choices=DTYPES)
    p.add_argument("--grad-source", choices=list(GRAD_SOURCES), dest="grad_source")
    p.add_argument("--memory-limit", type=_finite, dest="memory_limit_gib", help="GiB (default 4)")
    add_architecture_flags(p)


def add_architecture_flags(p: argparse.ArgumentParser) -> None:
    """Normalization and skip connections (core/norm.py, core/residual.py)."""
    p.add_argument("--norm", choices=list(NORMS), help="normalization after each linear layer")
    p.add_argument(
        "--norm-position",
        choices=NORM_POSITIONS,
        dest="norm_position",
        help="the norm before the activation φ(N(h)) or after it N(φ(h))",
    )
    p.add_argument(
        "--norm-view",
        choices=NORM_VIEWS,
        dest="norm_view",
        help="histogram the value after the norm (post) or before it (pre)",
    )
    p.add_argument(
        "--residual",
        action=argparse.BooleanOptionalAction,
        help="skip connections x + F(x) (equal widths)",
    )
    p.add_argument(
        "--branch-layers",
        type=int,
        dest="branch_layers",
        help="layers in each residual branch F (1 or 2)",
    )
    init = p.add_mutually_exclusive_group()
    init.add_argument(
        "--rezero",
        action="store_const",
        const="rezero",
        dest="residual_init",
        help="x + α·F(x) with α = 0 at init (Bachlechner et al. 2020)",
    )
    init.add_argument(
        "--fixup",
        action="store_const",
        const="fixup",
        dest="residual_init",
        help="zero each branch's last layer, scale the others (Zhang et al. 2019)",
    )


def _bias(text: str) -> tuple[str, float]:
    if text in ("default", "zeros"):
        return text, 0.0
    if text.startswith("normal:"):  # b ~ N(0, σ_b²): the mean-field model's random bias
        return "normal", _finite(text[len("normal:") :])
    return "constant", _finite(text)


def config_from_args(args: argparse.Namespace) -> Config:
    """Preset, then config file, then flags: later ones override earlier ones."""
    c = presets.load(args.preset).config if args.preset else Config()
    if args.config:
        c = Config.load(args.config, base=c)
    changes = {}
    for name in (
        "depth",
        "width",
        "batch",
        "input",
        "init",
        "std",
        "limit",
        "gain",
        "mode",
        "truncation",
        "seed",
        "dtype",
        "grad_source",
        "memory_limit_gib",
        "norm",
        "norm_position",
        "norm_view",
        "residual",
        "branch_layers",
        "residual_init",
    ):
        v = getattr(args, name, None)
        if v is not None:
            changes[name] = v
    if args.activation:
        parts = args.activation.split(",")
        changes["activation"] = parts[0] if len(parts) == 1 else parts
    if args.bias:
        changes["bias"], changes["bias_value"] = args.bias
    if isinstance(changes.get("width"), list) and "depth" not in changes:
        changes["depth"] = len(changes["width"]) - 1
    return c.replace(**changes) if changes else c


def _table(snap) -> str:
    """One row per layer, the columns of core/fields.py that the CLI shows."""
    cols = fields.cli_fields()
    lines = [" ".join(f"{f.cli:>{f.width}}" for f in cols)]
    for s in snap.layers:
        lines.append(" ".join(fields.text(getattr(s, f.attr), f.fmt, f.width) for f in cols))
    return "\n".join(lines)


def _chunk(args: argparse.Namespace, c: Config) -> int:
    """--chunk checked: a positive count; the probes read the whole batch's net at once."""
    if args.chunk is not None and args.chunk < 1:
        raise UsageError(f"--chunk: a positive number of examples, got {shown(args.chunk)}")
    chunk = min(c.batch, args.chunk or memory.largest_chunk(c))
    probes = [f for f in ("correlation", "jacobian", "seeds") if getattr(args, f) is not None]
    if chunk < c.batch and probes:
        raise UsageError(
            f"--{probes[0]} needs the whole batch at once, and {chunk} of {c.batch} examples "
            "fit at a time (drop --chunk, or reduce the batch)"
        )
    return chunk


def _run(sim: Simulator, c: Config, chunk: int):
    """In chunks, on one BLAS thread: a chunk's matmuls are small, and a second thread stalls
    at each one's barrier when other work shares the cores (depth 200 × 500 in chunks of 100,
    2 cores at load 9: 208 s on two threads; see benchmarks/README.md)."""
    if chunk >= c.batch:
        return sim.run(c, chunk=chunk)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        return sim.run(c, chunk=chunk)


def parser() -> argparse.ArgumentParser:
    """Apart from main, so flags can be checked without running a net (tests/test_fuzz_inputs)."""
    p = _Parser(prog="python -m core", description="InitScope's headless core")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    st = sub.add_parser("stats", help="per-layer statistics for one config")
    add_config_flags(st)
    st.add_argument("--json", action="store_true", help="print JSON instead of a table")
    st.add_argument("--theory", action="store_true", help="add the mean-field predictions")
    st.add_argument(
        "--chunk",
        type=int,
        metavar="N",
        help="examples run at a time (memory: the weights and N examples); default: the whole "
        "batch when it fits the memory limit, else as many as fit",
    )
    cli_probes.add_flags(st)
    sub.add_parser("presets", help="list the named scenes")
    return p


def piped(run) -> int:
    """run()'s status, its output flushed; a reader that stopped early (`… | head`) ends it
    quietly, not with a traceback: stdout then points at /dev/null, so that the exit's own
    flush cannot fail again (Python's docs, "Note on SIGPIPE")."""
    try:
        code = run()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def main(argv: list[str] | None = None) -> int:
    return piped(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    try:
        args = parser().parse_args(argv)
        if args.command == "presets":
            for name, scene in presets.all_scenes().items():
                print(f"{name:24} {scene.title}")
            return 0
        c = config_from_args(args)
        cli_probes.check(args, c)
        chunk = _chunk(args, c)
        sim = Simulator()
        snap = _run(sim, c, chunk)
        probes = cli_probes.run(args, sim, snap)
    except (ConfigError, presets.PresetError, UsageError, ProbeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    pred = prediction.predict(snap.config) if args.theory else None
    if args.json:
        doc = snap.to_json() | {"architecture": describe(snap.config)}
        doc = prediction.with_theory_json(doc, pred) if args.theory else doc
        print(json.dumps(cli_probes.with_json(doc, probes), allow_nan=False))
    else:
        table = prediction.with_theory_table(_table(snap), pred) if args.theory else _table(snap)
        print(cli_probes.with_table(table, probes, len(snap.layers)))
    return 0
