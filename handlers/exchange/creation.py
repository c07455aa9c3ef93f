"""Confirm → the bid, in the background: the press is answered with "Creating…" at once, and
the result is drawn on that screen when the exchanger answers.

The exactly-once reasoning lives in `bot.services.creation`; this module only keeps the
customer's screen true to it: the result is written under the chat's event lock with an FSM
context of its own, so it cannot overwrite what the customer did meanwhile, and whatever goes
wrong, the customer looking at "Creating…" hears of it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StorageKey

from bot.exchanger import ExchangerError
from bot.services.background import BackgroundTasks
from bot.services.bids import BidService
from bot.services.conversation import Conversations
from bot.services.creation import (
    BidOrder,
    Created,
    CreateOutcome,
    Customer,
    InProgress,
    NotCreated,
    Refused,
    Uncertain,
    new_api_id,
)
from bot.services.draft import ExchangeDraft
from bot.services.flow import bid_fields
from bot.services.saved_details import SavedDetails
from bot.storage.bids import BidRepository
from bot.views import summary as summary_views
from bot.views.direction import render_direction_unavailable
from handlers.exchange.bid_card import offer_to_remember, show_bid_card
from handlers.exchange.screen import DraftScreen
from handlers.exchange.states import Exchange
from handlers.screen import ScreenTarget, send_screen, show_on
from handlers.typing_indicator import CREATION_PAUSE, typing_while_working

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreationJob:
    """One confirmation being created after its update is answered. Not the update's
    FSMContext: see the module's docstring."""

    storage: BaseStorage
    key: StorageKey
    target: ScreenTarget
    customer: Customer
    draft_id: str
    api_id: str
    recheck: bool
    # The attempt's lease was taken while the Confirm press was handled (BidCreation.reserve).
    reserved: bool = False

    def task_name(self) -> str:
        return f"create-bid-{self.api_id}"


