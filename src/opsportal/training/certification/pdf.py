"""Certificate PDF: a CertificateDocument in, PDF bytes out, in the holder's language.

Set with fpdf2, whose text shaping (HarfBuzz, through uharfbuzz) joins Arabic
letters, orders right-to-left runs by the Unicode bidi algorithm and applies
each script's ligatures and marks; a glyph the main font (Noto Sans: Latin,
Greek, Cyrillic) lacks is taken from the next family that has it (Noto Sans
Arabic, Hebrew, CJK: `opsportal.kit.fonts`). Only the families the page's text
needs are loaded, and each is embedded as a subset of the glyphs drawn, so the
PDF stays small and any name renders as real, extractable text.

The labels are translated (`_()`) in the document's locale, with its dates; a
right-to-left language mirrors the details and the QR code. The QR code is drawn
as vector modules from the `qrcode` library's matrix and the same area links to
the verification URL.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime

import qrcode
from fontTools.ttLib import TTFont
from fpdf import FPDF

from opsportal.i18n import (
    DEFAULT_LOCALE,
    _,
    format_day,
    language_tag,
    text_direction,
    using_locale,
)
from opsportal.kit.fonts import Face, cjk_region, other_scripts, script_faces

logger = logging.getLogger(__name__)

Colour = tuple[int, int, int]
INK: Colour = (0x1F, 0x29, 0x33)
MUTED: Colour = (0x52, 0x60, 0x6D)
ACCENT: Colour = (0x1D, 0x4E, 0xD8)
REVOKED_RED: Colour = (0xB9, 0x1C, 0x1C)
WATERMARK: Colour = (0xFC, 0xA5, 0xA5)
WHITE: Colour = (0xFF, 0xFF, 0xFF)

# A4 landscape, in points.
WIDTH, HEIGHT = 841.89, 595.28
MARGIN = 70.0


@dataclass(frozen=True)
class CertificateDocument:
    recipient_name: str
    track_name: str
    track_version: str
    certificate_number: str
    issued_at: datetime
    expires_at: datetime
    verification_url: str
    # The Open Badges credential download and LinkedIn's pre-filled form, as links.
    credential_url: str | None = None
    linkedin_url: str | None = None
    # Set for a revoked certificate: the page then says so across its top and its face.
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    # The holder's language: the labels, dates and the page's direction follow it.
    locale: str = DEFAULT_LOCALE


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code modules for `data`, with the standard four-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def revocation_line(document: CertificateDocument) -> str | None:
    """ "REVOKED on 2026-05-04: reason", or None for a certificate that was not revoked."""
    if document.revoked_at is None:
        return None
    reason = " ".join((document.revoked_reason or "").split())
    day = format_day(document.revoked_at)
    if not reason:
        return _("REVOKED on %(day)s", day=day)
    return _("REVOKED on %(day)s: %(reason)s", day=day, reason=reason)


@functools.cache
def _code_points(face: Face) -> frozenset[int]:
    """The characters a family has glyphs for (read once per process)."""
    with TTFont(str(face.regular), fontNumber=face.index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _faces_for(text: str, region: str) -> tuple[Face, list[Face]]:
    """The main family and those fallbacks that supply a character of `text` it lacks.

    Only those are loaded and embedded: each family costs time to read and bytes to
    embed, and a Latin name needs none.
    """
    faces = script_faces(region)
    missing = {ord(ch) for ch in text if ch.isprintable() and not ch.isspace()}
    missing -= _code_points(faces.main)
    needed = []
    for face in (*faces.fallbacks, *other_scripts()):
        if not missing:
            break
        if found := missing & _code_points(face):
            needed.append(face)
            missing -= found
    if missing:
        # fpdf2 leaves out a character no font has: say which, so the fonts can be installed.
        logger.warning(
            "certificate text has %d characters no installed font has (%s): they are left out",
            len(missing),
            " ".join(f"U+{point:04X}" for point in sorted(missing)[:10]),
        )
    return faces.main, needed


class _Page:
    """The fpdf2 page and the few ways this certificate sets text on it."""

    def __init__(self, document: CertificateDocument, *, regular: str, bold: str) -> None:
        """`regular` and `bold`: all the page's text in each weight, to pick its fonts by."""
        region = cjk_region(document.locale, document.recipient_name + document.track_name)
        pdf = FPDF(orientation="L", unit="pt", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        # Each weight loads the fallbacks its own text needs: a Chinese name (bold) on an
        # English page never reads the regular CJK font, the costliest one to load.
        fallbacks: dict[str, Face] = {}
        for style, text, path in (("", regular, "regular"), ("B", bold, "bold")):
            main, needed = _faces_for(text, region)
            for face in (main, *needed):
                pdf.add_font(
                    face.family, style, getattr(face, path), collection_font_number=face.index
                )
            fallbacks.update((face.family, face) for face in needed)
        pdf.set_fallback_fonts(list(fallbacks))
        pdf.set_text_shaping(True)
        self.pdf, self.family = pdf, main.family
        self.rtl = text_direction(document.locale) == "rtl"

    def font(self, size: float, *, bold: bool = False, colour: Colour = INK) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*colour)

    def fitted(self, text: str, size: float, width: float, *, minimum: float = 10) -> float:
        """Shrink the current font until the line fits the width (long names stay on the page)."""
        while size > minimum and self.pdf.get_string_width(text) > width:
            size -= 1
            self.pdf.set_font_size(size)
        return size

    def line(
        self, text: str, baseline: float, *, left: float, width: float, align: str = "C"
    ) -> None:
        """One line of text in a box `width` wide from `left`, its baseline at `baseline`."""
        size = self.pdf.font_size_pt
        self.pdf.set_xy(left, baseline - 0.8 * size)
        self.pdf.cell(width, size, text, align=align)

    def centred(self, text: str, size: float, baseline: float, **font: bool | Colour) -> None:
        self.font(size, **font)  # type: ignore[arg-type]
        self.fitted(text, size, WIDTH - 2 * MARGIN - 50)
        self.line(text, baseline, left=MARGIN, width=WIDTH - 2 * MARGIN)

    def at(self, left: float, width: float) -> float:
        """`left` as laid out left to right, mirrored for a right-to-left language."""
        return WIDTH - left - width if self.rtl else left

    @property
    def start(self) -> str:
        return "R" if self.rtl else "L"


