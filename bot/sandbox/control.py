"""`/_sandbox/`: a local JSON control API to steer the emulator from tests and demos.

No auth: it is a test tool bound to localhost. Every route is a thin wrapper of a SandboxState
method, so in-process tests can call the same operations directly.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from aiohttp import web

from bot.sandbox.state import FAULT_KINDS, STATE_KEY, SandboxState

CONTROL_PREFIX = "/_sandbox/"

Handler = Callable[[SandboxState, web.Request, dict[str, Any]], Awaitable[Any]]

ROUTES_HELP = {
    "GET /_sandbox/": "this overview and the current switches",
    "GET /_sandbox/bids": "all bids",
    "POST /_sandbox/bids/{id}/status": '{"status": "payed"}: change it, firing the callback',
    "POST /_sandbox/bids/{id}/address": '{"address": optional}: issue delayed deposit details',
    "GET /_sandbox/callbacks": "the callback log",
    "POST /_sandbox/callbacks/drop": '{"count": N}: lose the next N callbacks',
    "GET /_sandbox/faults": "pending faults",
    "POST /_sandbox/faults": '{"kind": one of ' + "|".join(FAULT_KINDS) + ', "method": null|name,'
    ' "count": N|null, "seconds": X}',
    "DELETE /_sandbox/faults": "clear faults",
    "POST /_sandbox/settings": '{"maintenance", "maintenance_text", "api_enabled",'
    ' "partner_program", "create_delay", "changed_as_string"}',
    "POST /_sandbox/directions/{id}": '{"status": 0|1|2, "api_visibility": 0|1|2}',
    "POST /_sandbox/currencies/{id}": '{"active": bool}',
    "POST /_sandbox/reset": "back to the seed",
}


def _switches(state: SandboxState) -> dict[str, Any]:
    return {
        "maintenance": state.maintenance,
        "maintenance_text": state.maintenance_text,
        "api_enabled": state.api_enabled,
        "partner_program": state.partner_program,
        "create_delay": state.create_delay,
        "changed_as_string": state.changed_as_string,
        "drop_next_callbacks": state.callbacks.drop_next,
    }


def _int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise ValueError(f"{name} must be an integer") from None


async def overview(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    return {"switches": _switches(state), "routes": ROUTES_HELP}


async def list_bids(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    return state.list_bids()


async def set_status(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    bid = state.set_bid_status(_int(request, "bid_id"), str(body["status"]))
    return {"id": bid.id, "status": bid.status}


async def issue_address(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    bid = state.issue_address(_int(request, "bid_id"), body.get("address"))
    return {"id": bid.id, "address": bid.address, "dest_tag": bid.dest_tag}


async def callbacks(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    return [asdict(record) for record in state.callback_log]


async def drop_callbacks(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    state.drop_next_callbacks(int(body.get("count", 1)))
    return _switches(state)


async def list_faults(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    return [asdict(fault) for fault in state.faults]


async def add_fault(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    count = body.get("count", 1)
    fault = state.add_fault(
        str(body["kind"]),
        method=body.get("method"),
        count=None if count is None else int(count),
        seconds=float(body.get("seconds", 0)),
    )
    return asdict(fault)


async def clear_faults(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    state.clear_faults()
    return []


async def settings(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    if "maintenance" in body:
        state.set_maintenance(bool(body["maintenance"]), str(body.get("maintenance_text", "")))
    if "api_enabled" in body:
        state.set_api_enabled(bool(body["api_enabled"]))
    if "partner_program" in body:
        state.set_partner_program(bool(body["partner_program"]))
    if "create_delay" in body:
        state.set_create_delay(float(body["create_delay"]))
    if "changed_as_string" in body:
        state.changed_as_string = bool(body["changed_as_string"])
    return _switches(state)


async def direction(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    status, visibility = body.get("status"), body.get("api_visibility")
    changed = state.set_direction(
        _int(request, "direction_id"),
        status=None if status is None else int(status),
        api_visibility=None if visibility is None else int(visibility),
    )
    return {"id": changed.id, "status": changed.status, "api_visibility": changed.api_visibility}


async def currency(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    changed = state.set_currency_active(_int(request, "currency_id"), bool(body["active"]))
    return {"id": changed.id, "active": changed.active}


async def reset(state: SandboxState, request: web.Request, body: dict[str, Any]) -> Any:
    await state.reset()
    return _switches(state)


def _endpoint(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """JSON in and out; bad input is a 400, an unknown bid/direction a 404."""

    async def endpoint(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE_KEY]
        body: dict[str, Any] = {}
        if request.can_read_body:
            try:
                loaded = await request.json()
            except json.JSONDecodeError:
                return web.json_response({"error": "body must be JSON"}, status=400)
            if not isinstance(loaded, dict):
                return web.json_response({"error": "body must be a JSON object"}, status=400)
            body = loaded
        try:
            result = await handler(state, request, body)
        except LookupError as exc:
            status = 400 if isinstance(exc, KeyError) else 404
            message = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            return web.json_response({"error": message}, status=status)
        except (TypeError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(result)

    return endpoint


def add_control_routes(app: web.Application) -> None:
    p = CONTROL_PREFIX
    routes: list[tuple[str, str, Handler]] = [
        ("GET", p, overview),
        ("GET", p + "bids", list_bids),
        ("POST", p + "bids/{bid_id}/status", set_status),
        ("POST", p + "bids/{bid_id}/address", issue_address),
        ("GET", p + "callbacks", callbacks),
        ("POST", p + "callbacks/drop", drop_callbacks),
        ("GET", p + "faults", list_faults),
        ("POST", p + "faults", add_fault),
        ("DELETE", p + "faults", clear_faults),
        ("POST", p + "settings", settings),
        ("POST", p + "directions/{direction_id}", direction),
        ("POST", p + "currencies/{currency_id}", currency),
        ("POST", p + "reset", reset),
    ]
    for verb, path, handler in routes:
        app.router.add_route(verb, path, _endpoint(handler))
