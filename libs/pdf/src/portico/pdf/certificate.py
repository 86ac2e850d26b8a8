"""The certificate of completion of a signed document: who took part, how each was reached
and identified, what they entered, the document's SHA-256 before and after, and the
hash-chained audit trail (``portico.pdf.trail``), in French or English, on A4 pages.

It is appended as the last pages of the completed document and also stored on its own.
``render_certificate`` is pure (no clock, no I/O) and fast: a completion's time budget is
a few tens of milliseconds, so the tables are drawn by ``_Grid`` (text pre-wrapped once,
drawn in one text object) rather than by reportlab's Table of Paragraphs, which measured
three times slower; a Paragraph is used only for text its fonts cannot draw as is."""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeAlias
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import Image
from reportlab import rl_config
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import escapePDF
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table
from reportlab.platypus.flowables import Flowable

from portico.pdf.fonts import fonts
from portico.pdf.pictures import Pictures
from portico.pdf.trail import TrailEntry, first_broken, head

Locale = Literal["fr", "en"]
RecipientKind = Literal["signer", "approver", "viewer", "cc"]
Channel = Literal["email", "sms", "portal", "staff"]
IdentityMethod = Literal["none", "email_code", "sms_code"]


@dataclass(frozen=True)
class CertificateRecipient:
    """One person who took part.

    ``identity_attempts`` counts the codes they entered and ``identity_verified_at`` is
    when the right one was (None: never). ``completed_at`` is when they signed (a signer),
    approved (an approver) or viewed (a viewer) the document. ``values`` are what they
    entered, as (field label, value); ``locale`` is the language they used (``fr``)."""

    role: str
    kind: RecipientKind
    name: str
    email: str | None
    phone: str | None
    channel: Channel
    identity_method: IdentityMethod
    identity_attempts: int
    identity_verified_at: datetime | None
    ip: str | None
    user_agent: str | None
    time_zone: str | None
    completed_at: datetime | None
    values: Sequence[tuple[str, str]]
    signature_png: bytes | None
    initials_png: bytes | None
    locale: str


@dataclass(frozen=True)
class CertificateData:
    """What the certificate states. ``signed_sha256`` is the SHA-256 of the filled and
    stamped pages, before the certificate is appended and the seal applied; ``digests`` are
    the trail's stored digests (``portico.pdf.trail.chain``), one per entry."""

    document_name: str
    document_id: str
    organisation_name: str
    verification_url: str
    original_sha256: str
    signed_sha256: str
    generated_at: datetime
    recipients: Sequence[CertificateRecipient]
    trail: Sequence[TrailEntry]
    digests: Sequence[str]


