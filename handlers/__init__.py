"""One aiogram Router per feature; `get_routers()` gives them in the order they must match."""

from __future__ import annotations

from aiogram import Router

from handlers import fallback, start


def get_routers() -> list[Router]:
    return [start.router, fallback.router]
