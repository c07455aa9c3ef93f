"""A strict fake Telegram Bot API server for end-to-end tests, reached over real HTTP."""

from tests.fake_telegram.chat_view import ChatView
from tests.fake_telegram.fake import DEFAULT_TOKEN, FakeTelegram
from tests.fake_telegram.flood import FloodRules, FloodViolation
from tests.fake_telegram.state import ChatMessage, RecordedRequest, Rejection
from tests.fake_telegram.users import (
    CallbackAnswer,
    ChatSession,
    SimulatedGroup,
    SimulatedUser,
)
from tests.fake_telegram.webhook import SECRET_HEADER, WebhookDelivery

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "CallbackAnswer",
    "ChatMessage",
    "ChatSession",
    "ChatView",
    "FakeTelegram",
    "FloodRules",
    "FloodViolation",
    "RecordedRequest",
    "Rejection",
    "SimulatedGroup",
    "SimulatedUser",
    "WebhookDelivery",
]
