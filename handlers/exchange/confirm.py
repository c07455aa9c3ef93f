"""The summary: Confirm (the bid is created in the background), Change an item, Cancel.

A press while the bid is being created says so and, if no process holds that creation any
more (it died), looks the confirmation up again: never a second bid.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.services.background import BackgroundTasks
from bot.services.bids import BidService
from bot.services.conversation import ExchangeConversation
from bot.services.creation import Created, Customer, Uncertain, new_api_id
from bot.services.draft import ExchangeDraft
from bot.storage.bids import BidRepository
from bot.storage.requisites import SavedRequisites
from bot.views import summary as summary_views
from bot.views.callbacks import ChangeItem, FlowNav, SummaryAction
from bot.views.fields import field_title
from bot.views.menu import main_menu
from handlers.exchange.bid_card import show_bid_card
from handlers.exchange.creation import CreationJob, resume_creation, start_creation
from handlers.exchange.filters import CurrentDraft
from handlers.exchange.screen import DraftScreen
from handlers.exchange.states import Exchange

CREATING = StateFilter(Exchange.creating)


def _job(
    screen: DraftScreen,
    i18n: I18n,
    bid_service: BidService,
    bids: BidRepository,
    requisites: SavedRequisites,
    events_isolation: BaseEventIsolation,
    *,
    recheck: bool,
) -> CreationJob:
    draft = screen.draft
    assert draft.api_id is not None
    customer = Customer(
        user_id=screen.user_id, chat_id=screen.chat_id, locale=i18n.current_locale, lang=screen.lang
    )
    return CreationJob(
        bot=screen.bot,
        bids=bids,
        bid_service=bid_service,
        conversation=screen.conversation,
        requisites=requisites,
        isolation=events_isolation,
        storage=screen.state.storage,
        key=screen.state.key,
        target=screen.target,
        customer=customer,
        draft_id=draft.draft_id,
        api_id=draft.api_id,
        recheck=recheck,
    )


async def confirm(
    query: CallbackQuery,
    draft: ExchangeDraft,
    screen: DraftScreen,
    state: FSMContext,
    i18n: I18n,
    bid_service: BidService,
    bids: BidRepository,
    requisites: SavedRequisites,
    events_isolation: BaseEventIsolation,
    background: BackgroundTasks,
) -> None:
    await query.answer()
    # An api_id still set here belongs to a confirmation whose outcome is unknown: it is looked
    # up (and given up only once proven absent), never created a second time.
    recheck = draft.api_id is not None
    if draft.api_id is None:
        draft.api_id = new_api_id()
    await state.set_state(Exchange.creating)
    await screen.draw(summary_views.render_creating())
    job = _job(screen, i18n, bid_service, bids, requisites, events_isolation, recheck=recheck)
    await start_creation(job, background, draft.direction_id)


async def press_while_creating(
    event: CallbackQuery | Message,
    draft: ExchangeDraft,
    screen: DraftScreen,
    i18n: I18n,
    bid_service: BidService,
    bids: BidRepository,
    requisites: SavedRequisites,
    events_isolation: BaseEventIsolation,
    background: BackgroundTasks,
) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer(summary_views.render_already_creating(), show_alert=True)
    else:
        await event.answer(summary_views.render_already_creating())
    if draft.api_id is not None:
        job = _job(screen, i18n, bid_service, bids, requisites, events_isolation, recheck=True)
        await resume_creation(job, background, draft.direction_id)


async def open_change_menu(
    query: CallbackQuery,
    draft: ExchangeDraft,
    screen: DraftScreen,
    lang: str,
    conversation: ExchangeConversation,
) -> None:
    await query.answer()
    direction = await conversation.direction(draft, lang)
    if direction is None:
        await screen.show(await conversation.open_direction(draft, lang))
        return
    items = [
        (position, field_title(field)) for position, field in enumerate(direction.fields_in_order())
    ]
    await screen.draw(*summary_views.render_change_menu(items, draft.draft_id))


async def change_item(
    query: CallbackQuery,
    callback_data: ChangeItem,
    draft: ExchangeDraft,
    screen: DraftScreen,
    lang: str,
    conversation: ExchangeConversation,
) -> None:
    step = await conversation.change(draft, callback_data.field, lang)
    if step is None:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await screen.show(step)


async def change_while_creating(query: CallbackQuery) -> None:
    await query.answer(_("Your exchange is being created, one moment…"), show_alert=True)


async def cancel_exchange(
    query: CallbackQuery,
    bot: Bot,
    draft: ExchangeDraft,
    screen: DraftScreen,
    state: FSMContext,
    bid_service: BidService,
    bids: BidRepository,
) -> None:
    """Cancel says the truth: after a confirmation whose outcome is unknown, the exchanger may
    have the bid. The bot goes on finding out, and tells the customer what it finds."""
    await query.answer()
    api_id = draft.api_id
    target = screen.target
    await state.clear()
    text = _("The exchange is cancelled. Nothing was sent to the exchanger.")
    if api_id is not None:
        outcome = await bid_service.stop_waiting(api_id)
        if isinstance(outcome, Created):
            await show_bid_card(bot, bids, target, outcome)
            return
        if isinstance(outcome, Uncertain):
            text = summary_views.render_cancelled_while_checking()
    await screen.close(text)
    await bot.send_message(screen.chat_id, _("What next?"), reply_markup=main_menu())


async def remind_buttons(message: Message) -> None:
    await message.answer(
        _("Please use the buttons of the last message, or send /cancel to stop this exchange.")
    )


def create_router() -> Router:
    router = Router(name="exchange-confirm")
    live = CurrentDraft()
    router.callback_query.register(
        cancel_exchange, FlowNav.filter(F.to.in_({"cancel", "menu"})), live
    )
    router.callback_query.register(
        cancel_exchange, SummaryAction.filter(F.action == "cancel"), live
    )
    router.callback_query.register(press_while_creating, SummaryAction.filter(), CREATING, live)
    router.callback_query.register(
        open_change_menu, SummaryAction.filter(F.action == "change"), live
    )
    router.callback_query.register(
        confirm, SummaryAction.filter(F.action == "confirm"), StateFilter(Exchange.summary), live
    )
    router.callback_query.register(change_while_creating, ChangeItem.filter(), CREATING, live)
    router.callback_query.register(change_item, ChangeItem.filter(), live)
    not_a_command = ~F.text.startswith("/")
    router.message.register(press_while_creating, CREATING, not_a_command, live)
    router.message.register(
        remind_buttons,
        StateFilter(Exchange.direction, Exchange.summary, Exchange.creating),
        not_a_command,
    )
    return router
