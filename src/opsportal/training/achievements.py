"""A certificate's achievement as its holder reads it: the track's name in their language.

One function, `achievement_name`, says what the certificate PDF and the Open
Badges credential call the achievement, and in which language that is, so the
two never disagree: the name (and description) of the track's translation into
`locale` where that translation is complete (training/translations/, the same
rule the learner's pages follow), else the track's own, in its default language.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.orm import Session

from opsportal.models import Track
from opsportal.training.translations.serving import served_track


class Achievement(NamedTuple):
    name: str
    description: str
    # The locale the name and description are written in (not always the one asked for).
    language: str


def achievement_name(
    session: Session, track: Track, locale: str, *, issued_name: str | None = None
) -> Achievement:
    """The achievement of `track` as a reader of `locale` is shown it.

    `issued_name` is the name the certificate was issued under. A track renamed
    since keeps its certificates' names, in the track's own language: the
    translations translate today's name, not the one on the certificate.
    """
    if issued_name is not None and issued_name != track.name:
        return Achievement(issued_name, track.description, track.default_locale)
    served = served_track(session, track_id=track.id, requested=locale)
    return Achievement(
        name=served.text("name", track.name),
        description=served.text("description", track.description),
        language=served.locale,
    )
