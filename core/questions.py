"""A scene's question: the room predicts, then the reveal shows who was right (issue #20).

A question is asked before the data is shown ("The std at layer 10 will be: ≈ 0.6 / ≈ 0.2 /
≈ 3e-7 / ≈ 1"); its right answer is never written down but read from the frame on screen through
one live caption field (core/captions.py, written without braces: `A.act_std[10]`), so a lecturer
who changes σ in front of the room sees the mark move to the answer that is now true. The answers
are checked when the scene loads: a value the field can never take (a negative std, a share
above 1, a std of 3 for a tanh layer whose outputs lie in [−1, 1]) is a question the reveal could
only ever mark wrong, and it is refused with one line. Pure: no Qt.

Scene TOML:

    [scene.question]
    text = "The std at layer 10 will be:"
    field = "A.act_std[10]"
    answers = [["≈ 0.6", 0.6], ["≈ 0.2", 0.2], ["≈ 3e-7", 3e-7], ["≈ 1", 1]]
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from core import activations, captions
from core.config import Config
from core.fields import FIELDS
from core.messages import clipped, shown

if TYPE_CHECKING:
    from core.reveal import Reveal
    from core.stats import Snapshot


class QuestionError(ValueError):
    """A question that cannot be asked: one line (presets.build prefixes where it is)."""


KEYS = ("text", "field", "answers")
MIN_ANSWERS, MAX_ANSWERS = 2, 4
MAX_WORDS = 20  # the question is read from the back row, in large type, at a glance
MAX_LABEL = 24  # characters of an answer's label: four of them fit one line of the strip

# How a statistic's values are compared. Shares and means are read on a linear scale: they are
# bounded or signed, 0 is an ordinary value of them, and "≈ 40%" vs "≈ 60%" differ by an amount,
# not a factor. Every other statistic is a non-negative magnitude (a std, a ratio, a count of
# units) that a deep net multiplies layer by layer, so answers are read on a log scale: a frame
# value of 0.05 is "≈ 0.2" (4× off), not "≈ 3e-7" (170,000× off, though linearly nearer).
SHARES = captions.SHARES
SIGNED = frozenset(f.attr for f in FIELDS.values() if f.signed)
LINEAR = SHARES | SIGNED | {"nonfinite"}
BACKWARD = frozenset({f.attr for f in FIELDS.values() if f.backward} | {"grad_factor"})
UNIT_COUNTS = frozenset({"distinct_units", "fan_in", "fan_out"})


@dataclass(frozen=True)
class Answer:
    label: str  # what the room reads: "≈ 3e-7"
    value: float  # what it means, compared with the frame's value


@dataclass(frozen=True)
class Question:
    text: str
    field: str  # a caption field without braces: "A.act_std[10]"
    answers: tuple[Answer, ...]

    @cached_property
    def ref(self) -> captions.Field:
        return _field_of(self.field)

    @property
    def layer(self) -> int | None:
        """The layer the field reads; None for the whole net (an aggregate, a mean ratio)."""
        index = self.ref.index
        return index if isinstance(index, int) else None

    @property
    def log(self) -> bool:
        """Answers compared on a log scale (magnitudes) rather than a linear one (see LINEAR)."""
        return self.ref.name not in LINEAR

    @property
    def backward(self) -> bool:
        """The field is made by the backward pass (a gradient): it is revealed from the output."""
        return self.ref.name in BACKWARD

    def value(self, a: Snapshot, b: Snapshot | None) -> float | None:
        """The field's number in the frame; None where the frame has none (no side B, NaN)."""
        v = captions.value(self.ref, a, b)
        if v is None or isinstance(v, bool) or not isinstance(v, int | float) or math.isnan(v):
            return None
        return float(v)

    def right(self, a: Snapshot, b: Snapshot | None) -> int | None:
        """The index of the answer nearest the frame's value, None if the frame has no value."""
        v = self.value(a, b)
        return None if v is None else nearest([x.value for x in self.answers], v, self.log)

    def revealed(self, reveal: Reveal | None) -> bool:
        """The reveal shows what the field reads, so its answer may be marked (None: all shown).
        A ratio of two layers needs the later one to arrive: layer k forward, k backward."""
        if reveal is None:
            return True
        layer = self.layer
        if self.backward:
            return reveal.backward(1 if layer is None else layer)
        return reveal.forward(reveal.depth if layer is None else layer)

    def to_table(self) -> dict:
        """The [scene.question] table `parse` reads back."""
        answers = [[x.label, x.value] for x in self.answers]
        return {"text": self.text, "field": self.field, "answers": answers}


def nearest(values: list[float], v: float, log: bool) -> int:
    """The index of the value nearest v. On a log scale a 0 answer is right only for a frame
    value of exactly 0 (W = 0 makes exact zeros), and 0 is nearest the smallest answer."""
    if not log:
        return min(range(len(values)), key=lambda i: abs(values[i] - v))
    if v <= 0:
        return min(range(len(values)), key=lambda i: values[i])
    positive = [i for i in range(len(values)) if values[i] > 0]
    if math.isinf(v):
        return max(positive, key=lambda i: values[i])
    return min(positive, key=lambda i: abs(math.log(values[i]) - math.log(v)))


# ---------------------------------------------------------------------------------------------
# Reading and checking a question


def _field_of(text: str) -> captions.Field:
    pieces = captions.parse("{" + text + "}")
    if len(pieces) != 1 or not isinstance(pieces[0], captions.Field) or pieces[0].spec:
        raise QuestionError(f"field: got {shown(text)}; write one field such as A.act_std[10]")
    return pieces[0]


