"""The fonts Portico draws text with: one per script, from the machine's Debian font packages
(Noto, Droid Sans Fallback, Nanum, Dancing Script, Amiri, DejaVu), each registered with
reportlab once. A missing file is never an error: the next candidate is taken, and at the
end DejaVu Sans or reportlab's built-in Helvetica."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_NOTO = Path("/usr/share/fonts/truetype/noto")
# TrueType outlines for Han and Kana (reportlab cannot embed the CFF outlines of Noto CJK).
_DROID = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
# Droid Sans Fallback has three Hangul syllables of 11,172: Korean needs Nanum Gothic.
_NANUM = Path("/usr/share/fonts/truetype/nanum")
_DANCING = Path("/usr/share/fonts/opentype/dancingscript")
_AMIRI = Path("/usr/share/fonts/opentype/fonts-hosny-amiri")

# Scripts whose Noto file is not named after the script's Unicode name.
_NOTO_STEMS = {
    "CanadianSyllabics": "CanadianAboriginal",
    "Nko": "NKo",
    "Tifinagh": "Tifinagh",
}
# Built-in fonts: Latin-1 only, the last resort.
_BUILT_IN = {"Helvetica", "Helvetica-Bold", "Helvetica-Oblique"}

_lock = threading.Lock()


@dataclass(frozen=True)
class Face:
    """A font file as Portico draws with it. ``font`` is the reportlab font that draws
    the text; an ``outlined`` face's glyphs are shaped by HarfBuzz and drawn as paths (its
    file cannot be embedded, or its script needs shaping), and ``font`` then carries an
    invisible copy of the text, for search and copy."""

    font: str
    path: Path | None
    outlined: bool = False


@functools.cache
def fonts() -> tuple[str, str]:
    """The regular and bold font names of tables and notices (DejaVu Sans, most scripts
    but CJK), registered with reportlab."""
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdfmetrics.registerFont(embedded_font("PorticoSans", regular))
        pdfmetrics.registerFont(embedded_font("PorticoSans-Bold", bold))
        return "PorticoSans", "PorticoSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def embedded_font(name: str, path: Path, *, shapable: bool = True) -> TTFont:
    """``path`` as a reportlab font that embeds only the glyphs a document draws.
    reportlab's default (``asciiReadable``) puts all of printable ASCII in each document's
    first subset, drawn or not, so that content streams read as ASCII: a few hundred
    glyphs more to subset, compress and parse again (a quarter of a certificate's bytes).
    Text is extracted through the /ToUnicode map reportlab writes either way."""
    return TTFont(name, str(path), asciiReadable=False, shapable=shapable)


def face_for(script: str, *, bold: bool = False, handwriting: bool = False) -> Face:
    """The face that draws ``script`` (``latin`` for Latin, Greek and Cyrillic, ``arabic``,
    ``hebrew``, ``han``, ``hangul``, else a Unicode script name such as ``Devanagari``)."""
    return _face_for(script, bold, handwriting)


@functools.cache
def _face_for(script: str, bold: bool, handwriting: bool) -> Face:
    weight = "Bold" if bold else "Regular"
    if handwriting and script == "latin":
        dancing = _outlined(_DANCING / "DancingScript-Regular.otf", _latin(bold))
        if dancing is not None:
            return dancing
        return _first(
            [_NOTO / "NotoSans-Italic.ttf", _DEJAVU / "DejaVuSans-Oblique.ttf"],
            "Helvetica-Oblique",
        )
    if script == "latin":
        return _latin(bold)
    if script == "arabic":
        amiri = [_AMIRI / f"Amiri-{weight}.ttf"] if handwriting else []
        return _first(
            [
                *amiri,
                _NOTO / f"NotoSansArabic-{weight}.ttf",
                _NOTO / f"NotoNaskhArabic-{weight}.ttf",
                _NOTO / "NotoSansArabic-Regular.ttf",
            ],
            None,
        )
    if script == "hebrew":
        return _first(
            [_NOTO / f"NotoSansHebrew-{weight}.ttf", _NOTO / "NotoSansHebrew-Regular.ttf"]
        )
    if script == "han":
        return _first([_DROID])
    if script == "hangul":
        nanum = "NanumGothicBold.ttf" if bold else "NanumGothic.ttf"
        return _first([_NANUM / nanum, _NANUM / "NanumGothic.ttf", _DROID])
    # Any other script is shaped by HarfBuzz: most of them (Indic, South-East Asian) need
    # their letters reordered and combined, which reportlab alone does not do.
    stem = _NOTO_STEMS.get(script, script)
    for family in ("Sans", "Serif"):
        for name in (f"Noto{family}{stem}-{weight}.ttf", f"Noto{family}{stem}-Regular.ttf"):
            face = _outlined(_NOTO / name, None)
            if face is not None:
                return face
    return _latin(bold)


def fallback_faces(*, bold: bool = False) -> tuple[Face, ...]:
    """Faces to try, in order, for a character its script's face does not have."""
    return _fallback_faces(bold)


@functools.cache
def _fallback_faces(bold: bool) -> tuple[Face, ...]:
    weight = "Bold" if bold else "Regular"
    candidates = [
        _NOTO / f"NotoSans-{weight}.ttf",
        _DEJAVU / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"),
        _DROID,
        _NOTO / "NotoSansSymbols-Regular.ttf",
        _NOTO / "NotoSansSymbols2-Regular.ttf",
        _NOTO / "NotoSansMath-Regular.ttf",
    ]
    faces = [face for face in (_plain(path) for path in candidates) if face is not None]
    faces.append(Face("Helvetica-Bold" if bold else "Helvetica", None))
    return tuple(faces)


def covers(face: Face, char: str) -> bool:
    """Whether ``face`` has a glyph for ``char``."""
    return ord(char) in _charset(face)


@functools.cache
def _charset(face: Face) -> frozenset[int]:
    if face.path is None:
        return frozenset(range(32, 256))
    if face.outlined:
        return frozenset(harfbuzz_font(face).face.unicodes)
    font = pdfmetrics.getFont(face.font)
    return frozenset(font.face.charToGlyph)


@functools.cache
def vertical_metrics(face: Face) -> tuple[float, float]:
    """The face's ascent and descent (both positive) for a size of 1 point."""
    if face.outlined:
        font = harfbuzz_font(face)
        extents = font.get_font_extents("ltr")
        upem = font.face.upem
        return extents.ascender / upem, -extents.descender / upem
    font = pdfmetrics.getFont(face.font)
    if face.path is None:
        return font.face.ascent / 1000, -font.face.descent / 1000
    return font.face.ascent / 1000, -font.face.descent / 1000


@functools.cache
def harfbuzz_font(face: Face) -> uharfbuzz.Font:
    """The face's file opened by HarfBuzz, at its own units (``face.upem`` to the em)."""
    if face.path is None:
        raise ValueError(f"{face.font} has no font file")
    return uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(face.path))))


