"""The admin area's pages: authoring tracks, courses and quizzes, and the lists of learners,
attempts and certificates. Admins only; every change goes through the training services,
which record it in the audit trail."""

from fastapi import APIRouter

# `labels` registers the templates' `name_of` filter, which these pages use.
from opsportal.training.admin import certificates, courses, labels, lists, quizzes, tracks

router = APIRouter(include_in_schema=False)
for module in (tracks, courses, quizzes, lists, certificates):
    router.include_router(module.router)

__all__ = ["labels", "router"]