# ---------------------------------------------------------------------------------------
# Words, per locale. French uses the typographic apostrophe and a no-break space before a
# colon.

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Certificate of completion",
        "intro": "This certificate records who took part in the document, how each person "
        "was reached and identified, what they entered, and every event of its audit trail, "
        "in order. All times are in UTC.",
        "scan": "Scan to verify",
        "document": "Document",
        "document_name": "Name",
        "document_id": "Document ID",
        "organisation": "Organisation",
        "generated_at": "Certificate generated",
        "verification": "Verification",
        "verification_note": "Open this link or scan the code to check a copy against the "
        "original.",
        "original_sha256": "Original (SHA-256)",
        "signed_sha256": "Signed (SHA-256)",
        "signed_note": "Computed over the filled and stamped pages, before this certificate "
        "was appended and the electronic seal applied.",
        "recipients": "Recipients",
        "email": "Email",
        "phone": "Phone",
        "channel": "Reached by",
        "identity": "Identity check",
        "ip": "IP address",
        "user_agent": "Browser",
        "time_zone": "Time zone",
        "language": "Language",
        "completed_signer": "Signed",
        "completed_approver": "Approved",
        "completed_viewer": "Viewed",
        "completed_cc": "Completed",
        "local_time": "local time",
        "values": "Values entered",
        "signature": "Signature",
        "initials": "Initials",
        "trail": "Audit trail",
        "trail_intro": "Each event’s digest is the SHA-256 of the event (canonical JSON) "
        "and of the digest before it, starting from 64 zeros; its first 12 digits are shown.",
        "time": "Time (UTC)",
        "event": "Event",
        "by": "By, IP address",
        "details": "Details",
        "digest": "Digest",
        "head": "Chain head (SHA-256)",
        "head_note": "The digest of the last event covers every event before it: a trail "
        "changed, reordered or shortened after this certificate was generated no longer "
        "ends with this value.",
        "page": "Page {page} of {total}",
        "footer_id": "Document ID {id}",
        "passed": "passed on the {ordinal} attempt, {time}",
        "failed": "not passed ({count} attempts)",
        "failed_one": "not passed (1 attempt)",
        "not_attempted": "not attempted",
        "colon": ": ",
    },
    "fr": {
        "title": "Certificat d’achèvement",
        "intro": "Ce certificat indique qui a participé au document, comment chaque "
        "personne a été contactée et identifiée, ce qu’elle a saisi, et chaque événement de "
        "sa piste d’audit, dans l’ordre. Toutes les heures sont en UTC.",
        "scan": "Scannez pour vérifier",
        "document": "Document",
        "document_name": "Nom",
        "document_id": "Identifiant",
        "organisation": "Organisation",
        "generated_at": "Certificat généré le",
        "verification": "Vérification",
        "verification_note": "Ouvrez ce lien ou scannez le code pour comparer une copie à "
        "l’original.",
        "original_sha256": "Original (SHA-256)",
        "signed_sha256": "Signé (SHA-256)",
        "signed_note": "Calculé sur les pages remplies et tamponnées, avant l’ajout de ce "
        "certificat et l’apposition du cachet électronique.",
        "recipients": "Destinataires",
        "email": "E-mail",
        "phone": "Téléphone",
        "channel": "Contacté par",
        "identity": "Vérification d’identité",
        "ip": "Adresse IP",
        "user_agent": "Navigateur",
        "time_zone": "Fuseau horaire",
        "language": "Langue",
        "completed_signer": "Signé le",
        "completed_approver": "Approuvé le",
        "completed_viewer": "Consulté le",
        "completed_cc": "Terminé le",
        "local_time": "heure locale",
        "values": "Valeurs saisies",
        "signature": "Signature",
        "initials": "Paraphe",
        "trail": "Piste d’audit",
        "trail_intro": "L’empreinte de chaque événement est le SHA-256 de l’événement (JSON "
        "canonique) et de l’empreinte précédente, en partant de 64 zéros ; ses 12 premiers "
        "chiffres sont indiqués.",
        "time": "Heure (UTC)",
        "event": "Événement",
        "by": "Par, adresse IP",
        "details": "Détails",
        "digest": "Empreinte",
        "head": "Tête de chaîne (SHA-256)",
        "head_note": "L’empreinte du dernier événement couvre tous ceux qui le précèdent : "
        "une piste modifiée, réordonnée ou raccourcie après la génération de ce certificat "
        "ne se termine plus par cette valeur.",
        "page": "Page {page} sur {total}",
        "footer_id": "Document {id}",
        "passed": "réussie à la {ordinal} tentative, {time}",
        "failed": "non réussie ({count} tentatives)",
        "failed_one": "non réussie (1 tentative)",
        "not_attempted": "non tentée",
        "colon": "\u00a0: ",
    },
}
_KINDS = {
    "en": {"signer": "Signer", "approver": "Approver", "viewer": "Viewer", "cc": "Copy"},
    "fr": {"signer": "Signataire", "approver": "Approbateur", "viewer": "Lecteur", "cc": "Copie"},
}
_CHANNELS = {
    "en": {
        "email": "Email",
        "sms": "Text message (SMS)",
        "portal": "Client portal",
        "staff": "Staff account",
    },
    "fr": {"email": "E-mail", "sms": "SMS", "portal": "Portail client", "staff": "Compte interne"},
}
_IDENTITY_METHODS = {
    "en": {"none": "None", "email_code": "Code sent by email", "sms_code": "Code sent by SMS"},
    "fr": {
        "none": "Aucune",
        "email_code": "Code envoyé par e-mail",
        "sms_code": "Code envoyé par SMS",
    },
}
_LANGUAGES = {"en": {"en": "English", "fr": "French"}, "fr": {"en": "anglais", "fr": "français"}}
_ACTIONS = {
    "en": {
        "created": "Created",
        "sent": "Sent",
        "reminded": "Reminder sent",
        "link_opened": "Link opened",
        "code_sent": "Identity code sent",
        "identity_checked": "Identity checked",
        "identity_failed": "Identity check failed",
        "viewed": "Document viewed",
        "field_completed": "Field completed",
        "signed": "Signed",
        "approved": "Approved",
        "submitted": "Submitted",
        "declined": "Declined",
        "forwarded": "Forwarded",
        "downloaded": "Downloaded",
        "completed": "Completed",
        "last_call": "Last call sent",
        "expired": "Expired",
        "cancelled": "Cancelled",
        "feedback": "Question asked",
        "voided": "Voided",
        "reopened": "Reopened",
    },
    "fr": {
        "created": "Créé",
        "sent": "Envoyé",
        "reminded": "Relance envoyée",
        "link_opened": "Lien ouvert",
        "code_sent": "Code d’identité envoyé",
        "identity_checked": "Identité vérifiée",
        "identity_failed": "Échec de vérification",
        "viewed": "Document consulté",
        "field_completed": "Champ rempli",
        "signed": "Signé",
        "approved": "Approuvé",
        "submitted": "Soumis",
        "declined": "Refusé",
        "forwarded": "Transféré",
        "downloaded": "Téléchargé",
        "completed": "Terminé",
        "last_call": "Dernier rappel envoyé",
        "expired": "Expiré",
        "cancelled": "Annulé",
        "feedback": "Question posée",
        "voided": "Annulé",
        "reopened": "Rouvert",
    },
}
_DETAIL_KEYS = {
    "en": {"field": "Field", "to": "To", "reason": "Reason", "channel": "Channel"},
    "fr": {"field": "Champ", "to": "À", "reason": "Motif", "channel": "Canal"},
}
_MONTHS = {
    "en": (
        *("January", "February", "March", "April", "May", "June"),
        *("July", "August", "September", "October", "November", "December"),
    ),
    "fr": (
        *("janvier", "février", "mars", "avril", "mai", "juin"),
        *("juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    ),
}


def _number(number: int, locale: str) -> str:
    text = f"{number:,}"
    # French groups thousands with a narrow no-break space.
    return text.replace(",", "\u202f") if locale == "fr" else text


def _ordinal(number: int, locale: str) -> str:
    if locale == "fr":
        return "1re" if number == 1 else f"{_number(number, locale)}e"
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{_number(number, locale)}{suffix or 'th'}"


def _long_time(at: datetime, locale: str, zone: str = "UTC") -> str:
    """``1 March 2025, 14:22:05 UTC`` / ``1er mars 2025 à 14:22:05 UTC``; ``at`` is
    already in ``zone``."""
    month = _MONTHS[locale][at.month - 1]
    clock = at.strftime("%H:%M:%S")
    if locale == "fr":
        day = "1er" if at.day == 1 else str(at.day)
        return f"{day} {month} {at.year} à {clock} {zone}"
    return f"{at.day} {month} {at.year}, {clock} {zone}"


def _utc(at: datetime, locale: str) -> str:
    return _long_time(at.astimezone(UTC), locale)


def _short_time(at: datetime, locale: str) -> str:
    """A trail row's time, in UTC: ``2025-03-01 14:22:05`` / ``01/03/2025 14:22:05``."""
    return at.astimezone(UTC).strftime(
        "%d/%m/%Y %H:%M:%S" if locale == "fr" else "%Y-%m-%d %H:%M:%S"
    )


def _local_time(at: datetime, time_zone: str | None, locale: str) -> str | None:
    """The time in the person's own time zone with its offset, when it is one we know
    and not UTC itself."""
    zone = _zone(time_zone)
    if zone is None or time_zone is None or time_zone in ("UTC", "Etc/UTC"):
        return None
    local = at.astimezone(zone)
    offset = local.strftime("%z")
    words = _LABELS[locale]
    named = f"{time_zone} (UTC{offset[:3]}:{offset[3:]})"
    return words["local_time"] + words["colon"] + _long_time(local, locale, named)


@functools.lru_cache(maxsize=256)
def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _identity(recipient: CertificateRecipient, locale: str) -> str:
    words = _LABELS[locale]
    method = _IDENTITY_METHODS[locale].get(recipient.identity_method, recipient.identity_method)
    if recipient.identity_method == "none":
        return method
    if recipient.identity_verified_at is not None:
        ordinal = _ordinal(max(recipient.identity_attempts, 1), locale)
        result = words["passed"].format(
            ordinal=ordinal, time=_utc(recipient.identity_verified_at, locale)
        )
    elif recipient.identity_attempts == 1:
        result = words["failed_one"]
    elif recipient.identity_attempts > 1:
        result = words["failed"].format(count=_number(recipient.identity_attempts, locale))
    else:
        result = words["not_attempted"]
    return f"{method} — {result}"


# ---------------------------------------------------------------------------------------
# Fonts, faces, colours: made once per process.

_INK = colors.HexColor("#1d2939")
_MUTED = colors.HexColor("#667085")
_ACCENT = colors.HexColor("#1f3a5f")
_RULE = colors.HexColor("#d0d5dd")
_SHADE = colors.HexColor("#eef1f5")
_STRIPE = colors.HexColor("#f8f9fb")

_PAGE_WIDTH, _PAGE_HEIGHT = A4
_MARGIN = 18 * mm
_BOTTOM = 20 * mm
_WIDTH = _PAGE_WIDTH - 2 * _MARGIN
_LABEL_WIDTH = 34 * mm
# Signatures and initials are printed at this resolution at most.
_PICTURE_DPI = 150


@dataclass(frozen=True)
class _Face:
    """How a line of text is drawn; ``paragraph`` is the same as a Paragraph style, for
    text that needs one."""

    font: str
    size: float
    color: colors.Color
    leading: float
    ascent: float
    paragraph: ParagraphStyle


def _face(font: str, size: float, color: colors.Color, leading: float | None = None) -> _Face:
    leading = leading or round(size * 1.28, 2)
    style = ParagraphStyle(
        f"{font}-{size}",
        fontName=font,
        fontSize=size,
        leading=leading,
        textColor=color,
        splitLongWords=1,
    )
    return _Face(font, size, color, leading, pdfmetrics.getAscent(font, size), style)


@dataclass(frozen=True)
class _Faces:
    regular: str
    bold: str
    title: _Face
    subtitle: _Face
    intro: _Face
    heading: _Face
    text: _Face
    strong: _Face
    label: _Face
    cell: _Face
    cell_muted: _Face
    cell_bold: _Face
    caption: _Face
    note: _Face
    digest: _Face
    digest_small: _Face


@functools.cache
def _faces() -> _Faces:
    regular, bold = fonts()
    # One family, so that <b> in a paragraph finds the bold face.
    pdfmetrics.registerFontFamily(regular, normal=regular, bold=bold)
    return _Faces(
        regular=regular,
        bold=bold,
        title=_face(bold, 18, _ACCENT, 22),
        subtitle=_face(bold, 9.5, _INK),
        intro=_face(regular, 8.5, _MUTED, 11.5),
        heading=_face(bold, 11, _ACCENT, 14),
        text=_face(regular, 8, _INK),
        strong=_face(bold, 8, _INK),
        label=_face(regular, 7.5, _MUTED),
        cell=_face(regular, 7.5, _INK),
        cell_muted=_face(regular, 7, _MUTED),
        cell_bold=_face(bold, 7.5, _INK),
        caption=_face(regular, 6.5, _MUTED),
        note=_face(regular, 7, _MUTED, 9),
        # Digests in the text's own face: a monospace font would be a third font file
        # in every certificate (a tenth of its bytes, and of the time to write it).
        digest=_face(regular, 8.5, _INK, 11),
        digest_small=_face(regular, 7, _MUTED),
    )


# ---------------------------------------------------------------------------------------
# Text: what a face draws as is is wrapped here once; anything else goes to a Paragraph.

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Right-to-left letters need reordering, which drawing a string as is does not do.
_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")
# A value past this many characters is cut: a table row must fit on one page.
_MAX_TEXT = 1500

# A cell: lines each drawn with its face, or a Paragraph.
_Line: TypeAlias = tuple[_Face, str]
Cell: TypeAlias = "tuple[_Line, ...] | Paragraph"


def _clean(text: str) -> str:
    """A person's text as printed: composed (NFC), without control characters, cut at
    ``_MAX_TEXT`` characters."""
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


@functools.cache
def _charset(font: str) -> frozenset[int]:
    face = pdfmetrics.getFont(font).face
    glyphs = getattr(face, "charToGlyph", None)
    return frozenset(glyphs) if glyphs is not None else frozenset(range(32, 256))


def _drawable(text: str, font: str) -> bool:
    """Whether ``font`` draws ``text`` as is: every character in it, none right-to-left."""
    return not _RTL.search(text) and _charset(font).issuperset(map(ord, text))


def _markup(text: str) -> str:
    """``text`` as Paragraph markup: escaped, its line breaks kept."""
    return "<br/>".join(escape(line) for line in text.splitlines()) or ""


def _wrap(text: str, face: _Face, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width``: at spaces, and inside a word
    longer than a line."""
    lines: list[str] = []
    font, size = face.font, face.size
    measure = pdfmetrics.stringWidth
    space = measure(" ", font, size)
    for paragraph in text.split("\n"):
        if measure(paragraph, font, size) <= width:
            lines.append(paragraph)
            continue
        current, current_width = "", 0.0
        for word in paragraph.split(" "):
            word_width = measure(word, font, size)
            if current and current_width + space + word_width <= width:
                current, current_width = f"{current} {word}", current_width + space + word_width
                continue
            if current:
                lines.append(current)
            while word_width > width:
                cut, cut_width = 0, 0.0
                while cut < len(word) - 1:
                    advance = measure(word[cut], font, size)
                    if cut and cut_width + advance > width:
                        break
                    cut, cut_width = cut + 1, cut_width + advance
                lines.append(word[:cut])
                word = word[cut:]
                word_width = measure(word, font, size)
            current, current_width = word, word_width
        lines.append(current)
    return lines


def _cell(text: str, face: _Face, width: float) -> Cell:
    """A person's text (or Portico's words) as a cell ``width`` wide."""
    text = _clean(text)
    if _drawable(text, face.font):
        return tuple((face, line) for line in _wrap(text, face, width))
    style = face.paragraph
    if _CJK.search(text):
        style = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
    return Paragraph(_markup(text), style)


def _lines(*parts: tuple[str, _Face], width: float) -> Cell:
    """Several texts, each in its face, one under the other, as one cell."""
    cells = [_cell(text, face, width) for text, face in parts]
    if all(isinstance(cell, tuple) for cell in cells):
        return tuple(line for cell in cells for line in cell)
    markup = "<br/>".join(
        f"<font name={quoteattr(face.font)} size={face.size} "
        f"color={quoteattr(face.color.hexval())}>{_markup(_clean(text))}</font>"
        for text, face in parts
    )
    return Paragraph(markup, parts[0][1].paragraph)


def _cell_height(cell: Cell, width: float) -> float:
    if isinstance(cell, Paragraph):
        return float(cell.wrap(width, 10_000)[1])
    return sum(face.leading for face, _ in cell)


class _Writer:
    """Draws cells' lines as one block of text operators, written here through the
    dynamic-font protocol reportlab documents for TrueType fonts (``splitString``,
    ``getSubsetInternalName``): a reportlab text object costs twice as much per line,
    and lines are most of a certificate. The font and colour are set only when they
    change; Paragraph cells, and built-in fonts, are drawn by reportlab after it."""

    def __init__(self, canvas: _CertificateCanvas) -> None:
        self.canvas = canvas
        self.operators: list[str] = ["q BT"]
        self.font: tuple[str, int, float] | None = None
        self.color: colors.Color | None = None
        self.later: list[Callable[[], None]] = []

    def cell(self, cell: Cell, x: float, top: float, width: float) -> None:
        """``cell`` with its top-left corner at (``x``, ``top``)."""
        if isinstance(cell, Paragraph):
            height = cell.wrap(width, 10_000)[1]
            self.later.append(functools.partial(cell.drawOn, self.canvas, x, top - height))
            return
        baseline = top
        for index, (face, line) in enumerate(cell):
            baseline -= face.ascent if index == 0 else face.leading
            self.line(face, x, baseline, line)

    def line(self, face: _Face, x: float, baseline: float, text: str) -> None:
        font = pdfmetrics.getFont(face.font)
        if not isinstance(font, TTFont):
            self.later.append(functools.partial(self._built_in, face, x, baseline, text))
            return
        operators = self.operators
        if face.color is not self.color:
            self.color = face.color
            color = face.color
            operators.append(f"{color.red:.3f} {color.green:.3f} {color.blue:.3f} rg")
        operators.append(f"1 0 0 1 {x:.2f} {baseline:.2f} Tm")
        document = self.canvas._doc
        for subset, chunk in self.canvas.chunks(font, text):
            if (face.font, subset, face.size) != self.font:
                self.font = (face.font, subset, face.size)
                name = font.getSubsetInternalName(subset, document)
                operators.append(f"{name} {face.size:g} Tf")
            operators.append(f"({chunk}) Tj")

    def _built_in(self, face: _Face, x: float, baseline: float, text: str) -> None:
        self.canvas.setFont(face.font, face.size)
        self.canvas.setFillColor(face.color)
        self.canvas.drawString(x, baseline, text)

    def close(self) -> None:
        if len(self.operators) > 1:
            # In q … Q: the colour set here is not left to what the canvas draws next.
            self.operators.append("ET Q")
            self.canvas.addLiteral(" ".join(self.operators))
        for draw in self.later:
            draw()


# ---------------------------------------------------------------------------------------
# Flowables of our own.


class _Grid(Flowable):
    """A table of cells drawn in one pass: an optional header row (repeated on every page
    it flows onto, one cell spanning the width when it has one), rows that split between
    pages but never inside, light stripes or rules between rows."""

    def __init__(
        self,
        widths: Sequence[float],
        rows: Sequence[Sequence[Cell]],
        *,
        header: Sequence[Cell] = (),
        stripes: bool = False,
        padding: tuple[float, float] = (4, 2.5),
        heights: Sequence[float] | None = None,
        first: int = 0,
    ) -> None:
        super().__init__()
        self.widths = list(widths)
        self.rows = list(rows)
        self.header = list(header)
        self.stripes = stripes
        self.padding = padding
        # The rows' number in the whole table, for the stripes after a split.
        self.first = first
        inner = [width - 2 * padding[0] for width in self.widths]
        self.header_height = self._height(self.header, [sum(self.widths) - 2 * padding[0]])
        if len(self.header) > 1:
            self.header_height = self._height(self.header, inner)
        self.heights = (
            list(heights) if heights is not None else [self._height(row, inner) for row in rows]
        )
        self.width = sum(self.widths)

    def _height(self, row: Sequence[Cell], widths: Sequence[float]) -> float:
        if not row:
            return 0.0
        content = max(_cell_height(cell, width) for cell, width in zip(row, widths, strict=False))
        return content + 2 * self.padding[1]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.header_height + sum(self.heights)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        room = available_height - self.header_height
        count = 0
        while count < len(self.rows) and self.heights[count] <= room:
            room -= self.heights[count]
            count += 1
        if count == 0:
            return []
        if count == len(self.rows):
            return [self]
        return [self._part(0, count), self._part(count, len(self.rows))]

    def _part(self, start: int, end: int) -> _Grid:
        return _Grid(
            self.widths,
            self.rows[start:end],
            header=self.header,
            stripes=self.stripes,
            padding=self.padding,
            heights=self.heights[start:end],
            first=self.first + start,
        )

    def draw(self) -> None:
        canvas = self.canv
        pad_x, pad_y = self.padding
        top = self.header_height + sum(self.heights)
        tops = []
        y = top - self.header_height
        for height in self.heights:
            tops.append(y)
            y -= height
        canvas.saveState()
        shading = canvas.beginPath()
        if self.header:
            canvas.setFillColor(_SHADE)
            canvas.rect(0, top - self.header_height, self.width, self.header_height, 0, 1)
        if self.stripes:
            for index, (row_top, height) in enumerate(zip(tops, self.heights, strict=True)):
                if (self.first + index) % 2:
                    shading.rect(0, row_top - height, self.width, height)
            canvas.setFillColor(_STRIPE)
            canvas.drawPath(shading, stroke=0, fill=1)
        rules = canvas.beginPath()
        for row_top, height in zip(tops, self.heights, strict=True):
            if not self.stripes or row_top - height <= 0.01:
                rules.moveTo(0, row_top - height)
                rules.lineTo(self.width, row_top - height)
        if self.header:
            rules.moveTo(0, top - self.header_height)
            rules.lineTo(self.width, top - self.header_height)
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.4)
        canvas.drawPath(rules, stroke=1, fill=0)
        canvas.restoreState()
        writer = _Writer(canvas)
        if len(self.header) == 1:
            writer.cell(self.header[0], pad_x, top - pad_y, self.width - 2 * pad_x)
        else:
            self._draw_row(writer, self.header, top)
        for row, row_top in zip(self.rows, tops, strict=True):
            self._draw_row(writer, row, row_top)
        writer.close()

    def _draw_row(self, writer: _Writer, row: Sequence[Cell], top: float) -> None:
        pad_x, pad_y = self.padding
        x = 0.0
        for cell, width in zip(row, self.widths, strict=False):
            if cell:
                writer.cell(cell, x + pad_x, top - pad_y, width - 2 * pad_x)
            x += width


class _CellFlowable(Flowable):
    """A cell on its own (in the header, in a reportlab Table)."""

    def __init__(self, cell: Cell, width: float) -> None:
        super().__init__()
        self.cell, self.width = cell, width
        self.height = _cell_height(cell, width)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        writer = _Writer(self.canv)
        writer.cell(self.cell, 0, self.height, self.width)
        writer.close()


class _Caption(Flowable):
    """A short line of Portico's words, centred (under an image)."""

    def __init__(self, text: str, width: float) -> None:
        super().__init__()
        self.text, self.width = text, width
        self.face = _faces().caption

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.face.leading

    def draw(self) -> None:
        self.canv.setFont(self.face.font, self.face.size)
        self.canv.setFillColor(self.face.color)
        baseline = self.face.leading - self.face.ascent
        self.canv.drawCentredString(self.width / 2, baseline, self.text)


@functools.lru_cache(maxsize=64)
def qr_modules(value: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of ``value`` (error correction M, what survives a printed page), as
    rows of dark (True) and light modules, top row first."""
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(value)
    code.make()
    return tuple(tuple(bool(module) for module in row) for row in code.modules)


@functools.lru_cache(maxsize=64)
def _qr_path(value: str, quiet: int) -> tuple[int, str]:
    """The code's side in modules (with its quiet zone) and its dark modules as one PDF
    path, one rectangle per run of a row, in module units: made once per value."""
    modules = qr_modules(value)
    side = len(modules) + 2 * quiet
    operators = []
    for row_index, row in enumerate(modules):
        y = side - quiet - row_index - 1
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            operators.append(f"{start + quiet} {y} {column - start} 1 re")
    return side, " ".join(operators)


class VerificationQr(Flowable):
    """``value``'s QR code, ``size`` points square with a quiet zone of ``QUIET`` modules,
    filled as a single path (no seams between modules), with a link to ``value`` over it."""

    QUIET = 2

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        self.value = value
        self.size = size
        self.modules = qr_modules(value)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        side, path = _qr_path(self.value, self.QUIET)
        scale = self.size / side
        self.canv.addLiteral(f"q 0 g {scale:.5f} 0 0 {scale:.5f} 0 0 cm {path} f Q")
        self.canv.linkURL(self.value, (0, 0, self.size, self.size), relative=1)


class _Picture(Flowable):
    """An image (a signature, initials) fitted in ``width`` by ``height`` points, keeping
    its proportions. Decoded once, put on white (the page is white: no transparency mask
    to store) and brought down to ``_PICTURE_DPI``: what the page shows, for a fraction of
    the bytes to compress."""

    def __init__(self, image: Image.Image, width: float, height: float) -> None:
        super().__init__()
        # Converted only when it must be: the image is shared with the stamp.
        image = image if image.mode == "RGBA" else image.convert("RGBA")
        scale = min(width / max(image.width, 1), height / max(image.height, 1))
        self.width, self.height = image.width * scale, image.height * scale
        # Whole-pixel reduction only: cheap, where a resampling costs more than the
        # compression it saves.
        factor = int(image.width / max(1, self.width * _PICTURE_DPI / 72))
        if factor >= 2:
            image = image.reduce(factor)
        white = Image.new("RGB", image.size, (255, 255, 255))
        white.paste(image, mask=image.getchannel("A"))
        self.image = ImageReader(white)
        self.hAlign = "CENTER"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.image, 0, 0, self.width, self.height)


class _Heading(Flowable):
    """A section's title with a thin rule under it, kept with what follows."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title
        self.keepWithNext = True
        self.face = _faces().heading

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.face.leading + 6

    def getSpaceBefore(self) -> float:
        return 14

    def getSpaceAfter(self) -> float:
        return 4

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFont(self.face.font, self.face.size)
        canvas.setFillColor(self.face.color)
        canvas.drawString(0, 6 + self.face.leading - self.face.ascent, self.title)
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.6)
        canvas.line(0, 2, self.width, 2)


# ---------------------------------------------------------------------------------------
# Pages: the header and footer ("Page 2 of 3", the document id) once the page count is
# known.


class _CertificateCanvas(Canvas):
    """A canvas that remembers each line's text as its font's subsets encode it: a
    certificate repeats many lines (labels, events, names, addresses), and reportlab's
    ``splitString`` walks the text character by character in Python each time. The
    result is the same for the same text in the same document (its characters already
    have their codes), so it is kept for the canvas's document only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chunks: dict[tuple[str, str], list[tuple[int, str]]] = {}

    def chunks(self, font: TTFont, text: str) -> list[tuple[int, str]]:
        """``text`` as (subset, escaped PDF string) pairs of ``font``'s subsets."""
        key = (font.fontName, text)
        chunks = self._chunks.get(key)
        if chunks is None:
            split = font.splitString(text, self._doc)
            chunks = self._chunks[key] = [(subset, escapePDF(chunk)) for subset, chunk in split]
        return chunks


def _numbered_canvas(words: dict[str, str], document_id: str) -> Callable[..., Canvas]:
    class NumberedCanvas(_CertificateCanvas):
        """Keeps each page until the end, then draws its header and footer."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            regular = _faces().regular
            self.saveState()
            self.setStrokeColor(_RULE)
            self.setLineWidth(0.5)
            self.line(_MARGIN, _BOTTOM - 6 * mm, _PAGE_WIDTH - _MARGIN, _BOTTOM - 6 * mm)
            self.setFont(regular, 7)
            self.setFillColor(_MUTED)
            footer = _BOTTOM - 10 * mm
            self.drawString(_MARGIN, footer, words["footer_id"].format(id=document_id))
            page = words["page"].format(page=number, total=total)
            self.drawRightString(_PAGE_WIDTH - _MARGIN, footer, page)
            if number > 1:
                # Later pages say what they are: they follow the document's own pages.
                self.drawString(_MARGIN, _PAGE_HEIGHT - _MARGIN + 5 * mm, words["title"])
            self.restoreState()

    return NumberedCanvas


# ---------------------------------------------------------------------------------------
# The certificate.


def render_certificate(
    data: CertificateData, locale: Locale, *, pictures: Pictures | None = None
) -> bytes:
    """The certificate of completion as an A4 PDF in ``locale``'s language. ``pictures``
    decodes the signatures and initials (given, it is shared with the stamp's drawing).

    Refuses (ValueError) hashes that are not SHA-256 hex and a trail whose digests do not
    hold: a certificate never prints a broken chain."""
    if locale not in _LABELS:
        raise ValueError(f"unknown locale {locale!r}")
    _check(data)
    words = _LABELS[locale]
    story: list[Flowable] = [
        *_header(data, words),
        *_document_section(data, locale, words),
        *_recipients_section(data, locale, words, pictures or Pictures()),
        *_trail_section(data, locale, words),
    ]
    buffer = io.BytesIO()
    frame = Frame(
        _MARGIN,
        _BOTTOM,
        _WIDTH,
        _PAGE_HEIGHT - _MARGIN - _BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[PageTemplate("certificate", [frame])],
        title=f"{words['title']} — {data.document_name}",
        author=data.organisation_name,
        creator="Portico",
        lang=locale,
    )
    # Streams stored binary, not as ASCII85 text, which is a quarter larger and slow to
    # make (as for images, portico.pdf.images).
    ascii85, rl_config.useA85 = rl_config.useA85, 0
    try:
        document.build(story, canvasmaker=_numbered_canvas(words, data.document_id))
    finally:
        rl_config.useA85 = ascii85
    return buffer.getvalue()


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _check(data: CertificateData) -> None:
    for name in ("original_sha256", "signed_sha256"):
        if not _SHA256.fullmatch(getattr(data, name)):
            raise ValueError(f"{name} is 64 lowercase hexadecimal digits")
    if data.generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    broken = first_broken(data.trail, data.digests)
    if broken is not None:
        raise ValueError(f"the audit trail's chain is broken at entry {broken}")


def _header(data: CertificateData, words: dict[str, str]) -> list[Flowable]:
    faces = _faces()
    qr_size = 27 * mm
    text_width = _WIDTH - qr_size - 10 * mm
    left = _CellFlowable(
        (
            *((faces.title, line) for line in _wrap(words["title"], faces.title, text_width)),
            *_as_lines(_cell(data.organisation_name, faces.subtitle, text_width)),
            (faces.intro, ""),
            *((faces.intro, line) for line in _wrap(words["intro"], faces.intro, text_width)),
        ),
        text_width,
    )
    caption = _Caption(words["scan"], qr_size)
    right = [VerificationQr(data.verification_url, qr_size), Spacer(1, 2), caption]
    table = Table([[left, right]], colWidths=[_WIDTH - qr_size, qr_size])
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    return [table]


def _as_lines(cell: Cell) -> tuple[_Line, ...]:
    """A cell's lines; a Paragraph's text drawn with the face's font (the header has no
    room for a Paragraph, and the organisation's name is almost always plain)."""
    if isinstance(cell, Paragraph):
        face = _faces().subtitle
        return ((face, cell.getPlainText()),)
    return cell


def _key_values(rows: Sequence[tuple[str, Cell]], width: float) -> _Grid:
    """Label and value rows, the labels muted on the left."""
    faces = _faces()
    value_width = width - _LABEL_WIDTH
    return _Grid(
        [_LABEL_WIDTH, value_width],
        [[((faces.label, label),), value] for label, value in rows],
        padding=(0, 2.5),
    )


def _document_section(data: CertificateData, locale: str, words: dict[str, str]) -> list[Flowable]:
    faces = _faces()
    width = _WIDTH - _LABEL_WIDTH
    link = Paragraph(
        f"<a href={quoteattr(data.verification_url)} color='#175cd3'>"
        f"{escape(data.verification_url)}</a><br/>"
        f"<font size=7 color={quoteattr(_MUTED.hexval())}>"
        f"{escape(words['verification_note'])}</font>",
        faces.text.paragraph,
    )
    rows: list[tuple[str, Cell]] = [
        (words["document_name"], _cell(data.document_name, faces.strong, width)),
        (words["document_id"], _cell(data.document_id, faces.text, width)),
        (words["organisation"], _cell(data.organisation_name, faces.text, width)),
        (words["generated_at"], _cell(_utc(data.generated_at, locale), faces.text, width)),
        (words["verification"], link),
        (words["original_sha256"], _cell(data.original_sha256, faces.digest, width)),
        (
            words["signed_sha256"],
            _lines(
                (data.signed_sha256, faces.digest), (words["signed_note"], faces.note), width=width
            ),
        ),
    ]
    return [_Heading(words["document"]), _key_values(rows, _WIDTH)]


def _recipients_section(
    data: CertificateData, locale: str, words: dict[str, str], pictures: Pictures
) -> list[Flowable]:
    story: list[Flowable] = [_Heading(words["recipients"])]
    for number, recipient in enumerate(data.recipients, 1):
        story += _recipient(number, recipient, locale, words, pictures)
    return story


def _recipient(
    number: int,
    recipient: CertificateRecipient,
    locale: str,
    words: dict[str, str],
    pictures: Pictures,
) -> list[Flowable]:
    faces = _faces()
    picture_width = 46 * mm
    details_width = _WIDTH - picture_width - 4 * mm
    width = details_width - _LABEL_WIDTH
    kind = _KINDS[locale].get(recipient.kind, recipient.kind)

    def text(value: str | None) -> Cell:
        return _cell(value or "—", faces.cell, width)

    rows: list[tuple[str, Cell]] = [
        (words["email"], text(recipient.email)),
        (words["phone"], text(recipient.phone)),
        (words["channel"], text(_CHANNELS[locale].get(recipient.channel, recipient.channel))),
        (words["identity"], text(_identity(recipient, locale))),
        (words["ip"], text(recipient.ip)),
        (words["user_agent"], text(recipient.user_agent)),
        (words["time_zone"], text(recipient.time_zone)),
        (words["language"], text(_LANGUAGES[locale].get(recipient.locale, recipient.locale))),
    ]
    if recipient.completed_at is not None:
        local = _local_time(recipient.completed_at, recipient.time_zone, locale)
        parts = [(_utc(recipient.completed_at, locale), faces.cell)]
        if local:
            parts.append((local, faces.cell_muted))
        rows.append((words[f"completed_{recipient.kind}"], _lines(*parts, width=width)))
    marks: list[Flowable] = []
    if recipient.signature_png:
        marks += [
            _Picture(pictures.decoded(recipient.signature_png), 40 * mm, 16 * mm),
            Spacer(1, 2),
            _Caption(words["signature"], picture_width),
        ]
    if recipient.initials_png:
        marks += [
            Spacer(1, 6),
            _Picture(pictures.decoded(recipient.initials_png), 18 * mm, 10 * mm),
            Spacer(1, 2),
            _Caption(words["initials"], picture_width),
        ]
    title = _lines(
        (f"{number}. {recipient.name}", faces.subtitle),
        width=_WIDTH,
    )
    role = f"{kind} · {recipient.role}"
    card = Table(
        [
            [_CellFlowable(title, _WIDTH), ""],
            [_CellFlowable(_cell(role, faces.label, _WIDTH), _WIDTH), ""],
            [_key_values(rows, details_width), marks],
        ],
        colWidths=[details_width, _WIDTH - details_width],
    )
    card.setStyle(
        [
            ("SPAN", (0, 0), (1, 0)),
            ("SPAN", (0, 1), (1, 1)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("VALIGN", (1, 2), (1, 2), "MIDDLE"),
            ("ALIGN", (1, 2), (1, 2), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 1), (-1, 1), 3),
            # A recipient's name never ends a page without what it introduces.
            ("NOSPLIT", (0, 0), (-1, -1)),
        ]
    )
    story: list[Flowable] = [Spacer(1, 8), card]
    if recipient.values:
        story += [Spacer(1, 6), _values(recipient.values, words)]
    return story


def _values(values: Sequence[tuple[str, str]], words: dict[str, str]) -> _Grid:
    faces = _faces()
    widths = [50 * mm, _WIDTH - 50 * mm]
    pad = 4
    rows = [
        [
            _cell(label, faces.cell_muted, widths[0] - 2 * pad),
            _cell(value, faces.cell, widths[1] - 2 * pad),
        ]
        for label, value in values
    ]
    header = [((faces.cell_bold, words["values"]),)]
    return _Grid(widths, rows, header=header, padding=(pad, 2.2))


def _trail_section(data: CertificateData, locale: str, words: dict[str, str]) -> list[Flowable]:
    faces = _faces()
    actions = _ACTIONS[locale]
    keys = _DETAIL_KEYS[locale]
    pad = 4
    widths = [32 * mm, 31 * mm, 50 * mm, 0.0, 22 * mm]
    widths[3] = _WIDTH - sum(widths)
    inner = [width - 2 * pad for width in widths]
    header: list[Cell] = [
        ((faces.cell_bold, words[key]),) for key in ("time", "event", "by", "details", "digest")
    ]
    rows: list[list[Cell]] = []
    for entry, digest in zip(data.trail, data.digests, strict=True):
        who: list[tuple[str, _Face]] = []
        if entry.actor:
            who.append((entry.actor, faces.cell))
        if entry.ip:
            who.append((entry.ip, faces.cell_muted))
        details = "\n".join(
            keys.get(key, key) + words["colon"] + value for key, value in entry.details.items()
        )
        action = actions.get(entry.action, entry.action.replace("_", " "))
        rows.append(
            [
                _cell(_short_time(entry.at, locale), faces.cell, inner[0]),
                _cell(action, faces.cell, inner[1]),
                _lines(*who, width=inner[2]) if who else ((faces.cell_muted, "—"),),
                _cell(details, faces.cell, inner[3]) if details else (),
                ((faces.digest_small, digest[:12]),),
            ]
        )
    intro = _CellFlowable(
        tuple((faces.note, line) for line in _wrap(words["trail_intro"], faces.note, _WIDTH)),
        _WIDTH,
    )
    closing = _lines(
        (words["head"], faces.strong),
        (head(data.digests), faces.digest),
        (words["head_note"], faces.note),
        width=_WIDTH - 2 * pad,
    )
    return [
        _Heading(words["trail"]),
        intro,
        Spacer(1, 6),
        _Grid(widths, rows, header=header, stripes=True, padding=(pad, 2.5)),
        Spacer(1, 8),
        # The head in a shaded box of its own, never split from its sentence.
        _Grid([_WIDTH], [], header=[closing], padding=(pad, 5)),
    ]
