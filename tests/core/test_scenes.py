"""Every scene's caption against the frame it is shown with (issue #18).

Per scene: the numbers its claim cites are the numbers of a snapshot of its own config, each read
back from the rendered text and compared with the statistic computed here from the snapshot (to
the digits shown); title and claim fit a slide; and once a control changes, the caption no longer
states the scene's sentence or its figures, but says "changed: ..." and describes the new frame.
What each claim's words assert beyond its numbers is tests/core/test_presets.py's CLAIMS.
"""

from __future__ import annotations

import functools
import gc
import math
import re

import pytest

from core import Config, captions, presets, run
from core.inits import INITS

SCENES = presets.all_scenes()


@functools.cache
def snap(config: Config):
    return run(config)


@pytest.fixture(scope="module", autouse=True)
def _release_snapshots():
    yield
    snap.cache_clear()
    gc.collect()


def frame(scene, a: Config | None = None, b: Config | None = None):
    a = a or scene.config
    b = b or scene.compare
    return snap(a), snap(b) if b is not None else None


# ---------------------------------------------------------------------------------------------
# What a field should read, computed here from the snapshot without core/captions.py


def column(s, attr: str) -> list[float]:
    return [getattr(layer, attr) for layer in s.layers]


RATIO_OF = {"factor": "act_std", "preact_factor": "preact_std", "grad_factor": "grad_std"}


def ratios(s, name: str) -> list[float]:
    v = column(s, RATIO_OF[name])
    if name == "grad_factor":  # toward the input: layer k over layer k+1
        return [v[k] / v[k + 1] for k in range(len(v) - 1)]
    return [v[k] / v[k - 1] for k in range(1, len(v))]


def expected(field: captions.Field, s):
    if field.name in RATIO_OF and field.index is None:
        return math.prod(ratios(s, field.name)) ** (1 / (len(s.layers) - 1))
    if field.index is None:
        return getattr(s.config, field.name)
    if field.name in RATIO_OF:
        values = ratios(s, field.name)
        offset = 1 if field.name == "grad_factor" else 2  # the first layer a ratio exists for
    elif field.name in ("beyond_2sigma", "w_ratio"):  # the weight row's summary of W
        w = [layer.weights for layer in s.layers]
        values, offset = [x.beyond_2sigma for x in w], 1
        if field.name == "w_ratio":
            values = [x.std / x.sigma for x in w]
    else:
        values, offset = column(s, field.name), 1
    if isinstance(field.index, int):
        return values[field.index - offset]
    return {"min": min, "max": max, "mean": lambda v: sum(v) / len(v)}[field.index](values)


def shown_number(text: str) -> tuple[float, float]:
    """A number as the caption wrote it, and half a unit of its last digit."""
    share = text.endswith("%")
    digits = text.rstrip("%")
    m = re.fullmatch(r"(-?\d+(?:\.(\d+))?)(?:e(-?\d+))?", digits)
    assert m, f"not a number: {text!r}"
    exp = int(m[3] or 0) - (2 if share else 0)
    half = 0.5 * 10.0 ** (exp - len(m[2] or ""))
    return float(m[1]) * 10.0**exp, half


def filled(scene, text: str, a, b) -> list[tuple[captions.Field, str]]:
    """Each field of the text with what the rendered text shows for it."""
    pieces = captions.parse(text)
    pattern = "".join(
        re.escape(p.replace("{", "{{").replace("}", "}}").replace("{{", "{").replace("}}", "}"))
        if isinstance(p, str)
        else "(.+?)"
        for p in pieces
    )
    m = re.fullmatch(pattern, captions.render(text, a, b))
    assert m, f"{scene.name}: rendered claim does not follow its text"
    fields = [p for p in pieces if not isinstance(p, str)]
    return list(zip(fields, m.groups(), strict=True))


