"""The certificate's fonts: found where Debian installs them, a stated fallback without them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from opsportal.kit import fonts
from opsportal.training.certification.pdf import CertificateDocument, render_pdf


def forget_fonts() -> None:
    for cached in (fonts._find, fonts._warn_missing, fonts.other_scripts):
        cached.cache_clear()


@pytest.fixture
def no_noto(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A machine without fonts-noto-core and fonts-noto-cjk."""
    monkeypatch.setattr(fonts, "FONT_ROOTS", (tmp_path,))
    forget_fonts()
    yield
    forget_fonts()


def test_the_debian_packages_are_found() -> None:
    faces = fonts.script_faces("ja")
    assert faces.complete
    assert faces.main.regular.name == "NotoSans-Regular.ttf"
    assert [f.family for f in faces.fallbacks] == [
        "NotoSansArabic",
        "NotoSansHebrew",
        "NotoSansCJK-ja",
    ]
    assert faces.fallbacks[-1].regular.name == "NotoSansCJK-Regular.ttc"
    assert faces.fallbacks[-1].index == fonts.CJK_FACES["ja"]
    assert "NotoSansDevanagari" in {f.family for f in fonts.other_scripts()}


@pytest.mark.parametrize(
    ("locale", "text", "region"),
    [
        ("ja", "张伟", "ja"),  # the reader's language decides
        ("ko_KR", "", "ko"),
        ("zh_TW", "", "zh_Hant"),
        ("zh-Hant-HK", "", "zh_HK"),
        ("zh", "", "zh_Hans"),
        ("en", "山田たろう", "ja"),  # kana: Japanese
        ("de", "김민준", "ko"),  # hangul: Korean
        ("en", "张伟", "zh_Hans"),
    ],
)
def test_cjk_region(locale: str, text: str, region: str) -> None:
    assert fonts.cjk_region(locale, text) == region


def test_without_the_packages_dejavu_stands_in_and_the_log_says_what_to_install(
    no_noto: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="opsportal")
    faces = fonts.script_faces()
    assert not faces.complete
    assert faces.main.regular == fonts.FONT_DIR / "DejaVuSans.ttf"
    assert faces.fallbacks == ()

    document = CertificateDocument(
        recipient_name="Zoë Łukasz-Ångström 张伟",
        track_name="Speak Up",
        track_version="1.0",
        certificate_number="CERT-2026-00001",
        issued_at=datetime(2026, 11, 27, tzinfo=UTC),
        expires_at=datetime(2028, 11, 26, tzinfo=UTC),
        verification_url="http://testserver/verify/x",
    )
    text = PdfReader(io.BytesIO(render_pdf(document))).pages[0].extract_text()
    # The certificate still comes out, the Latin name whole; the CJK characters are missing.
    assert "Zoë Łukasz-Ångström" in text and "张" not in text
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "fonts-noto-core and fonts-noto-cjk" in messages
    assert "U+4F1F U+5F20" in messages  # 伟 and 张, named as left out
