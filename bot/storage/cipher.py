"""Encryption at rest for what the bot keeps about a customer: saved details, details waiting
for the remember-consent, and the draft answers of a conversation.

DATA_KEY holds random keys, not a passphrase: the earlier derivation (unsalted HKDF of any
string) let a weak passphrase be guessed offline from a copy of Redis at ~54,000 tries a second.
A key is at least 32 bytes written as base64 (standard or urlsafe, padding optional) or hex;
anything else is refused at start (`parse_data_keys`, called by the settings).

Several keys may be given, separated by commas, for rotation: the first seals, every one opens.
A sealed value starts with a key id, so the right key is found without trying them all.

Each value is sealed with AES-256-GCM under a fresh random 96-bit nonce, and with associated
data naming its owner and place (`associated_data`: user id and slot, or the FSM storage key).
A value copied to another customer or another slot fails authentication and reads as absent,
exactly like a damaged value or one sealed under a key that is no longer listed. Random nonces
bound one key to about 2**32 seals (NIST SP 800-38D): at some twenty writes per exchange that is
hundreds of millions of exchanges, long after a key should have been rotated.

Stored layout: version (1 byte) | key id (4) | nonce (12) | ciphertext with its 16-byte tag.
Values written by the earlier Fernet format do not open: they are skipped as unreadable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import os
import re
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_KEY_BYTES = 32
KEY_HINT = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'

_VERSION = b"\x01"
_KEY_ID_BYTES = 4
_NONCE_BYTES = 12
_TAG_BYTES = 16
_HEADER_BYTES = len(_VERSION) + _KEY_ID_BYTES + _NONCE_BYTES
# Changing either string changes every key, exactly like replacing DATA_KEY.
_HKDF_INFO = b"exchange-bot data at rest v2"
_KEY_ID_INFO = b"exchange-bot key id v2"

_HEX = re.compile(r"[0-9A-Fa-f]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


def decode_key(text: str) -> bytes | None:
    """The bytes of a key written as hex or base64 (either alphabet, padding optional).

    Hex is tried first: a random base64 key of 32 bytes or more is never all hex digits.
    """
    if len(text) % 2 == 0 and _HEX.fullmatch(text):
        return bytes.fromhex(text)
    if not _BASE64.fullmatch(text):
        return None
    body = text.rstrip("=").replace("-", "+").replace("_", "/")
    if len(body) % 4 == 1:
        return None
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except binascii.Error:
        return None


def _looks_random(text: str, key: bytes) -> bool:
    """Catches what a person types instead of generating: too short, a byte or a short pattern
    repeated, a counting sequence, a phrase in one case that happens to be valid base64.

    For real random keys these checks fail with a probability below 1e-9. They cannot tell a
    long mixed-case phrase from a key, which is why the refusal says how to make one.
    """
    if len(key) < MIN_KEY_BYTES:
        return False
    enough = min(len(key), 256) // 2
    steps = {(after - before) % 256 for before, after in itertools.pairwise(key)}
    if len(set(key)) < enough or len(steps) < enough:
        return False
    if _HEX.fullmatch(text):
        return True
    return any(c.isupper() for c in text) and any(c.islower() for c in text)


def parse_data_keys(setting: str) -> list[bytes]:
    """The keys of a DATA_KEY setting, first (sealing) key first; [] when it is empty.

    Raises ValueError with the operator's one line when a key is not a random key.
    """
    if not setting.strip():
        return []
    items = [item.strip() for item in setting.split(",")]
    keys: list[bytes] = []
    for position, item in enumerate(items, start=1):
        key = decode_key(item)
        if key is None or not _looks_random(item, key):
            if len(items) == 1:
                expected = "expected a random key of at least 32 bytes (base64 or hex)"
            else:
                expected = (
                    "expected random keys of at least 32 bytes (base64 or hex) separated by "
                    f"commas, and key {position} of {len(items)} is not one"
                )
            raise ValueError(f"{expected}; {KEY_HINT}")
        keys.append(key)
    return keys


def associated_data(*parts: str | int) -> bytes:
    """What a sealed value belongs to, unambiguously encoded ("requisite", 42, "E-mail")."""
    return json.dumps(list(parts), ensure_ascii=False, separators=(",", ":")).encode()


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(_KEY_ID_INFO + key).digest()[:_KEY_ID_BYTES]


def _aead(key: bytes) -> AESGCM:
    """AES-256 key from the operator's key: HKDF fixes the length (a key may be longer than
    32 bytes) and keeps these keys apart from any other use of the same secret."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(key)
    return AESGCM(derived)


class DataCipher:
    """Seals and opens values with a key ring: the first key seals, every key opens."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("DataCipher needs at least one key")
        self._sealing_id = _key_id(keys[0])
        self._sealing = _aead(keys[0])
        self._opening: dict[bytes, list[AESGCM]] = {}
        for key in keys:
            self._opening.setdefault(_key_id(key), []).append(_aead(key))

    @classmethod
    def from_setting(cls, value: str) -> DataCipher | None:
        """The cipher for the DATA_KEY setting, or None (remembering off) when it is empty."""
        keys = parse_data_keys(value)
        return cls(keys) if keys else None

    def seal(self, plaintext: bytes, owner: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._sealing.encrypt(nonce, plaintext, owner)
        return _VERSION + self._sealing_id + nonce + sealed

    def open(self, token: bytes, owner: bytes) -> bytes | None:
        """The plaintext, or None when it cannot be read: sealed for another owner or slot,
        under a key no longer listed, in the earlier format, or damaged."""
        if len(token) < _HEADER_BYTES + _TAG_BYTES or not token.startswith(_VERSION):
            return None
        key_id = token[len(_VERSION) : len(_VERSION) + _KEY_ID_BYTES]
        nonce = token[len(_VERSION) + _KEY_ID_BYTES : _HEADER_BYTES]
        for aead in self._opening.get(key_id, []):
            try:
                return aead.decrypt(nonce, token[_HEADER_BYTES:], owner)
            except InvalidTag:
                continue
        return None

    def encrypt(self, value: str, owner: bytes) -> bytes:
        return self.seal(value.encode(), owner)

    def decrypt(self, token: bytes, owner: bytes) -> str | None:
        """The text, or None when it cannot be read (see `open`)."""
        plaintext = self.open(token, owner)
        if plaintext is None:
            return None
        try:
            return plaintext.decode()
        except UnicodeDecodeError:
            return None
