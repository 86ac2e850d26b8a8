"""What signers gave, printed onto the original pages of a document: text in any script,
check marks and images (drawn signatures, photos), each in its box as the page is shown.
The form fields the document still holds are flattened on the way: their appearance is
drawn into the page, and nothing is left to fill in.

All the marks are drawn on one reportlab canvas, a page of it for each page stamped, and
each of its pages is added to its original page as one form XObject, turned and moved from
the page as shown to the page's own space (its /Rotate, its crop box's origin). Pages
without marks or fields are left as they were."""

from __future__ import annotations

import io
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
)
from reportlab.pdfgen.canvas import Canvas

from portico.pdf.geometry import Box
from portico.pdf.pictures import Pictures
from portico.pdf.scripts import Align, draw_text, fit_text, layout

# Images are kept at this resolution at the size they are printed, at most.
IMAGE_DPI = 200
_JPEG_QUALITY = 85
# An image up to this much larger than IMAGE_DPI is kept as it is: resizing costs more
# than the bytes it saves.
_SLACK = 2.0
# Level 3: a drawn signature (600x200, RGB and alpha) deflates three times faster than at
# the default 6, about 1 ms instead of 3, for a few kilobytes more.
_FLATE_LEVEL = 3
_EXIF_ORIENTATION = 0x0112
# The ink of values: near black, as printed forms are filled.
_INK = (0.05, 0.05, 0.1)
# Annotation flags (PDF 32000-1, 12.5.3): not shown on screen.
_HIDDEN, _NO_VIEW = 1 << 1, 1 << 5

Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class TextMark:
    """Text in ``box``: shrunk to fit it, on one line centred vertically or wrapped
    (``multiline``), or one character centred in each of ``cells`` equal boxes side by side
    (an IBAN, a code), a space included."""

    page: int
    box: Box
    text: str
    size: float = 11
    align: Align = "left"
    multiline: bool = False
    cells: int | None = None
    handwriting: bool = False


@dataclass(frozen=True)
class CheckMark:
    """A tick in ``box``, drawn as lines (no font needed)."""

    page: int
    box: Box


@dataclass(frozen=True)
class ImageMark:
    """An image (PNG, with or without transparency, or JPEG) fitted in ``box`` keeping its
    proportions, centred."""

    page: int
    box: Box
    image: bytes


Mark = TextMark | CheckMark | ImageMark


