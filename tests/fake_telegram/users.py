"""Simulated people: they type, press buttons and read what the bot shows them.

A test reads like a conversation: ``await alice.send("/start")``, ``await
alice.wait_for_message(contains="Welcome")``, ``await alice.click("New exchange")``. Every helper
fails with the chat transcript and the buttons that do exist, so a broken flow explains itself.
What they read is a ChatView (tests/fake_telegram/chat_view.py); here is what they do.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass

from tests.fake_telegram.chat_view import DEFAULT_TIMEOUT, ChatView, pick_label
from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.state import BotState, CallbackQueryRecord, Chat, ChatMessage, UserRecord
from tests.fake_telegram.text import user_text_entities

_query_ids = itertools.count(4_000_000_000_000_000_001)


@dataclass(frozen=True)
class CallbackAnswer:
    """What answerCallbackQuery showed the user: a toast (or alert) text, or nothing."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


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
        matches, exact = pick_label(labels, label)
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
