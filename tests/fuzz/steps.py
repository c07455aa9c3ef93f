"""The steps a fuzzed customer waits at: the currency pickers, the amount prompt, and one field of
a direction's form for every kind of typed field the sandbox has."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.app import ExchangeBotApp
from tests.e2e.customer import (
    CARD,
    EMAIL,
    ERC20_ADDRESS,
    TRON_ADDRESS,
    answer_fields,
    field_label,
    go_to_direction,
    start_exchange,
)
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.state import ChatMessage
from tests.fuzz.conversation import Outcome, Step

BTC_ADDRESS = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"
SUMMARY = "Check your exchange"


class CurrencySearch(Step):
    """Typing at the currency pickers. A single match picks the currency: at the give picker
    that leads to the get picker (the same kind of step), at the get picker to the direction
    card, from where Back returns to the get picker."""

    name = "currency search"

    def __init__(self, telegram: FakeTelegram, app: ExchangeBotApp) -> None:
        super().__init__(telegram, app, "Sam")
        self.side: Literal["give", "get"] = "give"

    def asks(self, screen: ChatMessage) -> bool:
        body = screen.body
        if self.side == "give":
            return "Choose the currency you give" in body or self._search_answer(screen)
        return "Choose the currency you get" in body or self._search_answer(screen)

    @staticmethod
    def _search_answer(screen: ChatMessage) -> bool:
        return screen.body.startswith(("Found for «", "Nothing found for «"))

    def outcome(self, screen: ChatMessage) -> Outcome | None:
        body = screen.body
        if body.startswith("Nothing found for «"):
            return "refused" if "Show all currencies" in screen.button_labels() else None
        if body.startswith("Found for «"):
            return "listed" if screen.button_labels() else None
        if self.side == "give" and "Choose the currency you get" in body:
            self.side = "get"
            return "listed"
        if self.side == "get" and ("Reserve:" in body or "not available right now" in body):
            return "accepted"
        return None

    async def park(self) -> None:
        self.side = "give"
        await self.run(start_exchange(self.user))

    async def come_back(self) -> None:
        assert self.screen is not None
        buttons = self.screen.button_labels()
        screen = await self.click("« Back" if "« Back" in buttons else "Choose another currency")
        if "Choose the currency you get" not in screen.body:
            await self.park()


class AmountEntry(Step):
    """Typing the amount of Sberbank RUB → Tether TRC20 USDT (3000 to 500 000 RUB)."""

    name = "amount"
    prompt = "How much RUB do you give?"

    def __init__(self, telegram: FakeTelegram, app: ExchangeBotApp) -> None:
        super().__init__(telegram, app, "Amy")

    def asks(self, screen: ChatMessage) -> bool:
        return self.prompt in screen.body

    def outcome(self, screen: ChatMessage) -> Outcome | None:
        if self.asks(screen):
            return "refused" if screen.body.startswith("⚠️ ") else None
        if field_label(screen) == "E-mail" or "The exchanger adjusted the amount" in screen.body:
            return "accepted"
        return None

    async def park(self) -> None:
        await self.run(go_to_direction(self.user, "Sberbank RUB", "Tether TRC20 USDT"))
        await self.click("I give RUB")
        await self.click("Skip")  # the coupon

    async def come_back(self) -> None:
        assert self.screen is not None
        if "✏️ Change amount" in self.screen.button_labels():
            await self.click("✏️ Change amount")
        else:
            await self.click("« Back")
        if not self.asks(self.screen):
            await self.park()


@dataclass(frozen=True)
class Form:
    """A direction and the answers that take its form to the summary."""

    give: str
    get: str
    side: str
    amount: str
    answers: dict[str, str | None]
    before_amount: dict[str, str | None] = field(default_factory=dict)


SBER_TO_TRC20 = Form(
    "Sberbank RUB",
    "Tether TRC20 USDT",
    "I give RUB",
    "5000",
    {
        "E-mail": EMAIL,
        "Bank": "Sber",
        "Telegram": None,
        "From account": CARD,
        "Cardholder": "ALICE SMITH",
        "Into account": TRON_ADDRESS,
    },
    before_amount={"Discount coupon code": None},
)
CASH_TO_TRC20 = Form(
    "Cash USD",
    "Tether TRC20 USDT",
    "I give USD",
    "1000",
    {
        "First name": "Ivan",
        "Phone": "+44 20 7946 0958",
        "Comment": None,
        "Into account": TRON_ADDRESS,
    },
    before_amount={"Your city": "Moscow"},
)
SBER_TO_BTC = Form(
    "Sberbank RUB",
    "Bitcoin BTC",
    "I give RUB",
    "50000",
    {
        "E-mail": EMAIL,
        "From account": CARD,
        "Cardholder": "ALICE SMITH",
        "Into account": BTC_ADDRESS,
    },
)
CARD_TO_ERC20 = Form(
    "Visa/MasterCard USD",
    "Tether ERC20 USDT",
    "I give USD",
    "100",
    {
        "E-mail": EMAIL,
        "From account": CARD,
        "Cardholder": "ALICE SMITH",
        "Into account": ERC20_ADDRESS,
    },
)


class FieldAnswer(Step):
    """Typing the answer to one field, asked again from the summary's Change menu: a refusal
    repeats the question with the reason, an accepted answer shows the summary with it (masked),
    and Change → the field asks again."""

    def __init__(
        self, telegram: FakeTelegram, app: ExchangeBotApp, form: Form, label: str, what: str
    ) -> None:
        super().__init__(telegram, app, label.split()[0])
        self.form = form
        self.label = label
        self.name = f"field {label!r} ({what}, {form.give} → {form.get})"
        self.changes_quote = label in form.before_amount

    def asks(self, screen: ChatMessage) -> bool:
        return field_label(screen) == self.label

    def outcome(self, screen: ChatMessage) -> Outcome | None:
        if self.asks(screen):
            return "refused" if screen.body.startswith("⚠️ ") else None
        if self.changes_quote:
            # A coupon changes the quote, so the amount is asked again after it.
            return "accepted" if "How much" in screen.body else None
        return "accepted" if SUMMARY in screen.body else None

    async def park(self) -> None:
        form = self.form
        await self.run(go_to_direction(self.user, form.give, form.get))
        screen = await self.click(form.side)
        if form.before_amount:
            await self.run(answer_fields(self.user, form.before_amount, screen))
        screen = await self.say(form.amount)
        await self.run(answer_fields(self.user, form.answers, screen))
        assert self.screen is not None and SUMMARY in self.screen.body, self.user.transcript()
        await self.come_back()

    async def come_back(self) -> None:
        assert self.screen is not None
        if self.changes_quote and SUMMARY not in self.screen.body:
            await self.say(self.form.amount)
        if SUMMARY not in self.screen.body:
            await self.park()
            return
        await self.click("✏️ Change")
        await self.click(self.label)


def field_steps(telegram: FakeTelegram, app: ExchangeBotApp) -> list[FieldAnswer]:
    """Every kind of typed field the sandbox has: e-mail, card, name, TRON/BTC/ERC-20 address,
    phone, a Telegram handle, a coupon that goes into get_calc, a free-text comment."""
    kinds = [
        (SBER_TO_TRC20, "E-mail", "e-mail"),
        (SBER_TO_TRC20, "From account", "card number"),
        (SBER_TO_TRC20, "Cardholder name", "name"),
        (SBER_TO_TRC20, "Into account", "TRON address"),
        (SBER_TO_TRC20, "Telegram", "free text"),
        (SBER_TO_TRC20, "Discount coupon code", "coupon sent to get_calc"),
        (CASH_TO_TRC20, "First name", "name"),
        (CASH_TO_TRC20, "Phone", "phone"),
        (CASH_TO_TRC20, "Comment for the operator", "textarea"),
        (SBER_TO_BTC, "Into account", "Bitcoin address"),
        (CARD_TO_ERC20, "Into account", "ERC-20 address"),
        (CARD_TO_ERC20, "From account", "card of a card payment system"),
    ]
    return [FieldAnswer(telegram, app, form, label, what) for form, label, what in kinds]
