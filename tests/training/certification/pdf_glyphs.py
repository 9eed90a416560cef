"""What a PDF page really draws: each glyph shown, in which embedded font, standing for what text.

Read from the PDF alone, without the code that wrote it: the page's content
stream gives the font and the codes of each text-showing operator; each font's
ToUnicode map says what text a code stands for; its CIDToGIDMap (TrueType) or
CFF charset (CFF) says which glyph of the embedded font program it draws, and
fontTools reads that program to say whether the glyph is there, is not
`.notdef` and has an outline.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

_BFCHAR = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFRANGE = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


@dataclass(frozen=True)
class Glyph:
    font: str  # the embedded font's name, "MPDFAA+NotoSansArabic"
    text: str  # what ToUnicode says the glyph stands for
    glyph_id: int | None  # None: the code names no glyph of the embedded program
    notdef: bool
    has_outline: bool


def _to_unicode(cmap: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in _BFCHAR.findall(block):
            found[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, text in _BFRANGE.findall(block):
            start = int.from_bytes(bytes.fromhex(text), "big")
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                found[code] = chr(start + offset)
    return found


def _code_to_cid(font: Any) -> dict[int, int] | None:
    """The Type0 font's own encoding CMap (code → CID), or None for Identity-H."""
    encoding = font["/Encoding"]
    if not hasattr(encoding.get_object(), "get_data"):
        return None
    cmap = encoding.get_object().get_data().decode("latin-1")
    found: dict[int, int] = {}
    for block in re.findall(r"begincidchar(.*?)endcidchar", cmap, re.S):
        for code, cid in re.findall(r"<([0-9A-Fa-f]+)>\s*(\d+)", block):
            found[int(code, 16)] = int(cid)
    for block in re.findall(r"begincidrange(.*?)endcidrange", cmap, re.S):
        for first, last, cid in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\d+)", block):
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                found[code] = int(cid) + offset
    return found


class _Program:
    """One embedded font program: code → (glyph id, .notdef?, has an outline?)."""

    def __init__(self, font: Any) -> None:
        self.code_to_cid = _code_to_cid(font)
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        self.cff = "/FontFile3" in descriptor
        data = descriptor["/FontFile3" if self.cff else "/FontFile2"].get_object().get_data()
        if self.cff:
            fonts = CFFFontSet()
            fonts.decompile(io.BytesIO(data), None)
            top = fonts[fonts.fontNames[0]]
            self.names = list(top.charset)
            self.strings = top.CharStrings
        else:
            self.tt = TTFont(io.BytesIO(data))
            self.names = self.tt.getGlyphOrder()
            gid_map = descendant.get("/CIDToGIDMap")
            raw = gid_map.get_object().get_data() if gid_map not in (None, "/Identity") else None
            self.cid_to_gid = (
                None
                if raw is None
                else [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            )

    def glyph(self, code: int) -> tuple[int | None, bool, bool]:
        cid = code if self.code_to_cid is None else self.code_to_cid.get(code, 0)
        if self.cff:
            # A CID-keyed CFF names its glyphs by CID.
            name = ".notdef" if cid == 0 else f"cid{cid:05d}"
            if name not in self.strings:
                return None, False, False
            strings = self.strings[name]
            strings.decompile()
            drawn = any(op in strings.program for op in ("rlineto", "rrcurveto", "hlineto",
                        "vlineto", "rcurveline", "rlinecurve", "hhcurveto", "vvcurveto",
                        "hvcurveto", "vhcurveto", "flex", "hflex", "hflex1", "flex1"))  # fmt: skip
            return self.names.index(name), name == ".notdef", drawn
        gid = cid if self.cid_to_gid is None else self.cid_to_gid[cid]
        if gid >= len(self.names):
            return None, False, False
        glyph = self.tt["glyf"][self.names[gid]]
        return gid, gid == 0, glyph.numberOfContours != 0


def drawn_glyphs(content: bytes) -> list[Glyph]:
    """Every glyph the first page shows, in order of the content stream."""
    reader = PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    fonts = {name: ref.get_object() for name, ref in page["/Resources"]["/Font"].items()}
    programs: dict[str, _Program] = {}
    maps: dict[str, dict[int, str]] = {}
    current = None
    found = []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"Tf":
            current = str(operands[0])
            if current not in programs:
                programs[current] = _Program(fonts[current])
                cmap = fonts[current]["/ToUnicode"].get_object().get_data().decode("latin-1")
                maps[current] = _to_unicode(cmap)
        elif operator in (b"Tj", b"TJ") and current is not None:
            items = operands[0] if operator == b"TJ" else [operands[0]]
            for item in items:
                if isinstance(item, (int, float)):
                    continue  # a kerning adjustment
                raw = item.get_original_bytes()
                # pypdf read the two-byte codes as UTF-16 text, and hands them back with a BOM.
                raw = raw[2:] if raw[:2] == b"\xfe\xff" else raw
                for i in range(0, len(raw), 2):
                    code = int.from_bytes(raw[i : i + 2], "big")
                    gid, notdef, outline = programs[current].glyph(code)
                    found.append(
                        Glyph(
                            str(fonts[current]["/BaseFont"]),
                            maps[current].get(code, ""),
                            gid,
                            notdef,
                            outline,
                        )
                    )
    return found
