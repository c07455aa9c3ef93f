"""Several bot processes on one Redis: one sets the webhook, and only one may long-poll."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.app import ExchangeBotApp, StartupError
from bot.content import load_content
from bot.storage.keys import RedisKeys
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.fake_telegram import FakeTelegram


async def test_a_second_instance_leaves_the_webhook_as_the_first_set_it(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    first = make_settings()
    public_url = f"http://127.0.0.1:{first.WEB_PORT}"
    first = make_settings(WEB_PORT=first.WEB_PORT, PUBLIC_URL=public_url)
    second = make_settings(PUBLIC_URL=public_url)
    alice = fake_telegram.user("Alice")

    async with running_bot(first), running_bot(second):
        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!")

    assert len(fake_telegram.calls("setWebhook")) == 1
    assert len(fake_telegram.calls("getWebhookInfo")) == 2


async def test_a_new_webhook_secret_is_given_to_telegram_even_though_the_url_is_the_same(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    public_url = f"http://127.0.0.1:{settings.WEB_PORT}"
    old = "an-old-secret-that-is-32-characters-long"
    new = "a-new-secret-that-is-32-characters-longer"

    async with running_bot(make_settings(PUBLIC_URL=public_url, WEBHOOK_SECRET=old)):
        pass
    async with running_bot(make_settings(PUBLIC_URL=public_url, WEBHOOK_SECRET=new)):
        pass

    assert [c.params["secret_token"] for c in fake_telegram.calls("setWebhook")] == [old, new]


async def test_a_second_long_poller_is_refused_with_one_line(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings()):
        second = ExchangeBotApp(make_settings(), load_content(None))
        try:
            with pytest.raises(StartupError, match="polling allows one process") as refused:
                await second.start()
        finally:
            await second.stop()
        assert "\n" not in str(refused.value)

        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!")

    # Stopped, the first gave the lease back: the next one polls at once.
    async with running_bot(make_settings()):
        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!")


async def test_a_poller_started_after_one_that_crashed_polls_once_the_lease_runs_out(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory, redis: Redis, redis_prefix: str
) -> None:
    await redis.set(RedisKeys(redis_prefix).polling, "a-process-that-died", px=1500)
    alice = fake_telegram.user("Alice")

    async with running_bot(make_settings()):
        await alice.send("/start")
        await alice.wait_for_message("Hello, Alice!")
