"""Sending, editing and deleting messages, with the checks the real Bot API makes."""

from __future__ import annotations

from typing import Any

from tests.fake_telegram import errors, files
from tests.fake_telegram.context import CallContext
from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.formatting import format_text
from tests.fake_telegram.keyboards import validate_reply_markup
from tests.fake_telegram.state import Chat, ChatMessage
from tests.fake_telegram.text import FormattedText, check_caption, check_text

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def _formatted(
    ctx: CallContext, text_name: str, mode_name: str, entities_name: str
) -> FormattedText:
    text = ctx.params.get_str(text_name) or ""
    entities = ctx.params.get_json(entities_name, "entities")
    mode = ctx.params.get_str(mode_name)
    return format_text(text, mode, entities, strict_html=ctx.settings.strict_html)


def _message_text(ctx: CallContext) -> FormattedText:
    if not ctx.params.has("text"):
        raise errors.bad_request(errors.TEXT_EMPTY)
    return check_text(_formatted(ctx, "text", "parse_mode", "entities"))


def _caption(ctx: CallContext) -> FormattedText:
    return check_caption(_formatted(ctx, "caption", "parse_mode", "caption_entities"))


def _reply_to(ctx: CallContext, chat: Chat) -> int | None:
    """``reply_parameters``/``reply_to_message_id`` must point at a message in the same chat."""
    params = ctx.params.get_json("reply_parameters", "reply parameters")
    message_id = ctx.params.get_int("reply_to_message_id")
    allow_missing = ctx.params.get_bool("allow_sending_without_reply")
    if isinstance(params, dict):
        message_id = int(params["message_id"]) if "message_id" in params else None
        allow_missing = bool(params.get("allow_sending_without_reply", allow_missing))
    if message_id is None:
        return None
    target = chat.messages.get(message_id)
    if target is None or target.deleted:
        if allow_missing:
            return None
        raise errors.bad_request("Bad Request: message to be replied not found")
    return message_id


def _deliver(
    ctx: CallContext, chat: Chat, message: ChatMessage, markup: JsonDict | None
) -> JsonDict:
    """Store a new bot message; reply keyboards become the chat's current keyboard."""
    if markup is not None:
        if "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None
    chat.messages[message.message_id] = message
    chat.record("new", message)
    return ctx.bot.message_to_api(message, ctx.users)


def _new_message(ctx: CallContext, chat: Chat, **content: Any) -> ChatMessage:
    return ChatMessage(
        message_id=chat.next_message_id(),
        chat_id=chat.id,
        from_bot=True,
        sender_id=ctx.bot.id,
        date=int(ctx.now),
        **content,
    )


async def send_message(ctx: CallContext) -> JsonDict:
    chat = ctx.writable_chat()
    formatted = _message_text(ctx)
    markup = validate_reply_markup(ctx.params.values.get("reply_markup"))
    reply_to = _reply_to(ctx, chat)
    message = _new_message(
        ctx,
        chat,
        text=formatted.text,
        entities=formatted.entities,
        reply_markup=markup,
        reply_to_message_id=reply_to,
    )
    return _deliver(ctx, chat, message, markup)


async def send_photo(ctx: CallContext) -> JsonDict:
    chat = ctx.writable_chat()
    caption = _caption(ctx)
    markup = validate_reply_markup(ctx.params.values.get("reply_markup"))
    photo = files.photo_sizes(ctx.bot, ctx.params.get_file("photo"))
    message = _new_message(
        ctx,
        chat,
        caption=caption.text,
        caption_entities=caption.entities,
        photo=photo,
        reply_markup=markup,
        reply_to_message_id=_reply_to(ctx, chat),
    )
    return _deliver(ctx, chat, message, markup)


async def send_document(ctx: CallContext) -> JsonDict:
    chat = ctx.writable_chat()
    caption = _caption(ctx)
    markup = validate_reply_markup(ctx.params.values.get("reply_markup"))
    document = files.document(ctx.bot, ctx.params.get_file("document"))
    message = _new_message(
        ctx,
        chat,
        caption=caption.text,
        caption_entities=caption.entities,
        document=document,
        reply_markup=markup,
        reply_to_message_id=_reply_to(ctx, chat),
    )
    return _deliver(ctx, chat, message, markup)


def _message_to_edit(ctx: CallContext) -> tuple[Chat, ChatMessage]:
    """The bot's own message named by chat_id + message_id (inline messages are not simulated)."""
    if ctx.params.has("inline_message_id"):
        raise errors.bad_request(
            "Bad Request: MESSAGE_ID_INVALID (inline messages are not simulated)"
        )
    chat = ctx.writable_chat()
    message_id = ctx.params.get_int("message_id")
    if message_id is None:
        raise errors.bad_request("Bad Request: message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise errors.bad_request(errors.EDIT_NOT_FOUND)
    if not message.from_bot:
        raise errors.bad_request(errors.CANT_BE_EDITED)
    return chat, message


def _apply_edit(ctx: CallContext, chat: Chat, message: ChatMessage, **changes: Any) -> JsonDict:
    """Refuse an edit that changes nothing (Telegram's "message is not modified"), else apply it."""
    if all(getattr(message, name) == value for name, value in changes.items()):
        raise errors.bad_request(errors.NOT_MODIFIED)
    for name, value in changes.items():
        setattr(message, name, value)
    message.edit_count += 1
    message.edit_date = int(ctx.now)
    chat.record("edit", message)
    return ctx.bot.message_to_api(message, ctx.users)


async def edit_message_text(ctx: CallContext) -> JsonDict:
    chat, message = _message_to_edit(ctx)
    formatted = _message_text(ctx)
    markup = validate_reply_markup(ctx.params.values.get("reply_markup"), inline_only=True)
    if message.text is None:
        raise errors.bad_request(errors.NO_TEXT_TO_EDIT)
    return _apply_edit(
        ctx, chat, message, text=formatted.text, entities=formatted.entities, reply_markup=markup
    )


async def edit_message_caption(ctx: CallContext) -> JsonDict:
    chat, message = _message_to_edit(ctx)
    caption = _caption(ctx)
    markup = validate_reply_markup(ctx.params.values.get("reply_markup"), inline_only=True)
    if not message.has_media:
        raise errors.bad_request(errors.NO_CAPTION_TO_EDIT)
    return _apply_edit(
        ctx,
        chat,
        message,
        caption=caption.text,
        caption_entities=caption.entities,
        reply_markup=markup,
    )


async def edit_message_reply_markup(ctx: CallContext) -> JsonDict:
    chat, message = _message_to_edit(ctx)
    markup = validate_reply_markup(ctx.params.values.get("reply_markup"), inline_only=True)
    return _apply_edit(ctx, chat, message, reply_markup=markup)


async def delete_message(ctx: CallContext) -> bool:
    chat = ctx.writable_chat()
    message_id = ctx.params.require_int("message_id")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise errors.bad_request(errors.DELETE_NOT_FOUND)
    if not message.from_bot and chat.type == "private" and ctx.now - message.date > 48 * 3600:
        raise errors.bad_request("Bad Request: message can't be deleted for everyone")
    message.deleted = True
    chat.changed.notify()
    return True


async def send_chat_action(ctx: CallContext) -> bool:
    chat = ctx.writable_chat()
    action = ctx.params.get_str("action")
    if action not in CHAT_ACTIONS:
        raise errors.bad_request(errors.WRONG_CHAT_ACTION)
    chat.chat_actions.append(action)
    return True
