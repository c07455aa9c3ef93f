"""Simulated people: they type, press buttons and read what the bot shows them.

A test reads like a conversation: ``await alice.send("/start")``, ``await
alice.wait_for_message(contains="Welcome")``, ``await alice.click("New exchange")``. Every helper
fails with the chat transcript and the buttons that do exist, so a broken flow explains itself.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.keyboards import reply_labels
from tests.fake_telegram.state import (
    BotState,
    CallbackQueryRecord,
    Chat,
    ChatMessage,
    UserRecord,
)
from tests.fake_telegram.text import user_text_entities

DEFAULT_TIMEOUT = 5.0
_query_ids = itertools.count(4_000_000_000_000_000_001)


@dataclass(frozen=True)
class CallbackAnswer:
    """What answerCallbackQuery showed the user: a toast (or alert) text, or nothing."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


def _pick(labels: list[str], wanted: str) -> tuple[list[str], bool]:
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
                matches, exact = _pick(message.button_labels(), label)
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


class ChatSession(ChatView):
    """A user acting in a chat: typing, clicking inline buttons, pressing reply buttons."""

    def __init__(
        self, bot: BotState, chat: Chat, users: dict[int, UserRecord], user: UserRecord
    ) -> None:
        super().__init__(bot, chat, users, user.first_name)
        self.user = user

    def _check_can_write(self) -> None:
        if self.user.blocked_bot:
            raise AssertionError(f"{self._name} blocked the bot; call unblock_bot() first")
        if self.chat.type != "private" and self.user.id not in self.chat.member_ids:
            raise AssertionError(f"{self._name} is not a member of chat {self.chat.id}")

    def _bot_sees(self, message: ChatMessage) -> bool:
        """Group privacy mode: the bot gets only commands, replies to it and mentions of it."""
        if self.chat.type == "private" or self._bot.user.get("can_read_all_group_messages"):
            return True
        text = message.text or ""
        username = str(self._bot.user.get("username", ""))
        replied = self.chat.messages.get(message.reply_to_message_id or 0)
        return (
            text.startswith("/")
            or (bool(username) and f"@{username}" in text)
            or (replied is not None and replied.from_bot)
        )

    async def send(self, text: str, *, reply_to: int | None = None) -> ChatMessage:
        """Type and send ``text`` (commands get ``bot_command`` entities, like a real client)."""
        self._check_can_write()
        message = ChatMessage(
            message_id=self.chat.next_message_id(),
            chat_id=self.chat.id,
            from_bot=False,
            sender_id=self.user.id,
            date=int(time.time()),
            text=text,
            entities=user_text_entities(text),
            reply_to_message_id=reply_to,
        )
        self.chat.messages[message.message_id] = message
        if self.chat.type == "private":
            self.user.started = True
        if self._bot_sees(message):
            self._bot.enqueue("message", self._bot.message_to_api(message, self._users))
        await asyncio.sleep(0)
        return message

    async def click(
        self,
        label: str,
        *,
        message_id: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - the test-facing API reads better
    ) -> CallbackAnswer:
        """Press an inline button and wait until the bot answers the callback query.

        Telegram shows a spinner on the button until answerCallbackQuery; a bot that never
        answers looks frozen, so a missing answer fails the test.
        """
        query = self.click_nowait(label, message_id=message_id)
        return await self._await_answer(query, repr(label), timeout)

    async def _await_answer(
        self,
        query: CallbackQueryRecord,
        what: str,
        timeout: float,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        deadline = time.monotonic() + timeout
        while not query.answered:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"{self._name}: the bot did not answer the callback query of {what} "
                    f"within {timeout}s (every callback query must be answered)\n"
                    f"{self.transcript()}"
                )
            await query.answered_signal.wait(remaining)
        answer = query.answer or {}
        return CallbackAnswer(
            query_id=query.id,
            text=answer.get("text"),
            show_alert=bool(answer.get("show_alert")),
            url=answer.get("url"),
            cache_time=int(answer.get("cache_time") or 0),
        )

    def click_nowait(self, label: str, *, message_id: int | None = None) -> CallbackQueryRecord:
        """Press an inline button without waiting for the answer; returns the query record."""
        self._check_can_write()
        message, button = self._find_button(label, message_id)
        if message.deleted:
            raise AssertionError(f"{self._name}: message #{message.message_id} was deleted")
        if "callback_data" not in button:
            kinds = [key for key in button if key != "text"]
            raise AssertionError(
                f"{self._name}: button {button['text']!r} is a {kinds} button, not a callback "
                "button; Telegram sends the bot nothing when it is pressed"
            )
        return self._send_callback_query(message, str(button["callback_data"]))

    async def click_forged(
        self,
        data: str,
        *,
        message_id: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - the test-facing API reads better
    ) -> CallbackAnswer:
        """Send a callback query with arbitrary ``data``, as a modified client can.

        Telegram forwards whatever callback_data a client claims, so the bot must treat it as
        untrusted input. The query is attached to message ``message_id`` (default: the newest
        message from the bot).
        """
        self._check_can_write()
        message = self._message(message_id) if message_id is not None else self.last_message
        query = self._send_callback_query(message, data)
        return await self._await_answer(query, repr(data), timeout)

    def _send_callback_query(self, message: ChatMessage, data: str) -> CallbackQueryRecord:
        query = CallbackQueryRecord(
            id=str(next(_query_ids)),
            user_id=self.user.id,
            chat_id=self.chat.id,
            message_id=message.message_id,
            data=data,
        )
        self._bot.callback_queries[query.id] = query
        payload: JsonDict = {
            "id": query.id,
            "from": self.user.to_api(),
            "message": self._bot.message_to_api(message, self._users),
            "chat_instance": str(abs(self.chat.id) * 7919),
            "data": query.data,
        }
        self._bot.enqueue("callback_query", payload)
        return query

    async def press(self, label: str) -> ChatMessage:
        """Press a button of the reply keyboard shown now: sends its text as a message."""
        markup = self.chat.reply_keyboard
        labels = self.reply_keyboard()
        if markup is None:
            raise AssertionError(f"{self._name}: no reply keyboard is shown\n{self.transcript()}")
        matches, exact = _pick(labels, label)
        if not matches or (len(matches) > 1 and not exact):
            raise AssertionError(
                f"{self._name}: reply keyboard has no single button {label!r}; it has {labels}"
            )
        if markup.get("one_time_keyboard"):
            self.chat.reply_keyboard = None
        return await self.send(matches[0])


