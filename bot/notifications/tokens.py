"""Callback URLs that name a bid and prove they came from us.

The exchanger posts status changes unsigned (facts §7), so the URL handed to create_bid carries
the bid's api_id and an HMAC of it: a forged or guessed URL is refused before anything happens.
Hex only: the server's input cleaner rewrites words such as "select" inside callback_url
(facts §8.1, §14.1), and hex digits cannot spell any of them.
"""

from __future__ import annotations

import hashlib
import hmac
import re

CALLBACK_PATH_PREFIX = "/exchanger/callback/"
_TOKEN = re.compile(r"^(?P<api_id>[a-z0-9-]{1,80})\.(?P<mac>[0-9a-f]{32})$")


class CallbackTokens:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _mac(self, api_id: str) -> str:
        return hmac.new(self._key, api_id.encode(), hashlib.sha256).hexdigest()[:32]

    def make(self, api_id: str) -> str:
        return f"{api_id}.{self._mac(api_id)}"

    def verify(self, token: str) -> str | None:
        """The api_id the token names, or None for anything we did not issue."""
        match = _TOKEN.match(token)
        if match is None:
            return None
        api_id = match["api_id"]
        return api_id if hmac.compare_digest(match["mac"], self._mac(api_id)) else None

    def url(self, public_url: str, api_id: str) -> str:
        return f"{public_url.rstrip('/')}{CALLBACK_PATH_PREFIX}{self.make(api_id)}"
