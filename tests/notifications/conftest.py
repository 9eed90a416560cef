"""A real SMTP server (aiosmtpd) on a free loopback port, recording what it receives."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from opsportal.config import Settings
from tests.processes import free_port


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpRecorder:
    """An aiosmtpd handler: keeps every accepted message; can refuse some first."""

    # Answer DATA with this (e.g. "451 ...") for the next `fail_data` messages.
    fail_data: int = 0
    fail_reply: str = "451 4.3.0 Temporary failure, try again later"
    # Recipients refused for good at RCPT.
    unknown: set[str] = field(default_factory=set)
    # Seconds to take per accepted message, so concurrent senders overlap.
    delay: float = 0.0
    # Store the next `drop_after_data` messages, then cut the connection before
    # answering 250: the sender cannot know that the message arrived.
    drop_after_data: int = 0
    received: list[Received] = field(default_factory=list)
    refused_data: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.fail_data > 0:
                self.fail_data -= 1
                self.refused_data += 1
                return self.fail_reply
        if self.delay:
            time.sleep(self.delay)  # blocks this server's loop: messages queue as on a busy server
        # What the server got, with the wire's CRLF line ends read as newlines.
        content = envelope.original_content.replace(b"\r\n", b"\n")
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
            drop = self.drop_after_data > 0
            self.drop_after_data -= drop
        if drop:
            server.transport.abort()
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    recorder: SmtpRecorder
    port: int

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(recorder, port)
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    """The test settings, sending through the test SMTP server (short timeouts)."""
    return settings.model_copy(
        update={
            "smtp_url": smtp_server.url,
            "mail_from": "opsportal@example.test",
            "smtp_timeout_seconds": 5.0,
        }
    )
