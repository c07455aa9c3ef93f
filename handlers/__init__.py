"""One aiogram Router per feature; `get_routers()` gives them in the order they must match.

Routers are built by factories rather than at import time: a router can belong to one
dispatcher only, and tests (or a restart in one process) build several.
"""

from __future__ import annotations

from aiogram import Router

from handlers import (
    bids,
    errors,
    exchange,
    fallback,
    maintenance,
    operator,
    pages,
    partner,
    profile,
    start,
)


def get_routers() -> list[Router]:
    return [
        errors.create_router(),
        bids.create_link_router(),
        start.create_router(),
        pages.create_router(),
        exchange.create_router(),
        bids.create_router(),
        profile.create_router(),
        operator.create_router(),
        maintenance.create_router(),
        partner.create_router(),
        fallback.create_router(),
    ]
