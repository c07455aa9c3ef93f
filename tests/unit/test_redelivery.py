"""An update that meets a Redis outage: handled again only while nothing of it has happened."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiogram import Bot, Router
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.fsm.storage.memory import DisabledEventIsolation, MemoryStorage
from aiogram.types import ErrorEvent, Message, Update
from redis.exceptions import ConnectionError

import bot.redelivery
from bot.outage import UpdateNotHandled
from bot.redelivery import RedeliveringDispatcher

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def an_update(text: str = "alice@example.com") -> Update:
    return Update.model_validate(
        {
            "update_id": 7,
            "message": {
                "message_id": 3,
                "date": 0,
                "chat": {"id": 42, "type": "private"},
                "from": {"id": 42, "is_bot": False, "first_name": "Alice"},
                "text": text,
            },
        }
    )


class Story:
    """A router whose handler and error handler note what happened to the update."""

    def __init__(self) -> None:
        self.router = Router()
        self.handled: list[str] = []
        self.told: list[str] = []
        self.redis_down_for = 0
        self.fail_inside = False

        async def redis_answers(_: Message) -> bool:
            if self.redis_down_for > 0:
                self.redis_down_for -= 1
                raise ConnectionError("Redis is restarting")
            return True

        @self.router.message(redis_answers)
        async def answer(message: Message) -> None:
            self.handled.append(message.text or "")
            if self.fail_inside:
                raise ConnectionError("Redis went away halfway")

        @self.router.error()
        async def tell(event: ErrorEvent) -> None:
            self.told.append(type(event.exception).__name__)


class ReleaseFails(BaseEventIsolation):
    """The user's lock is taken, but Redis is gone when it is given back."""

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        yield
        raise ConnectionError("Redis is restarting")

    async def close(self) -> None:
        pass


def dispatcher_for(
    story: Story, *, handle_again: bool, isolation: BaseEventIsolation | None = None
) -> RedeliveringDispatcher:
    dispatcher = RedeliveringDispatcher(
        storage=MemoryStorage(),
        events_isolation=isolation or DisabledEventIsolation(),
        handle_again=handle_again,
    )
    dispatcher.include_router(story.router)
    return dispatcher


@pytest.fixture
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.redelivery, "POLLING_PAUSE", 0.0)


async def feed(dispatcher: RedeliveringDispatcher, **kwargs: Any) -> Any:
    telegram = Bot(TOKEN)
    try:
        return await dispatcher.feed_update(telegram, an_update(), **kwargs)
    finally:
        await telegram.session.close()


@pytest.mark.usefixtures("no_pause")
async def test_polling_handles_the_update_again_once_redis_answers() -> None:
    story = Story()
    story.redis_down_for = 3

    await feed(dispatcher_for(story, handle_again=True))

    assert story.handled == ["alice@example.com"]
    assert story.told == []


async def test_a_webhook_update_that_never_started_asks_for_delivery_again() -> None:
    story = Story()
    story.redis_down_for = 1

    with pytest.raises(UpdateNotHandled):
        await feed(dispatcher_for(story, handle_again=False))

    assert story.handled == []
    assert story.told == []


@pytest.mark.usefixtures("no_pause")
@pytest.mark.parametrize("handle_again", [True, False])
async def test_a_step_that_failed_halfway_is_not_run_again_and_the_customer_is_told(
    handle_again: bool,
) -> None:
    story = Story()
    story.fail_inside = True

    await feed(dispatcher_for(story, handle_again=handle_again))

    assert story.handled == ["alice@example.com"]
    assert story.told == ["ConnectionError"]


@pytest.mark.usefixtures("no_pause")
@pytest.mark.parametrize("handle_again", [True, False])
async def test_a_lock_not_given_back_after_the_step_is_only_logged(
    handle_again: bool, caplog: pytest.LogCaptureFixture
) -> None:
    story = Story()

    await feed(dispatcher_for(story, handle_again=handle_again, isolation=ReleaseFails()))

    assert story.handled == ["alice@example.com"]
    assert story.told == []
    assert "Update 7 was handled; Redis failed only afterwards" in caplog.text


async def test_polling_gives_up_after_its_patience(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.redelivery, "POLLING_PATIENCE", 0.0)
    story = Story()
    story.redis_down_for = 1

    with pytest.raises(ConnectionError):
        await feed(dispatcher_for(story, handle_again=True))

    assert story.handled == []
