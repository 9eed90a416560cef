"""The registry of personal data covers every table: a table with a reference to a user, or a
column that looks like a person's data, fails this test until it is declared; and the export
and the erasure each handle exactly what the registry says."""

from __future__ import annotations

import re

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text

from opsportal.models import Base
from opsportal.privacy import erasure, export
from opsportal.privacy.registry import NOT_PERSONAL, PERSONAL_DATA, OnErase

# Column names that suggest a person's data: names, addresses, free text, answers.
PERSONAL_LOOKING = re.compile(
    r"(^|_)(email|e_mail|name|recipient|answers?|body|title|label|reason|detail|comment|note|"
    r"text|message|phone|address|link|subject|attributes)($|_)"
)


def undeclared(metadata: MetaData) -> list[str]:
    """What the registry does not say about `metadata`'s tables, one problem per line."""
    personal = {entry.table: entry for entry in PERSONAL_DATA}
    problems = []
    for table in metadata.sorted_tables:
        user_columns = {
            column.name
            for column in table.columns
            if any(fk.column.table.name == "users" for fk in column.foreign_keys)
        }
        looking = {column.name for column in table.columns if PERSONAL_LOOKING.search(column.name)}
        entry = personal.get(table.name)
        if entry is None:
            if table.name not in NOT_PERSONAL:
                problems.append(f"{table.name}: not in the registry of personal data")
            elif user_columns:
                problems.append(
                    f"{table.name}: refers to users ({', '.join(sorted(user_columns))}) "
                    "but is declared as holding no personal data"
                )
            continue
        declared = {*entry.columns, *entry.not_personal, entry.person}
        for column in sorted((user_columns | looking) - declared):
            problems.append(f"{table.name}.{column}: neither declared personal nor not personal")
        for column in sorted(set(entry.columns) - {c.name for c in table.columns}):
            problems.append(f"{table.name}.{column}: declared, but there is no such column")
    return problems


def test_every_table_and_column_is_declared() -> None:
    assert undeclared(Base.metadata) == []


def test_a_new_table_with_a_user_reference_fails() -> None:
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table(
        "training_feedback",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, ForeignKey("users.id")),
        Column("comment", Text),
    )
    Table(
        "organizations_contacts",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("contact_email", String(320)),
    )
    found = undeclared(metadata)
    assert "training_feedback: not in the registry of personal data" in found
    assert "organizations_contacts: not in the registry of personal data" in found


def test_a_new_column_on_a_declared_table_fails() -> None:
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    metadata.tables["training_quiz_attempts"].append_column(Column("learner_note", Text))
    assert undeclared(metadata) == [
        "training_quiz_attempts.learner_note: neither declared personal nor not personal"
    ]


def test_no_table_is_both_personal_and_not() -> None:
    tables = [entry.table for entry in PERSONAL_DATA]
    assert len(tables) == len(set(tables))
    assert not set(tables) & set(NOT_PERSONAL)


def test_the_erasure_handles_what_the_registry_says_it_changes() -> None:
    changed = {entry.table for entry in PERSONAL_DATA if entry.on_erase is not OnErase.KEEP}
    assert set(erasure.ERASERS) == changed


def test_the_export_writes_every_file_the_registry_names() -> None:
    named = {entry.export for entry in PERSONAL_DATA if entry.export is not None}
    assert set(export.EXPORTERS) == named
