"""The bot's first calls to Telegram wait for a network that is not up yet, and give up at once,
with one line naming the setting, when waiting cannot help (a wrong token, an address that is
not a Bot API server). A scripted Bot API over real HTTP plays each answer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiohttp import web

from bot.telegram import TelegramUnusable, call_at_start, create_bot

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
ME = {"id": 123456789, "is_bot": True, "first_name": "Exchange", "username": "exchange_bot"}
Answer = Callable[[web.Request], web.StreamResponse]


def bot_api(status: int, payload: dict[str, object]) -> Answer:
    return lambda _request: web.json_response(payload, status=status)


def ok() -> Answer:
    return bot_api(200, {"ok": True, "result": ME})


def error(status: int, description: str, **parameters: int) -> Answer:
    payload: dict[str, object] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return bot_api(status, payload)


def page(status: int) -> Answer:
    """What a web server or a proxy says: HTML, not the Bot API's JSON."""
    return lambda _request: web.Response(
        status=status, text="<html><body>Bad Gateway</body></html>", content_type="text/html"
    )


def hang_up(request: web.Request) -> web.StreamResponse:
    assert request.transport is not None
    request.transport.close()
    return web.Response()


def redirect(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/elsewhere")


@dataclass
class ScriptedBotApi:
    """Answers the n-th request with the n-th answer (the last one ever after)."""

    answers: list[Answer]
    paths: list[str] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.paths.append(request.path)
        return self.answers[min(len(self.paths), len(self.answers)) - 1](request)


Serve = Callable[[list[Answer]], Awaitable[ScriptedBotApi]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    runners: list[web.AppRunner] = []

    async def start(answers: list[Answer]) -> ScriptedBotApi:
        api = ScriptedBotApi(answers)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", api.handle)
        runner = web.AppRunner(app)
        runners.append(runner)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        api.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        return api

    yield start
    for runner in runners:
        await runner.cleanup()


async def get_me_at_start(api: ScriptedBotApi, *, retry_after: bool = True) -> str:
    bot = create_bot(TOKEN, api.url, retry_after=retry_after)
    try:
        me = await call_at_start(bot.me, api_url=api.url, first_delay=0.01, max_delay=0.04)
    finally:
        await bot.session.close()
    return f"@{me.username}"


def retry_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "bot.telegram" and record.levelno == logging.WARNING
    ]


async def test_telegram_that_fails_for_a_while_is_waited_for_one_line_per_attempt(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    api = await serve(
        [
            hang_up,
            page(502),
            error(500, "Internal Server Error"),
            error(429, "Too Many Requests: retry after 1", retry_after=1),
            ok(),
        ]
    )

    assert await get_me_at_start(api, retry_after=False) == "@exchange_bot"

    lines = retry_lines(caplog)
    assert len(api.paths) == 5
    assert [line.split(" failed with ")[1].split(" ")[0] for line in lines] == [
        "TelegramNetworkError",
        "TelegramServerError",
        "TelegramServerError",
        "TelegramRetryAfter",
    ]
    assert all(line.startswith("Telegram cannot be reached at start: getMe") for line in lines)
    assert lines[-1].endswith("next attempt in 1 s")
    assert all("\n" not in line and TOKEN not in line for line in lines)


async def test_the_wait_doubles_up_to_its_cap(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    api = await serve([page(503)] * 5 + [ok()])

    await get_me_at_start(api)

    waits = [line.rsplit("next attempt in ", 1)[1] for line in retry_lines(caplog)]
    assert waits == ["0.01 s", "0.02 s", "0.04 s", "0.04 s", "0.04 s"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (error(401, "Unauthorized"), "Setting BOT_TOKEN: {url} refuses the token (401"),
        (error(404, "Not Found"), "Setting TELEGRAM_API_URL: {url} answers 404 Not Found"),
        (redirect, "Setting TELEGRAM_API_URL: {url} redirects getMe (TooManyRedirects)"),
        (page(200), "Setting TELEGRAM_API_URL: {url} answers with HTTP 200 that is not Bot API"),
        (page(404), "Setting TELEGRAM_API_URL: {url} answers with HTTP 404 that is not Bot API"),
    ],
    ids=["wrong token", "404", "redirect", "a web page", "a missing page"],
)
async def test_an_answer_no_waiting_can_fix_ends_the_start_at_once_with_one_line(
    serve: Serve,
    caplog: pytest.LogCaptureFixture,
    answer: Answer,
    expected: str,
) -> None:
    api = await serve([answer])

    with pytest.raises(TelegramUnusable) as caught:
        await get_me_at_start(api)

    message = str(caught.value)
    assert message.startswith(expected.format(url=api.url))
    assert "\n" not in message and TOKEN.split(":")[1] not in message
    assert retry_lines(caplog) == []


async def test_any_other_refusal_goes_up_unchanged_for_the_caller_to_judge(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    api = await serve(
        [error(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook"), ok()]
    )

    with pytest.raises(TelegramBadRequest, match="HTTPS url must be provided"):
        await get_me_at_start(api)

    assert len(api.paths) == 1
    assert retry_lines(caplog) == []
