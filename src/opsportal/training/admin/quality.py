"""Admin pages for a quiz's quality: item statistics (and their CSV), and regrades."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opsportal.deps import ResourceId, SessionDep
from opsportal.kit.downloads import csv_download
from opsportal.training.assessment import quality, regrade
from opsportal.web.session import CheckedForm, PageAdmin
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/quizzes/{quiz_id}/statistics")
def statistics_page(
    request: Request, quiz_id: ResourceId, session: SessionDep, admin: PageAdmin
) -> Response:
    report = quality.quiz_statistics(session, quiz_id=quiz_id)
    return render(request, "training/admin_quiz_statistics.html", user=admin, report=report)


@router.get("/admin/quizzes/{quiz_id}/statistics.csv")
def statistics_csv(quiz_id: ResourceId, session: SessionDep, admin: PageAdmin) -> Response:
    report = quality.quiz_statistics(session, quiz_id=quiz_id)
    return csv_download(quality.statistics_csv(report), filename=f"quiz-{quiz_id}-statistics.csv")


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
