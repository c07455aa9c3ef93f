"""The summary: Confirm (the bid is created in the background), Change an item, Cancel.

A press while the bid is being created says so and, if no process holds that creation any
more (it died), looks the confirmation up again: never a second bid.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.services.bids import BidService
from bot.services.conversation import ExchangeConversation
from bot.services.creation import Created, Uncertain, new_api_id
from bot.services.draft import ExchangeDraft
from bot.services.flow import field_title
from bot.storage.bids import BidRepository
from bot.views import summary as summary_views
from bot.views.callbacks import ChangeItem, FlowNav, SummaryAction
from bot.views.menu import main_menu
from handlers.exchange.bid_card import show_bid_card
from handlers.exchange.creation import BidCreations
from handlers.exchange.filters import CurrentDraft
from handlers.exchange.screen import DraftScreen
from handlers.exchange.states import Exchange

CREATING = StateFilter(Exchange.creating)


async def confirm(
    query: CallbackQuery,
    draft: ExchangeDraft,
    screen: DraftScreen,
    i18n: I18n,
    creations: BidCreations,
) -> None:
    await query.answer()
    # An api_id still set here belongs to a confirmation whose outcome is unknown: it is looked
    # up (and given up only once proven absent), never created a second time.
    recheck = draft.api_id is not None
    if draft.api_id is None:
        draft.api_id = new_api_id()
    await screen.state.set_state(Exchange.creating)
    await screen.draw(summary_views.render_creating())
    await creations.start(screen, i18n.current_locale, recheck=recheck)


async def press_while_creating(
    event: CallbackQuery | Message, screen: DraftScreen, i18n: I18n, creations: BidCreations
) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer(summary_views.render_already_creating(), show_alert=True)
    else:
        await event.answer(summary_views.render_already_creating())
    await creations.resume(screen, i18n.current_locale)


async def open_change_menu(
    query: CallbackQuery,
    exchange: ExchangeConversation,
    screen: DraftScreen,
) -> None:
    await query.answer()
    direction = await exchange.direction()
    if direction is None:
        await screen.show(await exchange.open_direction())
        return
    items = [
        (position, field_title(field)) for position, field in enumerate(direction.fields_in_order())
    ]
    await screen.draw(*summary_views.render_change_menu(items, exchange.draft.draft_id))


async def change_item(
    query: CallbackQuery,
    callback_data: ChangeItem,
    exchange: ExchangeConversation,
    screen: DraftScreen,
) -> None:
    step = await exchange.change(callback_data.field)
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