def stamp(pdf: bytes, marks: Sequence[Mark], *, pictures: Pictures | None = None) -> bytes:
    """``pdf`` with each mark drawn on its page (from 0), and its form fields flattened.
    ``pictures`` decodes the images (given, it is shared with the certificate's drawing).
    Raises ``ValueError`` for a mark on a page the document does not have."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    pages = writer.pages
    by_page: dict[int, list[Mark]] = defaultdict(list)
    for mark in marks:
        if not 0 <= mark.page < len(pages):
            raise ValueError(f"page {mark.page} is not in a document of {len(pages)} pages")
        by_page[mark.page].append(mark)
    views = {index: _View.of(pages[index]) for index in by_page}
    order = sorted(by_page)
    pictures = pictures if pictures is not None else Pictures()
    overlay, images = _overlay(order, by_page, views, pictures) if by_page else (None, [])
    form = _resolved(writer.root_object.get("/AcroForm"))
    default_resources = form.get("/DR") if isinstance(form, DictionaryObject) else None
    # "q", to open each page's own content with: one stream shared by every page.
    opening: list[IndirectObject] = []
    for index, page in enumerate(pages):
        drawings = _flatten_widgets(page, default_resources)
        if overlay is not None and index in by_page:
            position = order.index(index)
            stamped = _form(writer, overlay.pages[position], images[position])
            drawings.append(("PorticoStamp", views[index].matrix, stamped))
        if drawings:
            opening = opening or [writer._add_object(_stream(b"q\n"))]
            _draw_forms(writer, page, drawings, opening[0])
    writer.root_object.pop(NameObject("/AcroForm"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass(frozen=True)
class _View:
    """A page as shown: its size, and the matrix from that space (origin at the bottom
    left corner of what is shown) to the page's own."""

    width: float
    height: float
    matrix: Matrix

    @classmethod
    def of(cls, page: PageObject) -> _View:
        left, bottom, right, top = _ordered(page.cropbox)
        width, height = right - left, top - bottom
        turn = (int(page.rotation) // 90) % 4
        if turn == 1:
            return cls(height, width, (0, 1, -1, 0, right, bottom))
        if turn == 2:
            return cls(width, height, (-1, 0, 0, -1, right, top))
        if turn == 3:
            return cls(height, width, (0, -1, 1, 0, left, top))
        return cls(width, height, (1, 0, 0, 1, left, bottom))


def _overlay(
    order: list[int], by_page: dict[int, list[Mark]], views: dict[int, _View], pictures: Pictures
) -> tuple[PdfReader, list[list[_PlacedImage]]]:
    """One page for each stamped page, as it is shown, with its marks drawn; and for each,
    the images it draws."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=0, invariant=True)
    images: list[list[_PlacedImage]] = []
    for index in order:
        view = views[index]
        placed: list[_PlacedImage] = []
        canvas.setPageSize((view.width, view.height))
        canvas.setFillColorRGB(*_INK)
        canvas.setStrokeColorRGB(*_INK)
        for mark in by_page[index]:
            left = mark.box.x * view.width
            bottom = view.height * (1 - mark.box.y - mark.box.h)
            width, height = mark.box.w * view.width, mark.box.h * view.height
            if width <= 0 or height <= 0:
                continue
            if isinstance(mark, TextMark):
                _draw_text_mark(canvas, mark, left, bottom, width, height)
            elif isinstance(mark, CheckMark):
                _draw_check(canvas, left, bottom, width, height)
            else:
                name = f"PorticoImage{len(placed)}"
                box = (left, bottom, width, height)
                placed.append(_draw_image(canvas, mark.image, box, name, pictures))
        images.append(placed)
        canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue())), images


def _draw_text_mark(
    canvas: Canvas, mark: TextMark, left: float, bottom: float, width: float, height: float
) -> None:
    if mark.cells:
        _draw_cells(canvas, mark, left, bottom, width, height)
        return
    # A little room from the box's edges, where forms draw their lines.
    pad = min(2.0, width * 0.05, height * 0.1)
    inner_width, inner_height = width - 2 * pad, height - 2 * pad
    fitted = fit_text(
        mark.text,
        inner_width,
        inner_height,
        mark.size,
        multiline=mark.multiline,
        handwriting=mark.handwriting,
    )
    x = {"left": left + pad, "center": left + width / 2, "right": left + width - pad}[mark.align]
    if mark.multiline:
        baseline = bottom + height - pad - fitted.ascent
    else:
        # The line's extent (ascent over descent) centred in the box.
        baseline = bottom + (height - fitted.ascent - fitted.descent) / 2 + fitted.descent
    for line in fitted.lines:
        draw_text(
            canvas,
            x,
            baseline,
            line,
            fitted.size,
            align=mark.align,
            handwriting=mark.handwriting,
            rtl=fitted.rtl,
        )
        baseline -= fitted.leading


def _draw_cells(
    canvas: Canvas, mark: TextMark, left: float, bottom: float, width: float, height: float
) -> None:
    characters = _graphemes(mark.text)
    count = max(mark.cells or 0, len(characters), 1)
    cell = width / count
    size = mark.size
    for character in characters:
        line = layout(character, handwriting=mark.handwriting)
        extent = line.ascent + line.descent
        if line.width > 0:
            size = min(size, cell * 0.9 / line.width)
        if extent > 0:
            size = min(size, height * 0.95 / extent)
    whole = layout(mark.text, handwriting=mark.handwriting)
    baseline = bottom + (height - (whole.ascent + whole.descent) * size) / 2 + whole.descent * size
    for index, character in enumerate(characters):
        centre = left + cell * (index + 0.5)
        draw_text(
            canvas, centre, baseline, character, size, align="center", handwriting=mark.handwriting
        )


def _graphemes(text: str) -> list[str]:
    """``text`` cut into characters, each with the combining marks that follow it."""
    characters: list[str] = []
    for char in unicodedata.normalize("NFC", " ".join(text.splitlines())):
        if characters and unicodedata.combining(char):
            characters[-1] += char
        else:
            characters.append(char)
    return characters


def _draw_check(canvas: Canvas, left: float, bottom: float, width: float, height: float) -> None:
    side = min(width, height)
    line = max(side * 0.12, 0.5)
    # The tick's points in a unit square, inset by half the line so its ink stays in the box.
    inner = side - line
    x0 = left + (width - side) / 2 + line / 2
    y0 = bottom + (height - side) / 2 + line / 2
    points = [(0.08, 0.5), (0.38, 0.15), (0.92, 0.85)]
    path = canvas.beginPath()
    path.moveTo(x0 + points[0][0] * inner, y0 + points[0][1] * inner)
    for px, py in points[1:]:
        path.lineTo(x0 + px * inner, y0 + py * inner)
    canvas.saveState()
    canvas.setLineWidth(line)
    canvas.setLineCap(1)
    canvas.setLineJoin(1)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


@dataclass(frozen=True)
class _PlacedImage:
    """An image to draw on an overlay page: its pixels as PDF streams, ready to add."""

    name: str
    image: StreamObject
    mask: StreamObject | None


def _draw_image(
    canvas: Canvas,
    data: bytes,
    box: tuple[float, float, float, float],
    name: str,
    pictures: Pictures,
) -> _PlacedImage:
    """Draw ``data`` fitted in the box (left, bottom, width, height) as the image XObject
    ``name``, which the caller adds to the overlay page's resources (reportlab's own image
    path re-encodes in pure Python, tens of milliseconds for a signature)."""
    left, bottom, width, height = box
    with Image.open(io.BytesIO(data)) as opened:
        jpeg = opened.format == "JPEG"
        orientation = opened.getexif().get(_EXIF_ORIENTATION, 1) if jpeg else 1
        # A photo's camera orientation: turned a quarter, its width is its height.
        turned = orientation in (5, 6, 7, 8)
        natural = (opened.height, opened.width) if turned else opened.size
        scale = min(width / natural[0], height / natural[1])
        shown = (natural[0] * scale, natural[1] * scale)
        most = (shown[0] / 72 * IMAGE_DPI, shown[1] / 72 * IMAGE_DPI)
        if jpeg:
            # Decoded at a fraction of its size where that is still enough (much faster).
            wanted = (
                (round(most[1]), round(most[0])) if turned else (round(most[0]), round(most[1]))
            )
            opened.draft(None, wanted)
            image = ImageOps.exif_transpose(opened) if orientation != 1 else opened
            image.load()
        else:
            # A drawn signature, printed again on the certificate: decoded once for both.
            image = pictures.decoded(data)
        pixels, mask = _image_streams(image, data, most)
    x, y = left + (width - shown[0]) / 2, bottom + (height - shown[1]) / 2
    numbers = " ".join(_number(v) for v in (shown[0], 0, 0, shown[1], x, y))
    canvas.addLiteral(f"q {numbers} cm /{name} Do Q")
    return _PlacedImage(name, pixels, mask)


def _image_streams(
    image: Image.Image, data: bytes, most: tuple[float, float]
) -> tuple[StreamObject, StreamObject | None]:
    """``image`` as a PDF image of about ``most`` pixels at most: JPEG when it is opaque (a
    photo), else Flate with its transparency as a soft mask (a drawn signature)."""
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    ratio = min(image.width / max(most[0], 1), image.height / max(most[1], 1))
    if (
        ratio <= _SLACK
        and not transparent
        and image.format == "JPEG"
        and image.mode in ("RGB", "L")
        and image.size == Image.open(io.BytesIO(data)).size
    ):
        # Already a JPEG of about the right size, upright: kept as it is.
        return _image_stream(image.size, image.mode, data, "/DCTDecode"), None
    mode = "RGBA" if transparent else "L" if image.mode in ("L", "1") else "RGB"
    # Converted only when it must be: the image may be shared, and is never changed here.
    image = image if image.mode == mode else image.convert(mode)
    if ratio > _SLACK:
        # A box filter by a whole factor: fast, and what is left is within the slack.
        image = image.reduce(int(ratio))
    if not transparent:
        encoded = io.BytesIO()
        image.save(encoded, "JPEG", quality=_JPEG_QUALITY)
        return _image_stream(image.size, image.mode, encoded.getvalue(), "/DCTDecode"), None
    colour = zlib.compress(image.convert("RGB").tobytes(), _FLATE_LEVEL)
    alpha = zlib.compress(image.getchannel("A").tobytes(), _FLATE_LEVEL)
    return (
        _image_stream(image.size, "RGB", colour, "/FlateDecode"),
        _image_stream(image.size, "L", alpha, "/FlateDecode"),
    )


def _image_stream(size: tuple[int, int], mode: str, data: bytes, filter_name: str) -> StreamObject:
    width, height = size
    return StreamObject.initialize_from_dictionary(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(width),
            NameObject("/Height"): NumberObject(height),
            NameObject("/ColorSpace"): NameObject("/DeviceGray" if mode == "L" else "/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject(filter_name),
            "__streamdata__": data,
        }
    )


def _flatten_widgets(
    page: DictionaryObject, default_resources: PdfObject | None
) -> list[tuple[str, Matrix, PdfObject]]:
    """The page's form field widgets taken off it, each as its appearance (a form XObject)
    and the matrix that puts it in the widget's rectangle (PDF 32000-1, 12.5.5)."""
    annotations = _resolved(page.get("/Annots"))
    if not isinstance(annotations, ArrayObject):
        return []
    kept: list[PdfObject] = []
    drawn: list[tuple[str, Matrix, PdfObject]] = []
    for reference in annotations:
        annotation = reference.get_object()
        if not isinstance(annotation, DictionaryObject) or annotation.get("/Subtype") != "/Widget":
            kept.append(reference)
            continue
        appearance = _appearance(annotation)
        flags = int(annotation.get("/F", 0) or 0)
        if appearance is None or flags & (_HIDDEN | _NO_VIEW):
            continue
        matrix = _widget_matrix(annotation, appearance)
        if matrix is None:
            continue
        appearance[NameObject("/Type")] = NameObject("/XObject")
        appearance[NameObject("/Subtype")] = NameObject("/Form")
        if "/Resources" not in appearance and default_resources is not None:
            appearance[NameObject("/Resources")] = default_resources
        reference_to = appearance.indirect_reference
        if reference_to is not None:
            drawn.append((f"PorticoField{len(drawn)}", matrix, reference_to))
    if len(kept) == len(annotations):
        return drawn
    if kept:
        page[NameObject("/Annots")] = ArrayObject(kept)
    else:
        page.pop(NameObject("/Annots"), None)
    return drawn


