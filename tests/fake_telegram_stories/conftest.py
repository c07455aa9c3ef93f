"""The fake Telegram and an aiogram Bot pointed at it, for every story about the fake itself."""

from __future__ import annotations

from tests.fake_telegram.fixtures import fake_bot, fake_telegram

__all__ = ["fake_bot", "fake_telegram"]
