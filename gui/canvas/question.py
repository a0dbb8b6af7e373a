"""The canvas's question panel: the room predicts before the data, then sees who was right.

While the scene is staged and nothing is shown yet, the question stands large in place of the
lead view, its answers numbered 1-4 (the keys that pick the room's majority answer, which is
highlighted). Once the reveal shows data, the panel becomes a strip above the views, so the room
watches the layers arrive; when the reveal reaches the layer the question's field reads, the right
answer is marked ✓ (a wrong pick ✗) and the frame's own number is written after the question.
The right answer is the frame's (core/questions.py), so a σ changed in front of the room moves the
mark. Its texts are QLabels with the "role" the layout report reads ("question", "answer").
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from core import captions
from core.questions import MAX_ANSWERS, Question
from gui import theme
from gui.canvas.sizes import Sizes

MODES = ("hidden", "ask", "strip")  # no question; large, before the data; a strip over the data
RIGHT, WRONG = "✓", "✗"


def mode_of(question: Question | None, frame) -> str:
    """Large while nothing is shown yet (step 0 of a staged scene), a strip once data shows."""
    if question is None:
        return "hidden"
    reveal = frame.reveal if frame is not None else None
    if frame is None or (reveal is not None and reveal.step == 0):
        return "ask"
    return "strip"


class QuestionPanel(QWidget):
    """`mode` (MODES), `picked`, `right` (None until the mark shows) and `states` (per answer:
    "", "picked", "right", "wrong", "other") say what it shows, for the canvas and for tests."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.text = self._label("question")
        self.text.setWordWrap(True)
        self.answers = [self._label("answer") for _ in range(MAX_ANSWERS)]
        for label in self.answers:
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.mode = "hidden"
        self.question: Question | None = None
        self.picked: int | None = None
        self.right: int | None = None
        self.asking = False  # a question whose answer the reveal has not shown yet
        self.states: list[str] = []
        self._sizes = Sizes(720)
        self._shown: tuple | None = None
        self.hide()

    def _label(self, role: str) -> QLabel:
        label = QLabel(self)
        label.setProperty("role", role)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    # ------------------------------------------------------------------ what it shows
    def show_question(self, question: Question | None, frame) -> str:
        """The question for this frame (None: before the scene's first frame); its mode."""
        mode = mode_of(question, frame)
        picked = frame.picked if frame is not None else None
        right, value = None, ""
        self.asking = question is not None and (
            frame is None or not question.revealed(frame.reveal)
        )
        if question is not None and not self.asking:
            right = question.right(frame.a, frame.b)
            if right is not None:
                value = captions.render("{" + question.field + "}", frame.a, frame.b)
        self.question, self.picked, self.right = question, picked, right
        n = len(question.answers) if question is not None else 0
        self.states = [_state(i, picked, right) for i in range(n)]
        key = (question, mode, picked, right, value, theme.BACKGROUND[0])
        if key != self._shown:
            self._shown = key
            self._fill(question, value)
            self._arrange(mode, n)
        self.mode = mode
        return mode

    def _fill(self, question: Question | None, value: str) -> None:
        if question is None:
            return
        self.text.setText(question.text + (f"  {value}" if value else ""))
        for i, label in enumerate(self.answers):
            if i >= len(question.answers):
                label.hide()
                continue
            state = self.states[i]
            mark = {"right": f"  {RIGHT}", "wrong": f"  {WRONG}"}.get(state, "")
            label.setText(f"{i + 1}  {question.answers[i].label}{mark}")
            label.show()

    def _arrange(self, mode: str, n: int) -> None:
        """Large: the question over a 2 × 2 (or 1 × 2, 1 × 3) block of answers. A strip: the
        question then the answers, one row."""
        self.setVisible(mode != "hidden")
        # asking, its height is the lead view's share of the body, as a view's is (a height
        # from its type would change with every resize and lay the strips out twice)
        vertical = QSizePolicy.Policy.Ignored if mode == "ask" else QSizePolicy.Policy.Preferred
        self.setSizePolicy(QSizePolicy.Policy.Expanding, vertical)
        for w in (self.text, *self.answers):
            self._grid.removeWidget(w)
        for i in range(self._grid.columnCount()):
            self._grid.setColumnStretch(i, 0)
        for i in range(self._grid.rowCount()):
            self._grid.setRowStretch(i, 0)
        if mode == "ask":  # rows 0 and 4 take the slack: the block sits in the middle
            cols = 2 if n == 4 else n
            self._grid.addWidget(self.text, 1, 0, 1, cols)
            for i in range(n):
                self._grid.addWidget(self.answers[i], 2 + i // cols, i % cols)
                self._grid.setColumnStretch(i % cols, 1)
            self._grid.setRowStretch(0, 1)
            self._grid.setRowStretch(4, 1)
        else:
            self._grid.addWidget(self.text, 0, 0)
            self._grid.setColumnStretch(0, 1)
            for i in range(n):
                self._grid.addWidget(self.answers[i], 0, 1 + i)
        self.text.setAlignment(
            Qt.AlignmentFlag.AlignCenter if mode == "ask" else Qt.AlignmentFlag.AlignVCenter
        )
        self._restyle(mode)

    # ------------------------------------------------------------------ sizes
    def set_sizes(self, sizes: Sizes) -> None:
        self._sizes = sizes
        self._restyle(self.mode)

    def _restyle(self, mode: str) -> None:
        """Large type to ask (read from the back row before anything else is on screen); as a
        strip, a chip's (the size of the numbers on the data), so the data keeps its room."""
        s = self._sizes
        big = mode == "ask"
        self.text.setFont(s.font("question" if big else "chip", bold=big))
        for i, label in enumerate(self.answers):
            label.setFont(s.font("answer" if big else "chip", bold=True))
            if i < len(self.states):
                label.setStyleSheet(_style(self.states[i], s, compact=not big))
        gap = s.gap * (2 if big else 1)
        self._grid.setHorizontalSpacing(gap)
        self._grid.setVerticalSpacing(gap)


def _state(i: int, picked: int | None, right: int | None) -> str:
    if right is not None:
        if i == right:
            return "right"
        return "wrong" if i == picked else "other"
    return "picked" if i == picked else ""


def _style(state: str, sizes: Sizes, compact: bool) -> str:
    """A box per answer: the pick filled in A's colour, the right one green, a wrong pick
    vermillion, the rest greyed once the mark shows (the theme's colours, ≥ 4.5:1)."""
    colours = theme.QUANTITY_COLORS
    bg, fg = theme.BACKGROUND[0], theme.FOREGROUND[0]
    fill = {"picked": colours["a_side"], "right": colours["wgrad"], "wrong": colours["grad"]}
    border = fill.get(state, colours["theory"])
    text = bg if state in fill else (colours["theory"] if state == "other" else fg)
    back = fill.get(state, bg)
    pad = max(4, sizes.gap // 2)
    return (
        f"QLabel {{ background: {back}; color: {text}; border: {sizes.line}px solid {border};"
        f" border-radius: {pad}px; padding: {pad // 3 if compact else pad}px {pad}px; }}"
    )