def parse(table, a: Config, b: Config | None) -> Question | None:
    """The [scene.question] table of a scene with these configs (None: no question); a
    QuestionError, one line, for anything the reveal could not answer."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise QuestionError(f"must be a table with {', '.join(KEYS)}, got {shown(table)}")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise QuestionError(f"unknown key {shown(unknown[0])}; allowed: {', '.join(KEYS)}")
    text, field = table.get("text"), table.get("field")
    if not isinstance(text, str) or not text.strip():
        got = "nothing" if text is None else shown(text)
        raise QuestionError(f"text must be the question to ask, got {got}")
    if len(text.split()) > MAX_WORDS:
        raise QuestionError(f"text has {len(text.split())} words; allowed: at most {MAX_WORDS}")
    if not isinstance(field, str):
        raise QuestionError(f"field must be a string such as A.act_std[10], got {shown(field)}")
    ref = _checked_field(field, a, b)
    answers = _answers(table.get("answers"))
    config = a if ref.side == "A" else b
    for x in answers:
        problem = impossible(ref, x.value, config)
        if problem:
            raise QuestionError(
                f"answer {shown(x.label)} = {x.value:g}: an answer no config can produce "
                f"({problem})"
            )
    return Question(text=text, field=field, answers=answers)


def _checked_field(field: str, a: Config, b: Config | None) -> captions.Field:
    """A layer statistic or a ratio of this net (not a config field: its answer is known before
    anything runs)."""
    ref = _field_of(field)
    known = (*captions.LAYER_STATS, *captions.RATIOS)
    if ref.name not in (*known, *captions.NET, *captions.CONFIG_FIELDS):
        near = difflib.get_close_matches(ref.name, known, n=1)
        hint = f"did you mean {near[0]}? " if near else ""
        raise QuestionError(
            f"field {shown(field)}: unknown statistic; {hint}e.g. act_std, preact_std, grad_std, "
            "weight_grad_std, dead_units, factor (core/captions.py)"
        )
    try:
        captions.check("{" + field + "}", a, b)
    except captions.FieldError as e:
        raise QuestionError(str(e)) from None
    if ref.name in captions.CONFIG_FIELDS or ref.name == "depth":
        raise QuestionError(
            f"field {shown(field)} is the config's, known before the data; ask about a layer "
            "statistic such as A.act_std[10]"
        )
    return ref


def _answers(answers) -> tuple[Answer, ...]:
    if not isinstance(answers, list) or not MIN_ANSWERS <= len(answers) <= MAX_ANSWERS:
        n = len(answers) if isinstance(answers, list) else shown(answers)
        raise QuestionError(
            f"answers: got {n}; allowed: {MIN_ANSWERS} to {MAX_ANSWERS} [label, value] pairs"
        )
    out: list[Answer] = []
    for pair in answers:
        ok = isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)
        value = pair[1] if ok else None
        if not ok or isinstance(value, bool) or not isinstance(value, int | float):
            raise QuestionError(f"answer: got {shown(pair)}; write [label, value], e.g. ['≈ 1', 1]")
        label = pair[0].strip()
        if not label or len(label) > MAX_LABEL:
            raise QuestionError(f"answer label {shown(label)}: 1 to {MAX_LABEL} characters")
        if not math.isfinite(value):
            raise QuestionError(f"answer {shown(label)}: value {value} is not a finite number")
        if any(value == x.value for x in out) or any(label == x.label for x in out):
            raise QuestionError(f"answer {shown(label)} = {value:g} repeats another answer")
        out.append(Answer(label, float(value)))
    return tuple(out)


def impossible(ref: captions.Field, value: float, config: Config) -> str:
    """Why the field can never read `value` in this net ("" if it can): each statistic's range,
    and for activations, the bounds of the layer's activation function."""
    name = ref.name
    if name in SHARES and not 0 <= value <= 1:
        return f"{name} is a share, in [0, 1]"
    if name in UNIT_COUNTS and value < 1:
        return f"{name} counts units, at least 1"
    if name == "distinct_units" and isinstance(ref.index, int):
        width = config.widths[ref.index]
        if value > width:
            return f"layer {ref.index} has {width} units"
    if name not in LINEAR and value < 0:
        return f"{name} is a magnitude, never negative"
    if name == "nonfinite" and value < 0:
        return "a count, never negative"
    if name in ("act_std", "act_mean"):
        return _bounded(ref, value, config)
    return ""


def _bounded(ref: captions.Field, value: float, config: Config) -> str:
    """Activations of a bounded φ lie in [lower, upper]: their mean too, and their std is at
    most half the interval."""
    layers = [ref.index] if isinstance(ref.index, int) else range(1, config.depth + 1)
    for k in layers:
        act = activations.get(config.activations[k - 1])
        lo, hi = act.lower, act.upper
        if ref.name == "act_mean":
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                return f"{act.name} outputs lie in [{_num(lo, '−∞')}, {_num(hi, '∞')}]"
        elif lo is not None and hi is not None and value > (hi - lo) / 2 + 1e-12:
            half = _num((hi - lo) / 2, "")
            return f"{act.name} outputs lie in [{_num(lo, '')}, {_num(hi, '')}]: std at most {half}"
    return ""


def _num(x: float | None, unbounded: str) -> str:
    return unbounded if x is None else clipped(f"{x:g}")
