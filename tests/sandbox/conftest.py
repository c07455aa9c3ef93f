"""Fixtures: a sandbox on a free port, an httpx client with the demo key, a callback receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from tests.sandbox.helpers import DEMO_HEADERS, Api, Receiver


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox(SandboxConfig(create_delay=0))
    yield running
    await running.stop()


@pytest.fixture
async def http(sandbox: RunningSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.url, headers=DEMO_HEADERS) as client:
        yield client


@pytest.fixture
def api(http: httpx.AsyncClient) -> Api:
    return Api(http)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hits: list[dict[str, Any]] = []

    async def collect(request: web.Request) -> web.Response:
        form = await request.post()
        hits.append(
            {
                "path_qs": request.path_qs,
                "content_type": request.content_type,
                "user_agent": request.headers.get("User-Agent", ""),
                "form": {k: str(v) for k, v in form.items()},
            }
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/cb/{token}", collect)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield Receiver(url=f"http://127.0.0.1:{port}/cb/", hits=hits)
    await runner.cleanup()
