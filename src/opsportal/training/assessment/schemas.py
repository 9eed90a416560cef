"""Schemas for the admins' view of a quiz's quality: item statistics and regrades."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from opsportal.schemas import ApiModel, InputModel
from opsportal.training.assessment.statistics import MIN_ATTEMPTS_TO_JUDGE, Flag


class QuestionStatistics(ApiModel):
    question_id: str
    question: str
    in_quiz: bool = Field(description="False for a question since removed from the quiz")
    attempts: int = Field(description="Graded attempts that showed this question")
    correct_rate: float | None = Field(description="Share of those attempts that got it right")
    discrimination: float | None = Field(
        description="Share correct in the upper 27 % of attempts by score minus the lower 27 %"
    )
    option_counts: dict[str, int] = Field(description="How often each option id was chosen")
    options: dict[str, str] = Field(description="Option id → text, as the quiz has them now")
    correct_option_ids: list[str] = Field(
        description="The correct options as the quiz has them now (removed ones: as last shown)"
    )
    flags: list[Flag]
    too_few_attempts: bool = Field(
        description=f"Fewer than {MIN_ATTEMPTS_TO_JUDGE} attempts: too few to judge the question "
        "by its share correct and discrimination yet"
    )


class QuizStatistics(ApiModel):
    quiz_id: int
    course_id: int
    title: str
    graded_attempts: int
    min_attempts_to_judge: int = Field(
        description="Attempts of a question needed before its figures can be judged"
    )
    questions: list[QuestionStatistics]


class RegradeBody(InputModel):
    dry_run: bool = Field(default=True, description="List what would change, change nothing")


class RegradeChange(ApiModel):
    attempt_id: int
    user_id: int
    user_name: str
    user_email: str
    submitted_at: datetime
    from_score: int
    to_score: int
    from_passed: bool
    to_passed: bool
    pass_changed: bool


class RegradeHistoryEntry(ApiModel):
    attempt_id: int
    user_name: str
    at: datetime
    by_user_id: int | None
    from_score: int
    to_score: int
    from_passed: bool
    to_passed: bool


class RegradeReport(ApiModel):
    quiz_id: int
    course_id: int
    title: str
    dry_run: bool
    attempts_checked: int
    changes: list[RegradeChange] = Field(description="Attempts whose score or pass would change")
    pass_changes: int = Field(description="How many of them change between passed and failed")
    history: list[RegradeHistoryEntry] = Field(description="Earlier regrades, newest first")
