"""Assembly: the aiohttp application, a runner for tests, and the demo server entry point."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from bot.sandbox.api import API_PREFIX, add_api_routes
from bot.sandbox.config import SandboxConfig
from bot.sandbox.control import CONTROL_PREFIX, add_control_routes
from bot.sandbox.state import STATE_KEY, SandboxState


def create_sandbox_app(config: SandboxConfig | None = None) -> web.Application:
    state = SandboxState(config or SandboxConfig())
    app = web.Application()
    app[STATE_KEY] = state
    add_api_routes(app)
    add_control_routes(app)

    async def close_state(_: web.Application) -> None:
        await state.aclose()

    app.on_cleanup.append(close_state)
    return app


@dataclass
class RunningSandbox:
    url: str
    """The API base, e.g. "http://127.0.0.1:PORT/api/userapi/v1/"."""
    control_url: str
    state: SandboxState
    runner: web.AppRunner

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_sandbox(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    """Serve the sandbox; port 0 picks a free port and the URLs carry the real one."""
    app = create_sandbox_app(config)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = runner.addresses[0][1]
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    base = f"http://{shown_host}:{bound_port}"
    return RunningSandbox(
        url=base + API_PREFIX,
        control_url=base + CONTROL_PREFIX,
        state=app[STATE_KEY],
        runner=runner,
    )


async def serve_forever(config: SandboxConfig | None, host: str, port: int) -> None:
    """`python -m bot sandbox --port N`: run until cancelled, printing how to connect."""
    config = config or SandboxConfig()
    sandbox = await start_sandbox(config, host, port)
    login, key = config.keys[0].login, config.keys[0].key
    print(f"Sandbox exchanger (API v1 emulator) at {sandbox.url}", flush=True)
    print(f"  API-LOGIN: {login}", flush=True)
    print(f"  API-KEY:   {key}", flush=True)
    print(f"  control:   {sandbox.control_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()
