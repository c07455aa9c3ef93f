"""`python -m bot` runs the bot; `check` is a preflight; `sandbox` runs the sandbox exchanger."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any
from urllib.parse import unquote, urlsplit

from bot.config import Settings, SettingsError, load_settings
from bot.content import ContentError, load_content
from bot.logs import ScrubbedStream, one_line, setup_logging

logger = logging.getLogger("bot")


def _url_password(url: str) -> str:
    """The password of a URL like redis://user:password@host (raw and decoded are both masked)."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return ""
    return password or ""


def _secrets_of(settings: Settings) -> list[str]:
    token = settings.BOT_TOKEN.get_secret_value()
    passwords = [
        _url_password(url)
        for url in (
            settings.REDIS_URL,
            settings.TELEGRAM_API_URL,
            settings.EXCHANGER_API_URL,
            settings.PUBLIC_URL,
        )
    ]
    return [
        token,
        # Libraries may quote or split URLs: the part after the bot id is the secret.
        token.partition(":")[2],
        settings.EXCHANGER_API_KEY.get_secret_value(),
        settings.WEBHOOK_SECRET.get_secret_value(),
        settings.CALLBACK_SECRET.get_secret_value(),
        settings.METRICS_TOKEN.get_secret_value(),
        # A rotation list "NEW,OLD": each key on its own may be quoted too.
        *(key.strip() for key in settings.DATA_KEY.get_secret_value().split(",")),
        *passwords,
        *(unquote(password) for password in passwords),
    ]


async def _run(settings: Settings) -> int:
    from bot.app import ExchangeBotApp

    content = load_content(settings.CONTENT_FILE)
    app = ExchangeBotApp(settings, content)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    stopping = asyncio.create_task(stop.wait())
    # The start may wait a long time for Telegram (a bot started before the network): a stop
    # asked for meanwhile cancels it rather than waiting for a network that may never come.
    starting = asyncio.create_task(app.start())
    try:
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():
            logger.info("Stop asked for while starting")
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            return 0
        starting.result()
        waiters: list[asyncio.Task[Any]] = [stopping]
        if app.polling_task is not None:
            waiters.append(app.polling_task)
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        polling = app.polling_task
        if polling is not None and polling.done() and polling.exception() is not None:
            error = polling.exception()
            logger.error("Polling stopped: %s", _describe(error))
            return 1
        return 0
    finally:
        stopping.cancel()
        logger.info("Stopping")
        try:
            await app.stop()
        except Exception as exc:
            logger.error("Could not stop cleanly: %s", _describe(exc))
            logger.debug("The error that spoilt the stop", exc_info=True)


def _known_errors() -> tuple[type[BaseException], ...]:
    """The errors that are a message for the operator: ContentError, and StartupError once
    bot.app is loaded (only it raises one). The app, and aiogram with it, is imported only
    after the settings are read, so a mistake in them is told in a fraction of a second
    rather than after seconds of imports."""
    app = sys.modules.get("bot.app")
    if app is None:
        return (ContentError,)
    startup_error: type[BaseException] = app.StartupError
    return (ContentError, startup_error)


def _describe(error: BaseException | None) -> str:
    """An exception as one line, without the multi-line decorations some libraries add."""
    if error is None:
        return "no error"
    if isinstance(error, _known_errors()):
        return one_line(str(error), limit=1000)
    return f"{type(error).__name__}: {one_line(str(error))}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="exchange-bot: a Telegram front end for a Premium Exchanger exchanger.",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("check", help="check Telegram, the exchanger and Redis, then exit")
    sandbox = commands.add_parser("sandbox", help="run the sandbox exchanger alone")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8090)
    sandbox.add_argument(
        "--create-delay", type=float, default=2.0, help="seconds create_bid takes (real: >= 2)"
    )
    sandbox.add_argument(
        "--demo", action="store_true", help="paid bids move on to success by themselves"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Every way this ends on an error is one line on stderr, through the secrets filter: a
    traceback would print whatever the failing library put in it (aiohttp puts URLs, and the
    bot token lives in the Bot API's URLs). The traceback goes to the log at DEBUG, scrubbed."""
    args = _parser().parse_args(argv)
    setup_logging("text", [])
    try:
        return _main(args)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        if isinstance(exc, _known_errors()):
            logger.debug("The error that stopped the start", exc_info=True)
            logger.critical("%s", _describe(exc))
            return 2
        logger.debug("The error that stopped the bot", exc_info=True)
        logger.critical("Stopped by an unexpected error: %s", _describe(exc))
        return 1


def _main(args: argparse.Namespace) -> int:
    if args.command == "sandbox":
        from bot.sandbox import SandboxConfig, serve_forever

        config = SandboxConfig(create_delay=args.create_delay, demo=args.demo)
        asyncio.run(serve_forever(config, args.host, args.port))
        return 0

    try:
        settings = load_settings()
    except SettingsError as exc:
        # Said before any secret is known, so there is nothing to scrub; plain, for humans.
        print(exc, file=sys.stderr)
        return 2
    scrubber = setup_logging(settings.LOG_FORMAT, _secrets_of(settings))

    if args.command == "check":
        from bot.preflight import run_preflight

        return asyncio.run(run_preflight(settings, out=ScrubbedStream(sys.stdout, scrubber)))
    return asyncio.run(_run(settings))


if __name__ == "__main__":
    sys.exit(main())
