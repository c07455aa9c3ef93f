"""What REDIS_URL names: one Redis server, a Sentinel-watched master, or a Cluster.

REDIS_URL stays the one setting; the scheme says which kind of deployment it is, in the forms
people already meet elsewhere (redis-py for one server; the `redis+sentinel://` form of
redis-sentinel-url and several clients for Sentinel; `redis+cluster://` likewise):

- `redis://[[user]:password@]host:6379/0` (`rediss://` TLS, `unix://`): one server, read by
  redis-py's own `from_url`, so every option it knows keeps working.
- `redis+sentinel://[[user]:password@]host1:26379[,host2:26379...]/<service>[/<db>]`
  (`rediss+sentinel://`: TLS to the master and the sentinels). The credentials are the
  master's; sentinels are asked without them, unless `?sentinel_auth=yes` (the same
  credentials for the sentinels too, as charts that protect both with one password do).
- `redis+cluster://[[user]:password@]host1:6379[,host2:6379...]` (`rediss+cluster://`): any
  reachable nodes of the cluster; the client learns the rest. A cluster has database 0 only.

Kept free of redis-py's clients so that the settings can check a URL without building one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, unquote

DEFAULT_PORT = 6379
DEFAULT_SENTINEL_PORT = 26379

SINGLE_SCHEMES = ("redis", "rediss", "unix")
SENTINEL_SCHEMES = ("redis+sentinel", "rediss+sentinel")
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")
SCHEMES = (*SINGLE_SCHEMES, *SENTINEL_SCHEMES, *CLUSTER_SCHEMES)

_HOST_PORT = re.compile(
    r"^(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:\[\]/]+))(?::(?P<port>\d+))?$"
)
_YES = {"1", "yes", "true", "on"}
_NO = {"0", "no", "false", "off"}


class RedisKind(StrEnum):
    SINGLE = "single"
    SENTINEL = "sentinel"
    CLUSTER = "cluster"


@dataclass(frozen=True, slots=True)
class RedisTarget:
    kind: RedisKind
    url: str
    nodes: tuple[tuple[str, int], ...] = ()
    username: str | None = None
    password: str | None = None
    tls: bool = False
    service: str = ""  # the Sentinel service (master) name
    db: int = 0
    sentinel_auth: bool = False


def url_kind(url: str) -> RedisKind:
    """The kind of deployment a URL names, by its scheme alone (SINGLE for anything else)."""
    scheme = url.partition("://")[0].lower()
    if scheme in SENTINEL_SCHEMES:
        return RedisKind.SENTINEL
    if scheme in CLUSTER_SCHEMES:
        return RedisKind.CLUSTER
    return RedisKind.SINGLE


def parse_redis_url(url: str) -> RedisTarget:
    """The deployment `url` names; ValueError with a one-line reason for a malformed one.

    A single-server URL is only checked for its scheme: redis-py reads the rest.
    """
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise ValueError(
            "expected redis://host:port/db, rediss://..., unix://..., "
            "redis+sentinel://host:26379[,host:26379]/service[/db] or "
            "redis+cluster://host:port[,host:port]"
        )
    kind = url_kind(url)
    if kind is RedisKind.SINGLE:
        return RedisTarget(RedisKind.SINGLE, url, tls=scheme == "rediss")
    rest, _, query = rest.partition("?")
    rest = rest.partition("#")[0]
    credentials, at, hostpart = rest.rpartition("@")
    location, _, path = hostpart.partition("/")
    username = password = None
    if at:
        user, colon, secret = credentials.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    default_port = DEFAULT_SENTINEL_PORT if kind is RedisKind.SENTINEL else DEFAULT_PORT
    nodes = tuple(_node(item, default_port) for item in location.split(","))
    options = {name: values[-1] for name, values in parse_qs(query).items()}
    segments = [unquote(s) for s in path.split("/") if s]
    tls = scheme.startswith("rediss")
    if kind is RedisKind.CLUSTER:
        if segments not in ([], ["0"]):
            raise ValueError("a Redis Cluster has database 0 only: redis+cluster://host:port")
        _no_unknown(options, set())
        return RedisTarget(kind, url, nodes, username, password, tls)
    if not segments or len(segments) > 2:
        raise ValueError("expected redis+sentinel://host:26379[,host:26379]/<service name>[/<db>]")
    db = 0
    if len(segments) == 2:
        if not segments[1].isdigit():
            raise ValueError(
                f"expected a database number after the service name, not {segments[1]!r}"
            )
        db = int(segments[1])
    _no_unknown(options, {"sentinel_auth"})
    auth = options.get("sentinel_auth", "no").lower()
    if auth not in _YES | _NO:
        raise ValueError("sentinel_auth: expected yes or no")
    return RedisTarget(
        kind,
        url,
        nodes,
        username,
        password,
        tls,
        service=segments[0],
        db=db,
        sentinel_auth=auth in _YES,
    )


def _node(item: str, default_port: int) -> tuple[str, int]:
    match = _HOST_PORT.match(item.strip())
    if match is None:
        raise ValueError(f"expected host:port, not {item.strip()!r}")
    host = match.group("ipv6") or match.group("host")
    port = int(match.group("port") or default_port)
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} is out of range")
    return host, port


def _no_unknown(options: dict[str, str], known: set[str]) -> None:
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(f"unknown option {unknown[0]!r} in the URL")
