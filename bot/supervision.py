"""Background loops that never die quietly.

The notification worker, the paced sender and the reconciler each run for the life of the
process. A bug or an unexpected error inside one must neither end it for good while the bot
looks healthy, nor take the others down: each runs under supervision, which logs the crash
with its traceback, restarts the loop after a growing pause, and reports every loop's state to
`/healthz` (a loop waiting to be restarted makes the bot "degraded").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

Loop = Callable[[asyncio.Event], Awaitable[None]]

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
# A loop that ran this long before it crashed starts again with the first pause.
STABLE_AFTER = 300.0


@dataclass
class LoopState:
    running: bool = False
    restarts: int = 0
    last_error: str | None = None
    last_crash: float | None = None  # unix time

    def as_dict(self) -> dict[str, object]:
        return {
            "running": self.running,
            "restarts": self.restarts,
            "last_error": self.last_error,
            "last_crash": self.last_crash,
        }


@dataclass
class Supervisor:
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    first_pause: float = FIRST_PAUSE
    longest_pause: float = LONGEST_PAUSE
    states: dict[str, LoopState] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self, name: str, loop: Loop) -> None:
        state = self.states.setdefault(name, LoopState())
        self.tasks.append(asyncio.create_task(self._keep(name, loop, state), name=name))

    @property
    def healthy(self) -> bool:
        return all(state.running for state in self.states.values())

    def report(self) -> dict[str, dict[str, object]]:
        return {name: state.as_dict() for name, state in self.states.items()}

    async def shutdown(self, timeout: float) -> None:  # noqa: ASYNC109
        """Ask every loop to stop, wait `timeout` seconds for them to finish, then cancel."""
        self.stop.set()
        if not self.tasks:
            return
        _, pending = await asyncio.wait(self.tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _keep(self, name: str, loop: Loop, state: LoopState) -> None:
        pause = self.first_pause
        while not self.stop.is_set():
            state.running = True
            started = time.monotonic()
            try:
                await loop(self.stop)
            except asyncio.CancelledError:
                state.running = False
                raise
            except Exception as exc:
                state.running = False
                state.restarts += 1
                state.last_error = type(exc).__name__
                state.last_crash = time.time()
                if time.monotonic() - started >= STABLE_AFTER:
                    pause = self.first_pause
                logger.exception("Loop %s crashed; restarting in %.0f s", name, pause)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=pause)
                pause = min(pause * 2, self.longest_pause)
                continue
            if not self.stop.is_set():
                # A loop returns only when asked to stop: anything else is a bug to survive.
                state.running = False
                state.restarts += 1
                state.last_error = "returned"
                state.last_crash = time.time()
                logger.error("Loop %s returned without being asked to stop; restarting", name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=pause)
                pause = min(pause * 2, self.longest_pause)
        state.running = False
