"""Everything a person sets in the window, in one object: the SessionState.

Docks, keys, menus and files change it (`update`, `apply_changes`); everything that depends on it
(the engine's next job, the views, the docks' widgets) listens to its one signal, `changed(what)`,
`what` being the set of field names that changed. Nothing reads a widget to learn the state, and
a saved session is this state serialised (`to_toml`, `load`).

Fields (defaults in FIELDS): `config` and `compare` (the A and B sides), `editing` (the side the
docks edit), `live`, `rows` (the quantities shown: act or preact, then grad, wgrad),
`per_layer_y`, `x_axis` (the histograms' value axis: X_AXES), `focus_layer` (the overview's detail panel), `scene`, `animation`,
`presentation`, `theory` (mean-field overlay on), `reveal` (a staged scene's core.reveal.Reveal,
None: every layer shown) and `picked` (the room's answer to the scene's question, an index, or
None), and two that last only as long as a hand or a
dock does: `dragging` (the newest change comes from a held slider) and `phase_shown` (the phase
diagram's dock is on screen, so the engine makes its grid).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from core import Config, ConfigError, presets
from core.presets import Scene
from gui import export
from gui.animation import Animation

ROWS_AT_START = ("act", "grad")
# the histograms' value axis: "auto" puts gradients (and deep heatmaps) on log₁₀|x|, where a
# vanishing or exploding net drifts left or right; "linear" and "log" put every row on one
X_AXES = ("auto", "linear", "log")
SHARED = ("seed", "batch")  # one seed and one batch for both sides of a comparison
# what a state file holds; presentation, dragging and phase_shown describe the screen and hands
SAVED = (
    "config", "compare", "editing", "rows", "per_layer_y", "x_axis", "focus_layer", "scene",
    "animation", "theory",
)  # fmt: skip


def rows_of(preact: bool, grad: bool, wgrad: bool) -> tuple[str, ...]:
    """The rows shown for the Playback dock's three boxes."""
    first = "preact" if preact else "act"
    return (first, *(r for r, on in (("grad", grad), ("wgrad", wgrad)) if on))


def row_flags(rows: tuple[str, ...]) -> dict[str, bool]:
    return {"preact": "preact" in rows, "grad": "grad" in rows, "wgrad": "wgrad" in rows}