class BidCreations:
    """Runs each confirmation in the background and draws its result where the customer
    looks. One per dispatcher (workflow data `creations`)."""

    def __init__(
        self,
        *,
        bot: Bot,
        bids: BidRepository,
        bid_service: BidService,
        conversations: Conversations,
        saved_details: SavedDetails,
        isolation: BaseEventIsolation,
        background: BackgroundTasks,
    ) -> None:
        self.bot = bot
        self.bids = bids
        self.bid_service = bid_service
        self.conversations = conversations
        self.saved_details = saved_details
        self._isolation = isolation
        self._background = background

    async def start(self, screen: DraftScreen, locale: str, *, recheck: bool) -> None:
        """A new confirmation's attempt is taken in the creation ledger before the press is
        answered, so a second press, here or in another process, finds it being created."""
        job = _job_of(screen, locale, recheck=recheck)
        direction_id = screen.draft.direction_id
        if not job.recheck and direction_id is not None:
            reserved = await self.bid_service.reserve(job.customer, job.api_id, direction_id)
            # Seen before: look where it stands, never create again.
            job = replace(job, reserved=reserved, recheck=not reserved)
        self._background.spawn(self._create(job), name=job.task_name())

    async def resume(self, screen: DraftScreen, locale: str) -> None:
        """The state says "creating" but no process holds a live attempt on it (the ledger
        says so, whichever process took it): the one that did died in the middle. Look the bid
        up (never create it blindly a second time)."""
        api_id = screen.draft.api_id
        if api_id is not None and not await self.bid_service.creation_running(api_id):
            await self.start(screen, locale, recheck=True)

    def _screen(
        self, job: CreationJob, state: FSMContext, draft: ExchangeDraft, data: dict[str, Any]
    ) -> DraftScreen:
        return DraftScreen(
            bot=self.bot,
            state=state,
            place=job.target,
            exchange=self.conversations.of(draft, job.customer.lang),
            saved_details=self.saved_details,
            data=data,
        )

    async def _create(self, job: CreationJob) -> None:
        """Runs outside the update's lock, so a second click is answered while this works."""
        try:
            await self._create_and_show(job)
        except Exception:
            logger.exception("Creating bid %s ended in an error; the customer is told", job.api_id)
            await self._tell_interrupted(job)

    async def _tell_interrupted(self, job: CreationJob) -> None:
        """What the ledger knows decides: a bid that exists is shown as a new card (showing it
        is what failed, most likely); otherwise the customer is told, and their next message
        looks the confirmation up again (`resume`)."""
        try:
            outcome = await self.bid_service.check(job.api_id)
            if isinstance(outcome, Created):
                target = replace(job.target, message_id=None)
                await show_bid_card(self.bot, self.bids, target, outcome)
                return
        except Exception:
            logger.exception("Could not show bid %s after the error", job.api_id)
        try:
            interrupted = summary_views.render_creation_interrupted()
            await send_screen(self.bot, job.target.chat_id, interrupted)
        except Exception:
            logger.exception("Could not tell chat %s about bid %s", job.target.chat_id, job.api_id)

    async def _create_and_show(self, job: CreationJob) -> None:
        order: BidOrder | None = None
        try:
            order = await order_of(self, job)
        finally:
            if job.reserved and order is None:
                # Nothing was sent: the customer moved on, or the direction could not be read.
                await self.bid_service.release(job.api_id)
        if order is None:
            return
        try:
            async with typing_while_working(self.bot, job.target.chat_id, after=CREATION_PAUSE):
                outcome = await self._outcome_of(job, order)
        except Exception:
            # A bug or a fault nobody foresaw: the request may have gone out, so the customer
            # is told the truth ("cannot tell yet") and the resolver settles it from the ledger.
            logger.exception("Creating bid %s failed unexpectedly", job.api_id)
            outcome = Uncertain()
        if outcome is None:
            return
        if await self.with_draft(job, lambda screen: self._after_create(screen, outcome)) is None:
            await self._told_elsewhere(job, outcome)

    async def _outcome_of(self, job: CreationJob, order: BidOrder) -> CreateOutcome | None:
        """Create, or look up a confirmation seen before; None when the customer moved on."""
        service = self.bid_service
        outcome = (
            await service.check(job.api_id)
            if job.recheck
            else await service.create(job.customer, order, reserved=job.reserved)
        )
        if isinstance(outcome, NotCreated):
            # Proven absent: this confirmation may go again, under a new api_id.
            fresh = await self.with_draft(
                job, lambda screen: self._renew_api_id(job, screen, order)
            )
            if not isinstance(fresh, str):
                return None
            renewed = replace(order, api_id=fresh)
            outcome = await service.create(job.customer, renewed, reserved=True)
        return outcome

    async def with_draft(
        self, job: CreationJob, step: Callable[[DraftScreen], Awaitable[object]]
    ) -> object:
        """Run `step` on the customer's conversation under the chat's event lock, if they are
        still waiting on this creation; None (and nothing touched) when they have moved on."""
        async with self._isolation.lock(job.key):
            state = FSMContext(job.storage, job.key)
            data = await state.get_data()
            draft = ExchangeDraft.from_state(data)
            if (
                draft is None
                or draft.draft_id != job.draft_id
                or await state.get_state() != Exchange.creating.state
            ):
                return None
            return await step(self._screen(job, state, draft, data))

    async def _told_elsewhere(self, job: CreationJob, outcome: CreateOutcome) -> None:
        """The customer left the "Creating…" screen (/start, /cancel) before the answer came:
        a bid made for them still reaches them, as a new message."""
        target = replace(job.target, message_id=None)
        if isinstance(outcome, Created) and outcome.first:
            record = await self.bids.get(outcome.record.bid_id)
            if record is not None and record.card_message_id is not None:
                return  # shown already, by the check a second press started (maybe elsewhere)
            await show_bid_card(self.bot, self.bids, target, outcome)
        elif isinstance(outcome, Uncertain):
            await show_on(self.bot, target, summary_views.render_still_checking())

    async def _renew_api_id(
        self, job: CreationJob, screen: DraftScreen, order: BidOrder
    ) -> str | None:
        """A new api_id, its attempt taken, unless another press or process renewed it already
        (two checks that both found the old one absent must not both create)."""
        if screen.draft.api_id != order.api_id:
            return None
        fresh = new_api_id()
        if not await self.bid_service.reserve(job.customer, fresh, order.direction_id):
            return None
        screen.draft.api_id = fresh
        await screen.keep()
        return fresh

    async def _after_create(self, screen: DraftScreen, outcome: CreateOutcome) -> None:
        """Show the customer where their confirmation stands."""
        draft = screen.draft
        if isinstance(outcome, Created):
            await self._created(screen, outcome)
            return
        if isinstance(outcome, InProgress):
            return  # the attempt under way shows its own result
        if isinstance(outcome, Uncertain | NotCreated):
            await screen.state.set_state(Exchange.summary)
            await screen.draw(*summary_views.render_create_uncertain(draft.draft_id))
            return
        step = await screen.exchange.refused(outcome)
        if step is not None:
            await screen.show(step)
            return
        await screen.state.set_state(Exchange.summary)
        messages = outcome.messages if isinstance(outcome, Refused) else []
        if isinstance(outcome, Refused) and outcome.unreachable:
            messages = [summary_views.render_exchanger_unreachable()]
        errors = summary_views.render_create_errors(messages, [])
        await send_screen(screen.bot, screen.chat_id, errors)
        try:
            await screen.show(await screen.exchange.summary())
        except ExchangerError:
            # The direction was switched off meanwhile, so get_calc fails too: without this the
            # "Creating…" message would stay as it is, with no button to go on.
            await screen.draw(*render_direction_unavailable(draft.draft_id))

    async def _created(self, screen: DraftScreen, outcome: Created) -> None:
        """The customer pressed Confirm (or Check again) and the bid exists: its card replaces
        the "Creating…" screen, as the answer to that press."""
        direction = await screen.exchange.direction()
        await screen.state.clear()
        await show_bid_card(self.bot, self.bids, screen.target, outcome)
        if direction is not None:
            await offer_to_remember(self.bot, self.saved_details, screen, direction)


def _job_of(screen: DraftScreen, locale: str, *, recheck: bool) -> CreationJob:
    draft = screen.draft
    assert draft.api_id is not None
    customer = Customer(
        user_id=screen.user_id, chat_id=screen.chat_id, locale=locale, lang=screen.lang
    )
    return CreationJob(
        storage=screen.state.storage,
        key=screen.state.key,
        target=screen.target,
        customer=customer,
        draft_id=draft.draft_id,
        api_id=draft.api_id,
        recheck=recheck,
    )


async def order_of(creations: BidCreations, job: CreationJob) -> BidOrder | None:
    """What create_bid is sent, read from the draft the customer confirmed; None (and back to
    the summary) when the direction or the amount is gone."""
    state = FSMContext(job.storage, job.key)
    draft = ExchangeDraft.from_state(await state.get_data())
    if draft is None or draft.draft_id != job.draft_id:
        return None
    direction = await creations.conversations.of(draft, job.customer.lang).direction()
    if direction is None or draft.amount is None:
        await creations.with_draft(job, _back_to_summary)
        return None
    return BidOrder(
        api_id=job.api_id,
        direction_id=direction.id,
        amount=draft.amount,
        action=draft.calc_action,
        fields=bid_fields(direction, draft),
    )


async def _back_to_summary(screen: DraftScreen) -> None:
    await screen.show(await screen.exchange.summary())
