"""`python -m bot check` looks at the deployment too: whether the bot may post in the operator
chat, what Telegram says of the webhook, and whether PUBLIC_URL reaches this very bot, saying
honestly when that cannot be known (the bot is not running)."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.config import Settings
from bot.observability.web import INSTANCE_HEADER
from bot.preflight import run_preflight
from bot.telegram import create_bot
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.fake_telegram import FakeTelegram
from tests.redis_server import free_port


async def preflight(settings: Settings) -> tuple[int, dict[str, str]]:
    """The exit code and each check's line by the check's name."""
    out = io.StringIO()
    code = await run_preflight(settings, out=out)
    lines = {}
    for line in out.getvalue().splitlines():
        name = line[7:].partition(": ")[0]
        lines[name] = line
    return code, lines


async def test_the_check_says_the_bot_may_post_in_the_operator_chat(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    operators = fake_telegram.group("Operators")

    code, lines = await preflight(make_settings(OPERATOR_CHAT_ID=operators.id))

    assert code == 0, lines
    assert lines["Operator chat"] == (
        f"[ ok ] Operator chat: @exchange_test_bot may post in Operators "
        f"(group, id {operators.id}) as member"
    )


async def test_the_check_fails_when_the_bot_was_removed_from_the_operator_chat_or_never_in_it(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    operators = fake_telegram.group("Operators")
    operators.remove_bot()

    code, lines = await preflight(make_settings(OPERATOR_CHAT_ID=operators.id))
    assert code == 1
    assert lines["Operator chat"].startswith("[FAIL] Operator chat: @exchange_test_bot is not")
    assert "(status kicked): add it again" in lines["Operator chat"]

    fake_telegram.expect_rejection("getChat", "chat not found")
    code, lines = await preflight(make_settings(OPERATOR_CHAT_ID=-100999))
    assert code == 1
    assert "does not let @exchange_test_bot see chat -100999" in lines["Operator chat"]
    assert "correct OPERATOR_CHAT_ID" in lines["Operator chat"]


async def test_with_the_bot_running_the_check_sees_the_webhook_and_that_public_url_reaches_it(
    make_settings: SettingsFactory,
) -> None:
    port = free_port()
    settings = make_settings(WEB_PORT=port, PUBLIC_URL=f"http://127.0.0.1:{port}")
    async with running_bot(settings) as app:
        code, lines = await preflight(settings)

    assert code == 0, lines
    assert lines["Webhook"] == (
        f"[ ok ] Webhook: Telegram delivers to http://127.0.0.1:{port}/telegram/webhook "
        "without errors (0 updates waiting)"
    )
    assert lines["PUBLIC_URL"] == (
        f"[ ok ] PUBLIC_URL: http://127.0.0.1:{port} reaches this bot (instance {app.instance})"
    )


async def test_a_recent_webhook_delivery_error_fails_the_check_and_is_shown(
    fake_telegram: FakeTelegram, make_settings: SettingsFactory
) -> None:
    public_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    bot = create_bot(fake_telegram.token, fake_telegram.url)
    try:
        await bot.set_webhook(public_url + "/telegram/webhook")
    finally:
        await bot.session.close()
    await fake_telegram.user("Alice").send("/start")
    hook = fake_telegram.bot_state().webhook
    deadline = time.monotonic() + 10
    while hook is not None and hook.last_error_date is None:  # the delivery attempt
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)

    code, lines = await preflight(make_settings(PUBLIC_URL=public_url))

    assert code == 1
    assert lines["Webhook"].startswith(
        f"[FAIL] Webhook: Telegram's last delivery to {public_url}/telegram/webhook failed "
    )


async def test_without_the_bot_running_the_check_says_public_url_cannot_be_checked(
    make_settings: SettingsFactory,
) -> None:
    port = free_port()

    code, lines = await preflight(make_settings(WEB_PORT=port, PUBLIC_URL="http://127.0.0.1:9"))

    assert code == 0, lines
    assert lines["Webhook"].startswith("[skip] Webhook: no webhook is set: the bot sets")
    assert lines["PUBLIC_URL"].startswith(
        f"[skip] PUBLIC_URL: no bot answers at http://127.0.0.1:{port}/healthz, so whether "
        "PUBLIC_URL reaches it cannot be checked without the bot running"
    )


async def test_the_check_fails_when_public_url_reaches_another_process(
    make_settings: SettingsFactory,
) -> None:
    port = free_port()
    async with another_bot("someone-else") as elsewhere:
        settings = make_settings(WEB_PORT=port)
        async with running_bot(settings) as app:
            checked = settings.model_copy(update={"PUBLIC_URL": elsewhere})
            code, lines = await preflight(checked)

    assert code == 1
    assert lines["PUBLIC_URL"] == (
        f"[FAIL] PUBLIC_URL: {elsewhere} reaches bot instance someone-else, not the one at "
        f"port {port} here ({app.instance}); with several processes behind one URL, run the "
        "check on each"
    )


@asynccontextmanager
async def another_bot(instance: str) -> AsyncIterator[str]:
    """A web server that answers like another bot process would (its instance header)."""

    async def answer(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"}, headers={INSTANCE_HEADER: instance})

    app = web.Application()
    app.router.add_get("/healthz", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
