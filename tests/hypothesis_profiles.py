"""How hard the property tests search: in full in a full run (CI's), lightly in the quick loop.

The quick loop (`pytest -m "not browser and not slow"`) loads the `quick` profile
(tests/conftest.py): a quarter of Hypothesis's default examples, and a quarter
of every count a test names itself through `examples`. Any other run, and CI's,
searches as hard as the tests say; `--hypothesis-profile` still chooses.
"""

from __future__ import annotations

from hypothesis import settings

QUICK = "quick"
QUICK_SHARE = 4
QUICK_MIN_EXAMPLES = 10

settings.register_profile(QUICK, max_examples=settings.default.max_examples // QUICK_SHARE)


def use_quick_profile() -> None:
    settings.load_profile(QUICK)


def examples(full: int) -> int:
    """`full` examples, or in the quick loop a quarter of them (at least 10)."""
    if settings.get_current_profile_name() != QUICK:
        return full
    return max(QUICK_MIN_EXAMPLES, full // QUICK_SHARE)
