"""Figure 1: requests per second of the callback receiver beside a bare aiohttp handler.

Both are served from child processes on this machine in the same run and driven by the same
generator, alternately (receiver, bare, receiver, bare), so a noisy neighbour slows both. Every
request carries a valid token, so the receiver does its real work: the HMAC check, the form
parse and one XADD to the outbox stream in Redis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.load import Tally, hammer
from bench.servers import ServerKind, server_process
from bot.notifications.tokens import CALLBACK_PATH_PREFIX, CallbackTokens

API_ID = "tg-bench0throughput"
BODY = b"bid_id=1001&status=payed"
WARM_UP = 1.0


@dataclass
class ThroughputResult:
    connections: int
    seconds: float
    rounds: list[tuple[ServerKind, Tally]] = field(default_factory=list)

    def total(self, kind: ServerKind) -> float:
        """Requests per second over every round of `kind` together."""
        tallies = [tally for each, tally in self.rounds if each == kind]
        elapsed = sum(tally.elapsed for tally in tallies)
        return sum(tally.ok for tally in tallies) / elapsed if elapsed else 0.0

    def lines(self) -> list[str]:
        out = [
            f"1. Callback receiver vs bare aiohttp: {self.connections} connections, "
            f"{self.seconds:g} s per round, rounds alternate"
        ]
        for number, (kind, tally) in enumerate(self.rounds, start=1):
            failed = tally.requests - tally.ok
            note = f"  ({failed} not 200: {dict(tally.statuses)})" if failed else ""
            out.append(f"   round {number} {kind:<8} {tally.per_second:9.0f} req/s{note}")
        receiver, bare = self.total("receiver"), self.total("bare")
        out.append(f"   receiver  {receiver:9.0f} req/s (HMAC check + XADD per request)")
        out.append(f'   bare      {bare:9.0f} req/s (returns "OK")')
        ratio = receiver / bare if bare else 0.0
        out.append(f"   ratio receiver/bare {ratio:.2f}")
        return out


async def measure_throughput(
    redis_url: str, prefix: str, secret: str, *, connections: int, seconds: float
) -> ThroughputResult:
    """Both servers are up for the whole figure; each is warmed up once, then they alternate."""
    result = ThroughputResult(connections, seconds)
    path = CALLBACK_PATH_PREFIX + CallbackTokens(secret).make(API_ID)
    with (
        server_process("receiver", redis_url, prefix, secret) as receiver_url,
        server_process("bare", redis_url, prefix, secret) as bare_url,
    ):
        urls: dict[ServerKind, str] = {"receiver": receiver_url + path, "bare": bare_url + path}
        for url in urls.values():
            await hammer(url, BODY, connections=connections, seconds=WARM_UP)
        for kind in ("receiver", "bare", "receiver", "bare"):
            tally = await hammer(urls[kind], BODY, connections=connections, seconds=seconds)
            result.rounds.append((kind, tally))
    return result
