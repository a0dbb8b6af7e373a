"""The lecture canvas: what the presentation view shows in place of the window's middle.

A header (title, claim, the speaker's details on D) over the scene's layout: a lead view and up
to two strips below it, each built from `registry.CANVAS_VIEWS[name](options)`; a scene's
question, while asked, in the lead view's place (question.py). A scene without a layout gets one
from its emphasis; outside a scene the canvas shows the histograms of the rows shown. It is a
View of the presenter like every other (gui/presenter.py), but draws only while the presentation
view shows it: in the normal window a frame costs it one early return.

A staged scene (core/reveal.py) shows its layers as the reveal steps on: each view masks what is
not revealed yet (gui/canvas/reveal_mask.py), a quiet line under the header says how far it is,
and the newest layer fades in over FADE_MS (its views shown the frame again at each step of the
fade, with a `Fading` reveal).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractAnimation, QVariantAnimation
from PySide6.QtWidgets import QGridLayout, QLabel, QLayout, QSizePolicy, QVBoxLayout, QWidget

from core import captions
from core.presets import MAX_STRIPS, Scene
from core.stats import ROWS
from gui import heap, theme
from gui.canvas import registry
from gui.canvas.grid_fallback import GridHistograms
from gui.canvas.header import Header
from gui.canvas.question import QuestionPanel
from gui.canvas.reveal_mask import Fading
from gui.canvas.sizes import Sizes
from gui.presenter import ViewBase, ViewFrame
from gui.views import unindexed_within
from gui.views.layer_grid import has_rows

Layout = tuple[tuple[str, dict], ...]
LEAD_STRETCH, STRIP_STRETCH = 3, 2  # the lead view's height to the strips' row
# what draws a view not yet in the registry, if anything does (the window's own grid)
FALLBACK: dict[str, type] = {"histograms": GridHistograms}
FADE_MS = 250  # a revealed layer's fade-in


def layout_of(scene: Scene | None, rows: tuple[str, ...]) -> Layout:
    """The scene's own layout, or one made from its emphasis: the histograms of the emphasised
    rows that are shown (else of every row shown), the ladder for "profile", the statistics for
    "table", in the emphasis's order. Outside a scene: the histograms of the rows shown."""
    if scene is not None and scene.layout:
        return scene.layout
    emphasis = scene.emphasis if scene is not None else ()
    picked = [r for r in emphasis if r in ROWS and r in rows]
    entries: list[tuple[str, dict]] = []
    for name in emphasis:
        if name in ROWS and not any(v == "histograms" for v, _ in entries):
            entries.append(("histograms", {"rows": picked or list(rows)}))
        elif name == "profile":
            entries.append(("ladder", {}))
        elif name == "table":
            entries.append(("stats", {}))
    if not any(v == "histograms" for v, _ in entries):
        entries.insert(0, ("histograms", {"rows": list(rows)}))
    return tuple(entries[: 1 + MAX_STRIPS])


