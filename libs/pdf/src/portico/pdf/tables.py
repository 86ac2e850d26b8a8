"""CSV files as a paginated table (the header row on every page, landscape when wide) and
plain text as pages of lines, drawn with reportlab."""

from __future__ import annotations

import csv
import io
import math
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle
from reportlab.platypus.flowables import Flowable

from portico.pdf.errors import DocumentRefused
from portico.pdf.fonts import fonts
from portico.pdf.limits import Limits
from portico.pdf.sniff import csv_dialect, decode_text

MAX_CELL_CHARS = 300
MAX_COLUMNS = 40
# A row is at least one line of text: an A4 page holds no more than this many.
_ROWS_PER_PAGE_AT_MOST = 60
_LINES_PER_PAGE = 70
_LINE_CHARS = 110
_MARGIN = 12 * mm


def csv_to_pdf(data: bytes, limits: Limits) -> bytes:
    text = _decode(data)
    dialect = csv_dialect(text[:65536])
    rows = list(csv.reader(io.StringIO(text), dialect or csv.excel))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise DocumentRefused("empty")
    _check_pages(len(rows), _ROWS_PER_PAGE_AT_MOST, limits)
    columns = min(max(len(row) for row in rows), MAX_COLUMNS)
    regular, bold = fonts()
    size = 8 if columns <= 8 else 6.5
    body = ParagraphStyle("cell", fontName=regular, fontSize=size, leading=size * 1.2)
    head = ParagraphStyle("head", parent=body, fontName=bold)
    pagesize = landscape(A4) if columns > 6 else A4
    available = pagesize[0] - 2 * _MARGIN
    widths = _column_widths(rows, columns, available)
    cells: list[list[Flowable]] = [
        [
            Paragraph(_cell(row[index] if index < len(row) else ""), head if number == 0 else body)
            for index in range(columns)
        ]
        for number, row in enumerate(rows)
    ]
    table = LongTable(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
    )
    document.build([table])
    return buffer.getvalue()


def text_to_pdf(data: bytes, limits: Limits) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    lines: list[str] = []
    for line in _decode(data).expandtabs(4).splitlines():
        while len(line) > _LINE_CHARS:
            lines.append(line[:_LINE_CHARS])
            line = line[_LINE_CHARS:]
        lines.append(line)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise DocumentRefused("empty")
    _check_pages(len(lines), _LINES_PER_PAGE, limits)
    regular, _ = fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    height = A4[1]
    for start in range(0, len(lines), _LINES_PER_PAGE):
        text = canvas.beginText(_MARGIN, height - _MARGIN - 9)
        text.setFont(regular, 8.5, leading=11)
        for line in lines[start : start + _LINES_PER_PAGE]:
            text.textLine(line)
        canvas.drawText(text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _decode(data: bytes) -> str:
    text = decode_text(data)
    if text is None:
        raise DocumentRefused("unsupported_type", detail="no text encoding fits")
    return text


def _check_pages(units: int, per_page: int, limits: Limits) -> None:
    if units > limits.max_pages * per_page:
        pages = math.ceil(units / per_page)
        raise DocumentRefused("too_many_pages", count=pages, limit=limits.max_pages)


def _cell(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_CELL_CHARS:
        value = value[: MAX_CELL_CHARS - 1] + "…"
    return escape(value).replace("\n", "<br/>")


def _column_widths(rows: list[list[str]], columns: int, available: float) -> list[float]:
    """Each column's share of the width, after its longest cell (capped), at least 1/3 of
    an equal share."""
    lengths = [1] * columns
    for row in rows[:500]:
        for index, value in enumerate(row[:columns]):
            lengths[index] = max(lengths[index], min(len(value), 40))
    total = sum(lengths)
    floor = available / columns / 3
    widths = [max(available * length / total, floor) for length in lengths]
    scale = available / sum(widths)
    return [width * scale for width in widths]
