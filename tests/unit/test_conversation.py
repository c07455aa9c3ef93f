"""The exchange conversation as a service, step by step, with an exchanger that answers from
memory: no Telegram, no Redis."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from bot.exchanger import CalcAction, CalcResult, Currency, Direction
from bot.services.amounts import AmountError
from bot.services.catalog import Catalog
from bot.services.conversation import Conversations, ExchangeConversation
from bot.services.creation import AmountRejected, FieldRejected
from bot.services.draft import ExchangeDraft
from bot.services.quotes import Quotes
from bot.services.steps import (
    AmountRefused,
    AskAmount,
    AskField,
    ConfirmQuote,
    FieldRefused,
    LimitBroken,
    NoCurrencyFound,
    PickCurrency,
    ShowDirection,
    ShowSummary,
    UseButtons,
)
from bot.services.validation import FieldValueError

SBER = Currency(id="1", title="Sberbank RUB")
TINKOFF = Currency(id="2", title="Tinkoff RUB")
USDT = Currency(id="7", title="Tether TRC20 USDT")

SBER_TO_USDT = Direction.model_validate(
    {
        "id": "44",
        "currency_code_give": "RUB", "currency_code_get": "USDT",
        "min_give": "1000", "max_give": "500000",
        "dir_fields": {
            "city": {"name": "city", "type": "select", "label": "City", "cd": "1",
                     "options": {"0": "No selected", "MSK": "Moscow"}},
            "agree": {"name": "agree", "type": "checkbox", "label": "Rules", "req": "1"},
        },
        "get_fields": {
            "account2": {"name": "account2", "type": "text", "label": "Into wallet", "req": "1"},
        },
    }
)  # fmt: skip


class MemoryCatalog:
    """The catalog's answers, without the exchanger or the cache behind them."""

    async def give_currencies(self, lang: str) -> list[Currency]:
        return [SBER, TINKOFF]

    async def get_currencies(self, give_id: str, lang: str) -> list[Currency]:
        return [USDT] if give_id == SBER.id else []

    async def find_currency(
        self, currency_id: str, lang: str, give_id: str | None = None
    ) -> Currency | None:
        known = await (
            self.give_currencies(lang) if give_id is None else self.get_currencies(give_id, lang)
        )
        return next((c for c in known if c.id == currency_id), None)

    async def direction_id(self, give_id: str, get_id: str, lang: str) -> str | None:
        return "44" if (give_id, get_id) == (SBER.id, USDT.id) else None

    async def direction(self, direction_id: str, lang: str) -> Direction | None:
        return SBER_TO_USDT if direction_id == "44" else None


class MemoryExchanger:
    """get_calc at 100 RUB for 1 USDT; an amount of 77 777 comes back adjusted."""

    def __init__(self) -> None:
        self.cd: list[dict[str, str]] = []

    async def get_calc(
        self, direction_id: str, amount: Decimal, action: CalcAction, cd: Any = None, **_: Any
    ) -> CalcResult:
        self.cd.append(dict(cd or {}))
        give = amount if action is CalcAction.GIVE else amount * 100
        return CalcResult.model_validate(
            {
                "sum_give": str(give), "sum_get": str(give / 100),
                "currency_code_give": "RUB", "currency_code_get": "USDT",
                "min_give": "1000", "max_give": "500000",
                "changed": "1" if give == 77777 else "0",
            }
        )  # fmt: skip


def conversation(
    draft: ExchangeDraft | None = None,
) -> tuple[ExchangeConversation, MemoryExchanger]:
    exchanger = MemoryExchanger()
    conversations = Conversations(cast(Catalog, MemoryCatalog()), Quotes(cast(Any, exchanger)))
    return conversations.of(draft or ExchangeDraft(), "en"), exchanger