class SimulatedUser(ChatSession):
    """A person with a private chat with the bot."""

    def __init__(
        self, bot: BotState, chat: Chat, users: dict[int, UserRecord], user: UserRecord
    ) -> None:
        super().__init__(bot, chat, users, user)
        self._sessions: dict[int, ChatSession] = {}

    @property
    def id(self) -> int:
        return self.user.id

    def in_chat(self, group: SimulatedGroup) -> ChatSession:
        """This user acting in a group (same session object each time, so waits continue)."""
        if group.id not in self._sessions:
            self._sessions[group.id] = ChatSession(self._bot, group.chat, self._users, self.user)
        return self._sessions[group.id]

    def _member_update(self, old: str, new: str) -> None:
        member: JsonDict = {"user": dict(self._bot.user), "status": new}
        if new == "kicked":
            member["until_date"] = 0
        self._bot.enqueue(
            "my_chat_member",
            {
                "chat": self.chat.to_api(),
                "from": self.user.to_api(),
                "date": int(time.time()),
                "old_chat_member": {"user": dict(self._bot.user), "status": old},
                "new_chat_member": member,
            },
        )

    def block_bot(self) -> None:
        """Block the bot: its sends now fail with 403; the bot gets a my_chat_member update."""
        self.user.blocked_bot = True
        self._member_update("member", "kicked")

    def unblock_bot(self) -> None:
        self.user.blocked_bot = False
        self._member_update("kicked", "member")


class SimulatedGroup(ChatView):
    """A group chat with members; ``user.in_chat(group)`` lets a member act in it."""

    def add_member(self, user: SimulatedUser) -> None:
        self.chat.member_ids.add(user.id)

    def remove_bot(self) -> None:
        """The bot is kicked: sends fail with 403 "bot was kicked from the group chat"."""
        self.chat.bot_kicked = True
        self.chat.bot_member = False