def _draw_frame(page: _Page) -> None:
    pdf = page.pdf
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(3)
    pdf.rect(24, 24, WIDTH - 48, HEIGHT - 48)
    pdf.set_line_width(0.8)
    pdf.rect(32, 32, WIDTH - 64, HEIGHT - 64)


def _draw_revoked(page: _Page, line: str) -> None:
    """A large diagonal REVOKED across the face, under the text, and a red banner at the top
    carrying the date and the reason (wrapped: a reason may be long)."""
    pdf = page.pdf
    page.font(120, bold=True, colour=WATERMARK)
    with pdf.rotation(24, WIDTH / 2, HEIGHT / 2):
        page.line(_("REVOKED"), HEIGHT / 2 + 40, left=0, width=WIDTH)
    page.font(11, bold=True, colour=WHITE)
    wrapped = pdf.multi_cell(WIDTH - 140, 13, line, dry_run=True, output="LINES")
    assert isinstance(wrapped, list)
    lines: list[str] = wrapped
    # Two lines at most fit above the title; a longer reason ends in an ellipsis there.
    if len(lines) > 2:
        lines = [lines[0], lines[1][:-2].rstrip() + " …"]
    band = 10 + 13 * len(lines)
    top = 38.0
    pdf.set_fill_color(*REVOKED_RED)
    pdf.rect(40, top, WIDTH - 80, band, style="F")
    for index, text in enumerate(lines):
        page.line(text, top + 15 + 13 * index, left=70, width=WIDTH - 140)


def _draw_qr(page: _Page, data: str, x: float, y: float, size: float) -> None:
    pdf = page.pdf
    matrix = qr_matrix(data)
    module = size / len(matrix)
    pdf.set_fill_color(*WHITE)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + row_index * module
        column = 0
        # One rectangle per horizontal run of dark modules keeps the PDF small.
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            pdf.rect(x + start * module, top, (column - start) * module, module, style="F")
    pdf.link(x, y, size, size, data)


