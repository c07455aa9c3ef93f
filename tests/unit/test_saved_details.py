"""Saved details are kept under stable ids (field and currency), whatever the customer's
language; those saved under the label the customer saw (before stable ids) move there when the
field is next asked, in any of the bot's languages, and never come back after "forget all"."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.exchanger import Currency, Direction, DirectionField, Unavailable, UnavailableReason
from bot.services.draft import ExchangeDraft
from bot.services.saved_details import SavedDetails, slot_id
from bot.storage.cipher import DataCipher, associated_data
from bot.storage.keys import RedisKeys
from bot.storage.requisites import SavedDetail, SavedRequisites

USER = 3003
KEY = "U6S7IDA-XBnf-Adtm5JZBM1AxaJmb6AxT8zRkKidhvI"
OTHER_KEY = "WdtHdKLTFzJeYKmBSvWsHLOajiVleuzzDAcV4-W67nk"
CARD = "4276 3800 1234 5678"
EMAIL = "alice@example.com"
EN, RU = "en_US", "ru_RU"
SBER, USDT = "8", "3"
LABELS = {
    EN: {"cf6": "E-mail", "account1": "From account", "account2": "Into account"},
    RU: {"cf6": "E-mail", "account1": "Со счета", "account2": "На счет"},
}
TITLES = {
    EN: {SBER: "Sberbank RUB", USDT: "Tether TRC20 USDT"},
    RU: {SBER: "Сбербанк RUB", USDT: "Tether TRC20 USDT"},
}


def direction(lang: str) -> Direction:
    def field(name: str) -> dict[str, Any]:
        return {"name": name, "type": "text", "label": LABELS[lang][name], "req": "1"}

    return Direction.model_validate(
        {
            "id": "44",
            "dir_fields": {
                "cf6": field("cf6"),
                "cf12": {"name": "cf12", "type": "select", "label": "Bank",
                         "options": {"0": "No selected", "1": "Sber"}},
            },
            "give_fields": {"account1": field("account1")},
            "get_fields": {"account2": field("account2")},
        }
    )  # fmt: skip


class FakeCatalog:
    """The exchanger's catalogue in two languages; `failing` languages cannot be read."""

    def __init__(self) -> None:
        self.failing: set[str] = set()
        self.direction_reads: list[str] = []

    async def direction(self, direction_id: str, lang: str) -> Direction | None:
        self.direction_reads.append(lang)
        if lang in self.failing:
            raise Unavailable("get_direction", UnavailableReason.NETWORK)
        return direction(lang)

    async def find_currency(
        self, currency_id: str, lang: str, give_id: str | None = None
    ) -> Currency | None:
        if lang in self.failing:
            raise Unavailable("get_direction", UnavailableReason.NETWORK)
        title = TITLES[lang].get(currency_id)
        return None if title is None else Currency(id=currency_id, title=title)


DRAFT = ExchangeDraft(
    give_id=SBER,
    get_id=USDT,
    direction_id="44",
    answers={
        "cf6": EMAIL,
        "cf12": "1",
        "account1": CARD,
        "account2": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE",
    },
)


def field(lang: str, name: str) -> DirectionField:
    return next(f for f in direction(lang).fields_in_order() if f.name == name)


def before_the_move(
    redis: Redis, monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], Awaitable[None]]
) -> None:
    """Run `meanwhile` just before the script that moves a legacy slot: after the legacy value
    was read and sealed anew for its stable id."""
    run_script = redis.eval

    async def eval_after(script: str, *args: Any) -> Any:
        if "HDEL" in script:  # only the move deletes a hash field
            await meanwhile()
        return await run_script(script, *args)  # type: ignore[misc]

    monkeypatch.setattr(redis, "eval", eval_after)


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
def requisites(redis: Redis, keys: RedisKeys) -> SavedRequisites:
    return SavedRequisites(redis, keys, DataCipher.from_setting(KEY))


@pytest.fixture
def catalog() -> FakeCatalog:
    return FakeCatalog()


@pytest.fixture
def saved(requisites: SavedRequisites, catalog: FakeCatalog) -> SavedDetails:
    return SavedDetails(requisites, catalog, langs=[EN, RU])