def _appearance(annotation: DictionaryObject) -> StreamObject | None:
    appearances = _resolved(annotation.get("/AP"))
    if not isinstance(appearances, DictionaryObject):
        return None
    normal = _resolved(appearances.get("/N"))
    if isinstance(normal, DictionaryObject) and not isinstance(normal, StreamObject):
        # A check box or radio button: one appearance per state, /AS the one shown.
        state = annotation.get("/AS")
        normal = _resolved(normal.get(state)) if isinstance(state, str) else None
    return normal if isinstance(normal, StreamObject) else None


def _widget_matrix(annotation: DictionaryObject, appearance: StreamObject) -> Matrix | None:
    try:
        rect = _ordered(annotation["/Rect"])
        box = _ordered(appearance["/BBox"])
        raw = appearance.get("/Matrix")
        form_matrix = tuple(float(v) for v in raw) if raw is not None else (1, 0, 0, 1, 0, 0)
    except (KeyError, TypeError, ValueError):
        return None
    if len(form_matrix) != 6:
        return None
    a, b, c, d, e, f = form_matrix
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in box[::2] for y in box[1::2]]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    if x1 - x0 <= 0 or y1 - y0 <= 0:
        return None
    sx, sy = (rect[2] - rect[0]) / (x1 - x0), (rect[3] - rect[1]) / (y1 - y0)
    return (sx, 0, 0, sy, rect[0] - x0 * sx, rect[1] - y0 * sy)


