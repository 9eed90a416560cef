"""The fonts every PDF embeds (DejaVu Sans, see fonts/LICENSE), registered once per process.

Embedded rather than a PDF base font, so any name (Zoë Łukasz-Ångström) renders
as real, extractable text.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR = "OpsportalSans"
BOLD = "OpsportalSans-Bold"

_lock = threading.Lock()
_ready = False


def register_fonts() -> None:
    """Register REGULAR and BOLD with reportlab (the first call does it; the rest return)."""
    global _ready
    with _lock:
        if _ready:
            return
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        _ready = True