def test_account_fields_are_kept_per_currency_and_direction_fields_for_all() -> None:
    assert slot_id(field(EN, "account1"), DRAFT) == f"account1@{SBER}"
    assert slot_id(field(RU, "account2"), DRAFT) == f"account2@{USDT}"
    assert slot_id(field(RU, "cf6"), DRAFT) == "cf6"
    assert slot_id(field(EN, "account2"), ExchangeDraft(give_id=SBER)) is None


async def test_details_saved_in_english_are_offered_in_russian_and_listed_as_saved(
    saved: SavedDetails, requisites: SavedRequisites
) -> None:
    assert await saved.keep_after_bid(USER, direction(EN), DRAFT, EN)  # ask "remember?"
    await saved.answer_consent(USER, True)

    assert await saved.offered(USER, DRAFT, field(RU, "account1"), RU) == CARD
    assert await saved.offered(USER, DRAFT, field(RU, "cf6"), RU) == EMAIL
    assert await saved.offered(USER, DRAFT, field(RU, "cf12"), RU) is None  # a select
    assert [(d.name, d.value) for d in await saved.listing(USER)] == [
        ("E-mail", EMAIL),
        ("From account · Sberbank RUB", CARD),
        ("Into account · Tether TRC20 USDT", DRAFT.answers["account2"]),
    ]
    assert set(await requisites.list(USER)) == {"cf6", f"account1@{SBER}", f"account2@{USDT}"}


async def test_the_consent_question_holds_the_stable_ids_and_is_asked_once(
    saved: SavedDetails, requisites: SavedRequisites
) -> None:
    assert await saved.keep_after_bid(USER, direction(RU), DRAFT, RU)
    held = await requisites.take_held(USER)
    assert SavedDetail(f"account1@{SBER}", CARD, "Со счета · Сбербанк RUB") in held
    assert {detail.slot for detail in held} == {"cf6", f"account1@{SBER}", f"account2@{USDT}"}

    await saved.answer_consent(USER, True)
    assert not await saved.keep_after_bid(USER, direction(EN), DRAFT, EN)  # remembered at once
    assert await requisites.recall(USER, f"account1@{SBER}") == CARD
    await saved.answer_consent(USER, False)
    assert not await saved.keep_after_bid(USER, direction(EN), DRAFT, EN)
    assert await saved.listing(USER) == []


async def test_nothing_is_offered_or_asked_without_a_data_key(
    redis: Redis, keys: RedisKeys, catalog: FakeCatalog
) -> None:
    saved = SavedDetails(SavedRequisites(redis, keys, None), catalog, langs=[EN])
    assert not await saved.keep_after_bid(USER, direction(EN), DRAFT, EN)
    assert await saved.offered(USER, DRAFT, field(EN, "account1"), EN) is None


async def test_a_card_saved_in_english_by_the_earlier_version_is_moved_for_a_russian_customer(
    saved: SavedDetails, requisites: SavedRequisites
) -> None:
    await requisites.set_consent(USER, True)
    await requisites.remember(USER, "From account · Sberbank RUB", CARD)  # as the old code did

    assert await saved.offered(USER, DRAFT, field(RU, "account1"), RU) == CARD

    assert await requisites.list(USER) == {f"account1@{SBER}": CARD}
    assert await requisites.legacy_slots(USER) == set()
    # Listed by the name she saw when she saved it.
    assert [d.name for d in await saved.listing(USER)] == ["From account · Sberbank RUB"]
    assert await saved.offered(USER, DRAFT, field(EN, "account1"), EN) == CARD


async def test_a_legacy_slot_in_the_current_language_needs_no_other_language(
    saved: SavedDetails, requisites: SavedRequisites, catalog: FakeCatalog
) -> None:
    await requisites.set_consent(USER, True)
    await requisites.remember(USER, "Со счета · Сбербанк RUB", CARD)
    await requisites.remember(USER, "Into account · Bitcoin BTC", "bc1q-other")

    assert await saved.offered(USER, DRAFT, field(RU, "account1"), RU) == CARD
    assert catalog.direction_reads == []
    assert await saved.offered(USER, DRAFT, field(RU, "account2"), RU) is None
    assert await requisites.legacy_slots(USER) == {"Into account · Bitcoin BTC"}


