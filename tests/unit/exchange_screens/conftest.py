"""Every exchange screen is rendered in English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.i18n import create_i18n


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        yield
