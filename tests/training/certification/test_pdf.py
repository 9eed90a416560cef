"""The certificate PDF, read back by machine: text with pypdf (and pdfium), the QR code with
zxing, the glyphs drawn with fontTools; names in every script, labels in the holder's language."""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime

import pypdfium2
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from opsportal.training.certification.pdf import CertificateDocument, render_pdf
from tests.catalogues import install_catalogue
from tests.factories import bearer, create_track_with_quizzes, create_user
from tests.training.certification.pdf_glyphs import drawn_glyphs
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

    @pytest.mark.parametrize("name", ["Zoë", "张伟"])
    def test_every_font_is_embedded(self, name: str) -> None:
        reader = PdfReader(io.BytesIO(render_pdf(document(name))))
        fonts = reader.pages[0]["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert descriptor is not None
            # TrueType outlines (Noto Sans) or CFF ones (Noto Sans CJK): in the file either way.
            assert {"/FontFile2", "/FontFile3"} & set(descriptor.get_object())

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


# A holder's name in each script the certificate must print, and the script's name.
SCRIPTS = {
    "Latin": "Zoë Ångström-Łukasiewicz",
    "Greek": "Αλέξανδρος Παπαδόπουλος",
    "Cyrillic": "Дмитрий Иванов",
    "Arabic": "محمد أحمد",
    "Hebrew": "דוד כהן",
    "Chinese": "张伟",
    "Japanese": "山田太郎",
    "Korean": "김민준",
}
RIGHT_TO_LEFT = {"Arabic", "Hebrew"}


def pypdf_reading(text: str) -> str:
    """pypdf's text, normalised as this test compares it with a name.

    NFKC folds any Arabic presentation form (a letter's joined shape, U+FB50-U+FEFF)
    back to its letter; the shaped glyphs' ToUnicode maps already name the letters,
    so this only guards the comparison. pypdf puts a NUL before each character of
    a font whose codes it reads one byte at a time (the CJK font, which carries
    its own code-to-CID map): control characters are dropped.
    """
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch.isprintable() or ch in " \n")


def as_pypdf_reads(name: str, script: str) -> str:
    """The name as pypdf writes a right-to-left line: its words left to right as printed
    (visual order), each word's letters in reading order; other scripts as they are."""
    return " ".join(reversed(name.split())) if script in RIGHT_TO_LEFT else name


@functools.cache
def rendered(name: str) -> bytes:
    """The test document for `name`, rendered once for the module (a CJK one takes a while)."""
    return render_pdf(document(name))


def pdfium_text(content: bytes) -> str:
    pdf = pypdfium2.PdfDocument(content)
    try:
        return str(pdf[0].get_textpage().get_text_range())
    finally:
        pdf.close()


class TestScripts:
    """A holder's name prints in any script: shaped, in reading order, every glyph real."""

    @pytest.mark.parametrize("script", SCRIPTS)
    def test_the_name_reads_back(self, script: str) -> None:
        name = SCRIPTS[script]
        content = rendered(name)
        # pdfium applies the bidi algorithm to what it extracts: the name in reading order.
        assert name in pdfium_text(content)
        # pypdf does not (see as_pypdf_reads): the same words, as they stand on the page.
        lines = pypdf_reading(page_text(content)).splitlines()
        assert as_pypdf_reads(name, script) in lines

    @pytest.mark.parametrize("script", SCRIPTS)
    def test_every_character_is_drawn_from_an_embedded_font(self, script: str) -> None:
        name = SCRIPTS[script]
        glyphs = drawn_glyphs(rendered(name))
        # Nothing on the page is a missing glyph: no .notdef box, no code without a glyph.
        assert not [g for g in glyphs if g.notdef or g.glyph_id is None]
        assert all(g.has_outline for g in glyphs if g.text.strip())
        # Each character of the name stands for a glyph drawn with an outline.
        drawn = "".join(g.text for g in glyphs if g.has_outline)
        assert set(name.replace(" ", "")) <= set(drawn)

    def test_arabic_letters_are_joined(self) -> None:
        """Shaped: م begins محمد and stands inside it, so it is drawn in two joining forms,
        two different glyphs; a renderer without shaping draws the one isolated form twice."""
        name = "محمد"
        glyphs = [g for g in drawn_glyphs(rendered(name)) if g.text == "م"]
        assert len(glyphs) == 2
        assert glyphs[0].glyph_id != glyphs[1].glyph_id

    def test_right_to_left_names_are_printed_right_to_left(self) -> None:
        """The first letter of the name stands right of its last one on the page."""
        name = "דוד כהן"
        pdf = pypdfium2.PdfDocument(rendered(name))
        try:
            page = pdf[0].get_textpage()
            text = page.get_text_range()
            start = text.index(name)
            first_letter = page.get_charbox(start)
            last_letter = page.get_charbox(start + len(name) - 1)
        finally:
            pdf.close()
        assert first_letter[0] > last_letter[0]

    def test_only_the_fonts_the_page_needs_are_embedded_as_subsets(self) -> None:
        from fontTools.ttLib import TTFont

        english = PdfReader(io.BytesIO(render_pdf(document("Ada Lovelace"))))
        fonts = [f.get_object() for f in english.pages[0]["/Resources"]["/Font"].values()]
        assert sorted(str(f["/BaseFont"]).split("+")[1] for f in fonts) == [
            "NotoSans",
            "NotoSansBold",
        ]
        for font in fonts:
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            # Noto Sans has thousands of glyphs; the page draws a few dozen.
            assert len(program.getGlyphOrder()) < 100

    @pytest.mark.parametrize("script", SCRIPTS)
    def test_the_pdf_stays_small(self, script: str) -> None:
        assert len(rendered(SCRIPTS[script])) < 40_000


