"""`/metrics` and `/readyz` on the bot's web server, and the guard that keeps the probes on
their own paths.

The web server also faces the exchanger (callbacks) and Telegram (webhook) through whatever
proxy publishes PUBLIC_URL. The probes are for the operator's network only: they answer only
at their exact path, so no spelling under the callback prefix (dot segments, encoded slashes)
reaches them, and `/metrics` takes a bearer token when METRICS_TOKEN is set.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CONTENT_TYPE_LATEST

from bot.observability.metrics import BotMetrics
from bot.observability.readiness import Readiness

METRICS_PATH: Final = "/metrics"
READY_PATH: Final = "/readyz"
# Every answer names the process that gave it (a random id, not a secret): the preflight sees
# through PUBLIC_URL, even where the proxy passes only the callback and webhook paths, whether
# it reaches this bot.
INSTANCE_HEADER: Final = "X-Exbot-Instance"


@dataclass(frozen=True, slots=True)
class Observability:
    """What the web app serves for the operator; `instance` names this process in /healthz
    (the preflight compares it with what PUBLIC_URL reaches)."""

    metrics: BotMetrics
    readiness: Readiness
    instance: str
    metrics_token: str = ""


def add_routes(app: web.Application, observability: Observability, guarded: set[str]) -> None:
    """Add /metrics and /readyz; `guarded` gets the paths only their exact spelling may reach."""

    async def metrics(request: web.Request) -> web.Response:
        token = observability.metrics_token
        if token and not _bearer_matches(request, token):
            return web.Response(
                status=401, text="Unauthorized", headers={"WWW-Authenticate": "Bearer"}
            )
        body = await observability.metrics.render()
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    async def ready(_: web.Request) -> web.Response:
        report = await observability.readiness.report()
        return web.json_response(report.as_dict(), status=200 if report.ready else 503)

    async def name_instance(_: web.Request, response: web.StreamResponse) -> None:
        response.headers[INSTANCE_HEADER] = observability.instance

    app.on_response_prepare.append(name_instance)
    app.router.add_get(METRICS_PATH, metrics)
    app.router.add_get(READY_PATH, ready)
    guarded.update({METRICS_PATH, READY_PATH})


def _bearer_matches(request: web.Request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def exact_paths(paths: set[str]) -> Middleware:
    """404 for a request routed to one of `paths` under any other spelling of its path."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        canonical = resource.canonical if resource is not None else None
        if canonical in paths and request.raw_path.partition("?")[0] != canonical:
            raise web.HTTPNotFound()
        return await handler(request)

    return guard
