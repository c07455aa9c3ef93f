"""Saved details in the exchange conversation: which saved value to offer for a field, what to
keep (or hold for the consent question) once a bid exists, and the customer's list of them.

Nothing is remembered without the customer's yes (DESIGN.md §8; storage in
bot/storage/requisites.py). A value is kept under a stable id: the field's name and, for account
and currency fields, the currency's id ("account1@12"), because field names repeat across
directions with different meanings ("account1" is a card number for a bank and an address for a
coin); direction fields (e-mail, phone) are shared by every direction ("cf6", facts §4.5). So
neither the customer's language nor the exchanger renaming a label loses a saved value. The
label the customer saw when saving it ("From account · Sberbank RUB") goes along, for the list.

Versions before stable ids kept a value under that label alone, in whatever language the
customer had then. When a field's stable slot is empty, such a legacy slot is looked for under
every name the field has in the bot's languages and moved to the stable id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.exchanger import Currency, Direction, DirectionField, ExchangerError
from bot.services.draft import ExchangeDraft
from bot.services.flow import TEXT_TYPES, field_side, field_title, requisite_slot
from bot.storage.requisites import SavedDetail, SavedRequisites


class CatalogReader(Protocol):
    """What is read from the catalogue (bot/services/catalog.py `Catalog`)."""

    async def direction(self, direction_id: str, lang: str) -> Direction | None: ...

    async def find_currency(
        self, currency_id: str, lang: str, give_id: str | None = None
    ) -> Currency | None: ...


def slot_id(field: DirectionField, draft: ExchangeDraft) -> str | None:
    """The stable id a field's value is saved under; None while its currency is not chosen."""
    side = field_side(field)
    if side is None:
        return field.name
    currency_id = draft.give_id if side == "give" else draft.get_id
    return None if currency_id is None else f"{field.name}@{currency_id}"


class SavedDetails:
    """The conversation's view of SavedRequisites. `langs` are the exchanger languages
    (API-LANG) of every bot locale: where legacy slot names are looked for."""

    def __init__(
        self,
        requisites: SavedRequisites,
        catalog: CatalogReader,
        *,
        langs: Sequence[str],
    ) -> None:
        self._requisites = requisites
        self._catalog = catalog
        self._langs = tuple(dict.fromkeys(langs))

    @property
    def enabled(self) -> bool:
        """False without DATA_KEY: nothing is offered, asked or remembered."""
        return self._requisites.enabled

    async def offered(
        self, user_id: int, draft: ExchangeDraft, field: DirectionField, lang: str
    ) -> str | None:
        """The saved value to offer for `field` of the draft's direction, shown in `lang`; None
        when nothing is saved (or it cannot be read), or the field is not typed. A legacy slot
        of the field is moved to its stable id on the way."""
        slot = slot_id(field, draft)
        if not self.enabled or slot is None or field.type not in TEXT_TYPES:
            return None
        value = await self._requisites.recall(user_id, slot)
        if value is not None:
            return value
        legacy = await self._requisites.legacy_slots(user_id)
        if not legacy:
            return None
        for each in dict.fromkeys((lang, *self._langs)):
            name = await self._name_in(draft, field, each, current=each == lang)
            if name is not None and name in legacy:
                # The legacy name is the label the customer saw when they saved it.
                return await self._requisites.migrate(user_id, name, slot, name)
        return None

    async def keep_after_bid(
        self, user_id: int, direction: Direction, draft: ExchangeDraft, lang: str
    ) -> bool:
        """The bid of `draft` exists: remember its typed answers if the customer agreed, or hold
        them for the question "remember my details?". True when that question must be asked
        now (asked once: the answer is kept)."""
        if not self.enabled:
            return False
        details: list[SavedDetail] = []
        for field in direction.fields_in_order():
            slot = slot_id(field, draft)
            if field.type in TEXT_TYPES and slot is not None and field.name in draft.answers:
                label = await self._shown_name(draft, field, lang)
                details.append(SavedDetail(slot, draft.answers[field.name], label))
        if not details:
            return False
        consent = await self._requisites.consent(user_id)
        if consent is None:
            await self._requisites.hold_for_consent(user_id, details)
            return True
        if consent:
            await self._remember(user_id, details)
        return False

    async def answer_consent(self, user_id: int, consent: bool) -> None:
        """The answer to "remember my details?": the held details are remembered on a yes, and
        dropped either way (a no also deletes everything saved)."""
        await self._requisites.set_consent(user_id, consent)
        held = await self._requisites.take_held(user_id)
        if consent:
            await self._remember(user_id, held)

    async def listing(self, user_id: int) -> list[SavedDetail]:
        """Everything saved, by the name the customer sees; an index into it is what a delete
        button carries."""
        details = await self._requisites.details(user_id)
        return sorted(details, key=lambda detail: (detail.name, detail.slot))

    async def forget_at(self, user_id: int, index: int) -> bool:
        """Delete item `index` of `listing`; False when there is no such item any more."""
        details = await self.listing(user_id)
        if not 0 <= index < len(details):
            return False
        await self._requisites.forget(user_id, details[index].slot)
        return True

    async def forget_all(self, user_id: int) -> None:
        await self._requisites.forget_all(user_id)

    async def _remember(self, user_id: int, details: Sequence[SavedDetail]) -> None:
        for detail in details:
            await self._requisites.remember(user_id, detail.slot, detail.value, label=detail.label)

    async def _shown_name(self, draft: ExchangeDraft, field: DirectionField, lang: str) -> str:
        """The field as the customer reads it in `lang`, with its currency for account and
        currency fields: "From account · Sberbank RUB" (also the name of its legacy slot)."""
        side = field_side(field)
        give = get = None
        if side == "give" and draft.give_id is not None:
            give = await self._catalog.find_currency(draft.give_id, lang)
        if side == "get" and draft.get_id is not None:
            get = await self._catalog.find_currency(draft.get_id, lang, give_id=draft.give_id)
        return requisite_slot(
            field, field_title(field), give.title if give else "?", get.title if get else "?"
        )

    async def _name_in(
        self, draft: ExchangeDraft, field: DirectionField, lang: str, *, current: bool
    ) -> str | None:
        """The field's name in `lang`: the field as asked when `current`, else as the exchanger
        describes it in `lang` (None when it cannot be read there: that language is skipped)."""
        if current:
            return await self._shown_name(draft, field, lang)
        if draft.direction_id is None:
            return None
        try:
            direction = await self._catalog.direction(draft.direction_id, lang)
            fields = direction.fields_in_order() if direction is not None else []
            same = next((f for f in fields if f.name == field.name), None)
            return None if same is None else await self._shown_name(draft, same, lang)
        except ExchangerError:
            return None
