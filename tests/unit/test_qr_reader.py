"""The stories' QR reader reads back what segno writes, across versions, modes and scales."""

from __future__ import annotations

import io

import pytest
import segno

from tests.qr_reader import read_qr


@pytest.mark.parametrize(
    ("text", "error", "scale"),
    [
        ("1047", "m", 8),  # numeric
        ("HELLO WORLD $%*+-./:", "q", 4),  # alphanumeric
        ("bitcoin:bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh?amount=0.015", "m", 8),
        ("Тег для оплаты", "h", 3),  # UTF-8 bytes
        ("ton://transfer/" + "A" * 48 + "?amount=1&text=" + "x" * 200, "l", 2),  # version 10+
        ("".join(chr(33 + n % 90) for n in range(900)), "m", 1),  # alignment rows, version info
    ],
)
def test_what_segno_writes_is_read_back(text: str, error: str, scale: int) -> None:
    buffer = io.BytesIO()
    segno.make_qr(text, error=error, encoding="utf-8").save(
        buffer, kind="png", scale=scale, border=2
    )
    assert read_qr(buffer.getvalue()) == text
