"""What the fake Telegram remembers: users, chats, messages, pending updates, callback queries."""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.keyboards import inline_rows
from tests.fake_telegram.text import utf16_slice

ChatType = Literal["private", "group", "supergroup"]
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


class Signal:
    """Wakes every waiter on each ``notify()``; waiters re-check their condition afterwards."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return


@dataclass
class UserRecord:
    """A Telegram user. ``started`` = has ever written to the bot (required before the bot can)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool = False
    blocked_bot: bool = False
    started: bool = False

    def to_api(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            if (value := getattr(self, name)) is not None:
                data[name] = value
        if self.is_premium:
            data["is_premium"] = True
        return data


@dataclass
class ChatMessage:
    """One message as it stands now (after edits); ``deleted`` messages are kept for inspection."""

    message_id: int
    chat_id: int
    from_bot: bool
    sender_id: int
    date: int
    text: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    photo: list[JsonDict] | None = None
    document: JsonDict | None = None
    reply_markup: JsonDict | None = None
    reply_to_message_id: int | None = None
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False

    @property
    def has_media(self) -> bool:
        return self.photo is not None or self.document is not None

    @property
    def body(self) -> str:
        """The text a user reads: the message text, or the caption of a photo/document."""
        return self.text if self.text is not None else (self.caption or "")

    def inline_keyboard(self) -> list[list[JsonDict]]:
        return inline_rows(self.reply_markup)

    def button_labels(self) -> list[str]:
        return [str(button["text"]) for row in self.inline_keyboard() for button in row]

    def entity_texts(self, entity_type: str) -> list[str]:
        """The pieces of text covered by entities of a type, e.g. every ``bold`` part."""
        entities = self.entities if self.text is not None else self.caption_entities
        return [
            utf16_slice(self.body, int(e["offset"]), int(e["length"]))
            for e in entities
            if e["type"] == entity_type
        ]

    def snapshot(self) -> ChatMessage:
        return copy.deepcopy(self)

    def describe(self) -> str:
        who = "bot" if self.from_bot else f"user {self.sender_id}"
        flags = []
        if self.edit_count:
            flags.append(f"edited x{self.edit_count}")
        if self.deleted:
            flags.append("deleted")
        if self.photo is not None:
            flags.append("photo")
        if self.document is not None:
            flags.append("document")
        suffix = f" ({', '.join(flags)})" if flags else ""
        labels = self.button_labels()
        buttons = f"\n      buttons: {labels}" if labels else ""
        return f"  #{self.message_id} {who}{suffix}: {self.body!r}{buttons}"


@dataclass
class ChatEvent:
    """A bot action a simulated user can observe: a new message or an edit of one."""

    kind: Literal["new", "edit"]
    message: ChatMessage


@dataclass
class Chat:
    id: int
    type: ChatType
    title: str | None = None
    user: UserRecord | None = None
    username: str | None = None
    member_ids: set[int] = field(default_factory=set)
    bot_member: bool = True
    bot_kicked: bool = False
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    reply_keyboard: JsonDict | None = None
    chat_actions: list[str] = field(default_factory=list)
    menu_button: JsonDict | None = None
    changed: Signal = field(default_factory=Signal)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_message_id(self) -> int:
        return next(self._ids)

    def to_api(self) -> JsonDict:
        if self.type == "private" and self.user is not None:
            data: JsonDict = {"id": self.id, "type": "private"}
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.username:
            data["username"] = self.username
        return data

    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages.values() if m.from_bot and not m.deleted]

    def transcript(self) -> str:
        lines = [m.describe() for m in self.messages.values()]
        return "\n".join(lines) if lines else "  (no messages)"

    def record(self, kind: Literal["new", "edit"], message: ChatMessage) -> None:
        self.events.append(ChatEvent(kind, message.snapshot()))
        self.changed.notify()


@dataclass
class CallbackQueryRecord:
    """A pressed inline button, waiting for answerCallbackQuery (Telegram shows a spinner)."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created_at: float = field(default_factory=time.monotonic)
    answered: bool = False
    answer: JsonDict | None = None
    answered_signal: Signal = field(default_factory=Signal)


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class BotState:
    """Everything one bot token sees: its identity, its chats and its queue of updates."""

    token: str
    user: JsonDict
    chats: dict[int, Chat] = field(default_factory=dict)
    pending_updates: list[JsonDict] = field(default_factory=list)
    delivered_updates: list[JsonDict] = field(default_factory=list)
    allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
    webhook: WebhookConfig | None = None
    commands: dict[tuple[str, str], list[JsonDict]] = field(default_factory=dict)
    # setMyDescription / setMyShortDescription: language code ("" = default) -> text.
    descriptions: dict[str, str] = field(default_factory=dict)
    short_descriptions: dict[str, str] = field(default_factory=dict)
    default_menu_button: JsonDict | None = None
    callback_queries: dict[str, CallbackQueryRecord] = field(default_factory=dict)
    files: dict[str, JsonDict] = field(default_factory=dict)
    file_contents: dict[str, bytes] = field(default_factory=dict)
    updates_signal: Signal = field(default_factory=Signal)
    poll_generation: int = 0
    closed: bool = False
    # How the next webhook deliveries are repeated, one entry per update ("after", "during").
    repeat_deliveries: list[str] = field(default_factory=list)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def enqueue(self, kind: str, payload: JsonDict) -> JsonDict:
        """Queue an update; Telegram never creates updates of types the bot did not allow."""
        update: JsonDict = {"update_id": next(self._update_ids), kind: payload}
        if kind in self.allowed_updates:
            self.pending_updates.append(update)
            self.updates_signal.notify()
        return update

    def message_to_api(self, message: ChatMessage, users: dict[int, UserRecord]) -> JsonDict:
        chat = self.chats[message.chat_id]
        sender = dict(self.user) if message.from_bot else users[message.sender_id].to_api()
        data: JsonDict = {
            "message_id": message.message_id,
            "from": sender,
            "chat": chat.to_api(),
            "date": message.date,
        }
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.caption:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.photo is not None:
            data["photo"] = message.photo
        if message.document is not None:
            data["document"] = message.document
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.reply_to_message_id is not None:
            replied = chat.messages.get(message.reply_to_message_id)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = self.message_to_api(replied, users)
        return data


@dataclass(frozen=True)
class RecordedRequest:
    """One call the bot made: method name as sent, decoded parameters, monotonic time."""

    method: str
    params: dict[str, Any]
    time: float
    token: str


@dataclass(frozen=True)
class Rejection:
    """A call the fake refused as the real Telegram would: the bot did something wrong."""

    method: str
    params: dict[str, Any]
    status: int
    description: str
    time: float
