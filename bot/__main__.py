"""`python -m bot` runs the bot; `check` is a preflight; `sandbox` runs the sandbox exchanger."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any

from bot.app import ExchangeBotApp, StartupError
from bot.config import Settings, SettingsError, load_settings
from bot.content import ContentError, load_content
from bot.logs import setup_logging
from bot.preflight import run_preflight

logger = logging.getLogger("bot")


def _secrets_of(settings: Settings) -> list[str]:
    return [
        settings.BOT_TOKEN.get_secret_value(),
        settings.EXCHANGER_API_KEY.get_secret_value(),
        settings.WEBHOOK_SECRET.get_secret_value(),
        settings.CALLBACK_SECRET.get_secret_value(),
        settings.DATA_KEY.get_secret_value(),
    ]


async def _run(settings: Settings) -> int:
    content = load_content(settings.CONTENT_FILE)
    app = ExchangeBotApp(settings, content)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await app.start()
        waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
        if app.polling_task is not None:
            waiters.append(app.polling_task)
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        failed = app.polling_task is not None and app.polling_task.done()
        if failed and app.polling_task is not None and app.polling_task.exception():
            logger.error("Polling stopped: %s", app.polling_task.exception())
            return 1
        return 0
    finally:
        logger.info("Stopping")
        await app.stop()


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
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        from bot.sandbox import SandboxConfig, serve_forever

        setup_logging("text", [])
        config = SandboxConfig(create_delay=args.create_delay, demo=args.demo)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_forever(config, args.host, args.port))
        return 0

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_logging(settings.LOG_FORMAT, _secrets_of(settings))

    if args.command == "check":
        return asyncio.run(run_preflight(settings))
    try:
        return asyncio.run(_run(settings))
    except (StartupError, ContentError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
