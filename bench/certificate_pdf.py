"""Certificate PDFs: bytes and render time per holder's script, in-process.

Renders the same certificate (English labels, the test suite's document) for a
holder named in each script the certificate must print, and prints each PDF's
size in bytes and the median render time of `--runs` renders. The fonts load
once per process, before the first timed render.

    uv run python bench/certificate_pdf.py
    uv run python bench/certificate_pdf.py --runs 20 --locale de
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

NAMES = {
    "Latin": "Zoë Ångström-Łukasiewicz",
    "Greek": "Αλέξανδρος Παπαδόπουλος",
    "Cyrillic": "Дмитрий Иванов",
    "Arabic": "محمد أحمد",
    "Hebrew": "דוד כהן",
    "Chinese": "张伟",
    "Japanese": "山田太郎",
    "Korean": "김민준",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="renders per name (median)")
    parser.add_argument("--locale", default="en", help="the labels' language")
    args = parser.parse_args()

    from opsportal.training.certification.pdf import CertificateDocument, render_pdf

    def document(name: str) -> CertificateDocument:
        return CertificateDocument(
            recipient_name=name,
            track_name="Speak-up Culture Foundations",
            track_version="2.1",
            certificate_number="CERT-2026-00042",
            issued_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
            expires_at=datetime(2028, 11, 26, 9, 30, tzinfo=UTC),
            verification_url="http://testserver/verify/AbC-123_xyz",
            locale=args.locale,
        )

    render_pdf(document("Ada Lovelace"))  # fonts load once per process
    print(f"{'script':<10} {'bytes':>8} {'ms (median)':>12}")
    for script, name in {"English": "Ada Lovelace", **NAMES}.items():
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            content = render_pdf(document(name))
            timings.append((time.perf_counter() - started) * 1000)
        print(f"{script:<10} {len(content):>8} {statistics.median(timings):>12.1f}")


if __name__ == "__main__":
    main()