async def test_customer_exchanges_sberbank_rub_for_usdt_from_the_first_pick_to_the_summary() -> (
    None
):
    exchange, exchanger = conversation()

    assert await exchange.choose("give", SBER.id) == PickCurrency("get")
    assert await exchange.choose("get", USDT.id) == ShowDirection()
    assert exchange.draft.direction_id == "44"

    city = await exchange.choose_amount_mode(CalcAction.GIVE)
    assert isinstance(city, AskField) and city.field.field.name == "city"  # before the amount
    assert await exchange.answer("city", "MSK") == AskAmount()

    rules = await exchange.enter_amount("5 000")
    assert isinstance(rules, AskField) and rules.field.field.name == "agree"
    assert exchanger.cd[-1] == {"city": "MSK"}  # the quote is for the city chosen

    wallet = await exchange.answer("agree", "1")
    assert isinstance(wallet, AskField) and wallet.field.field.name == "account2"
    summary = await exchange.type_answer("TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf")
    assert isinstance(summary, ShowSummary)
    assert summary.calc.sum_give == Decimal(5000)


async def test_a_typed_name_with_one_match_is_picked_and_one_without_is_said() -> None:
    exchange, _ = conversation()

    assert await exchange.search("give", "sber", {}) == PickCurrency("get")
    assert await exchange.search("get", "bitcoin", {}) == NoCurrencyFound("get", "bitcoin")


async def test_a_currency_not_on_offer_changes_nothing() -> None:
    exchange, _ = conversation()

    assert await exchange.choose("give", "999") is None
    assert exchange.draft.give_id is None


async def test_an_unreadable_or_too_small_amount_is_asked_again_and_forgotten() -> None:
    exchange, _ = conversation(
        ExchangeDraft(give_id=SBER.id, get_id=USDT.id, direction_id="44", answers={"city": "MSK"})
    )

    unreadable = await exchange.enter_amount("five thousand")
    assert isinstance(unreadable, AskAmount) and isinstance(unreadable.trouble, AmountError)

    too_small = await exchange.enter_amount("10")
    assert isinstance(too_small, AskAmount) and isinstance(too_small.trouble, LimitBroken)
    assert exchange.draft.amount is None


async def test_an_amount_the_exchanger_adjusted_is_shown_before_going_on() -> None:
    exchange, _ = conversation(
        ExchangeDraft(give_id=SBER.id, get_id=USDT.id, direction_id="44", answers={"city": "MSK"})
    )

    step = await exchange.enter_amount("77777")

    assert isinstance(step, ConfirmQuote)
    assert exchange.draft.amount == Decimal(77777)


async def test_a_bad_wallet_and_text_for_a_checkbox_are_asked_again_with_the_reason() -> None:
    draft = ExchangeDraft(
        give_id=SBER.id, get_id=USDT.id, direction_id="44", answers={"city": "MSK"},
        amount=Decimal(5000), current_field="account2",
    )  # fmt: skip
    exchange, _ = conversation(draft)

    bad = await exchange.type_answer("not a wallet")
    assert isinstance(bad, AskField) and isinstance(bad.trouble, FieldValueError)

    draft.current_field = "agree"
    typed = await exchange.type_answer("yes")
    assert isinstance(typed, AskField) and isinstance(typed.trouble, UseButtons)


async def test_a_refused_bid_asks_again_for_what_the_exchanger_named() -> None:
    draft = ExchangeDraft(
        give_id=SBER.id, get_id=USDT.id, direction_id="44", amount=Decimal(5000), api_id="a1",
        answers={"city": "MSK", "agree": "1", "account2": "Txyz"},
    )  # fmt: skip
    exchange, _ = conversation(draft)

    wallet = await exchange.refused(FieldRejected(errors={"account2": "bad wallet"}))
    assert isinstance(wallet, AskField) and wallet.trouble == FieldRefused(
        "Into wallet", "bad wallet"
    )
    assert "account2" not in draft.answers and draft.api_id is None and draft.editing

    amount = await exchange.refused(AmountRejected(message="min.: 3000 RUB", limit=Decimal(3000)))
    assert amount == AskAmount(AmountRefused("min.: 3000 RUB", Decimal(3000)))
    assert draft.amount is None


async def test_changing_the_city_asks_the_amount_again_after_it() -> None:
    draft = ExchangeDraft(
        give_id=SBER.id, get_id=USDT.id, direction_id="44", amount=Decimal(5000),
        answers={"city": "MSK", "agree": "1", "account2": "Txyz"},
    )  # fmt: skip
    exchange, _ = conversation(draft)

    city = await exchange.change(0)

    assert isinstance(city, AskField) and city.field.field.name == "city"
    assert draft.amount is None and draft.editing
    assert await exchange.answer("city", "MSK") == AskAmount()
