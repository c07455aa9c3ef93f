"""Encryption at rest for what customers let the bot remember (card numbers, wallets, e-mails).

The operator sets DATA_KEY to any string (a passphrase or random text); it is not used as a key
directly. The Fernet key is derived from it with HKDF-SHA256 (no salt, info string below,
32 bytes) and then urlsafe-base64 encoded, as Fernet expects. Fernet gives AES-128-CBC with an
HMAC-SHA256, so a value that was tampered with, or written under another DATA_KEY, is refused
rather than decoded into garbage.

Changing DATA_KEY makes every saved value unreadable: they are then skipped as if never saved
and the customer types them again. Nothing crashes and nothing needs migrating.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Changing this string changes every derived key, exactly like changing DATA_KEY.
_HKDF_INFO = b"exchange-bot saved requisites v1"


def derive_fernet_key(data_key: str) -> bytes:
    """The Fernet key (urlsafe base64 of 32 bytes) for the operator's DATA_KEY."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        data_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


class DataCipher:
    def __init__(self, data_key: str) -> None:
        if not data_key:
            raise ValueError("DataCipher needs a non-empty DATA_KEY")
        self._fernet = Fernet(derive_fernet_key(data_key))

    @classmethod
    def from_setting(cls, value: str) -> DataCipher | None:
        """The cipher for the DATA_KEY setting, or None (remembering off) when it is empty."""
        return cls(value) if value else None

    def encrypt(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode())

    def decrypt(self, token: bytes) -> str | None:
        """The value, or None when it cannot be read (another DATA_KEY, damaged data)."""
        try:
            return self._fernet.decrypt(token).decode()
        except (InvalidToken, UnicodeDecodeError):
            return None