class LectureCanvas(QWidget, ViewBase):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.header = Header(self)
        self.body = QWidget(self)
        self._grid = QGridLayout(self.body)
        self._grid.setContentsMargins(0, 0, 0, 0)
        lay = QVBoxLayout(self)
        # its content's sizes follow its height: what it held at 2160 lines must not keep the
        # window from going back to 720 (it stayed 820 tall, at 1294 wide)
        lay.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.stage = QLabel(self)  # how far a staged scene's reveal is, quietly
        self.stage.setProperty("role", "legend")
        self.stage.hide()
        lay.addWidget(self.header)
        lay.addWidget(self.stage)
        self.question = QuestionPanel(self)  # a scene's question: in the lead's place, or a strip
        lay.addWidget(self.question)
        lay.addWidget(self.body, 1)
        self.fade = QVariantAnimation(self)
        self.fade.setDuration(FADE_MS)
        self.fade.setStartValue(0.0)
        self.fade.setEndValue(1.0)
        self.fade.valueChanged.connect(self.show_fade)
        self._revealed = None  # the reveal last shown
        self.views: list[tuple[str, QWidget]] = []  # (name, view), the lead first
        self.skipped: list[str] = []  # names the scene asked for that are not written yet
        self.active = False
        self._scene: Scene | None = None
        self._layout: Layout | None = None
        self._rows: tuple[str, ...] = ()
        self._frame: ViewFrame | None = None
        self._sizes = Sizes(720)
        self.set_sizes(self._sizes)

    # ---------------------------------------------------------------- the View protocol
    @property
    def needs(self) -> frozenset[str]:
        """What its views need, the rows (outside a scene they pick the histograms) and the
        reveal (a staged scene's layers shown yet)."""
        out = {"rows", "reveal"}
        for _, view in self.views:
            out |= set(getattr(view, "needs", ()))
        return frozenset(out)

    def prepare(self, config, rows: tuple[str, ...]) -> None:
        if self.active:
            for _, view in self.views:
                view.prepare(config, rows)

    def present(self, frame: ViewFrame) -> None:
        self._frame = frame
        if not self.active:
            return
        if frame.rows != self._rows:
            self._rows = frame.rows
            self._build()
        self._ask(frame)
        if self._scene is not None:
            title, claim, details = captions.live(self._scene, frame.a, frame.b)
            # the claim's numbers would give the answer away while the room is still asked
            self.header.show_text(title, "" if self.question.asking else claim, details)
        self._step_reveal(frame.reveal)
        running = self.fade.state() == QAbstractAnimation.State.Running
        self._present_views(float(self.fade.currentValue()) if running else 1.0)

    def show_fade(self, value) -> None:
        """The views again, the newest layer `value` (0 to 1) of the way in."""
        if self.active and self._frame is not None:
            self._present_views(float(value))

    def _step_reveal(self, reveal) -> None:
        """A step on starts the newest layer's fade; any other change ends a fade."""
        last, self._revealed = self._revealed, reveal
        self.stage.setText(reveal.describe() if reveal is not None else "")
        self.stage.setVisible(reveal is not None)
        if reveal == last:
            return
        self.fade.stop()
        on = last is not None and reveal is not None and reveal.depth == last.depth
        if on and reveal.step == last.step + 1 and FADE_MS > 0:
            self.fade.start()

    def _present_views(self, fade: float) -> None:
        frame = self._frame
        r = frame.reveal
        if r is not None and fade < 1.0:
            frame = replace(frame, reveal=Fading(r.depth, r.step, fade))
        for _, view in self.views:
            view.present(frame)

    # ----------------------------------------------------------------- the presentation's
    def set_active(self, on: bool) -> None:
        """Shown (the presentation view) or not: hidden, it builds and draws nothing."""
        self.active = on
        if not on:
            self.fade.stop()
        if on:
            self._build()
            if self._frame is not None and has_rows(self._frame.a, self._frame.rows):
                self.present(self._frame)

    def set_scene(self, scene: Scene | None) -> None:
        self._scene = scene
        if scene is None:
            self.header.show_text("", "", "")
        self._ask(None)
        if scene is not None:  # until its first frame: the scene's own words
            claim = "" if self.question.asking else scene.claim or scene.caption
            self.header.show_text(scene.title, claim, scene.details)
        if self.active:
            self._build()

    def toggle_details(self) -> None:
        self.header.toggle_details()

    @property
    def animating(self) -> bool:
        """A view still blends, makes its plots or waits for its answer (a probe view's
        `pending`): what is shown is about to change."""
        fading = self.fade.state() == QAbstractAnimation.State.Running
        return self.active and (
            fading
            or any(
                getattr(v, "animating", False) or getattr(v, "pending", False)
                for _, v in self.views
            )
        )

    @property
    def building(self) -> bool:
        """Its views' panels are still being made."""
        return any(getattr(v, "animating", False) for _, v in self.views)

    @property
    def names(self) -> list[str]:
        """The views shown, the lead first."""
        return [name for name, _ in self.views]

    # ------------------------------------------------------------------- building
    def _build(self) -> None:
        """The views of the scene's layout, made anew only when the layout changes."""
        rows = self._frame.rows if self._frame is not None else self._rows
        wanted = layout_of(self._scene, rows)
        if wanted == self._layout:
            return
        self._layout = wanted
        for _, view in self.views:  # hidden now: deleted in idle turns, one a turn
            self._grid.removeWidget(view)
            view.hide()
            heap.delete_later(view)
        self.views, self.skipped = [], []
        for name, options in wanted:
            cls = registry.CANVAS_VIEWS.get(name) or FALLBACK.get(name)
            if cls is None:
                self.skipped.append(name)
                continue
            view = cls(dict(options))
            unindexed_within(view)  # no BSP index: its items change every frame (gui/views)
            view.setParent(self.body)
            # heights from the stretches alone (lead 3, strips 2): a view's own size hint (a
            # grid of panels asks for much) squeezed the lead ladder to a sliver above it
            view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
            self.views.append((name, view))
        self._place()
        self._place_question()
        self.set_sizes(self._sizes)

    def _place(self) -> None:
        """The lead across the top, the strips side by side below it."""
        for i in range(self._grid.rowCount()):
            self._grid.setRowStretch(i, 0)
        for i in range(self._grid.columnCount()):
            self._grid.setColumnStretch(i, 0)
        if not self.views:
            return
        strips = self.views[1:]
        self._grid.addWidget(self.views[0][1], 0, 0, 1, max(1, len(strips)))
        self._grid.setRowStretch(0, LEAD_STRETCH)
        for col, (_, view) in enumerate(strips):
            self._grid.addWidget(view, 1, col)
            self._grid.setColumnStretch(col, 1)
        if strips:
            self._grid.setRowStretch(1, STRIP_STRETCH)
        for _, view in self.views:
            view.show()

    # ------------------------------------------------------------------- the question
    def _ask(self, frame: ViewFrame | None) -> None:
        """The scene's question for this frame (None: the scene's first, not computed yet)."""
        question = self._scene.question if self._scene is not None else None
        before = self.question.mode
        if self.question.show_question(question, frame) != before:
            self._place_question()

    def _place_question(self) -> None:
        """Asking, the question takes the lead view's place (there is no data to see yet); as a
        strip it sits between the header and the views."""
        panel, asking = self.question, self.question.mode == "ask"
        self._grid.removeWidget(panel)
        self.layout().removeWidget(panel)
        if asking:
            self._grid.addWidget(panel, 0, 0, 1, max(1, len(self.views) - 1))
            self._grid.setRowStretch(0, LEAD_STRETCH)
        else:
            self.layout().insertWidget(1, panel)
        if self.views:
            self.views[0][1].setVisible(not asking)
        panel.setVisible(panel.mode != "hidden")

    # ------------------------------------------------------------------- sizes
    def set_sizes(self, sizes: Sizes) -> None:
        self._sizes = sizes
        gap = sizes.gap
        self.layout().setContentsMargins(gap, gap, gap, gap)
        self.layout().setSpacing(gap)
        self._grid.setSpacing(gap)
        self.header.set_sizes(sizes)
        self.stage.setFont(sizes.font("legend"))
        self.stage.setStyleSheet(f"color: {theme.QUANTITY_COLORS['theory']}")
        self.question.set_sizes(sizes)
        for _, view in self.views:
            view.set_sizes(sizes)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().height() != event.oldSize().height():
            self.set_sizes(Sizes(max(1, event.size().height())))