@pytest.mark.parametrize("name", presets.ORDER)
def test_claim_cites_the_frames_numbers(name):
    scene = SCENES[name]
    a, b = frame(scene)
    title, claim, _ = captions.live(scene, a, b)
    assert title == scene.title and claim == captions.render(scene.claim, a, b)
    cited = filled(scene, scene.claim, a, b)
    assert cited, "no live numbers"
    for field, text in cited:
        value = expected(field, a if field.side == "A" else b)
        if isinstance(value, str):
            assert text == value
            continue
        if isinstance(value, tuple):
            assert text == " → ".join(map(str, value))
            continue
        number, half = shown_number(text)
        assert abs(number - value) <= half * 1.0001 + 1e-12, (field, text, value)


@pytest.mark.parametrize("name", presets.ORDER)
def test_title_and_claim_fit_a_slide(name):
    scene = SCENES[name]
    a, b = frame(scene)
    title, claim, details = captions.live(scene, a, b)
    assert 3 <= len(title.split()) <= 10 and 8 <= len(claim.split()) <= 25
    assert details and len(details.split()) <= 110  # the speaker's notes, trimmed
    assert "{" not in claim and "—" not in claim  # every field filled
    assert 1 <= len(scene.layout) <= 3 and all(v in presets.LAYOUT_VIEWS for v, _ in scene.layout)
    has_b = re.search(r"\bB\b", scene.claim) is not None
    assert has_b == (scene.compare is not None), "claim and [compare] disagree about side B"


def a_control_changed(config: Config) -> tuple[dict, str]:
    """A change of the scene's own scale (σ, w, gain; else its scheme) and how it is named."""
    uses = INITS[config.init].uses
    if "std" in uses:
        return {"std": config.std * 3}, f"σ = {config.std * 3:.2g}"
    if "value" in uses:
        return {"value": config.value * 3}, f"w = {config.value * 3:.2g}"
    if "gain" in uses:
        return {"gain": 2.5}, "gain = 2.5"
    return {"init": "xavier-normal"}, "init xavier-normal"


@pytest.mark.parametrize("name", presets.ORDER)
def test_changed_control_replaces_the_claim(name):
    scene = SCENES[name]
    change, label = a_control_changed(scene.config)
    before = captions.render(scene.claim, *frame(scene))
    a, b = frame(scene, scene.config.replace(**change))
    title, claim, details = captions.live(scene, a, b)
    assert claim.startswith(f"changed: {label}. Now "), claim
    assert title != scene.title and before not in claim
    words = [p for p in captions.parse(scene.claim) if isinstance(p, str) and len(p.strip()) > 20]
    assert not any(w.strip() in claim for w in words), "a piece of the scene's sentence remains"
    # the figures that remain are the new frame's
    last = a.layers[-1]
    assert f"{captions._formatted(last.act_std, '')} at layer {last.index}" in claim or (
        b is not None and f"A {captions._formatted(last.act_std, '')}," in claim
    )
    assert claim.split(" Now ", 1)[1] == captions.describe(a, b)  # nothing but the new frame's
    assert details.startswith("For the scene's own settings")


@pytest.mark.parametrize("name", [n for n in presets.ORDER if SCENES[n].compare is not None])
def test_changed_b_or_b_off_replaces_the_claim(name):
    scene = SCENES[name]
    change, label = a_control_changed(scene.compare)
    a, b = frame(scene, b=scene.compare.replace(**change))
    _, claim, _ = captions.live(scene, a, b)
    assert claim.startswith(f"changed: B {label}. Now last-layer activation std A ")
    _, claim, _ = captions.live(scene, snap(scene.config), None)
    assert claim.startswith("changed: B off. Now activation std ")


def test_lecture_has_at_least_eighteen_scenes_in_order():
    assert list(SCENES) == presets.ORDER and len(SCENES) >= 18
    # the seeds' questions in order: symmetry, scale, fans, truncation, then the rescues
    order = presets.ORDER.index
    assert order("zeros") < order("constant-symmetry") < order("symmetry-under-training")
    assert order("symmetry-under-training") < order("tiny-normal-tanh")
    assert order("he-relu") < order("fan-in-vs-fan-out") < order("glorot-fan-avg")
    assert order("glorot-fan-avg") < order("truncated-vs-normal") < order("variance-not-shape")
    assert order("variance-not-shape") < order("tiny-normal-tanh-batchnorm")
