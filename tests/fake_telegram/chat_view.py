"""A chat as a person reads it: the bot's messages, their buttons, the reply keyboard, and
waiting for the next message.

Every helper fails with the chat transcript and the buttons that do exist, so a broken flow
explains itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Literal

from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.keyboards import reply_labels
from tests.fake_telegram.state import BotState, Chat, ChatMessage, UserRecord

DEFAULT_TIMEOUT = 5.0


def pick_label(labels: list[str], wanted: str) -> tuple[list[str], bool]:
    """Matches for ``wanted``: exact ones, else substring ones; the flag says which kind."""
    exact = [label for label in labels if label == wanted]
    if exact:
        return exact, True
    return [label for label in labels if wanted in label], False


class ChatView:
    """What one observer sees in a chat, with a cursor over the bot's new messages and edits."""

    def __init__(self, bot: BotState, chat: Chat, users: dict[int, UserRecord], name: str) -> None:
        self._bot = bot
        self.chat = chat
        self._users = users
        self._name = name
        self._cursor = len(chat.events)

    @property
    def id(self) -> int:
        return self.chat.id

    @property
    def messages(self) -> dict[int, ChatMessage]:
        """Every message in the chat by message_id, as it stands now (edited, deleted flags)."""
        return self.chat.messages

    @property
    def bot_messages(self) -> list[ChatMessage]:
        return self.chat.bot_messages()

    @property
    def last_message(self) -> ChatMessage:
        """The newest message from the bot that is still there."""
        messages = self.chat.bot_messages()
        if not messages:
            raise AssertionError(f"{self._name}: the bot has sent nothing\n{self.transcript()}")
        return messages[-1]

    @property
    def chat_actions(self) -> list[str]:
        return list(self.chat.chat_actions)

    def transcript(self) -> str:
        return f"chat {self.chat.id} ({self._name}):\n{self.chat.transcript()}"

    def _keyboards(self) -> list[ChatMessage]:
        return [m for m in reversed(self.chat.bot_messages()) if m.button_labels()]

    def buttons(self, message_id: int | None = None) -> list[str]:
        """Labels of the newest inline keyboard (or of message ``message_id``), row by row."""
        if message_id is not None:
            return self._message(message_id).button_labels()
        keyboards = self._keyboards()
        return keyboards[0].button_labels() if keyboards else []

    def button_rows(self, message_id: int | None = None) -> list[list[str]]:
        if message_id is not None:
            message = self._message(message_id)
        else:
            keyboards = self._keyboards()
            if not keyboards:
                return []
            message = keyboards[0]
        return [[str(b["text"]) for b in row] for row in message.inline_keyboard()]

    def button(self, label: str, message_id: int | None = None) -> JsonDict:
        """The inline button object (to check a ``url`` or ``callback_data``)."""
        return self._find_button(label, message_id)[1]

    def reply_keyboard(self) -> list[str]:
        """Labels of the reply keyboard currently shown under the input field ([] if none)."""
        if self.chat.reply_keyboard is None:
            return []
        return [label for row in reply_labels(self.chat.reply_keyboard) for label in row]

    def _message(self, message_id: int) -> ChatMessage:
        message = self.chat.messages.get(message_id)
        if message is None:
            raise AssertionError(f"{self._name}: no message #{message_id}\n{self.transcript()}")
        return message

    def _find_button(self, label: str, message_id: int | None) -> tuple[ChatMessage, JsonDict]:
        candidates = [self._message(message_id)] if message_id is not None else self._keyboards()
        for exact_only in (True, False):
            for message in candidates:
                matches, exact = pick_label(message.button_labels(), label)
                if not matches or (exact_only and not exact):
                    continue
                if len(matches) > 1 and not exact:
                    raise AssertionError(
                        f"{self._name}: button {label!r} is ambiguous on message "
                        f"#{message.message_id}: {matches}"
                    )
                for row in message.inline_keyboard():
                    for button in row:
                        if button["text"] == matches[0]:
                            return message, button
        existing = "\n".join(
            f"  #{m.message_id}{' (deleted)' if m.deleted else ''}: {m.button_labels()}"
            for m in candidates
        )
        raise AssertionError(
            f"{self._name}: no inline button {label!r}. Buttons that exist (newest first):\n"
            f"{existing or '  (no inline keyboards)'}\n{self.transcript()}"
        )

    async def wait_for_message(
        self,
        contains: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - the test-facing API reads better
        kind: Literal["new", "edit", "any"] = "any",
        where: Callable[[ChatMessage], bool] | None = None,
    ) -> ChatMessage:
        """The next new message or edit from the bot (skipping ones that do not match).

        Returns the message as it was at that moment. Fails with the transcript on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            while self._cursor < len(self.chat.events):
                event = self.chat.events[self._cursor]
                self._cursor += 1
                message = event.message
                if kind != "any" and event.kind != kind:
                    continue
                if contains is not None and contains not in message.body:
                    continue
                if where is not None and not where(message):
                    continue
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                wanted = f" containing {contains!r}" if contains else ""
                raise AssertionError(
                    f"{self._name}: no {kind} message from the bot{wanted} within {timeout}s\n"
                    f"{self.transcript()}"
                )
            await self.chat.changed.wait(remaining)

    async def expect_no_message(self, within: float = 0.3) -> None:
        """Assert the bot stays silent here (no new message, no edit) for ``within`` seconds."""
        await asyncio.sleep(within)
        if self._cursor < len(self.chat.events):
            unexpected = self.chat.events[self._cursor :]
            self._cursor = len(self.chat.events)
            shown = "\n".join(f"  {e.kind}: {e.message.describe()}" for e in unexpected)
            raise AssertionError(f"{self._name}: expected silence, the bot did:\n{shown}")

    def skip_pending(self) -> None:
        """Forget bot messages not waited for yet; the next wait sees only newer ones."""
        self._cursor = len(self.chat.events)
