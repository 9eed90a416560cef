"""The runtime data rules (pure): times, completion in each version, and the resumed state."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.training.content import cmi
from opsportal.training.content.manifest import ManifestError, parse_manifest
from tests.training.content.packages import manifest


@given(st.integers(min_value=0, max_value=9999 * 3600))
def test_a_timespan_round_trips(seconds: int) -> None:
    assert cmi.timespan_seconds(cmi.format_timespan(seconds)) == seconds
    assert cmi.duration_seconds(cmi.format_duration(seconds)) == seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("PT1H2M3.5S", 3723.5), ("P1D", 86400), ("PT0S", 0), ("PT90S", 90)],
)
def test_durations(value: str, seconds: float) -> None:
    assert cmi.duration_seconds(value) == seconds


@pytest.mark.parametrize("value", ["P", "PT", "1H", "PT1H2", "P1DT"])
def test_bad_durations(value: str) -> None:
    with pytest.raises(cmi.CmiError):
        cmi.duration_seconds(value)


@pytest.mark.parametrize(
    ("status", "completed", "passed"),
    [
        ("passed", True, True),
        ("completed", True, None),
        ("failed", False, False),
        ("incomplete", False, None),
        ("browsed", False, None),
    ],
)
def test_completion_in_12(status: str, completed: bool, passed: bool | None) -> None:
    result = cmi.outcome("1.2", completion_status=status, success_status=None)
    assert (result.completed, result.passed) == (completed, passed)


@pytest.mark.parametrize(
    ("completion", "success", "completed"),
    [
        ("completed", "passed", True),
        ("completed", "unknown", True),
        ("completed", None, True),
        ("completed", "failed", False),
        ("incomplete", "passed", False),
    ],
)
def test_completion_in_2004(completion: str, success: str | None, completed: bool) -> None:
    assert cmi.outcome("2004", completion_status=completion, success_status=success).completed is (
        completed
    )


def test_a_first_launch_starts_ab_initio_and_a_suspended_one_resumes() -> None:
    first = cmi.initial_state("2004", cmi.Stored(learner_id="7", learner_name="Ada"))
    assert first == {
        "cmi.learner_id": "7",
        "cmi.learner_name": "Ada",
        "cmi.entry": "ab-initio",
        "cmi.total_time": "PT0H0M0.00S",
    }
    later = cmi.initial_state(
        "1.2",
        cmi.Stored(
            learner_id="7",
            learner_name="Ada",
            location="p2",
            suspend_data="s",
            exit="suspend",
            total_seconds=61.5,
            resumed=True,
        ),
    )
    assert later["cmi.core.entry"] == "resume"
    assert later["cmi.core.lesson_location"] == "p2"
    assert later["cmi.core.total_time"] == "0000:01:01.50"


def test_a_manifest_without_schemaversion_is_known_by_its_namespace() -> None:
    text = manifest("2004").replace("<schemaversion>2004 3rd Edition</schemaversion>", "")
    assert parse_manifest(text.encode()).version == "2004"


def test_item_parameters_and_xml_base_make_the_launch_path() -> None:
    text = (
        manifest("1.2")
        .replace('identifierref="sco1"', 'identifierref="sco1" parameters="?lang=en"')
        .replace('<resource identifier="sco1"', '<resource xml:base="course/" identifier="sco1"')
    )
    parsed = parse_manifest(text.encode())
    assert parsed.launch_path == "course/index.html?lang=en"
    assert parsed.launch_file == "course/index.html"


def test_an_unknown_schemaversion_names_the_element() -> None:
    text = manifest("1.2").replace(
        "<schemaversion>1.2</schemaversion>", "<schemaversion>9</schemaversion>"
    )
    with pytest.raises(ManifestError, match=r"imsmanifest.xml: <schemaversion> is '9'"):
        parse_manifest(text.encode())
