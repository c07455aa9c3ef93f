"""The log check every e2e story runs under (tests/e2e/log_leaks.py) finds what it must: the
values come from the test data modules, and a find names its kind and logger, not the value."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

from tests.e2e import customer, log_leaks, steps
from tests.e2e.log_leaks import LeakWatch, values_from_test_data


def test_the_watched_values_are_the_ones_the_stories_type() -> None:
    watched = {(item.kind, item.value) for item in values_from_test_data()}

    assert ("card number", steps.CARD) in watched
    assert ("card number", steps.CARD_DIGITS) in watched
    assert ("e-mail", customer.EMAIL) in watched
    assert ("cardholder name", steps.CARDHOLDER) in watched
    assert ("wallet or account", steps.TRON_ADDRESS) in watched
    assert any(kind == "phone number" for kind, _ in watched)
    assert any(kind == "DATA_KEY" for kind, _ in watched)


def test_a_card_number_in_a_log_line_is_found_and_reported_without_the_number() -> None:
    watch = LeakWatch()
    logger = logging.getLogger("bot.careless")
    logger.addHandler(watch)
    logger.propagate = False  # the suite's own watch must not see this on purpose leak
    try:
        logger.warning("customer typed %s", steps.CARD_DIGITS)
        watch.handle(logging.makeLogRecord({"name": "tests.fake_telegram", "msg": steps.CARD}))
    finally:
        logger.removeHandler(watch)
        logger.propagate = True

    leaks = watch.leaks(values_from_test_data())

    assert len(leaks) == 1
    assert leaks[0].startswith("card number (CARD")
    assert leaks[0].endswith("in a record of logger 'bot.careless'")
    assert steps.CARD_DIGITS not in leaks[0]


async def test_a_token_a_bot_process_prints_is_found_in_its_output() -> None:
    """`python -m bot` processes log to their own stderr: the harness records it for the check."""
    token = "123456:ABCDEFabcdef-ghijklmnopqrstuvwxyz012"
    stderr, stdout = asyncio.StreamReader(), asyncio.StreamReader()
    stderr.feed_data(f"INFO bot.careless starting with {token}\n".encode())
    stderr.feed_eof()
    stdout.feed_eof()
    process = SimpleNamespace(stdout=stdout, stderr=stderr)
    suite_watch = log_leaks._current
    mine = log_leaks.start_watch()  # this leak is on purpose: not in the suite's own watch
    try:
        recorders = log_leaks.watch_process(process, {"BOT_TOKEN": token})
        assert await process.stderr.readline()  # the test reads the output as it always did
        for recorder in recorders:
            await recorder.drain()
    finally:
        log_leaks._current = suite_watch

    leaks = mine.leaks([*values_from_test_data(), *mine.secrets])

    assert leaks == [
        "bot token (BOT_TOKEN of a bot process under test) in a record of logger "
        "'python -m bot (stderr)'"
    ]
