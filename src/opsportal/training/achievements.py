"""A certificate's achievement as its holder reads it: the track's name in their language.

One function, `achievement_name`, says what the certificate PDF and the Open
Badges credential call the achievement, and in which language that is, so the
two never disagree. Today a track has one text, written in the source language;
the track translations (training/translations/) plug in here: the name (and
description) of the track's translation into `locale` where one is complete,
else the track's own.
"""

from __future__ import annotations

from typing import NamedTuple

from opsportal.i18n import DEFAULT_LOCALE
from opsportal.models import Track

# The language tracks are written in, until a track carries its own.
TRACK_LANGUAGE = DEFAULT_LOCALE


class Achievement(NamedTuple):
    name: str
    description: str
    # The locale the name and description are written in (not always the one asked for).
    language: str


def achievement_name(track: Track, locale: str, *, issued_name: str | None = None) -> Achievement:
    """The achievement of `track` as a reader of `locale` is shown it.

    `issued_name` is the name the certificate was issued under (a track renamed
    since keeps its certificates' names); without a translation it is the name.
    """
    return Achievement(
        name=issued_name if issued_name is not None else track.name,
        description=track.description,
        language=TRACK_LANGUAGE,
    )