async def test_a_language_the_exchanger_cannot_describe_now_is_skipped(
    saved: SavedDetails, requisites: SavedRequisites, catalog: FakeCatalog
) -> None:
    await requisites.set_consent(USER, True)
    await requisites.remember(USER, "From account · Sberbank RUB", CARD)
    catalog.failing.add(EN)

    assert await saved.offered(USER, DRAFT, field(RU, "account1"), RU) is None

    catalog.failing.clear()
    assert await saved.offered(USER, DRAFT, field(RU, "account1"), RU) == CARD


async def test_forget_all_during_the_move_leaves_nothing_to_resurrect(
    saved: SavedDetails,
    requisites: SavedRequisites,
    redis: Redis,
    keys: RedisKeys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await requisites.set_consent(USER, True)
    await requisites.remember(USER, "From account · Sberbank RUB", CARD)
    before_the_move(redis, monkeypatch, lambda: saved.forget_all(USER))

    assert await saved.offered(USER, DRAFT, field(RU, "account1"), RU) is None
    assert await redis.exists(keys.requisites(USER)) == 0


async def test_refusing_during_the_move_leaves_nothing_to_resurrect(
    saved: SavedDetails,
    requisites: SavedRequisites,
    redis: Redis,
    keys: RedisKeys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await requisites.set_consent(USER, True)
    await requisites.remember(USER, "E-mail", EMAIL)
    stored = await redis.hget(keys.requisites(USER), "E-mail")  # type: ignore[misc]

    async def refuse_then_restore() -> None:
        # Consent gone, and the very same value back: only the consent differs.
        await requisites.set_consent(USER, False)
        await redis.hset(keys.requisites(USER), "E-mail", stored)  # type: ignore[misc]

    before_the_move(redis, monkeypatch, refuse_then_restore)

    assert await saved.offered(USER, DRAFT, field(EN, "cf6"), EN) is None
    assert await redis.hkeys(keys.requisites(USER)) == [b"E-mail"]  # type: ignore[misc]


async def test_an_unreadable_legacy_value_is_skipped_and_not_moved(
    saved: SavedDetails, redis: Redis, keys: RedisKeys, requisites: SavedRequisites
) -> None:
    await requisites.set_consent(USER, True)
    other_key = SavedRequisites(redis, keys, DataCipher.from_setting(OTHER_KEY))
    await other_key.remember(USER, "From account · Sberbank RUB", CARD)

    assert await saved.offered(USER, DRAFT, field(EN, "account1"), EN) is None
    assert await saved.listing(USER) == []
    assert await redis.hkeys(keys.requisites(USER)) == [b"From account \xc2\xb7 Sberbank RUB"]  # type: ignore[misc]


async def test_a_value_survives_the_exchanger_renaming_the_label(
    saved: SavedDetails, requisites: SavedRequisites
) -> None:
    await requisites.set_consent(USER, True)
    assert not await saved.keep_after_bid(USER, direction(EN), DRAFT, EN)
    renamed = field(EN, "account1").model_copy(update={"label": "Card number"})

    assert await saved.offered(USER, DRAFT, renamed, EN) == CARD


async def test_details_held_by_the_earlier_version_are_remembered_and_moved_later(
    saved: SavedDetails, requisites: SavedRequisites, redis: Redis, keys: RedisKeys
) -> None:
    cipher = DataCipher.from_setting(KEY)
    assert cipher is not None
    held = {"Со счета · Сбербанк RUB": CARD, "E-mail": EMAIL}  # slot -> value, as it was held
    sealed = cipher.seal(json.dumps(held).encode(), associated_data("held-for-consent", USER))
    await redis.set(keys.requisites_held(USER), sealed)

    await saved.answer_consent(USER, True)

    assert await requisites.legacy_slots(USER) == set(held)
    assert await saved.offered(USER, DRAFT, field(EN, "account1"), EN) == CARD
    assert await saved.offered(USER, DRAFT, field(EN, "cf6"), EN) == EMAIL
    assert set(await requisites.list(USER)) == {f"account1@{SBER}", "cf6"}


async def test_one_item_is_deleted_by_its_place_in_the_list(
    saved: SavedDetails, requisites: SavedRequisites
) -> None:
    await requisites.set_consent(USER, True)
    assert not await saved.keep_after_bid(USER, direction(EN), DRAFT, EN)

    assert await saved.forget_at(USER, 1)  # "From account · Sberbank RUB"
    assert [d.name for d in await saved.listing(USER)] == [
        "E-mail",
        "Into account · Tether TRC20 USDT",
    ]
    assert not await saved.forget_at(USER, 2)
