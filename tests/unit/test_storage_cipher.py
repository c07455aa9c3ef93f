"""The data cipher: random keys only, sealed for one owner, several keys for rotation."""

from __future__ import annotations

import base64

import pytest

from bot.storage.cipher import DataCipher, associated_data, decode_key, parse_data_keys

OLD_KEY = "U6S7IDA-XBnf-Adtm5JZBM1AxaJmb6AxT8zRkKidhvI"
NEW_KEY = "WdtHdKLTFzJeYKmBSvWsHLOajiVleuzzDAcV4-W67nk"
CARD = "4276 3800 1234 5678"
ALICE = associated_data("requisite", 1001, "From account · Sberbank RUB")
BOB = associated_data("requisite", 1002, "From account · Sberbank RUB")


def cipher_for(setting: str) -> DataCipher:
    cipher = DataCipher.from_setting(setting)
    assert cipher is not None
    return cipher


def test_a_value_sealed_for_its_owner_opens_for_that_owner_only() -> None:
    cipher = cipher_for(OLD_KEY)
    token = cipher.encrypt(CARD, ALICE)

    assert CARD.encode() not in token and b"5678" not in token
    assert cipher.decrypt(token, ALICE) == CARD
    assert cipher_for(OLD_KEY).decrypt(token, ALICE) == CARD
    assert cipher.decrypt(token, BOB) is None
    assert cipher.decrypt(token, associated_data("requisite", 1001, "E-mail")) is None


def test_the_same_value_sealed_twice_looks_different() -> None:
    cipher = cipher_for(OLD_KEY)
    assert cipher.encrypt(CARD, ALICE) != cipher.encrypt(CARD, ALICE)


def test_a_damaged_or_foreign_value_is_unreadable_not_fatal() -> None:
    cipher = cipher_for(OLD_KEY)
    token = bytearray(cipher.encrypt(CARD, ALICE))
    token[-1] ^= 1

    assert cipher.decrypt(bytes(token), ALICE) is None
    assert cipher.decrypt(b"not a token at all", ALICE) is None
    assert cipher.decrypt(b"", ALICE) is None
    assert cipher_for(NEW_KEY).decrypt(cipher.encrypt(CARD, ALICE), ALICE) is None


def test_after_a_rotation_the_first_key_seals_and_every_key_opens() -> None:
    old = cipher_for(OLD_KEY)
    rotated = cipher_for(f"{NEW_KEY},{OLD_KEY}")
    sealed_before = old.encrypt(CARD, ALICE)
    sealed_after = rotated.encrypt(CARD, ALICE)

    assert rotated.decrypt(sealed_before, ALICE) == CARD
    assert cipher_for(NEW_KEY).decrypt(sealed_after, ALICE) == CARD
    assert old.decrypt(sealed_after, ALICE) is None


def test_an_empty_data_key_setting_turns_remembering_off() -> None:
    assert DataCipher.from_setting("") is None
    assert DataCipher.from_setting("  ") is None
    assert isinstance(DataCipher.from_setting(OLD_KEY), DataCipher)


def test_a_key_may_be_written_in_base64_of_either_alphabet_or_in_hex() -> None:
    raw = decode_key(OLD_KEY)
    assert raw is not None and len(raw) == 32
    standard = base64.b64encode(raw).decode()
    assert decode_key(standard) == raw
    assert decode_key(standard.rstrip("=")) == raw
    assert decode_key(raw.hex()) == raw
    assert decode_key(raw.hex().upper()) == raw
    assert decode_key("not base64!") is None
    assert decode_key("abcde") is None  # a length base64 cannot have


def test_keys_are_parsed_in_order_first_one_sealing() -> None:
    assert parse_data_keys(f"{NEW_KEY}, {OLD_KEY}") == [decode_key(NEW_KEY), decode_key(OLD_KEY)]
    assert parse_data_keys("") == []


@pytest.mark.parametrize(
    "setting",
    ["operator passphrase", "A" * 43, "ab" * 32, f"{OLD_KEY},,{NEW_KEY}"],
)
def test_anything_but_random_keys_is_refused(setting: str) -> None:
    with pytest.raises(ValueError, match="make one with"):
        parse_data_keys(setting)
