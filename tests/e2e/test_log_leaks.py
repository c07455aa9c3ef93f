"""The log check every e2e story runs under (tests/e2e/log_leaks.py) finds what it must: the
values come from the test data modules, and a find names its kind and logger, not the value."""

from __future__ import annotations

import logging

from tests.e2e import customer, steps
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