class _Field:
    """A typed attribute of the state: reading is plain, setting goes through update()."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        return self if obj is None else obj._values[self.name]

    def __set__(self, obj, value) -> None:
        obj.update(**{self.name: value})


class SessionState(QObject):
    changed = Signal(object)  # frozenset of the names of the fields that changed
    invalid = Signal(str)  # an edit refused (the state is unchanged): what to tell the person

    config = _Field()
    compare = _Field()
    editing = _Field()
    live = _Field()
    rows = _Field()
    per_layer_y = _Field()
    x_axis = _Field()
    focus_layer = _Field()
    scene = _Field()
    animation = _Field()
    presentation = _Field()
    theory = _Field()
    dragging = _Field()
    phase_shown = _Field()
    reveal = _Field()
    picked = _Field()

    def __init__(self, config: Config, parent=None):
        super().__init__(parent)
        self._values = {
            "config": config, "compare": None, "editing": "A", "live": True,
            "rows": ROWS_AT_START, "per_layer_y": False, "x_axis": "auto", "focus_layer": 0, "scene": None,
            "animation": Animation().fit(config), "presentation": False, "theory": True,
            "dragging": False, "phase_shown": False, "reveal": None, "picked": None,
        }  # fmt: skip

    # ------------------------------------------------------------ changing
    def update(self, **values) -> None:
        """Set fields together; one `changed` names those whose value is new (none: no signal)."""
        unknown = set(values) - set(self._values)
        if unknown:
            raise AttributeError(f"SessionState has no field {', '.join(sorted(unknown))}")
        if "rows" in values:
            values["rows"] = tuple(values["rows"])
            _check_rows(values["rows"])
        if "x_axis" in values and values["x_axis"] not in X_AXES:
            raise ValueError(f"x_axis {values['x_axis']!r}: one of {', '.join(X_AXES)}")
        new = {**self._values, **values}
        if new["compare"] is None or new["editing"] not in ("A", "B"):
            new["editing"] = "A"
        edited = new["compare"] if new["editing"] == "B" else new["config"]
        new["animation"] = new["animation"].fit(edited)  # a parameter the edited side reads
        what = frozenset(k for k, v in new.items() if v != self._values[k])
        self._values = new
        if what:
            self.changed.emit(what)

    @property
    def edited(self) -> Config:
        """The side the docks edit."""
        return self.compare if self.editing == "B" and self.compare is not None else self.config

    def apply_changes(self, changes: dict, dragging: bool = False) -> bool:
        """Config fields changed on the edited side, the other side taking the same seed and
        batch. An invalid change emits `invalid` with the core's message and changes nothing."""
        try:
            new = self.edited.replace(**changes)
            if self.compare is not None:
                shared = {k: getattr(new, k) for k in SHARED}
                other = (self.config if self.editing == "B" else self.compare).replace(**shared)
        except ConfigError as e:
            self.invalid.emit(str(e))
            return False
        if self.compare is None:
            self.update(config=new, dragging=dragging)
        else:
            a, b = (other, new) if self.editing == "B" else (new, other)
            self.update(config=a, compare=b, dragging=dragging)
        return True

    def set_comparing(self, on: bool) -> None:
        """B starts as a copy of A, and the docks then edit B."""
        self.update(compare=self.config if on else None, editing="B" if on else "A")

    # ------------------------------------------------------------ files
    def saved(self) -> dict:
        """The fields a state file holds."""
        return {k: self._values[k] for k in SAVED}

    def to_toml(self) -> str:
        view = {**row_flags(self.rows), "per_layer_y": self.per_layer_y, "x_axis": self.x_axis}
        view.update(editing=self.editing, focus_layer=self.focus_layer, theory=self.theory)
        if self.scene is not None:
            view["scene"] = self.scene.name
        return export.state_toml(self.config, self.compare, view, self.animation.to_dict())

    def load(self, path: str) -> None:
        """A state file (or a plain config file) replaces the saved fields in one change; what
        the file leaves out keeps its default (the view) or its value (the animation). Raises
        export.ExportError with a one-line message (read_state checks every field); the state
        is then unchanged."""
        config, compare, view, anim = export.read_state(path)
        rows = rows_of(view.get("preact", False), view.get("grad", True), view.get("wgrad", False))
        self.update(
            config=config,
            compare=compare,
            editing=view.get("editing", "A"),
            rows=rows,
            per_layer_y=view.get("per_layer_y", False),
            x_axis=view.get("x_axis", "auto"),
            focus_layer=view.get("focus_layer", 0),
            scene=_scene(view.get("scene")),
            theory=view.get("theory", True),
            animation=_animation(self.animation, anim),
        )


def _check_rows(rows: tuple[str, ...]) -> None:
    if not rows or rows[0] not in ("act", "preact") or rows != rows_of(**row_flags(rows)):
        raise ValueError(f"rows {rows!r}: act or preact first, then grad and/or wgrad")


def _scene(name: str | None) -> Scene | None:
    """The named scene (its caption; its config is the file's), or None if it is gone."""
    if name is None:
        return None
    try:
        return presets.all_scenes().get(name)
    except presets.PresetError:
        return None


def _animation(current: Animation, anim: dict) -> Animation:
    """The file's animation settings over the current ones (a file without a mode keeps them)."""
    if "mode" not in anim:
        return current
    names = {"mode": "mode", "param": "param", "from": "lo", "to": "hi", "period": "period"}
    return current.replace(**{names[k]: v for k, v in anim.items()})
