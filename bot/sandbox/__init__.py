"""A faithful local emulator of the Premium Exchanger User API v1 (exchanger-api-facts.md).

It answers like the real 2.7 server, quirks included, so the bot's client is tested against what
production does rather than what the documentation says. It doubles as the bot's demo mode.
"""

from bot.sandbox.app import RunningSandbox, create_sandbox_app, serve_forever, start_sandbox
from bot.sandbox.callbacks import CallbackRecord
from bot.sandbox.catalogue import DEMO_COUPON
from bot.sandbox.config import (
    ALL_METHODS,
    READ_ONLY_METHODS,
    SANDBOX_KEY,
    SANDBOX_LIMITED_KEY,
    SANDBOX_LIMITED_LOGIN,
    SANDBOX_LOGIN,
    SANDBOX_SYSTEM_KEY,
    SANDBOX_SYSTEM_LOGIN,
    SANDBOX_USER_ID,
    ApiKey,
    SandboxConfig,
)
from bot.sandbox.state import Bid, Fault, SandboxState

__all__ = [
    "ALL_METHODS",
    "DEMO_COUPON",
    "READ_ONLY_METHODS",
    "SANDBOX_KEY",
    "SANDBOX_LIMITED_KEY",
    "SANDBOX_LIMITED_LOGIN",
    "SANDBOX_LOGIN",
    "SANDBOX_SYSTEM_KEY",
    "SANDBOX_SYSTEM_LOGIN",
    "SANDBOX_USER_ID",
    "ApiKey",
    "Bid",
    "CallbackRecord",
    "Fault",
    "RunningSandbox",
    "SandboxConfig",
    "SandboxState",
    "create_sandbox_app",
    "serve_forever",
    "start_sandbox",
]