@functools.cache
def glyph_path(face: Face, glyph: int) -> str:
    """The outline of ``glyph`` as PDF path operators, in font units, ready to fill."""
    pen = _PdfPen()
    harfbuzz_font(face).draw_glyph_with_pen(glyph, pen)
    return " ".join(pen.operators)


class _PdfPen:
    """Collects a glyph's outline as PDF path operators (quadratic curves made cubic)."""

    def __init__(self) -> None:
        self.operators: list[str] = []
        self._current = (0.0, 0.0)

    def moveTo(self, point: tuple[float, float]) -> None:
        self._current = point
        self.operators.append(f"{_n(point[0])} {_n(point[1])} m")

    def lineTo(self, point: tuple[float, float]) -> None:
        self._current = point
        self.operators.append(f"{_n(point[0])} {_n(point[1])} l")

    def curveTo(self, *points: tuple[float, float]) -> None:
        (x1, y1), (x2, y2), (x3, y3) = points[-3:]
        self._current = (x3, y3)
        self.operators.append(f"{_n(x1)} {_n(y1)} {_n(x2)} {_n(y2)} {_n(x3)} {_n(y3)} c")

    def qCurveTo(self, *points: tuple[float, float]) -> None:
        # TrueType quadratic segments, with implied on-curve points between off-curve ones.
        controls, end = list(points[:-1]), points[-1]
        for index, control in enumerate(controls):
            last = index == len(controls) - 1
            target = end if last else _middle(control, controls[index + 1])
            x0, y0 = self._current
            cx, cy = control
            x3, y3 = target
            x1, y1 = x0 + 2 * (cx - x0) / 3, y0 + 2 * (cy - y0) / 3
            x2, y2 = x3 + 2 * (cx - x3) / 3, y3 + 2 * (cy - y3) / 3
            self.operators.append(f"{_n(x1)} {_n(y1)} {_n(x2)} {_n(y2)} {_n(x3)} {_n(y3)} c")
            self._current = target

    def closePath(self) -> None:
        self.operators.append("h")


def _middle(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _latin(bold: bool) -> Face:
    weight = "Bold" if bold else "Regular"
    return _first(
        [_NOTO / f"NotoSans-{weight}.ttf", _DEJAVU / f"DejaVuSans{'-Bold' if bold else ''}.ttf"],
        "Helvetica-Bold" if bold else "Helvetica",
    )


def _first(paths: Iterable[Path], built_in: str | None = None) -> Face:
    for path in paths:
        face = _plain(path)
        if face is not None:
            return face
    if built_in is not None:
        return Face(built_in, None)
    return _latin(False)


@functools.cache
def _plain(path: Path) -> Face | None:
    """``path`` registered with reportlab (as ``Portico-<file name>``), None when the file
    is missing or reportlab cannot embed it."""
    name = f"Portico-{path.stem}"
    if not path.is_file():
        return None
    with _lock:
        if name in pdfmetrics.getRegisteredFontNames():
            return Face(name, path)
        try:
            # Not shapable: text is reshaped and ordered before it reaches reportlab.
            font = embedded_font(name, path, shapable=False)
        except Exception:
            return None
        pdfmetrics.registerFont(font)
    return Face(name, path)


def _outlined(path: Path, invisible: Face | None) -> Face | None:
    """An outlined face for ``path``; its invisible text is drawn with ``invisible``, else
    with the file itself (when reportlab can embed it)."""
    if not path.is_file():
        return None
    carrier = invisible or _plain(path)
    if carrier is None:
        return None
    try:
        harfbuzz_font(Face(carrier.font, path, outlined=True))
    except Exception:
        return None
    return Face(carrier.font, path, outlined=True)
