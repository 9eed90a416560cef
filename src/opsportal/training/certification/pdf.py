"""Certificate PDF: a CertificateDocument in, PDF bytes out.

Text is set in the kit's embedded fonts (`opsportal.kit.fonts`), so any
recipient name renders as real, extractable text. The QR
code is drawn as vector modules from the `qrcode` library's matrix and the
same area links to the verification URL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import qrcode
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from opsportal.kit.fonts import BOLD, REGULAR, register_fonts

INK = HexColor("#1f2933")
MUTED = HexColor("#52606d")
ACCENT = HexColor("#1d4ed8")
REVOKED_RED = HexColor("#b91c1c")
WATERMARK = HexColor("#fca5a5")


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


def _fitted_size(text: str, font: str, size: float, max_width: float, minimum: float = 10) -> float:
    """Shrink the font size until the line fits the width (long names stay on the page)."""
    while size > minimum and pdfmetrics.stringWidth(text, font, size) > max_width:
        size -= 1
    return size


def _centered(canvas: Canvas, text: str, font: str, size: float, y: float, width: float) -> None:
    size = _fitted_size(text, font, size, width - 120)
    canvas.setFont(font, size)
    canvas.drawCentredString(width / 2, y, text)


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code modules for `data`, with the standard four-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(data)
    module = size / len(matrix)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        column = 0
        # One rectangle per horizontal run of dark modules keeps the PDF small.
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            canvas.rect(
                x + start * module, top, (column - start) * module, module, stroke=0, fill=1
            )
    canvas.linkURL(data, (x, y, x + size, y + size), relative=0)


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _draw_share_links(
    canvas: Canvas, document: CertificateDocument, *, left: float, top: float
) -> None:
    """Text links under the details; the QR code stays the one thing a phone scans."""
    links = [
        (label, url)
        for label, url in (
            ("Download the Open Badges credential", document.credential_url),
            ("Add to LinkedIn profile", document.linkedin_url),
        )
        if url
    ]
    canvas.setFont(REGULAR, 9)
    canvas.setFillColor(ACCENT)
    y = top
    for label, url in links:
        canvas.drawString(left, y, label)
        label_width = pdfmetrics.stringWidth(label, REGULAR, 9)
        canvas.linkURL(url, (left, y - 2, left + label_width, y + 9), relative=0)
        y -= 14


def revocation_line(document: CertificateDocument) -> str | None:
    """ "REVOKED on 2026-05-04: reason", or None for a certificate that was not revoked."""
    if document.revoked_at is None:
        return None
    reason = " ".join((document.revoked_reason or "").split())
    return f"REVOKED on {_date(document.revoked_at)}" + (f": {reason}" if reason else "")


def _draw_revoked(canvas: Canvas, line: str, width: float, height: float) -> None:
    """A large diagonal REVOKED across the face, under the text, and a red banner at the top
    carrying the date and the reason (wrapped: a reason may be long)."""
    canvas.saveState()
    canvas.setFillColor(WATERMARK)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(24)
    canvas.setFont(BOLD, 120)
    canvas.drawCentredString(0, -40, "REVOKED")
    canvas.restoreState()

    # Two lines at most fit above the title; a longer reason ends in an ellipsis there.
    lines = simpleSplit(line, BOLD, 11, width - 140)
    if len(lines) > 2:
        lines = [lines[0], lines[1][:-2].rstrip() + " …"]
    band = 10 + 13 * len(lines)
    top = height - 38
    canvas.setFillColor(REVOKED_RED)
    canvas.rect(40, top - band, width - 80, band, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont(BOLD, 11)
    for index, text in enumerate(lines):
        canvas.drawCentredString(width / 2, top - 15 - 13 * index, text)


def render_pdf(document: CertificateDocument) -> bytes:
    register_fonts()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(width, height),
        invariant=True,
        pageCompression=1,
        # Otherwise the page starts in Helvetica, a font the PDF would not embed.
        initialFontName=REGULAR,
    )
    revoked_title = " (REVOKED)" if document.revoked_at is not None else ""
    canvas.setTitle(f"Certificate {document.certificate_number}{revoked_title}")
    canvas.setAuthor("opsportal")
    canvas.setSubject(f"{document.track_name} {document.track_version}")
    canvas.setCreator("opsportal")

    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(24, 24, width - 48, height - 48, stroke=1, fill=0)
    canvas.setLineWidth(0.8)
    canvas.rect(32, 32, width - 64, height - 64, stroke=1, fill=0)
    revoked = revocation_line(document)
    if revoked is not None:
        _draw_revoked(canvas, revoked, width, height)

    canvas.setFillColor(ACCENT)
    _centered(canvas, "CERTIFICATE OF COMPLETION", BOLD, 30, height - 110, width)
    canvas.setFillColor(MUTED)
    _centered(canvas, "This certifies that", REGULAR, 14, height - 160, width)
    canvas.setFillColor(INK)
    _centered(canvas, document.recipient_name, BOLD, 34, height - 215, width)
    canvas.setFillColor(MUTED)
    _centered(canvas, "has completed the certification track", REGULAR, 14, height - 260, width)
    canvas.setFillColor(INK)
    _centered(canvas, document.track_name, BOLD, 22, height - 300, width)
    _centered(canvas, f"Version {document.track_version}", REGULAR, 14, height - 325, width)

    left = 70
    rows = [
        ("Certificate number", document.certificate_number),
        ("Issued", _date(document.issued_at)),
        ("Valid until", _date(document.expires_at)),
    ]
    y = 170
    for label, value in rows:
        canvas.setFillColor(MUTED)
        canvas.setFont(REGULAR, 11)
        canvas.drawString(left, y, label)
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 13)
        canvas.drawString(left + 130, y, value)
        y -= 24

    _draw_share_links(canvas, document, left=left, top=y - 6)

    qr_size = 130.0
    qr_x, qr_y = width - 70 - qr_size, 70.0
    _draw_qr(canvas, document.verification_url, qr_x, qr_y, qr_size)
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 8)
    canvas.drawRightString(width - 70, qr_y - 12, "Scan or visit to verify:")
    url_size = _fitted_size(document.verification_url, REGULAR, 8, 400, minimum=5)
    canvas.setFont(REGULAR, url_size)
    canvas.drawRightString(width - 70, qr_y - 23, document.verification_url)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
