"""Background loops never die quietly: a crash is logged, the loop comes back, health knows."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.supervision import Supervisor


async def test_a_loop_that_crashes_is_logged_restarted_and_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs: list[int] = []

    async def flaky(stop: asyncio.Event) -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("a bug in the loop")
        await stop.wait()

    supervisor = Supervisor(first_pause=0.05)
    with caplog.at_level(logging.ERROR, logger="bot.supervision"):
        supervisor.start("worker", flaky)
        await asyncio.sleep(0.01)
        assert not supervisor.healthy  # down until its pause is over
        await asyncio.sleep(0.15)

    assert runs == [0, 1]
    assert supervisor.healthy
    report = supervisor.report()["worker"]
    assert (report["running"], report["restarts"], report["last_error"]) == (
        True,
        1,
        "RuntimeError",
    )
    assert any("Loop worker crashed" in record.getMessage() for record in caplog.records)
    assert any(record.exc_info for record in caplog.records)
    await supervisor.shutdown(timeout=1)
    assert not supervisor.report()["worker"]["running"]


async def test_one_loop_crashing_again_and_again_leaves_the_others_running() -> None:
    async def broken(stop: asyncio.Event) -> None:
        raise ValueError("always")

    async def steady(stop: asyncio.Event) -> None:
        await stop.wait()

    supervisor = Supervisor(first_pause=0.01, longest_pause=0.04)
    supervisor.start("broken", broken)
    supervisor.start("steady", steady)
    await asyncio.sleep(0.3)

    assert supervisor.report()["steady"]["running"] is True
    assert supervisor.report()["steady"]["restarts"] == 0
    assert int(str(supervisor.report()["broken"]["restarts"])) >= 4
    await supervisor.shutdown(timeout=1)


async def test_a_loop_that_returns_without_being_asked_is_started_again() -> None:
    runs = 0

    async def quits(stop: asyncio.Event) -> None:
        nonlocal runs
        runs += 1
        if runs > 1:
            await stop.wait()

    supervisor = Supervisor(first_pause=0.01)
    supervisor.start("quits", quits)
    await asyncio.sleep(0.1)

    assert runs == 2 and supervisor.report()["quits"]["last_error"] == "returned"
    await supervisor.shutdown(timeout=1)


async def test_a_loop_that_ignores_stop_is_cancelled_after_the_grace_time() -> None:
    async def stubborn(stop: asyncio.Event) -> None:
        await asyncio.sleep(60)

    supervisor = Supervisor()
    supervisor.start("stubborn", stubborn)
    await asyncio.sleep(0.01)

    await asyncio.wait_for(supervisor.shutdown(timeout=0.1), 2)
    assert supervisor.tasks[0].cancelled()