def _draw_details(page: _Page, document: CertificateDocument, labels: dict[str, str]) -> None:
    """Number, dates and share links at the bottom; the QR code and the URL opposite."""
    pdf = page.pdf
    rows = [
        (labels["number"], document.certificate_number),
        (labels["issued"], format_day(document.issued_at)),
        (labels["until"], format_day(document.expires_at)),
    ]
    baseline = 425.0
    for label, value in rows:
        page.font(11, colour=MUTED)
        # A language with longer words than English shrinks its label, never into the value.
        page.fitted(label, 11, 125, minimum=7)
        page.line(label, baseline, left=page.at(MARGIN, 125), width=125, align=page.start)
        page.font(13, bold=True)
        page.line(value, baseline, left=page.at(MARGIN + 130, 300), width=300, align=page.start)
        baseline += 24
    # Text links under the details; the QR code stays the one thing a phone scans.
    page.font(9, colour=ACCENT)
    baseline += 6
    for label, url in (
        (labels["credential"], document.credential_url),
        (labels["linkedin"], document.linkedin_url),
    ):
        if url:
            width = pdf.get_string_width(label)
            pdf.set_xy(page.at(MARGIN, width), baseline - 0.8 * 9)
            pdf.cell(width, 11, label, link=url)
            baseline += 14

    qr_size = 130.0
    qr_x, qr_y = page.at(WIDTH - MARGIN - qr_size, qr_size), HEIGHT - 70 - qr_size
    _draw_qr(page, document.verification_url, qr_x, qr_y, qr_size)
    # Under the QR code, flush with its outer edge.
    end, left = "L" if page.rtl else "R", page.at(WIDTH - MARGIN - 400, 400)
    page.font(8, colour=MUTED)
    page.line(labels["scan"], qr_y + qr_size + 12, left=left, width=400, align=end)
    page.fitted(document.verification_url, 8, 400, minimum=5)
    page.line(document.verification_url, qr_y + qr_size + 23, left=left, width=400, align=end)


def render_pdf(document: CertificateDocument) -> bytes:
    with using_locale(document.locale):
        return _render(document)


def _render(document: CertificateDocument) -> bytes:
    # TRANSLATORS: the certificate's title, printed in capitals where the script has them.
    title = _("CERTIFICATE OF COMPLETION")
    labels = {
        "certifies": _("This certifies that"),
        "completed": _("has completed the certification track"),
        "version": _("Version %(version)s", version=document.track_version),
        "number": _("Certificate number"),
        "issued": _("Issued"),
        "until": _("Valid until"),
        "credential": _("Download the Open Badges credential"),
        "linkedin": _("Add to LinkedIn profile"),
        "scan": _("Scan or visit to verify:"),
    }
    revoked = revocation_line(document)
    bold = [title, document.recipient_name, document.track_name, document.certificate_number]
    bold += [format_day(document.issued_at), format_day(document.expires_at)]
    bold += [_("REVOKED"), revoked or ""]
    page = _Page(
        document,
        regular=" ".join([*labels.values(), document.verification_url]),
        bold=" ".join(bold),
    )
    pdf = page.pdf
    number = document.certificate_number
    pdf.set_title(
        _("Certificate %(number)s (REVOKED)", number=number)
        if revoked is not None
        else _("Certificate %(number)s", number=number)
    )
    pdf.set_author("opsportal")
    pdf.set_subject(f"{document.track_name} {document.track_version}")
    pdf.set_creator("opsportal")
    pdf.set_lang(language_tag(document.locale))
    # The same certificate renders to the same bytes, whenever it is downloaded.
    pdf.set_creation_date(document.issued_at)
    pdf.add_page()

    _draw_frame(page)
    if revoked is not None:
        _draw_revoked(page, revoked)
    page.centred(title, 30, 110, bold=True, colour=ACCENT)
    page.centred(labels["certifies"], 14, 160, colour=MUTED)
    page.centred(document.recipient_name, 34, 215, bold=True)
    page.centred(labels["completed"], 14, 260, colour=MUTED)
    page.centred(document.track_name, 22, 300, bold=True)
    page.centred(labels["version"], 14, 325)
    _draw_details(page, document, labels)
    return bytes(pdf.output())
