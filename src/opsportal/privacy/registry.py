"""The registry of personal data: every table that holds a person's data, and what becomes of it.

One declaration per table. `tests/privacy/test_registry.py` fails when a table
with a reference to a user, or a column that looks like a person's data (a
name, an email, free text), is missing here, so a new table cannot slip past
the export and the erasure. The export (`export.py`) and the erasure
(`erasure.py`) each have one function per declared table, checked by the same test.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class OnErase(enum.StrEnum):
    DELETE = "deleted"  # the person's rows go
    SCRUB = "scrubbed"  # the rows stay; the person's data in them is removed or replaced
    KEEP = "kept"  # the rows stay as they are: they hold no name, email or free text


@dataclass(frozen=True)
class PersonalTable:
    table: str
    # The column that makes a row the person's: their user id (or, where there is
    # none, their email or its hash).
    person: str
    # The columns that hold the person's data (name, email, free text, answers...).
    columns: tuple[str, ...]
    on_erase: OnErase
    # Whether the person's export holds these rows (and under which file).
    export: str | None
    why: str
    # Columns that look like a person's data but are not (a track's name), or that
    # name another person (the admin who revoked a certificate).
    not_personal: tuple[str, ...] = ()


PERSONAL_DATA: tuple[PersonalTable, ...] = (
    PersonalTable(
        "users",
        person="id",
        columns=("email", "name", "password_hash", "external_id", "scim_attributes"),
        on_erase=OnErase.SCRUB,
        export="person.json",
        why="The account. Kept as a row (certificates and the audit trail refer to its id) "
        "with the email and name replaced, no password, no directory id or attributes, and "
        "gone from SCIM (deleted_at); erased_at says when.",
        # Whether the address was confirmed as the person's: a flag, not the address;
        # the language they read opsportal in: a setting.
        not_personal=("email_confirmed", "locale"),
    ),
    PersonalTable(
        "api_tokens",
        person="user_id",
        columns=("label", "token_hash"),
        on_erase=OnErase.DELETE,
        export="api-tokens.json",
        why="Credentials: they end with the person.",
    ),
    PersonalTable(
        "scim_tokens",
        person="created_by_id",
        columns=(),
        on_erase=OnErase.KEEP,
        export=None,
        why="An organisation's directory token: it names the admin who made it by id only.",
        not_personal=("label", "token_hash"),
    ),
    PersonalTable(
        "password_resets",
        person="user_id",
        columns=("token_hash",),
        on_erase=OnErase.DELETE,
        export=None,
        why="One-time links: secrets, never exported; they end with the person.",
        # Whether using the link confirms the address (an emailed invitation): a flag.
        not_personal=("confirms_address",),
    ),
    PersonalTable(
        "login_failures",
        person="email_hash",
        columns=("email_hash", "address"),
        on_erase=OnErase.DELETE,
        export=None,
        why="The login throttle's counts, by a SHA-256 of the lower-cased email; kept for "
        "OPSPORTAL_RETENTION_LOGIN_FAILURES_DAYS.",
    ),
    PersonalTable(
        "audit_entries",
        person="actor_id",
        columns=("detail",),
        on_erase=OnErase.SCRUB,
        export="audit.json",
        why="The trail stays whole (who did what, by id: the person as actor_id, or as "
        "target_type 'user' and target_id); the person's name and email are taken out of "
        "every entry's detail, whoever's entry it is.",
    ),
    PersonalTable(
        "training_quiz_attempts",
        person="user_id",
        columns=("answers", "draft_answers"),
        on_erase=OnErase.SCRUB,
        export="training/attempts.json",
        why="The answers (submitted and saved drafts) go; the score and the pass stay, as the "
        "quizzes' statistics.",
        not_personal=("questions", "regrades"),
    ),
    PersonalTable(
        "training_quiz_attempt_counters",
        person="user_id",
        columns=(),
        on_erase=OnErase.KEEP,
        export=None,
        why="A count of attempts started, by user id: no name, email or text.",
    ),
    PersonalTable(
        "training_extra_time",
        person="user_id",
        columns=(),
        on_erase=OnErase.KEEP,
        export="training/extra-time.json",
        why="Extra time on timed quizzes, by user id: a multiplier or minutes, no reason, "
        "name, email or text.",
        not_personal=("granted_by_id",),
    ),
    PersonalTable(
        "training_scorm_attempts",
        person="user_id",
        columns=("suspend_data", "location", "launch_token_hash"),
        on_erase=OnErase.SCRUB,
        export="training/scorm-attempts.json",
        why="What a SCORM course saved for the learner (its suspend_data may hold anything) "
        "and the launch key go; the status, score and time stay, as the course's record.",
    ),
    PersonalTable(
        "training_course_reads",
        person="user_id",
        columns=(),
        on_erase=OnErase.KEEP,
        export="training/course-reads.json",
        why="Which courses were marked read, by user id: no name, email or text.",
    ),
    PersonalTable(
        "training_certificates",
        person="user_id",
        columns=("recipient_name", "revoked_reason"),
        on_erase=OnErase.SCRUB,
        export="certificates.json",
        why="They stay verifiable by number and code with the holder's name withheld; the "
        "name is kept only as a salted hash (recipient_name_hash), and the status list is "
        "unchanged.",
        not_personal=("track_name", "revoked_by_id", "recipient_name_hash", "recipient_name_salt"),
    ),
    PersonalTable(
        "training_assignments",
        person="user_id",
        columns=(),
        on_erase=OnErase.KEEP,
        export="training/assignments.json",
        why="Which tracks were due when, by user id: no name, email or text.",
        not_personal=("assigned_by_id",),
    ),
    PersonalTable(
        "training_reminders_sent",
        person="user_id",
        columns=(),
        on_erase=OnErase.KEEP,
        export=None,
        why="Which reminders went out, by user id: no name, email or text.",
    ),
    PersonalTable(
        "notifications",
        person="user_id",
        columns=("title", "body", "link"),
        on_erase=OnErase.DELETE,
        export="notifications.json",
        why="Messages to the person. Others' notifications that name them are scrubbed.",
    ),
    PersonalTable(
        "outbox",
        person="recipient",
        columns=("recipient", "subject", "body", "last_error"),
        on_erase=OnErase.DELETE,
        export="mail.json",
        why="Mail to the person. Others' mail that names them is scrubbed.",
    ),
    PersonalTable(
        "xapi_statements",
        person="user_id",
        columns=("statement", "last_error"),
        on_erase=OnErase.DELETE,
        export=None,
        why="Statements about the person for the LRS (their email, name or id as its actor). "
        "Those already sent are the LRS's to erase.",
    ),
)

# Tables that hold no one's personal data, though a column's name may suggest it.
NOT_PERSONAL: dict[str, str] = {
    "organizations": "Customer organisations: a company's name, not a person's.",
    "training_tracks": "Training content.",
    "training_courses": "Training content.",
    "training_quizzes": "Training content.",
    "training_track_translations": "Training content: a track's languages.",
    "training_translated_texts": "Training content: a track's texts in another language.",
    "training_scorm_packages": "Training content: SCORM packages.",
    "training_scorm_files": "Training content: a SCORM package's files.",
    "training_scorm_file_chunks": "Training content: the bytes of a SCORM package's files.",
    "benchmark_runs": "Aggregation runs; `worker` names a process.",
    "scheduled_firings": "Job firings; `worker` names a process.",
    "app_secrets": "The application's own keys.",
    "credential_keys": "The issuer's signing keys.",
    "credential_status_entries": "A certificate's bit in the status list and its email salt; "
    "left as it is, so the status list is unchanged.",
    "training_certificate_counters": "The last certificate number per year.",
    "benchmark_results": "Peer statistics.",
    "benchmark_positions": "Organisations' percentiles.",
    "metric_values": "Organisations' metric values.",
    "latest_metric_values": "Organisations' metric values.",
    "alembic_version": "The schema's revision.",
    "organization_domains": "An organisation's email domains for single sign-on.",
    "organization_sso": "An organisation's identity provider settings.",
    "saml_requests": "SAML requests awaiting their answer: an id and where to go next.",
    "saml_assertion_uses": "Ids of SAML assertions already used, kept until they expire.",
}


def by_table() -> dict[str, PersonalTable]:
    return {entry.table: entry for entry in PERSONAL_DATA}
