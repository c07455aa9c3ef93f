"""Sandbox settings and its well-known demo API keys.

The keys are public on purpose: the sandbox is a local stand-in, and the demo mode and the tests
need credentials everyone knows. They have the real format, 32 characters of [A-Za-z0-9] [§1.6].
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_METHODS = frozenset(
    {
        "test",
        "get_direction_currencies",
        "get_directions",
        "get_direction",
        "get_calc",
        "create_bid",
        "bid_info",
        "cancel_bid",
        "pay_bid",
        "success_bid",
        "get_exchanges",
        "get_partner_info",
        "get_partner_links",
        "get_partner_exchanges",
        "get_partner_payouts",
        "add_partner_payout",
    }
)
READ_ONLY_METHODS = frozenset(
    {"test", "get_direction_currencies", "get_directions", "get_direction", "get_calc", "bid_info"}
)

SANDBOX_LOGIN = "DemoSandboxLogin2024ExchangeBot1"
SANDBOX_KEY = "DemoSandboxKey00ExchangeBotFull1"
SANDBOX_USER_ID = 15
"""The demo key belongs to user 15, a partner with seeded balance, referrals and payouts."""

SANDBOX_LIMITED_LOGIN = "DemoSandboxLogin2024ExchangeBot2"
SANDBOX_LIMITED_KEY = "DemoSandboxKey00ExchangeBotRead2"

SANDBOX_SYSTEM_LOGIN = "DemoSandboxLogin2024ExchangeBot0"
SANDBOX_SYSTEM_KEY = "DemoSandboxKey00ExchangeBotSyst0"
"""A "System" key (user 0): every method, but partner methods answer "no partner id" [§4.11]."""


@dataclass(frozen=True)
class ApiKey:
    """One login/key pair with its own method set and optional IP allow-list [§2.1, §8.5]."""

    login: str
    key: str
    methods: frozenset[str] = ALL_METHODS
    user_id: int = SANDBOX_USER_ID
    allowed_ips: tuple[str, ...] = ()
    """Empty: any caller IP."""


def default_keys() -> list[ApiKey]:
    return [
        ApiKey(SANDBOX_LOGIN, SANDBOX_KEY, methods=ALL_METHODS),
        ApiKey(SANDBOX_LIMITED_LOGIN, SANDBOX_LIMITED_KEY, methods=READ_ONLY_METHODS, user_id=16),
        ApiKey(SANDBOX_SYSTEM_LOGIN, SANDBOX_SYSTEM_KEY, methods=ALL_METHODS, user_id=0),
    ]


@dataclass
class SandboxConfig:
    keys: list[ApiKey] = field(default_factory=default_keys)
    create_delay: float = 2.0
    """create_bid sleeps this long between inserting the bid and answering; real: >= 2 s [§1.12]."""
    demo: bool = False
    """Demo mode: a paid bid moves on by itself (payed -> realpay -> success), and delayed deposit
    addresses get issued, one step every demo_step_delay seconds."""
    demo_step_delay: float = 5.0
    public_base: str = "https://sandbox.exchange.test"
    """Base of bid, direction, logo and payment URLs in answers (never served by the sandbox)."""
    callback_timeout: float = 20.0
    default_locale: str = "en_US"
    """The site language when a call sends no valid API-LANG."""
    changed_as_string: bool = False
    """Emulate the "Calculator 2.3" module: an unchanged `changed` is the string "0" [§3]."""
