"""Named scenes: a config plus the title, claim and layout a lecturer shows with it.

Scenes are TOML files in resources/presets/: the config's fields at the top level, a [compare]
table for side B, and a [scene] table: title (≤ 10 words), claim (one sentence, ≤ 25 words, its
numbers live fields such as {A.act_std[10]}, core/captions.py), details (the speaker's notes),
layout (the canvas's lead view and strips), emphasis (the rows of the normal window's grid),
staged (the presentation view opens it with no data shown, to reveal layer by layer: issue 20)
and a question the room answers before the data is shown ([scene.question], core/questions.py).
Listed by `python -m core presets`, opened with `--preset NAME`.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from core import captions, questions, tomlfile
from core.config import Config, ConfigError
from core.formats import FORMATS
from core.messages import clipped, shown
from core.stats import ROWS


class PresetError(ValueError):
    """A preset that cannot be used: one line naming the file and what is wrong."""


# What a scene may emphasise: a histogram row, the per-layer profile plot or the table.
EMPHASIS = (*ROWS, "profile", "table")
SCENE_KEYS = ("title", "caption", "claim", "details", "emphasis", "layout", "staged", "question")

# The lecture canvas's views a scene's layout may name (gui/canvas/registry.py builds them): the
# first is the lead view, at most two more are strips beside it.
LAYOUT_VIEWS = {
    "ladder": "std per layer on a log axis, forward and backward, A and B, with theory",
    "histograms": "the layer histograms of one or more rows (act, grad, preact, wgrad)",
    "weights": "each layer's weight histogram with the scheme's density and ±2σ",
    "heatmap": "layer × value heatmap, log-magnitude axis by default",
    "stats": "the statistics of the layers the claim names",
    "formula": "the scheme's formula and the variance recursion with live numbers",
    "units": "a units × examples raster of one layer: copies (symmetry) and dead units",
    "training": "the training curves",
    "correlation": "how a pair of inputs' correlation drifts per layer, with the c-map and c*",
    "spectrum": "the input-output Jacobian's singular values on a log axis",
    "seeds": "a statistic's spread across K seeds beside mean field (finite width)",
    "symmetry": "distinct units and loss while the net trains from zeros, a constant and a draw",
}
MAX_STRIPS = 2
# The options a view takes in a layout entry, e.g. {view = "histograms", rows = ["act"]}; a
# "layers" list and a "layer" name layers of the scene's net, "rows"/"row" histogram rows, "fix"
# the side drawn bold ("A" or "B"; gui/canvas/views/sides.py), "formats" the number formats whose
# ranges are shaded on a log axis (core/formats.py, e.g. ["float16", "bfloat16"]).
VIEW_OPTIONS = {
    "ladder": ("fix", "forward", "values", "formats"),
    "histograms": ("rows", "layers", "axis", "formats"),
    "weights": ("layers",),
    "heatmap": ("row", "axis"),
    "stats": ("layers", "fix"),
    "formula": ("layer",),
    "units": ("layer", "fix"),
    "training": (),
    "correlation": ("c0",),
    "spectrum": ("examples",),
    "seeds": ("seeds",),
    "symmetry": ("steps",),
}
MAX_TITLE_WORDS = 10
MAX_CLAIM_WORDS = 25


@dataclass(frozen=True)
class Scene:
    name: str
    title: str
    caption: str
    config: Config
    emphasis: tuple[str, ...] = field(default=())
    compare: Config | None = None  # the B side of an A/B scene, if it has one
    claim: str = ""  # one sentence, ≤ 25 words; {A.act_std[10]:.2g}-style fields are live
    details: str = ""  # the speaker's details, shown on a key
    # the canvas: (view name, its options) per view, the lead first; () = from the emphasis
    layout: tuple[tuple[str, dict], ...] = ()
    staged: bool = False  # the presentation view opens it with nothing shown (core/reveal.py)
    # what the room predicts before the data is shown (core/questions.py), if anything
    question: questions.Question | None = None


def presets_dir() -> Path:
    """resources/presets beside the package, or inside a PyInstaller bundle."""
    root = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return root / "resources" / "presets"


def _parse(path: Path) -> Scene:
    try:
        data = tomlfile.read(path)
    except ConfigError as e:
        raise PresetError(f"preset {path.name}: {e}") from None
    meta = data.pop("scene", {})
    compare = data.pop("compare", None)
    return build(path.stem, f"preset {path.name}", meta, data, compare)


def build(name: str, where: str, meta, fields: dict, compare) -> Scene:
    """A scene from its [scene] table, its config fields and its B side's; `where` starts every
    message (a preset file, or a lecture file's scene: core/lecture.py)."""
    title, caption, emphasis = _meta(where, meta)
    if compare is not None and not isinstance(compare, dict):
        raise PresetError(f"{where}: [compare] must be a table of config fields")
    try:
        config = Config.from_dict(fields)
        other = Config.from_dict(compare, base=config) if compare is not None else None
    except ConfigError as e:
        raise PresetError(f"{where}: {e}") from None
    layout = _layout(where, meta.get("layout", []), config)
    _check_words(where, meta)
    for key in ("claim", "details"):
        try:
            captions.check(meta.get(key, ""), config, other)
        except captions.FieldError as e:
            raise PresetError(f"{where}: [scene] {key}: {e}") from None
    try:
        question = questions.parse(meta.get("question"), config, other)
    except questions.QuestionError as e:
        raise PresetError(f"{where}: [scene.question] {e}") from None
    return Scene(
        name=name,
        title=title or name,
        # the normal window's caption bar: the file's caption, else the speaker's details
        caption=caption or meta.get("details", ""),
        config=config,
        emphasis=emphasis,
        compare=other,
        claim=meta.get("claim", ""),
        details=meta.get("details", ""),
        layout=layout,
        staged=meta.get("staged", False),
        question=question,
    )


def _meta(source: str, meta) -> tuple[str, str, tuple[str, ...]]:
    """The [scene] table's title, caption and emphasis, checked so a typo fails loudly."""
    where = f"{source}: [scene]"
    if not isinstance(meta, dict):
        raise PresetError(f"{where} must be a table with {', '.join(SCENE_KEYS)}")
    unknown = sorted(set(meta) - set(SCENE_KEYS))
    if unknown:
        raise PresetError(
            f"{where} has unknown key {shown(unknown[0])}; allowed: {', '.join(SCENE_KEYS)}"
        )
    for key in ("title", "caption", "claim", "details"):
        if not isinstance(meta.get(key, ""), str):
            raise PresetError(f"{where} {key} must be a string, got {shown(meta[key])}")
    if not isinstance(meta.get("staged", False), bool):
        raise PresetError(f"{where} staged must be true or false, got {shown(meta['staged'])}")
    emphasis = meta.get("emphasis", [])
    if isinstance(emphasis, str):
        emphasis = [emphasis]
    if not isinstance(emphasis, list):
        raise PresetError(f"{where} emphasis must be a list of names, got {shown(emphasis)}")
    for name in emphasis:
        if not isinstance(name, str) or name not in EMPHASIS:
            raise PresetError(
                f"{where} emphasis: got {shown(name)}; allowed: {', '.join(EMPHASIS)}"
            )
    return meta.get("title", ""), meta.get("caption", ""), tuple(emphasis)


def _check_words(source: str, meta: dict) -> None:
    """A title the back row reads at a glance, one claim a sentence long."""
    for key, most in (("title", MAX_TITLE_WORDS), ("claim", MAX_CLAIM_WORDS)):
        words = len(meta.get(key, "").split())
        if words > most:
            raise PresetError(f"{source}: [scene] {key} has {words} words; allowed: at most {most}")


def _layout(source: str, layout, config: Config) -> tuple[tuple[str, dict], ...]:
    """[scene] layout: a list of view names or {view = NAME, ...options} tables, lead first."""
    where = f"{source}: [scene] layout"
    if not isinstance(layout, list) or not 0 <= len(layout) <= 1 + MAX_STRIPS:
        raise PresetError(f"{where} must be a list of 1 to {1 + MAX_STRIPS} views")
    out = []
    for entry in layout:
        options = dict(entry) if isinstance(entry, dict) else {"view": entry}
        name = options.pop("view", None)
        if not isinstance(name, str) or name not in LAYOUT_VIEWS:
            raise PresetError(f"{where}: got {shown(name)}; allowed: {', '.join(LAYOUT_VIEWS)}")
        for key, value in options.items():
            _check_option(f"{where} {name}", key, value, VIEW_OPTIONS[name], config.depth)
        out.append((name, options))
    return tuple(out)


def _check_option(where: str, key: str, value, allowed: tuple[str, ...], depth: int) -> None:
    """One view option: a known key, layers of this net, rows the histograms have, a side."""
    if key not in allowed:
        raise PresetError(
            f"{where}: unknown option {shown(key)}; allowed: {', '.join(allowed) or 'none'}"
        )
    # "values": the ladder's layers whose std is written; "formats": number formats' names
    lists = ("rows", "layers", "values", "formats")
    values = value if key in lists else [value]
    if key in lists and (not isinstance(value, list) or not value):
        raise PresetError(f"{where} {key} must be a non-empty list, got {shown(value)}")
    for v in values:
        if key in ("rows", "row") and v not in ROWS:
            raise PresetError(f"{where} {key}: got {shown(v)}; allowed: {', '.join(ROWS)}")
        is_layer = isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= depth
        if key in ("layers", "layer", "values") and not is_layer:
            raise PresetError(f"{where} {key}: got {shown(v)}; allowed: layers 1 to {depth}")
        if key == "fix" and v not in ("A", "B"):
            raise PresetError(f"{where} fix: got {shown(v)}; allowed: A, B")
        if key == "forward" and v not in ("act", "preact"):
            raise PresetError(f"{where} forward: got {shown(v)}; allowed: act, preact")
        if key == "axis" and v not in ("auto", "linear", "log"):
            raise PresetError(f"{where} axis: got {shown(v)}; allowed: auto, linear, log")
        if key == "formats" and v not in FORMATS:
            raise PresetError(f"{where} formats: got {shown(v)}; allowed: {', '.join(FORMATS)}")


def all_scenes() -> dict[str, Scene]:
    d = presets_dir()
    files = sorted(d.glob("*.toml")) if d.is_dir() else []
    scenes = [_parse(f) for f in files]
    return {s.name: s for s in sorted(scenes, key=lambda s: (_order(s.name), s.name))}


def _order(name: str) -> int:
    return ORDER.index(name) if name in ORDER else len(ORDER)


# The lecture's running order follows the questions students ask (../shared/seeds): why random at
# all (symmetry), why not small or large (vanishing, saturation), why 1/√n and 2/n, fan_in or
# fan_out and Glorot's average, why truncated normal, then the failures that remain at init and
# what rescues a bad init (normalization and skips); then mean field's own questions (#19).
ORDER = [
    "zeros",
    "constant-symmetry",
    "symmetry-under-training",
    "tiny-normal-tanh",
    "half-precision-gradients",
    "unit-normal-tanh",
    "xavier-tanh",
    "xavier-relu",
    "he-relu",
    "sigmoid-mean",
    "fan-in-vs-fan-out",
    "glorot-fan-avg",
    "truncated-vs-normal",
    "variance-not-shape",
    "dead-relu-bias",
    "selu-lecun",
    "pytorch-default-relu",
    "tiny-normal-tanh-batchnorm",
    "deep-relu-residual",
    "rezero",
    "order-and-chaos",
    "isometry",
    "narrow-nets-fluctuate",
]


def load(name: str) -> Scene:
    scenes = all_scenes()
    if name not in scenes:
        near = difflib.get_close_matches(str(name), scenes, n=1)
        hint = f"did you mean {near[0]}? " if near else ""
        known = clipped(", ".join(scenes), 200) or "none yet"  # all of them: --list-presets
        raise PresetError(f"preset: got {shown(name)}; {hint}known presets: {known}")
    return scenes[name]
