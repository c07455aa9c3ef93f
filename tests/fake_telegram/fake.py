"""``FakeTelegram``: a strict Bot API server on 127.0.0.1 plus the people who talk to the bot.

Point the bot at ``fake.url`` (``TelegramAPIServer.from_base(fake.url)``, i.e. TELEGRAM_API_URL)
and drive it with simulated users. Anything the bot sends that the real Telegram would refuse is
refused here too, with the real status and description, and kept in ``rejections``.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import Iterable
from types import TracebackType

from aiohttp import web

from tests.fake_telegram.context import Settings
from tests.fake_telegram.dispatcher import ApiDispatcher, InjectedFailure
from tests.fake_telegram.expectations import ExpectedRejection, reconcile
from tests.fake_telegram.flood import FloodLimiter, FloodRules, FloodViolation
from tests.fake_telegram.server import build_app
from tests.fake_telegram.state import BotState, Chat, RecordedRequest, Rejection, UserRecord
from tests.fake_telegram.users import SimulatedGroup, SimulatedUser
from tests.fake_telegram.webhook import WebhookDeliverer, WebhookDelivery

DEFAULT_TOKEN = "123456:TEST-fake-telegram-token"


class FakeTelegram:
    def __init__(
        self,
        bot_token: str | None = None,
        *,
        tokens: Iterable[str] = (),
        bot_username: str = "exchange_test_bot",
        bot_first_name: str = "Exchange Bot",
        privacy_mode: bool = True,
        strict_html: bool = True,
        callback_answer_timeout: float = 15.0,
        webhook_retry_delay: float = 0.2,
        require_https_webhook: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        all_tokens = [t for t in (bot_token, *tokens) if t] or [DEFAULT_TOKEN]
        self.settings = Settings(
            strict_html=strict_html,
            callback_answer_timeout=callback_answer_timeout,
            webhook_retry_delay=webhook_retry_delay,
            require_https_webhook=require_https_webhook,
        )
        self.users: dict[int, UserRecord] = {}
        self.bots: dict[str, BotState] = {}
        for index, token in enumerate(all_tokens):
            bot_id, _, secret = token.partition(":")
            if not bot_id.isdigit() or not secret:
                raise ValueError(f"not a bot token (<digits>:<secret>): {token!r}")
            username = bot_username if index == 0 else f"{bot_username}{index}"
            self.bots[token] = BotState(
                token=token,
                user={
                    "id": int(bot_id),
                    "is_bot": True,
                    "first_name": bot_first_name,
                    "username": username,
                    "can_join_groups": True,
                    "can_read_all_group_messages": not privacy_mode,
                    "supports_inline_queries": False,
                },
            )
        self.token = all_tokens[0]
        self.flood = FloodLimiter()
        self.dispatcher = ApiDispatcher(self.bots, self.users, self.settings, self.flood)
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._expected: list[ExpectedRejection] = []
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._user_ids = itertools.count(100_001)
        self._group_ids = itertools.count(1)
        self.url = ""

    # lifecycle

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1; ``url`` is then the base for the bot."""
        self._runner = web.AppRunner(build_app(self.dispatcher), access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://{self._host}:{sock.getsockname()[1]}"
        for bot in self.bots.values():
            deliverer = WebhookDeliverer(
                bot, self.settings, self.webhook_deliveries, self.dispatcher.execute_webhook_reply
            )
            self._tasks.append(asyncio.create_task(deliverer.run()))

    async def stop(self) -> None:
        self.dispatcher.stopping.set()
        for bot in self.bots.values():
            bot.closed = True
            bot.updates_signal.notify()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # the world

    def bot_state(self, token: str | None = None) -> BotState:
        return self.bots[token or self.token]

    def user(
        self,
        first_name: str = "Alice",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_premium: bool = False,
        started: bool = False,
        token: str | None = None,
    ) -> SimulatedUser:
        """A new user with a private chat. ``started=True``: already talked to the bot before."""
        record = UserRecord(
            id=next(self._user_ids),
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
            started=started,
        )
        self.users[record.id] = record
        bot = self.bot_state(token)
        chat = Chat(id=record.id, type="private", user=record)
        bot.chats[chat.id] = chat
        return SimulatedUser(bot, chat, self.users, record)

    def group(
        self,
        title: str = "Group",
        *,
        members: Iterable[SimulatedUser] = (),
        supergroup: bool = False,
        username: str | None = None,
        token: str | None = None,
    ) -> SimulatedGroup:
        """A group the bot is a member of; supergroups get ``-100...`` ids like real ones."""
        number = next(self._group_ids)
        chat_id = -(1_000_000_000_000 + number) if supergroup else -(4_000_000_000 + number)
        chat = Chat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            title=title,
            username=username,
            member_ids={member.id for member in members},
        )
        bot = self.bot_state(token)
        bot.chats[chat.id] = chat
        return SimulatedGroup(bot, chat, self.users, title)

    # what happened

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.dispatcher.requests

    @property
    def rejections(self) -> list[Rejection]:
        return self.dispatcher.rejections

    @property
    def flood_violations(self) -> list[FloodViolation]:
        return self.flood.violations

    def calls(self, method: str) -> list[RecordedRequest]:
        """Recorded requests of one method (case-insensitive, like the Bot API)."""
        return [r for r in self.requests if r.method.lower() == method.lower()]

    # steering

    def fail_next(
        self,
        method: str,
        count: int = 1,
        *,
        status: int = 429,
        retry_after: int | None = 3,
        description: str | None = None,
        drop_connection: bool = False,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" = any) fail.

        429 carries ``parameters.retry_after`` (aiogram: TelegramRetryAfter); 500/502/503 use
        Telegram's texts (TelegramServerError); ``drop_connection=True`` closes the socket
        without an answer (TelegramNetworkError).
        """
        self.dispatcher.failures.append(
            InjectedFailure(
                method.lower(), count, status, retry_after, description, drop_connection
            )
        )

    def stall_next(self, method: str, count: int = 1) -> None:
        """The next ``count`` calls of ``method`` hang unanswered and are never carried out
        (for a client that dies mid-request: nothing reached the chat)."""
        self.dispatcher.failures.append(
            InjectedFailure(method.lower(), count, 0, None, None, False, stall=True)
        )

    def deliver_next_update_twice(
        self, *, overlapping: bool = False, token: str | None = None
    ) -> None:
        """Post the next webhook update a second time, as Telegram does when the answer to the
        first post was lost: after the first post was answered, or (``overlapping``) at the
        same moment, so the second arrives while the first is still being handled."""
        self.bot_state(token).repeat_deliveries.append("during" if overlapping else "after")

    def enable_flood_control(self, rules: FloodRules | None = None, *, reject: bool = True) -> None:
        """Apply Telegram's flood limits; ``reject=False`` records violations without 429s."""
        self.flood.enabled = True
        self.flood.reject = reject
        self.flood.rules = rules or FloodRules()
        self.flood.reset()

    def disable_flood_control(self) -> None:
        self.flood.enabled = False

    def expect_rejection(
        self, method: str | None = None, contains: str | None = None, count: int = 1
    ) -> None:
        """Declare that this test provokes ``count`` rejections on purpose."""
        self._expected.append(ExpectedRejection(method, contains, count))

    def rejection_problems(self) -> list[str]:
        """Unexpected rejections and expected ones that never came (the fixture fails on these)."""
        return reconcile(self.rejections, self._expected)
