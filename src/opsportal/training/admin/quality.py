"""Admin pages for a quiz's quality: item statistics (and their CSV), and regrades."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from opsportal.deps import ResourceId, SessionDep
from opsportal.errors import InvalidInput
from opsportal.kit.downloads import csv_download
from opsportal.training.assessment import quality, regrade
from opsportal.training.schemas import LOCALE_PATTERN
from opsportal.training.translations.notice import language_name
from opsportal.web.session import CheckedForm, PageAdmin
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


# The language chooser's value: a language code, or empty for every language, pooled.
PageLocale = Annotated[str, Query(max_length=16)]


def _locale(value: str) -> str | None:
    if not value:
        return None
    if re.fullmatch(LOCALE_PATTERN, value) is None:
        raise InvalidInput(f"{value!r} is not a language code.", field="locale")
    return value


@router.get("/admin/quizzes/{quiz_id}/statistics")
def statistics_page(
    request: Request,
    quiz_id: ResourceId,
    session: SessionDep,
    admin: PageAdmin,
    locale: PageLocale = "",
) -> Response:
    report = quality.quiz_statistics(session, quiz_id=quiz_id, locale=_locale(locale))
    codes = {item.locale for item in report.languages} | ({report.locale} - {None})
    return render(
        request,
        "training/admin_quiz_statistics.html",
        user=admin,
        report=report,
        language_names={code: language_name(code) for code in codes if code},
    )


@router.get("/admin/quizzes/{quiz_id}/statistics.csv")
def statistics_csv(
    quiz_id: ResourceId, session: SessionDep, admin: PageAdmin, locale: PageLocale = ""
) -> Response:
    chosen = _locale(locale)
    report = quality.quiz_statistics(session, quiz_id=quiz_id, locale=chosen)
    suffix = f"-{chosen}" if chosen else ""
    return csv_download(
        quality.statistics_csv(report), filename=f"quiz-{quiz_id}-statistics{suffix}.csv"
    )


@router.get("/admin/quizzes/{quiz_id}/regrade")
def regrade_page(
    request: Request, quiz_id: ResourceId, session: SessionDep, admin: PageAdmin
) -> Response:
    """The dry run: which attempts the current answer key would change."""
    report = regrade.regrade(session, quiz_id=quiz_id, dry_run=True, actor=admin)
    return render(request, "training/admin_quiz_regrade.html", user=admin, report=report)


@router.post("/admin/quizzes/{quiz_id}/regrade")
def apply_regrade(
    request: Request, quiz_id: ResourceId, session: SessionDep, admin: PageAdmin, form: CheckedForm
) -> Response:
    report = regrade.regrade(session, quiz_id=quiz_id, dry_run=False, actor=admin)
    return render(request, "training/admin_quiz_regrade.html", user=admin, report=report)
