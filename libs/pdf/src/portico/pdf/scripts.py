"""Text in any script drawn with reportlab: each run of a line in its script's font, lines
in their visual order (the Unicode bidi algorithm), Arabic letters joined, and scripts that
need shaping (Indic, South-East Asian, and Portico's handwriting font) shaped by HarfBuzz.

Right-to-left text is reshaped (presentation forms) and put in visual order before it is
drawn with a plain TrueType font: what the PDF then holds reads back in logical order in
text extraction. Shaping Arabic with HarfBuzz instead gives glyphs that the font's
character map does not name (ligatures, Amiri's calligraphic forms), so its text would not
read back. HarfBuzz draws the scripts that cannot do without it, as outlines under an
invisible copy of the text that search and copy read."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

import arabic_reshaper
import uharfbuzz
from arabic_reshaper.ligatures import LIGATURES
from bidi import get_base_level
from bidi.algorithm import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from portico.pdf.fonts import (
    Face,
    covers,
    face_for,
    fallback_faces,
    glyph_path,
    harfbuzz_font,
    vertical_metrics,
)

Align = Literal["left", "center", "right"]

# Below this size text is hard to read on paper: shrinking stops here, unless the value
# would not fit at all (a value is never cut).
MIN_SIZE = 5.0
# Distance between baselines of wrapped lines, in ems.
LEADING = 1.2
_SMALLEST = 0.5

_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff\u200f\u202b\u202e\u2067]"
)
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
# Formatting characters bidi has done with; a plain font would draw them as boxes.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_HANGUL = (
    (0x1100, 0x11FF),
    (0x3130, 0x318F),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),
    (0xFFA0, 0xFFDC),
)
_HAN = (
    (0x2E80, 0x2FDF),
    (0x3000, 0x312F),
    (0x3190, 0x31FF),
    (0x3200, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFF9F),
    (0x20000, 0x3FFFF),
)
_LATIN_NAMES = {"LATIN", "GREEK", "CYRILLIC"}

# Line breaking: at spaces, and between any two Chinese or Japanese characters, except
# before closing punctuation and small kana or after opening punctuation.
_CJK = (
    "\u2e80-\u2fff\u3000-\u30ff\u3100-\u312f\u3190-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uff00-\uff9f\U00020000-\U0003ffff"
)
_OPENING = "\u3008\u300a\u300c\u300e\u3010\u3014\uff08\uff3b\uff5b"
_CLOSING = (
    "\u3001\u3002\u3009\u300b\u300d\u300f\u3011\u3015\uff09\uff3d\uff5d\uff0c\uff0e\uff1a"
    "\uff1b\uff01\uff1f\u30fc\u30fb\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087"
    "\u308e\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee\u30f5\u30f6"
)
_TOKENS = re.compile(
    rf"\s+|[{_OPENING}]*[{_CJK}][{_CLOSING}]*|[{_OPENING}]*[^\s{_CJK}]+[{_CLOSING}]*"
)


@dataclass(frozen=True)
class Run:
    """Part of a line drawn with one face, in visual order. ``width`` is for a size of 1
    point; an outlined face's ``glyphs`` are (glyph, advance, x offset, y offset), in
    font units, in visual order."""

    face: Face
    text: str
    width: float
    glyphs: tuple[tuple[int, int, int, int], ...] = ()


@dataclass(frozen=True)
class Line:
    """One line laid out for a size of 1 point: its runs from left to right, its width,
    and the ascent and descent (positive) of the tallest of its faces."""

    runs: tuple[Run, ...]
    width: float
    ascent: float
    descent: float


@dataclass(frozen=True)
class FittedText:
    """Text fitted to a box: the size to draw it at, its lines (in logical order, each drawn
    with ``draw_text``), the distance between baselines, and how far the first line rises
    above its baseline and the last falls below its own (all in points)."""

    size: float
    lines: tuple[str, ...]
    leading: float
    ascent: float
    descent: float
    # The paragraph's direction, for each line's bidi ordering.
    rtl: bool

    @property
    def height(self) -> float:
        return self.ascent + self.descent + self.leading * (len(self.lines) - 1)

    @property
    def legible(self) -> bool:
        """False when the text only fits below ``MIN_SIZE``."""
        return self.size >= MIN_SIZE


def is_rtl(text: str) -> bool:
    """Whether ``text`` reads from right to left (its first strong character does)."""
    return bool(_RTL.search(text)) and get_base_level(text) == 1


def text_width(text: str, size: float, *, handwriting: bool = False, bold: bool = False) -> float:
    """The width of ``text`` drawn on one line at ``size`` points."""
    return layout(text, handwriting=handwriting, bold=bold).width * size


def draw_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: Align = "left",
    handwriting: bool = False,
    bold: bool = False,
    rtl: bool | None = None,
) -> float:
    """Draw ``text`` on one line at baseline ``y``; ``x`` is its left edge, centre or right
    edge as ``align`` says. ``rtl`` forces the paragraph direction (a wrapped line keeps its
    paragraph's), else the text's own. Returns the width drawn."""
    line = layout(text, handwriting=handwriting, bold=bold, rtl=rtl)
    width = line.width * size
    left = x - width if align == "right" else x - width / 2 if align == "center" else x
    for run in line.runs:
        if run.face.outlined:
            _draw_outlined(canvas, left, y, run, size)
        else:
            canvas.setFont(run.face.font, size)
            canvas.drawString(left, y, run.text)
        left += run.width * size
    return width


def fit_text(
    text: str,
    width: float,
    height: float,
    size: float,
    *,
    multiline: bool,
    handwriting: bool = False,
) -> FittedText:
    """``text`` at ``size`` points, or smaller so that it fits ``width`` by ``height``: on
    one line, or wrapped into lines when ``multiline`` (a line break in the text starts a
    new line). The size goes down to ``MIN_SIZE``, and further only when the text would
    not fit at all: a value is never cut."""
    rtl = is_rtl(text)
    if not multiline:
        single = " ".join(text.splitlines())
        line = layout(single, handwriting=handwriting, rtl=rtl)
        extent = line.ascent + line.descent
        fitted = min(
            size,
            width / line.width if line.width > 0 else size,
            height / extent if extent > 0 else size,
        )
        fitted = max(fitted, 0.0)
        return FittedText(
            fitted, (single,), fitted * LEADING, line.ascent * fitted, line.descent * fitted, rtl
        )
    paragraphs = text.splitlines() or [""]
    whole = layout(" ".join(paragraphs), handwriting=handwriting, rtl=rtl)
    ascent, descent = whole.ascent, whole.descent

    def wrapped(candidate: float) -> tuple[str, ...] | None:
        lines = _wrap(paragraphs, width / candidate, handwriting, rtl)
        needed = candidate * (ascent + descent + LEADING * (len(lines) - 1))
        return lines if needed <= height else None

    def result(candidate: float, lines: tuple[str, ...]) -> FittedText:
        return FittedText(
            candidate, lines, candidate * LEADING, ascent * candidate, descent * candidate, rtl
        )

    best = wrapped(size)
    if best is not None:
        return result(size, best)
    # The largest size that fits, to a tenth of a point: first above the floor, then below.
    for low, high in ((MIN_SIZE, size), (_SMALLEST, min(MIN_SIZE, size))):
        if low >= high:
            continue
        lines = wrapped(low)
        if lines is None:
            continue
        while high - low > 0.1:
            middle = (low + high) / 2
            candidate = wrapped(middle)
            if candidate is None:
                high = middle
            else:
                low, lines = middle, candidate
        return result(low, lines)
    return result(_SMALLEST, _wrap(paragraphs, width / _SMALLEST, handwriting, rtl))


def paragraph_markup(text: str, *, bold: bool = False) -> str:
    """``text`` as reportlab Paragraph markup: escaped, each run in its font
    (``<font name=...>``) and in visual order, a line break of the text a ``<br/>``. Scripts
    that need HarfBuzz shaping come out unshaped (a Paragraph cannot draw outlines)."""
    parts = []
    for line in text.splitlines() or [""]:
        runs = layout(line, bold=bold).runs
        parts.append(
            "".join(f'<font name="{run.face.font}">{escape(run.text)}</font>' for run in runs)
        )
    return "<br/>".join(parts)


def layout(
    text: str, *, handwriting: bool = False, bold: bool = False, rtl: bool | None = None
) -> Line:
    """``text`` laid out on one line for a size of 1 point (cached)."""
    return _layout(text, handwriting, bold, rtl)


@functools.lru_cache(maxsize=8192)
def _layout(text: str, handwriting: bool, bold: bool, rtl: bool | None) -> Line:
    visual = _visual(unicodedata.normalize("NFC", text), handwriting, bold, rtl)
    runs = tuple(_run(face, part) for face, part in _split(visual, handwriting, bold))
    runs = tuple(run for run in runs if run.text)
    faces = {run.face for run in runs} or {face_for("latin", bold=bold, handwriting=handwriting)}
    metrics = [vertical_metrics(face) for face in faces]
    return Line(
        runs,
        sum(run.width for run in runs),
        max(ascent for ascent, _ in metrics),
        max(descent for _, descent in metrics),
    )


def _visual(text: str, handwriting: bool, bold: bool, rtl: bool | None) -> str:
    if rtl is None and not _RTL.search(text):
        return text
    if _ARABIC.search(text):
        text = _reshaper(face_for("arabic", bold=bold, handwriting=handwriting)).reshape(text)
    base = None if rtl is None else "R" if rtl else "L"
    # python-bidi's pure-Python algorithm: its compiled one leaves brackets unmirrored.
    return str(get_display(text, base_dir=base))


@functools.cache
def _reshaper(face: Face) -> arabic_reshaper.ArabicReshaper:
    """Arabic joining for ``face``: the harakat kept (they are part of what was typed), and
    of the ligatures only lam-alef, which Arabic requires; the others are optional, bring
    vowel marks nobody typed (the word Muhammad), or leave a typed mark no letter to sit
    on."""
    configuration: dict[str, bool] = {"delete_harakat": False}
    for name, (_, forms) in LIGATURES:
        present = all(covers(face, char) for form in forms for char in form)
        lam_alef = name.startswith("ARABIC LIGATURE LAM WITH ALEF") and "MAKSURA" not in name
        configuration[name] = lam_alef and present
    # With every ligature off, the reshaper's pattern would be empty and match anywhere.
    configuration["support_ligatures"] = any(configuration[name] for name, _ in LIGATURES)
    return arabic_reshaper.ArabicReshaper(configuration=configuration)


def _split(visual: str, handwriting: bool, bold: bool) -> Iterator[tuple[Face, str]]:
    """``visual`` cut into runs of one face each: a character takes its script's face; one
    of no script (a space, a digit, punctuation) the face of the character before it, else
    of the next one of a script, when that face has it."""
    chosen: list[Face | None] = []
    for char in visual:
        script = script_of(char)
        if script is None:
            chosen.append(None)
            continue
        face = face_for(script, bold=bold, handwriting=handwriting)
        chosen.append(face if covers(face, char) else _fallback(char, bold))
    following: list[Face | None] = [None] * len(visual)
    upcoming: Face | None = None
    for index in range(len(visual) - 1, -1, -1):
        following[index] = upcoming
        upcoming = chosen[index] or upcoming
    faces: list[Face] = []
    default = face_for("latin", bold=bold, handwriting=handwriting)
    for index, char in enumerate(visual):
        candidates = (
            (chosen[index],)
            if chosen[index]
            else (faces[-1] if faces else None, following[index], default)
        )
        found = next((f for f in candidates if f is not None and covers(f, char)), None)
        faces.append(found or chosen[index] or _fallback(char, bold))
    start = 0
    for index in range(1, len(visual) + 1):
        if index == len(visual) or faces[index] != faces[start]:
            yield faces[start], visual[start:index]
            start = index


def _fallback(char: str, bold: bool) -> Face:
    faces = fallback_faces(bold=bold)
    for face in faces:
        if covers(face, char):
            return face
    return faces[0]


def _run(face: Face, text: str) -> Run:
    if not face.outlined:
        text = _INVISIBLE.sub("", text)
        return Run(face, text, pdfmetrics.stringWidth(text, face.font, 1.0))
    font = harfbuzz_font(face)
    rtl = bool(_RTL.search(text))
    buffer = uharfbuzz.Buffer()
    # A right-to-left run arrives in visual order: HarfBuzz shapes logical order.
    buffer.add_str(text[::-1] if rtl else text)
    buffer.guess_segment_properties()
    if rtl:
        buffer.direction = "rtl"
    uharfbuzz.shape(font, buffer, {"kern": True, "liga": True})
    glyphs = tuple(
        (info.codepoint, position.x_advance, position.x_offset, position.y_offset)
        for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)
    )
    width = sum(glyph[1] for glyph in glyphs) / font.face.upem
    return Run(face, _INVISIBLE.sub("", text), width, glyphs)


def _draw_outlined(canvas: Canvas, x: float, y: float, run: Run, size: float) -> None:
    font = harfbuzz_font(run.face)
    scale = size / font.face.upem
    operators = [f"q {scale:.6f} 0 0 {scale:.6f} {x:.3f} {y:.3f} cm"]
    pen = 0
    for glyph, advance, dx, dy in run.glyphs:
        path = glyph_path(run.face, glyph)
        if path:
            operators.append(f"q 1 0 0 1 {pen + dx} {dy} cm {path} f Q")
        pen += advance
    operators.append("Q")
    canvas.addLiteral("\n".join(operators))
    # The same text, invisible and stretched over the outlines, for search and copy.
    natural = pdfmetrics.stringWidth(run.text, run.face.font, size)
    if natural <= 0:
        return
    canvas.saveState()
    invisible = canvas.beginText(x, y)
    invisible.setTextRenderMode(3)
    invisible.setFont(run.face.font, size)
    invisible.setHorizScale(100 * run.width * size / natural)
    invisible.textOut(run.text)
    canvas.drawText(invisible)
    canvas.restoreState()


@functools.lru_cache(maxsize=4096)
def script_of(char: str) -> str | None:
    """The script ``char`` is written in, as ``face_for`` takes it; None for characters
    of every script (spaces, digits, punctuation, combining marks)."""
    code = ord(char)
    if any(start <= code <= end for start, end in _HANGUL):
        return "hangul"
    if any(start <= code <= end for start, end in _HAN):
        return "han"
    words = unicodedata.name(char, "").split()
    if not words:
        return None
    if words[0] in _LATIN_NAMES:
        return "latin" if unicodedata.category(char).startswith("L") else None
    if words[0] in ("ARABIC", "HEBREW"):
        return words[0].lower()
    for count in (1, 2, 3):
        script = "".join(word.capitalize() for word in words[:count])
        if _has_font(script):
            return script
    return None


@functools.cache
def _has_font(script: str) -> bool:
    return face_for(script).outlined


def _wrap(paragraphs: list[str], width: float, handwriting: bool, rtl: bool) -> tuple[str, ...]:
    """Each paragraph broken into lines no wider than ``width`` (for a size of 1 point)."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(_wrap_paragraph(paragraph, width, handwriting, rtl))
    return tuple(lines)


def _wrap_paragraph(paragraph: str, width: float, handwriting: bool, rtl: bool) -> list[str]:
    lines: list[str] = []
    current, current_width = "", 0.0
    space = ""
    for token in _TOKENS.findall(paragraph):
        if token.isspace():
            space = token if current else ""
            continue
        token_width = _width(token, handwriting, rtl)
        space_width = _width(space, handwriting, rtl) if space else 0.0
        if current and current_width + space_width + token_width <= width:
            current, current_width = (
                current + space + token,
                current_width + space_width + token_width,
            )
        else:
            if current:
                lines.append(current)
            current, current_width = "", 0.0
            for piece in _pieces(token, width, handwriting, rtl):
                if current:
                    lines.append(current)
                current, current_width = piece, _width(piece, handwriting, rtl)
        space = ""
    lines.append(current)
    return lines


def _pieces(token: str, width: float, handwriting: bool, rtl: bool) -> list[str]:
    """``token`` cut where it must be to fit ``width``: never before a combining mark."""
    if _width(token, handwriting, rtl) <= width:
        return [token]
    pieces: list[str] = []
    piece = ""
    for char in token:
        joins = unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Mc", "Me")
        if piece and not joins and _width(piece + char, handwriting, rtl) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    pieces.append(piece)
    return pieces


def _width(text: str, handwriting: bool, rtl: bool) -> float:
    return _layout(text, handwriting, False, rtl).width
