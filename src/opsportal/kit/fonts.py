"""The fonts our PDFs embed.

Two sets:

- DejaVu Sans (bundled in fonts/, see fonts/LICENSE), registered with reportlab
  for the scorecard PDF: Latin, Greek and Cyrillic as real, extractable text.
- The Noto Sans families from Debian's packages, for the certificate PDF, which
  must print a holder's name in any script: Noto Sans (Latin, Greek, Cyrillic),
  Noto Sans Arabic and Noto Sans Hebrew (`fonts-noto-core`), and Noto Sans CJK
  (`fonts-noto-cjk`: one collection holding the Japanese, Korean, Simplified and
  Traditional Chinese forms of the same characters). `script_faces` finds them
  where Debian installs them; `other_scripts` offers the rest of the package's
  script families (Devanagari, Thai, Georgian, ...) for rarer names. Without
  the packages the certificate falls back to the bundled DejaVu Sans (no
  Chinese, Japanese or Korean), and says so once in the log.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

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


# --- the certificate's fonts: any script -----------------------------------------------

# Where Debian (and a hand install) puts fonts; searched in this order.
FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# The Debian packages that hold them: what docs/deployment.md and .ci/run install.
FONT_PACKAGES = ("fonts-noto-core", "fonts-noto-cjk")

# The face of each CJK region inside Noto Sans CJK's collection (NotoSansCJK-*.ttc).
CJK_FACES = {"ja": 0, "ko": 1, "zh_Hans": 2, "zh_Hant": 3, "zh_HK": 4}


@dataclass(frozen=True)
class Face:
    """One family as the PDF registers it: a regular and a bold font file."""

    family: str
    regular: Path
    bold: Path
    # The face's number inside a font collection (.ttc); 0 for a plain font file.
    index: int = 0


@dataclass(frozen=True)
class ScriptFaces:
    """The certificate's main family and, in order, those that supply glyphs it lacks."""

    main: Face
    fallbacks: tuple[Face, ...]
    # False: the Noto fonts are missing and DejaVu Sans stands in (no CJK).
    complete: bool


@functools.cache
def _find(name: str) -> Path | None:
    """A font file by name under FONT_ROOTS: Debian's own folders first, then anywhere."""
    for root in FONT_ROOTS:
        for folder in ("truetype/noto", "opentype/noto"):
            candidate = root / folder / name
            if candidate.is_file():
                return candidate
    for root in FONT_ROOTS:
        if root.is_dir():
            found = next(iter(sorted(root.rglob(name))), None)
            if found is not None:
                return found
    return None


def _face(family: str, regular: str, bold: str, index: int = 0) -> Face | None:
    paths = _find(regular), _find(bold)
    if paths[0] is None or paths[1] is None:
        return None
    return Face(family, paths[0], paths[1], index)


def cjk_region(locale: str, text: str = "") -> str:
    """Which regional forms of the CJK characters to print (a key of CJK_FACES).

    The reader's locale decides (ja, ko, zh_TW...); else the text itself: kana
    is Japanese, hangul Korean; else Simplified Chinese.
    """
    parts = locale.replace("-", "_").split("_")
    language = parts[0].lower()
    if language in ("ja", "ko"):
        return language
    if language == "zh":
        rest = {part.upper() for part in parts[1:]}
        if "HK" in rest or "MO" in rest:
            return "zh_HK"
        return "zh_Hant" if rest & {"TW", "HANT"} else "zh_Hans"
    if any("\u3040" <= ch <= "\u30ff" for ch in text):
        return "ja"
    if any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" for ch in text):
        return "ko"
    return "zh_Hans"


def script_faces(region: str = "zh_Hans") -> ScriptFaces:
    """The Noto families for the certificate (CJK in `region`'s forms), or DejaVu Sans."""
    main = _face("NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
    found = [
        _face("NotoSansArabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
        _face("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
        _face(
            f"NotoSansCJK-{region}",
            "NotoSansCJK-Regular.ttc",
            "NotoSansCJK-Bold.ttc",
            CJK_FACES[region],
        ),
    ]
    fallbacks = tuple(face for face in found if face is not None)
    if main is not None and len(fallbacks) == len(found):
        return ScriptFaces(main, fallbacks, complete=True)
    _warn_missing()
    dejavu = Face("DejaVuSans", FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf")
    return ScriptFaces(main or dejavu, fallbacks, complete=False)


# Noto families in fonts-noto-core that are not for names: display cuts, symbols, numerals.
_NOT_FOR_NAMES = ("Display", "Mono", "Math", "Symbols", "Numerals", "Siyaq", "Unjoined", "UI")


@functools.cache
def other_scripts() -> tuple[Face, ...]:
    """Every other Noto Sans script family installed (Devanagari, Thai, Georgian, ...).

    Tried, in name order, for characters none of `script_faces` has; a family
    without a bold cut prints bold text in its regular one.
    """
    main = _find("NotoSans-Regular.ttf")
    if main is None:
        return ()
    taken = {"NotoSans", "NotoSansArabic", "NotoSansHebrew"}
    faces = []
    for regular in sorted(main.parent.glob("NotoSans*-Regular.ttf")):
        family = regular.name.removesuffix("-Regular.ttf")
        if family in taken or any(word in family for word in _NOT_FOR_NAMES):
            continue
        bold = regular.with_name(f"{family}-Bold.ttf")
        faces.append(Face(family, regular, bold if bold.is_file() else regular))
    return tuple(faces)


@functools.cache
def _warn_missing() -> None:
    logger.warning(
        "certificate fonts missing: install the Debian packages %s (Noto Sans, Arabic, Hebrew "
        "and CJK); until then certificates use DejaVu Sans and print Chinese, Japanese and "
        "Korean names as empty boxes",
        " and ".join(FONT_PACKAGES),
    )
