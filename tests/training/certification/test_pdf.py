"""The certificate PDF, read back by machine: text with pypdf, the QR code with zxing."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdfium2
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from opsportal.training.certification.pdf import CertificateDocument, render_pdf
from tests.factories import bearer, create_track_with_quizzes, create_user
from tests.training.certification.test_certificates import issue, pass_all

NAMES = ["Zoë Łukasz-Ångström", "Nguyễn Thị Hương", "Ada Lovelace"]


def document(name: str, url: str = "http://testserver/verify/AbC-123_xyz") -> CertificateDocument:
    return CertificateDocument(
        recipient_name=name,
        track_name="Speak-up Culture Foundations",
        track_version="2.1",
        certificate_number="CERT-2026-00042",
        issued_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
        expires_at=datetime(2028, 11, 26, 9, 30, tzinfo=UTC),
        verification_url=url,
    )


def page_text(content: bytes) -> str:
    return PdfReader(io.BytesIO(content)).pages[0].extract_text()


def decoded_qr_codes(content: bytes) -> list[str]:
    """Rasterise the first page and scan it, as a phone camera would."""
    pdf = pypdfium2.PdfDocument(content)
    try:
        bitmap = pdf[0].render(scale=2).to_numpy()
    finally:
        pdf.close()
    return [found.text for found in zxingcpp.read_barcodes(bitmap)]


def link_uris(content: bytes) -> list[str]:
    page = PdfReader(io.BytesIO(content)).pages[0]
    uris = []
    for annotation in page.get("/Annots") or []:
        action = annotation.get_object().get("/A")
        if action is not None and "/URI" in action:
            uris.append(str(action["/URI"]))
    return uris


class TestRender:
    @pytest.mark.parametrize("name", NAMES)
    def test_text_is_extractable_in_any_script(self, name: str) -> None:
        text = page_text(render_pdf(document(name)))
        assert name in text
        for expected in (
            "Speak-up Culture Foundations",
            "2.1",
            "CERT-2026-00042",
            "2026-11-27",
            "2028-11-26",
        ):
            assert expected in text

    def test_landscape(self) -> None:
        box = PdfReader(io.BytesIO(render_pdf(document("Kim")))).pages[0].mediabox
        assert float(box.width) > float(box.height)

    def test_font_is_embedded(self) -> None:
        reader = PdfReader(io.BytesIO(render_pdf(document("Zoë"))))
        fonts = reader.pages[0]["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert descriptor is not None
            assert "/FontFile2" in descriptor.get_object()

    def test_qr_code_decodes_to_verification_url(self) -> None:
        url = "http://testserver/verify/Zm9vYmFyLWJhei1xdXV4LTEyMzQ1Njc4OTA"
        content = render_pdf(document("Nguyễn Thị Hương", url))
        assert decoded_qr_codes(content) == [url]
        assert link_uris(content) == [url]

    def test_long_name_still_fits(self) -> None:
        name = "Maximiliane Aurelia Konstanze von Hohenzollern-Sigmaringen-Württemberg " * 2
        assert name.strip() in page_text(render_pdf(document(name.strip()))).replace("\n", " ")


class TestDownload:
    def test_pdf_endpoint(self, client: TestClient, session: Session) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=1, version="1.5")
        _, token = create_user(session, name="Zoë Łukasz-Ångström")
        pass_all(client, [quizzes[0].id], token)
        certificate = issue(client, track.id, token).json()
        response = client.get(
            f"/api/v1/training/certificates/{certificate['id']}/pdf", headers=bearer(token)
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert certificate["certificateNumber"] in response.headers["content-disposition"]
        text = page_text(response.content)
        assert "Zoë Łukasz-Ångström" in text
        assert certificate["certificateNumber"] in text
        assert track.name in text and "1.5" in text
        assert certificate["issuedAt"][:10] in text and certificate["expiresAt"][:10] in text
        expected_url = f"http://testserver/verify/{certificate['verificationCode']}"
        assert decoded_qr_codes(response.content) == [expected_url]

    def test_unknown_certificate_pdf_is_404(self, client: TestClient, session: Session) -> None:
        _, token = create_user(session)
        response = client.get("/api/v1/training/certificates/4242/pdf", headers=bearer(token))
        assert response.status_code == 404
