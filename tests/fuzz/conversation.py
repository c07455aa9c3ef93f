"""Customers parked at the text steps of the exchange, each typing whatever the fuzzer draws.

One bot, one fake Telegram, one sandbox and one Redis serve every example: starting them per
example would cost seconds, while a typed text costs milliseconds. Each customer waits at a step
(a currency picker, the amount prompt, one field of the form); a text either leaves them there
with a reason ("refused"), or moves the conversation on ("accepted"), after which they go back to
the step the way a person would (Back, or Change on the summary). A customer found anywhere else
(after a failed example) is brought back from /start, so every example starts at its step.
The steps themselves (currency search, amount, a field of the form) are in tests/fuzz/steps.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Literal

from bot.app import ExchangeBotApp
from tests.fake_telegram import FakeTelegram, SimulatedUser
from tests.fake_telegram.state import ChatMessage

ANSWER_TIMEOUT = 10.0
# What the bot says when a handler failed (handlers/errors.py, bot/views/errors.py) or when no
# handler took the text (handlers/fallback.py): in a fuzzed step each of these is a bug.
FAILURE_REPLIES = (
    "Something went wrong on our side",
    "The exchanger is not answering",
    "The exchanger could not do this",
    "The exchanger is under maintenance",
    "This exchange direction is not available right now",
    "This action is not enabled on the exchanger",
    "Sorry, I did not understand that",
    "Please use the buttons of the last message",
)
# The fallbacks of describe_amount_problem / describe_field_problem for reasons they do not
# know: a refusal must say what is wrong.
VAGUE_REFUSALS = ("I could not read that amount", "Please check the value and try again")

Outcome = Literal["refused", "listed", "accepted"]


async def settle(app: ExchangeBotApp) -> None:
    """Wait until the bot has finished every update it took, so the next message of the same
    user does not find the user's event-isolation lock still held (aiogram then sleeps 0.1 s)."""
    assert app.dispatcher is not None
    while tasks := {task for task in app.dispatcher._handle_update_tasks if not task.done()}:
        await asyncio.wait(tasks)


class ErrorLog(logging.Handler):
    """Every WARNING or worse any logger writes while the fuzzer runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        """The records so far, as lines for a failure message; the log starts empty again."""
        taken = []
        for record in self.records:
            taken.append(f"{record.levelname} {record.name}: {record.getMessage()}")
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                taken.append(f"    {type(error).__name__}: {error}")
        self.records.clear()
        return taken


@contextmanager
def capture_warnings() -> Iterator[ErrorLog]:
    log = ErrorLog()
    root = logging.getLogger()
    root.addHandler(log)
    try:
        yield log
    finally:
        root.removeHandler(log)


class Step:
    """A customer waiting at one text step. Subclasses say what the step looks like."""

    name: str

    def __init__(self, telegram: FakeTelegram, app: ExchangeBotApp, first_name: str) -> None:
        self.app = app
        self.user: SimulatedUser = telegram.user(first_name)
        self.screen: ChatMessage | None = None
        self.outcomes: Counter[Outcome] = Counter()

    def __repr__(self) -> str:
        return f"<customer at the {self.name}>"

    # --- what the screens mean ---------------------------------------------------------------

    def asks(self, screen: ChatMessage) -> bool:
        raise NotImplementedError

    def outcome(self, screen: ChatMessage) -> Outcome | None:
        """What the answer to a typed text means, or None for a screen that is no answer."""
        raise NotImplementedError

    # --- moving --------------------------------------------------------------------------------

    async def park(self) -> None:
        """From wherever the customer is to the step (used at the start and after a failure)."""
        raise NotImplementedError

    async def come_back(self) -> None:
        """After an accepted text: back to the step, the way a person would."""
        await self.park()

    async def run(self, helper: Awaitable[object]) -> ChatMessage:
        """Run a customer helper that waits for its own screens; the screen it ends on."""
        await helper
        return await self._settled()

    async def click(self, label: str) -> ChatMessage:
        return await self._answered(lambda: self.user.click(label))

    async def say(self, text: str) -> ChatMessage:
        return await self._answered(lambda: self.user.send(text))

    async def _answered(self, action: Callable[[], Awaitable[object]]) -> ChatMessage:
        self.user.skip_pending()
        start = len(self.user.chat.events)
        await action()
        if len(self.user.chat.events) == start:
            await self.user.wait_for_message(timeout=ANSWER_TIMEOUT)
        return await self._settled()

    async def _settled(self) -> ChatMessage:
        await settle(self.app)
        self.user.skip_pending()
        self.screen = self.user.chat.events[-1].message
        return self.screen

    async def ensure_parked(self) -> None:
        if self.screen is None or not self.asks(self.screen):
            await self.park()
            assert self.screen is not None and self.asks(self.screen), self.user.transcript()

    # --- the fuzzed action ---------------------------------------------------------------------

    async def type(self, text: str) -> list[str]:
        """Type `text` at the step; the problems seen (empty when the bot behaved)."""
        await self.ensure_parked()
        start = len(self.user.chat.events)
        await self.user.send(text)
        try:
            await self.user.wait_for_message(timeout=ANSWER_TIMEOUT)
        except AssertionError:
            self.screen = None
            return [f"{self.name}: no answer within {ANSWER_TIMEOUT}s"]
        await settle(self.app)
        answers = [event.message for event in self.user.chat.events[start:]]
        self.user.skip_pending()
        self.screen = answers[-1]
        problems = [
            f"{self.name}: the bot answered {message.body[:300]!r}"
            for message in answers
            if any(reply in message.body for reply in FAILURE_REPLIES + VAGUE_REFUSALS)
        ]
        outcome = self.outcome(self.screen)
        if outcome is None:
            problems.append(f"{self.name}: unexpected screen {self.screen.body[:300]!r}")
        if problems:
            self.screen = None
            return problems
        assert outcome is not None
        self.outcomes[outcome] += 1
        if outcome == "accepted":
            await self.come_back()
        return []
