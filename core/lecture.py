"""A lecturer's own lecture (issue #21): scenes in the lecturer's order, in one TOML file.

    title = "Weight init, week 3"
    [[scenes]]
    preset = "tiny-normal-tanh"          # a built-in scene, by name
    [[scenes]]
    title = "My funnel"                  # or a scene written inline: its config fields,
    claim = "…"                          # title, claim, details, layout, emphasis …
    depth = 4
    width = [784, 256, 10]
    [scenes.compare]                     # … and its B side
    mode = "fan_out"

A scene that cannot be read is left out with a one-line problem naming the file and the scene; the
rest of the lecture still opens. A file that cannot be read at all raises LectureError (one line).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from core import presets, tomlfile
from core.config import Config, ConfigError
from core.messages import shown
from core.presets import PresetError, Scene

TOP_KEYS = ("title", "scenes")
MAX_SCENES = 500


class LectureError(ValueError):
    """A lecture file that cannot be opened at all: one line naming it."""


@dataclass(frozen=True)
class Lecture:
    title: str
    scenes: tuple[Scene, ...]
    problems: tuple[str, ...] = ()  # one line per scene left out
    path: Path | None = None


def builtin() -> Lecture:
    """The scenes that come with the app, in their lecture order."""
    return Lecture("InitScope: weight initialization", tuple(presets.all_scenes().values()))


def read(path: str | Path) -> Lecture:
    path = Path(path)
    try:
        data = tomlfile.read(path)
    except ConfigError as e:
        raise LectureError(f"lecture {shown(path.name)}: {e}") from None
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise LectureError(
            f"lecture {shown(path.name)}: unknown key {shown(unknown[0])}; allowed: title, [[scenes]]"
        )
    tables = data.get("scenes", [])
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise LectureError(f"lecture {shown(path.name)}: needs one or more [[scenes]] tables")
    if len(tables) > MAX_SCENES:
        raise LectureError(
            f"lecture {shown(path.name)}: {len(tables)} scenes; at most {MAX_SCENES}"
        )
    title = data.get("title", path.stem)
    if not isinstance(title, str):
        raise LectureError(
            f"lecture {shown(path.name)}: title must be a string, got {shown(title)}"
        )
    scenes, problems = [], []
    for i, table in enumerate(tables, 1):
        try:
            scenes.append(_scene(path, i, dict(table)))
        except PresetError as e:
            problems.append(str(e))
    return Lecture(title, tuple(scenes), tuple(problems), path)


def _scene(path: Path, i: int, table: dict) -> Scene:
    where = f"lecture {shown(path.name)}, scene {i}"
    if "preset" in table:
        name = table.pop("preset")
        if table:
            raise PresetError(
                f"{where}: a preset scene takes no other keys, got {shown(next(iter(table)))}"
            )
        if not isinstance(name, str):
            raise PresetError(f"{where}: preset must be a name, got {shown(name)}")
        known = presets.all_scenes()
        if name not in known:
            raise PresetError(f"{where}: unknown preset {shown(name)}; known: {', '.join(known)}")
        return known[name]
    meta = {k: table.pop(k) for k in presets.SCENE_KEYS if k in table}
    compare = table.pop("compare", None)
    name = f"{path.stem}-{i}"
    return presets.build(name, where, meta, table, compare)


def scene_table(scene: Scene) -> dict:
    """A scene as a lecture file's inline [[scenes]] table: what `read` turns back into it."""
    table = dict(scene.config.to_dict())
    for key in ("title", "claim", "details", "caption"):
        if getattr(scene, key):
            table[key] = getattr(scene, key)
    if scene.emphasis:
        table["emphasis"] = list(scene.emphasis)
    if scene.staged:
        table["staged"] = True
    if scene.layout:
        table["layout"] = [{"view": name, **options} for name, options in scene.layout]
    if scene.question is not None:
        table["question"] = scene.question.to_table()
    if scene.compare is not None:
        base = scene.config.to_dict()
        table["compare"] = {k: v for k, v in scene.compare.to_dict().items() if base.get(k) != v}
    return table


def append(path: str | Path, scene: Scene, title: str | None = None) -> Lecture:
    """The scene added at the end of the lecture file (made if missing); the lecture as read back.
    A file that exists but cannot be read is left untouched (LectureError): nothing is lost."""
    path = Path(path)
    if path.exists():
        try:
            data = tomlfile.read(path)
        except ConfigError as e:
            raise LectureError(f"lecture {shown(path.name)}: {e}") from None
        if not isinstance(data.get("scenes", []), list):
            raise LectureError(f"lecture {shown(path.name)}: scenes must be [[scenes]] tables")
    else:
        data = {"title": title or path.stem}
    data.setdefault("scenes", []).append(scene_table(scene))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    tmp.replace(path)
    return read(path)


def reproduce(scene: Scene) -> str:
    """One line a student types to see the scene again: the preset's name if it is a built-in
    scene as shipped, else the config's fields that differ from the defaults (B's after "B:")."""
    builtin = presets.all_scenes().get(scene.name)
    if builtin is not None and builtin == scene:
        return f"initscope --preset {scene.name}"
    line = "config: " + _fields(scene.config, Config())
    if scene.compare is not None:
        line += "; B: " + (_fields(scene.compare, scene.config) or "the same")
    return line


def _fields(config: Config, base: Config) -> str:
    ref = base.to_dict()
    diff = {k: v for k, v in config.to_dict().items() if ref.get(k) != v}
    return ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in diff.items())