class TestLanguage:
    def test_a_german_learners_certificate_is_in_german(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        install_catalogue(monkeypatch, "de")
        content = render_pdf(replace(document("Zoë Łukasz-Ångström"), locale="de"))
        text = " ".join(page_text(content).split())
        for german in (
            "ABSCHLUSSZERTIFIKAT",
            "Hiermit wird bestätigt, dass",
            "den Zertifizierungspfad abgeschlossen hat",
            "Zertifikatsnummer CERT-2026-00042",
            "Ausgestellt 27. November 2026",
            "Gültig bis 26. November 2028",
            "Zur Prüfung scannen oder aufrufen:",
        ):
            assert german in text
        assert "Valid until" not in text and "CERTIFICATE OF COMPLETION" not in text
        reader = PdfReader(io.BytesIO(content))
        assert reader.trailer["/Root"]["/Lang"] == "de"
        assert reader.metadata is not None and reader.metadata.title == "Zertifikat CERT-2026-00042"

    def test_english_is_as_it_was(self) -> None:
        content = render_pdf(document("Ada Lovelace"))
        text = " ".join(page_text(content).split())
        for english in (
            "CERTIFICATE OF COMPLETION",
            "This certifies that Ada Lovelace has completed the certification track",
            "Certificate number CERT-2026-00042",
            "Issued 2026-11-27",
            "Valid until 2028-11-26",
        ):
            assert english in text
        assert PdfReader(io.BytesIO(content)).trailer["/Root"]["/Lang"] == "en"

    def test_a_right_to_left_language_mirrors_the_page(self) -> None:
        def qr_link_left(content: bytes) -> float:
            page = PdfReader(io.BytesIO(content)).pages[0]
            [link] = [a.get_object() for a in page["/Annots"]]
            return float(link["/Rect"][0])

        url = "http://testserver/verify/AbC-123_xyz"
        arabic = render_pdf(replace(document("محمد أحمد", url), locale="ar"))
        english = render_pdf(document("محمد أحمد", url))
        # The QR code (the page's one link here) stands right in English, left in Arabic.
        assert qr_link_left(english) > 842 / 2 > qr_link_left(arabic)
        assert decoded_qr_codes(arabic) == [url]
        assert PdfReader(io.BytesIO(arabic)).trailer["/Root"]["/Lang"] == "ar"


class TestHolderLanguage:
    def test_the_pdf_speaks_its_holders_language_whoever_downloads_it(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        install_catalogue(monkeypatch, "de")
        track, quizzes = create_track_with_quizzes(session, courses=1, version="1.5")
        holder, token = create_user(session, name="Zoë Łukasz-Ångström")
        holder.locale = "de"
        session.commit()
        pass_all(client, [quizzes[0].id], token)
        certificate = issue(client, track.id, token).json()
        path = f"/api/v1/training/certificates/{certificate['id']}/pdf"
        for headers in (bearer(token), admin_headers):
            response = client.get(path, headers=headers)
            assert response.status_code == 200
            text = " ".join(page_text(response.content).split())
            assert "ABSCHLUSSZERTIFIKAT" in text and "Zoë Łukasz-Ångström" in text
            assert track.name in text
