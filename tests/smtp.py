"""A real SMTP server (aiosmtpd) in a thread, recording what it accepts; it can refuse, or hold DATA."""
from __future__ import annotations

import asyncio
import socket
import threading
import time
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """The handler: `refuse` answers the next DATA commands with these replies; `hold` makes DATA wait.

    Like a real server, it takes a message only once it answers 250: a client that disconnects
    while DATA is held (a killed worker) leaves nothing behind.
    """

    def __init__(self):
        self.messages: list[Message] = []
        #: (monotonic time, client address) of every DATA command, refused or not.
        self.attempts: list[tuple[float, tuple]] = []
        self.refuse: list[str] = []
        self.hold: threading.Event | None = None
        #: Set when a DATA command arrives while `hold` is set up.
        self.held = threading.Event()
        #: Set when a client goes away while its DATA is held.
        self.dropped = threading.Event()
        self.condition = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        self.attempts.append((time.monotonic(), session.peer))
        if self.refuse:
            return self.refuse.pop(0)
        if self.hold is not None:
            self.held.set()
            # Cancelled, like the whole exchange, when the client goes away meanwhile.
            try:
                await asyncio.get_running_loop().run_in_executor(None, self.hold.wait)
            except asyncio.CancelledError:
                self.dropped.set()
                raise
        with self.condition:
            self.messages.append(message_from_bytes(envelope.content))
            self.condition.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 60) -> list[Message]:
        """The messages, once at least `count` arrived."""
        with self.condition:
            if not self.condition.wait_for(lambda: len(self.messages) >= count, timeout):
                raise TimeoutError(f"{len(self.messages)} of {count} messages after {timeout} s")
            return list(self.messages)


class SMTPServer:
    """Start with `start()`, stop with `stop()`; `host`, `port` and `mailbox` for the test."""

    def __init__(self):
        self.mailbox = Mailbox()
        self.host, self.port = "127.0.0.1", free_port()
        self.controller = Controller(self.mailbox, hostname=self.host, port=self.port)

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.mailbox.hold is not None:
            self.mailbox.hold.set()
        self.controller.stop()
