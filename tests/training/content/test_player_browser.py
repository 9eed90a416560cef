"""The SCORM player in Chromium, through the real runtime (scorm-again) and a live server whose
content is on its own origin (`localhost`, while the portal is `127.0.0.1`): a SCO is played,
resumed after a reload where it was left, finished with a passing score that completes the
track and earns its certificate; and a malicious package's script reaches nothing of the portal."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, FrameLocator, expect

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from opsportal.principal import Principal
from opsportal.training.content import service
from tests.factories import bearer, create_track, create_user
from tests.pages import PASSWORD, browser_log_in
from tests.training.content.packages import malicious_package, sco_package

pytest_plugins = ["tests.browser_fixtures"]


@dataclass(frozen=True)
class Portal:
    url: str  # http://127.0.0.1:PORT
    content: str  # http://localhost:PORT
    settings: Settings


@pytest.fixture
def portal(settings: Settings, committed_session_factory: SessionFactory) -> Iterator[Portal]:
    """A live server whose SCORM content is served at http://localhost:PORT: another site."""
    import uvicorn

    from opsportal.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    own = settings.model_copy(
        update={
            "public_base_url": f"http://127.0.0.1:{port}",
            "content_base_url": f"http://localhost:{port}",
        }
    )
    app = create_app(own, session_factory=committed_session_factory)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield Portal(f"http://127.0.0.1:{port}", f"http://localhost:{port}", own)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass(frozen=True)
class Setup:
    email: str
    headers: dict[str, str]
    track_id: int
    course_id: int


def set_up(factory: SessionFactory, portal: Portal, package: bytes) -> Setup:
    with session_scope(factory) as session:
        admin, _ = create_user(session, role=Role.ADMIN)
        learner, token = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        track = create_track(session, settings=portal.settings)
        imported = service.import_package(
            session,
            track_id=track.id,
            upload=io.BytesIO(package),
            filename="course.zip",
            settings=portal.settings,
            actor=Principal.of(admin),
        )
        return Setup(learner.email, bearer(token), track.id, imported.course.id)


@pytest.fixture
def context(browser: Browser, portal: Portal) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=portal.url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(30_000)
    yield context
    context.close()


def sco(page_frame: FrameLocator) -> FrameLocator:
    return page_frame.frame_locator("#scorm-sco")


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_play_resume_and_pass(
    context: BrowserContext,
    portal: Portal,
    committed_session_factory: SessionFactory,
    version: str,
) -> None:
    setup = set_up(committed_session_factory, portal, sco_package(version))
    page = context.new_page()
    browser_log_in(page, setup.email, PASSWORD)
    page.goto(f"/training/courses/{setup.course_id}")
    page.get_by_role("link", name="Open the course").click()
    page.get_by_role("button", name="Open the course").click()
    content = sco(page.frame_locator("iframe.scorm-frame"))
    expect(content.locator("#status")).to_have_text("ready")
    expect(content.locator("#entry")).to_have_text("ab-initio")
    expect(content.locator("#location")).to_have_text("(none)")

    content.get_by_role("button", name="Next page").click()
    expect(content.locator("#status")).to_have_text("saved page 1")
    content.get_by_role("button", name="Next page").click()
    expect(content.locator("#status")).to_have_text("saved page 2")
    # An invalid value gets the runtime's error code, and is not stored.
    content.get_by_role("button", name="Set a bad value").click()
    expect(content.locator("#error")).to_have_text("405" if version == "1.2" else "406")

    page.reload()
    content = sco(page.frame_locator("iframe.scorm-frame"))
    expect(content.locator("#status")).to_have_text("ready")
    expect(content.locator("#entry")).to_have_text("resume")
    expect(content.locator("#location")).to_have_text("page-2")
    expect(content.locator("#suspend")).to_have_text("visited=2")

    early = httpx.post(
        f"{portal.url}/api/v1/training/tracks/{setup.track_id}/certificate", headers=setup.headers
    )
    assert early.status_code == 409
    content.get_by_role("button", name="Finish with 90").click()
    expect(content.locator("#status")).to_have_text("finished")
    expect(page.frame_locator("iframe.scorm-frame").locator("#scorm-message")).to_contain_text(
        "Your progress is saved"
    )
    certificate = httpx.post(
        f"{portal.url}/api/v1/training/tracks/{setup.track_id}/certificate", headers=setup.headers
    )
    assert certificate.status_code == 201, certificate.text
    page.goto(f"/training/courses/{setup.course_id}/play")
    expect(page.get_by_text("Completed")).to_be_visible()


def test_the_player_fills_a_phone_screen(
    context: BrowserContext, portal: Portal, committed_session_factory: SessionFactory
) -> None:
    setup = set_up(committed_session_factory, portal, sco_package("1.2"))
    page = context.new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    browser_log_in(page, setup.email, PASSWORD)
    page.goto(f"/training/courses/{setup.course_id}/play")
    page.get_by_role("button", name="Open the course").click()
    expect(sco(page.frame_locator("iframe.scorm-frame")).locator("#status")).to_have_text("ready")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    frame_width = page.locator("iframe.scorm-frame").bounding_box()["width"]  # type: ignore[index]
    main_width = page.locator("main").bounding_box()["width"]  # type: ignore[index]
    assert frame_width >= main_width - 40


def test_a_malicious_package_reaches_nothing_of_the_portal(
    context: BrowserContext, portal: Portal, committed_session_factory: SessionFactory
) -> None:
    setup = set_up(committed_session_factory, portal, malicious_package("1.2", portal=portal.url))
    page = context.new_page()
    browser_log_in(page, setup.email, PASSWORD)
    # The learner holds a live session cookie on the portal: something to steal.
    assert any(c["name"] == "opsportal_session" for c in context.cookies(portal.url))
    page.goto(f"/training/courses/{setup.course_id}/play")
    page.get_by_role("button", name="Open the course").click()
    evil = sco(page.frame_locator("iframe.scorm-frame"))
    expect(evil.locator("#done")).to_have_text("done")
    expect(evil.locator("#cookie")).to_have_text("(empty)")
    for probe in ("top", "top-cookie", "portal-api", "portal-api-nocors", "own-api", "portal-page"):
        expect(evil.locator(f"#{probe}")).to_have_text("blocked")
    # And the portal page around it is untouched.
    expect(page.get_by_role("heading", level=1)).to_have_text("Evil course")