def _form(writer: PdfWriter, page: PageObject, images: list[_PlacedImage]) -> IndirectObject:
    """An overlay page as a form XObject of ``writer``, with the images it draws."""
    contents = _resolved(page["/Contents"])
    parts = list(contents) if isinstance(contents, ArrayObject) else [contents]
    streams = [_resolved(part) for part in parts]
    form = _stream(b"\n".join(s.get_data() for s in streams if isinstance(s, StreamObject)))
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    resources = _resolved(page["/Resources"].clone(writer))
    if not isinstance(resources, DictionaryObject):
        resources = DictionaryObject()
    if images:
        xobjects = _resolved(resources.get("/XObject"))
        if not isinstance(xobjects, DictionaryObject):
            xobjects = DictionaryObject()
        for placed in images:
            if placed.mask is not None:
                placed.image[NameObject("/SMask")] = writer._add_object(placed.mask)
            xobjects[NameObject(f"/{placed.name}")] = writer._add_object(placed.image)
        resources[NameObject("/XObject")] = xobjects
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                [FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]
            ),
            NameObject("/Resources"): resources,
        }
    )
    return writer._add_object(form)


def _draw_forms(
    writer: PdfWriter,
    page: DictionaryObject,
    drawings: list[tuple[str, Matrix, PdfObject]],
    opening: IndirectObject,
) -> None:
    """Append to ``page`` a content stream drawing each form XObject with its matrix, after
    its own content, which is wrapped in q/Q so whatever state it leaves does not apply."""
    # The page's own copies: resources are often shared with pages left untouched.
    shared = _resolved(page.get("/Resources"))
    resources = (
        DictionaryObject(shared) if isinstance(shared, DictionaryObject) else DictionaryObject()
    )
    shared_xobjects = _resolved(resources.get("/XObject"))
    xobjects = (
        DictionaryObject(shared_xobjects)
        if isinstance(shared_xobjects, DictionaryObject)
        else DictionaryObject()
    )
    commands: list[bytes] = []
    for base, matrix, form in drawings:
        name = base
        counter = 0
        while f"/{name}" in xobjects:
            counter += 1
            name = f"{base}_{counter}"
        xobjects[NameObject(f"/{name}")] = form
        numbers = " ".join(_number(value) for value in matrix)
        commands.append(f"q {numbers} cm /{name} Do Q".encode())
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    contents = page.get("/Contents")
    existing: list[PdfObject] = []
    if contents is not None:
        resolved = _resolved(contents)
        existing = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    if existing:
        commands.insert(0, b"Q")
    closing = writer._add_object(_stream(b"\n".join(commands) + b"\n"))
    opened = [opening, *existing] if existing else []
    page[NameObject("/Contents")] = ArrayObject([*opened, closing])


def _stream(data: bytes) -> StreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream.flate_encode(level=6) if len(data) > 64 else stream


def _resolved(item: PdfObject | None) -> PdfObject | None:
    return item.get_object() if item is not None else None


def _ordered(values: object) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(value) for value in values)  # type: ignore[attr-defined]
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"
