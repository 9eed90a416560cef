"""A customer_admin cannot tell whether an address has an account in another organisation.

It creates two users: one with an address nobody has, one with the address of
another organisation's user. Everything it can do next must read the same for
both: the answer to the creation, the user it then lists and reads, renaming
it, its tokens, a password link, a new invitation, and signing in with the
password it chose. Only the owner of each address learns what happened, by
email. No address ever signs in to two accounts, and the other organisation's
user is untouched.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.models import OutboxMessage, Role, User
from opsportal.notifications.service import UserNotice, notify_users
from tests.factories import bearer, create_organization, create_user
from tests.pages import PASSWORD, csrf_from, log_in, post_form

CHOSEN = "a password it chose"
OWN_PASSWORD = "the owner's own passphrase"
VARYING = {"id", "email", "createdAt"}


def sign_in(client: TestClient, email: str, password: str) -> tuple[int, Any]:
    response = client.post("/api/v1/login", json={"email": email, "password": password})
    return response.status_code, response.json()


def follow_ups(client: TestClient, headers: dict[str, str], user_id: int) -> list[Any]:
    """What the customer_admin sees of a user it created, in the order it asks."""
    seen: list[Any] = []
    read = client.get(f"/api/v1/users/{user_id}", headers=headers)
    seen.append((read.status_code, {k: v for k, v in read.json().items() if k not in VARYING}))
    renamed = client.patch(f"/api/v1/users/{user_id}", json={"name": "Renamed"}, headers=headers)
    seen.append((renamed.status_code, renamed.json()["name"]))
    issued = client.post(f"/api/v1/users/{user_id}/tokens", json={"label": "x"}, headers=headers)
    seen.append(issued.status_code)
    me = client.get("/api/v1/me", headers=bearer(issued.json()["token"]))
    seen.append((me.status_code, me.json()["role"]))
    link = client.post(f"/api/v1/users/{user_id}/password-link", headers=headers)
    seen.append((link.status_code, link.json()["detail"].replace(str(user_id), "N")))
    again = client.post(f"/api/v1/users/{user_id}/invitation", headers=headers)
    seen.append((again.status_code, sorted(again.json())))
    return seen


class TestAnAddressInUseElsewhere:
    def test_reads_like_a_new_address_to_a_customer_admin(
        self, client: TestClient, session: Session
    ) -> None:
        ours, theirs = create_organization(session), create_organization(session)
        _, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=ours)
        headers = bearer(token)
        owner, _ = create_user(
            session,
            organization=theirs,
            email="kim@competitor.test",
            name="Kim Owner",
            password=OWN_PASSWORD,
        )

        answers = {}
        for email in ("nobody@fresh.test", "KIM@competitor.test"):
            response = client.post(
                "/api/v1/users",
                json={"email": email, "name": "Kim", "role": "customer", "password": CHOSEN},
                headers=headers,
            )
            answers[email] = response
        fresh, held = answers["nobody@fresh.test"], answers["KIM@competitor.test"]
        assert fresh.status_code == held.status_code == 201, held.text
        assert held.json()["email"] == "KIM@competitor.test"
        same = [{k: v for k, v in r.json().items() if k not in VARYING} for r in (fresh, held)]
        assert same[0] == same[1] == {
            "name": "Kim", "role": "customer", "organizationId": ours.id, "isActive": True,
            "locale": None,
        }  # fmt: skip
        listed = client.get("/api/v1/users", params={"search": "kim"}, headers=headers).json()
        assert {u["id"] for u in listed["items"]} == {fresh.json()["id"], held.json()["id"]}

        # Signing in with the password it chose: refused alike, until the owner accepts.
        assert sign_in(client, "nobody@fresh.test", CHOSEN) == sign_in(
            client, "KIM@competitor.test", CHOSEN
        )
        assert sign_in(client, "nobody@fresh.test", CHOSEN)[0] == 401
        assert follow_ups(client, headers, fresh.json()["id"]) == follow_ups(
            client, headers, held.json()["id"]
        )
        # The same address again, inside its own organisation, is a conflict, alike.
        for email in ("nobody@fresh.test", "kim@competitor.test"):
            again = client.post(
                "/api/v1/users", json={"email": email, "name": "X", "role": "customer"},
                headers=headers,
            )  # fmt: skip
            assert again.status_code == 409
            assert again.json()["detail"].endswith("already exists in your organization.")

        # The owner's account is untouched and still its own; no duplicate signs in.
        session.expire_all()
        assert session.get(User, owner.id).organization_id == theirs.id  # type: ignore[union-attr]
        assert sign_in(client, "kim@competitor.test", OWN_PASSWORD)[0] == 201
        confirmed = session.scalar(
            select(func.count())
            .select_from(User)
            .where(func.lower(User.email) == "kim@competitor.test", User.email_confirmed)
        )
        assert confirmed == 1

        # Only the owners of the addresses hear of it: the fresh one gets an
        # invitation that works; the owner of the held one, a note and no link.
        mail = {
            m.recipient.lower(): m
            for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        }
        note = mail["kim@competitor.test"]
        assert "already has an opsportal account" in note.body
        assert "/set-password/" not in note.body
        invitation = mail["nobody@fresh.test"].body
        link = re.search(r"http://testserver(/set-password/\S+)", invitation)
        assert link is not None
        page = client.get(link.group(1))
        accepted = client.post(
            link.group(1),
            data={
                "password": "my own passphrase",
                "password_again": "my own passphrase",
                "csrf_token": csrf_from(page.text),
            },
        )
        assert accepted.status_code == 200, accepted.text
        assert sign_in(client, "nobody@fresh.test", "my own passphrase")[0] == 201

    def test_the_held_address_is_sent_no_mail_meant_for_the_new_user(
        self, client: TestClient, session: Session
    ) -> None:
        ours, theirs = create_organization(session), create_organization(session)
        _, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=ours)
        create_user(session, organization=theirs, email="sam@else.test")
        created = client.post(
            "/api/v1/users",
            json={"email": "sam@else.test", "name": "Sam", "role": "customer"},
            headers=bearer(token),
        ).json()
        before = session.scalar(select(func.count()).select_from(OutboxMessage))
        notify_users(
            session,
            [
                UserNotice(
                    user_id=created["id"],
                    email="sam@else.test",
                    kind="test",
                    title="T",
                    body="B",
                    link=None,
                    dedupe_key="t",
                    email_subject="S",
                    email_body="B",
                )  # fmt: skip
            ],
        )
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == before

    def test_admins_are_told_the_address_is_in_use(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        create_user(session, email="lee@else.test")
        response = client.post(
            "/api/v1/users",
            json={"email": "lee@else.test", "name": "Lee", "role": "internal"},
            headers=admin_headers,
        )
        assert response.status_code == 409


class TestThePages:
    def test_a_customer_admin_invites_and_invites_again_alike(
        self, client: TestClient, session: Session
    ) -> None:
        ours, theirs = create_organization(session), create_organization(session)
        admin, _ = create_user(
            session, role=Role.CUSTOMER_ADMIN, organization=ours, password=PASSWORD
        )
        assert log_in(client, admin.email).status_code == 303
        create_user(session, organization=theirs, email="ada@else.test")
        pages = []
        for email in ("ada@fresh.test", "ada@else.test"):
            made = post_form(
                client,
                "/admin/users",
                from_page="/admin/users",
                data={"email": email, "name": "Ada", "role": "customer"},
            )
            assert made.status_code == 303
            detail = made.headers["location"]
            page = client.get(detail).text
            assert f"An invitation was emailed to {email}" in page
            again = post_form(client, f"{detail}/invitation", from_page=detail)
            assert again.status_code == 303
            pages.append(client.get(detail).text.replace(email, "EMAIL").replace(detail, "PATH"))
        assert "/invitation" in pages[0] and "/password-link" not in pages[0]
        assert pages[0] == pages[1]


class TestTheRoster:
    def test_a_customer_admins_import_reads_alike_for_an_address_in_use_elsewhere(
        self, client: TestClient, session: Session
    ) -> None:
        ours, theirs = create_organization(session), create_organization(session)
        _, token = create_user(session, role=Role.CUSTOMER_ADMIN, organization=ours)
        headers = {**bearer(token), "Content-Type": "text/csv"}
        owner, _ = create_user(session, organization=theirs, email="taken@else.test")

        def imported(text: str, dry_run: str) -> tuple[int, Any]:
            response = client.post(
                f"/api/v1/organizations/{ours.id}/users/import",
                content=text.encode(),
                params={"dryRun": dry_run},
                headers=headers,
            )
            return response.status_code, response.json()

        answers = [
            imported(f"email,name\n{email},Someone\n", dry_run)
            for dry_run in ("true", "false")
            for email in ("fresh@else.test", "TAKEN@else.test")
        ]
        preview_fresh, preview_held, import_fresh, import_held = answers
        assert preview_fresh == preview_held
        assert import_fresh == import_held
        assert import_held[0] == 200 and import_held[1]["created"] == 1
        made = session.scalars(
            select(User).where(User.organization_id == ours.id, User.name == "Someone")
        ).all()
        assert sorted(u.email.lower() for u in made) == ["fresh@else.test", "taken@else.test"]
        assert not any(u.email_confirmed for u in made)
        session.refresh(owner)
        assert owner.organization_id == theirs.id and owner.email_confirmed
