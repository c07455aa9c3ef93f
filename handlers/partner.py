"""The owner's commands in private chat (DESIGN.md §7): /requests, the bids of this API login
(get_exchanges), /partner, the affiliate account of the bot's API key with its referrals,
referred exchanges, payouts and a new payout request, then the owner's own referral link, and
/partner_link <id>, any partner's link.

Only ADMIN_IDS: anyone else's /requests or /partner is an unknown command and their presses of
these buttons are stale ones, both answered by the fallback. Like the operator screens, these
read in DEFAULT_LOCALE.

A payout request is the only write here, and it moves money: the currency and the account are
kept in the FSM data until the owner confirms, the data is dropped before the request is sent
(a second tap finds nothing to send), and a request without an answer is reported as unknown
rather than failed, because it may have been made.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.exchanger import (
    ExchangerError,
    PartnerInfo,
    PayoutCurrency,
)
from bot.middlewares.locale import in_operators_locale
from bot.services.partner import PartnerAccount, PayoutOutcome, PayoutResult
from bot.services.referrals import PartnerPayload, Referrals, deep_link, partner_id_of
from bot.views.callbacks import PartnerScreen, PayoutConfirm, PayoutMethod, RequestsPage
from bot.views.partner import (
    PARTNER_LIST_LIMIT,
    REQUESTS_PER_PAGE,
    Screen,
    account_problem,
    clean_account,
    failure_screen,
    failure_text,
    payout_cancelled,
    payout_created,
    payout_currency_gone,
    payout_outcome_unknown,
    payout_refused,
    render_account_prompt,
    render_partner_exchanges,
    render_partner_info,
    render_payout_methods,
    render_payout_question,
    render_payouts,
    render_referrals,
    render_request,
    render_requests,
    request_not_found,
    requests_usage,
    stale_payout_alert,
)
from bot.views.referral import no_bot_username, partner_link_usage, render_referral_link
from handlers.filters import BID_ID, FromAdmin
from handlers.screen import show_screen

logger = logging.getLogger(__name__)

METHOD_KEY = "payout_method_id"
ACCOUNT_KEY = "payout_account"


class PayoutInput(StatesGroup):
    account = State()
    confirm = State()


_PAYOUT_STATES = (PayoutInput.account.state, PayoutInput.confirm.state)


async def _failed(event: Message | CallbackQuery, error: ExchangerError) -> None:
    """A command gets a message; a button an alert, and the screen it was on stays."""
    logger.warning("Owner screen: %s failed: %s", error.method, type(error).__name__)
    if isinstance(event, CallbackQuery):
        await event.answer(failure_text(error), show_alert=True)
    else:
        await event.answer(html.quote(failure_text(error)))


async def _show(event: Message | CallbackQuery, screen: Screen, bot: Bot) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer()
    await show_screen(event, *screen, bot=bot)


# /requests


async def requests(
    message: Message,
    command: CommandObject,
    bot: Bot,
    partner_account: PartnerAccount,
    operator_lang: str,
) -> None:
    """/requests: the newest page; /requests 1053: that one request."""
    reference = (command.args or "").strip()
    if not reference:
        await _show_requests(message, 0, bot, partner_account, operator_lang)
        return
    if not BID_ID.fullmatch(reference):
        await message.answer(requests_usage())
        return
    try:
        item = await partner_account.request(reference, lang=operator_lang)
    except ExchangerError as error:
        await _failed(message, error)
        return
    if item is None:
        await message.answer(request_not_found(reference))
        return
    await message.answer(render_request(item))


async def requests_page(
    query: CallbackQuery,
    callback_data: RequestsPage,
    bot: Bot,
    partner_account: PartnerAccount,
    operator_lang: str,
) -> None:
    await _show_requests(query, max(callback_data.offset, 0), bot, partner_account, operator_lang)


async def _show_requests(
    event: Message | CallbackQuery,
    offset: int,
    bot: Bot,
    account: PartnerAccount,
    lang: str,
) -> None:
    # One more than a page: whether it came tells if there is a next page.
    try:
        items = await account.requests(limit=REQUESTS_PER_PAGE + 1, offset=offset, lang=lang)
    except ExchangerError as error:
        await _failed(event, error)
        return
    page = render_requests(items[:REQUESTS_PER_PAGE], offset, len(items) > REQUESTS_PER_PAGE)
    await _show(event, page, bot)


# /partner and its screens, one reader each

ScreenReader = Callable[[PartnerAccount, str], Awaitable[Screen]]


async def _info(account: PartnerAccount, lang: str) -> Screen:
    return render_partner_info(await account.info(lang=lang))


async def _referrals(account: PartnerAccount, lang: str) -> Screen:
    return render_referrals(await account.referrals(limit=PARTNER_LIST_LIMIT, lang=lang))


async def _exchanges(account: PartnerAccount, lang: str) -> Screen:
    return render_partner_exchanges(await account.exchanges(limit=PARTNER_LIST_LIMIT, lang=lang))


async def _payouts(account: PartnerAccount, lang: str) -> Screen:
    return render_payouts(await account.payouts(limit=PARTNER_LIST_LIMIT, lang=lang))


async def _payout_methods(account: PartnerAccount, lang: str) -> Screen:
    return render_payout_methods(await account.info(lang=lang))


# PartnerScreen.screen -> what it shows.
_SCREENS: dict[str, ScreenReader] = {
    "info": _info,
    "links": _referrals,
    "exchanges": _exchanges,
    "payouts": _payouts,
    "payout": _payout_methods,
}


async def _show_partner_screen(
    event: Message | CallbackQuery,
    state: FSMContext,
    bot: Bot,
    read: ScreenReader,
    account: PartnerAccount,
    lang: str,
) -> None:
    await _forget_payout(state)
    try:
        shown = await read(account, lang)
    except ExchangerError as error:
        await _failed(event, error)
        return
    await _show(event, shown, bot)


async def partner(
    message: Message,
    state: FSMContext,
    bot: Bot,
    partner_account: PartnerAccount,
    referrals: Referrals,
    operator_lang: str,
) -> None:
    """The partner account, then the owner's own referral link with its QR code."""
    await _forget_payout(state)
    try:
        info: PartnerInfo | None = await partner_account.info(lang=operator_lang)
    except ExchangerError as error:
        info = None
        await _failed(message, error)
    if info is not None:
        await _show(message, render_partner_info(info), bot)
    own_id = referrals.owner_partner_id(info.partner_id if info is not None else None)
    if own_id is not None:
        await _send_link(message, bot, own_id, own=True)


async def partner_link(message: Message, command: CommandObject, bot: Bot) -> None:
    """/partner_link 123: the referral link of any partner, e.g. to hand it to them."""
    partner_id = partner_id_of(command.args or "")
    if partner_id is None:
        await message.answer(partner_link_usage())
        return
    await _send_link(message, bot, partner_id, own=False)


async def _send_link(message: Message, bot: Bot, partner_id: str, *, own: bool) -> None:
    username = (await bot.me()).username
    if not username:
        await message.answer(no_bot_username())
        return
    link = deep_link(username, PartnerPayload(partner_id))
    shown = render_referral_link(link, partner_id, own=own)
    if shown.qr_png is None:
        await message.answer(shown.caption)
        return
    await message.answer_photo(
        BufferedInputFile(shown.qr_png, filename="referral-qr.png"), caption=shown.caption
    )


def _screen_handler(read: ScreenReader) -> Callable[..., Awaitable[None]]:
    """The handler of one PartnerScreen button (registered with its `screen` filter)."""

    async def show(
        query: CallbackQuery,
        state: FSMContext,
        bot: Bot,
        partner_account: PartnerAccount,
        operator_lang: str,
    ) -> None:
        await _show_partner_screen(query, state, bot, read, partner_account, operator_lang)

    return show


# New payout: currency → account → question → add_partner_payout


def _currency(info: PartnerInfo, method_id: str) -> PayoutCurrency | None:
    """Offered currencies change with the reserves (facts §4.11): looked up again each step."""
    return next((item for item in info.items if item.id == method_id), None)


async def pick_method(
    query: CallbackQuery,
    callback_data: PayoutMethod,
    state: FSMContext,
    bot: Bot,
    partner_account: PartnerAccount,
    operator_lang: str,
) -> None:
    try:
        info = await partner_account.info(lang=operator_lang)
    except ExchangerError as error:
        await _failed(query, error)
        return
    currency = _currency(info, callback_data.method_id)
    if currency is None:
        await _show(query, payout_currency_gone(), bot)
        return
    await state.clear()
    await state.set_state(PayoutInput.account)
    await state.update_data({METHOD_KEY: currency.id})
    await _show(query, render_account_prompt(currency), bot)


async def type_account(
    message: Message,
    state: FSMContext,
    partner_account: PartnerAccount,
    operator_lang: str,
) -> None:
    """The account, typed; typing it again on the question replaces it."""
    account = clean_account(message.text or "")
    if account is None:
        await message.answer(account_problem())
        return
    method_id = (await state.get_data()).get(METHOD_KEY)
    try:
        info = await partner_account.info(lang=operator_lang)
    except ExchangerError as error:
        await _failed(message, error)
        return
    currency = _currency(info, method_id) if isinstance(method_id, str) else None
    if currency is None:
        await _forget_payout(state)
        text, keyboard = payout_currency_gone()
        await message.answer(text, reply_markup=keyboard)
        return
    await state.update_data({ACCOUNT_KEY: account})
    await state.set_state(PayoutInput.confirm)
    text, keyboard = render_payout_question(info, currency, account)
    await message.answer(text, reply_markup=keyboard)


async def cancel_payout(query: CallbackQuery, state: FSMContext, bot: Bot) -> None:
    await _forget_payout(state)
    await _show(query, payout_cancelled(), bot)


async def confirm_payout(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    partner_account: PartnerAccount,
    operator_lang: str,
) -> None:
    current = await state.get_state()
    data = await state.get_data()
    method_id, account = data.get(METHOD_KEY), data.get(ACCOUNT_KEY)
    if current != PayoutInput.confirm.state or not (
        isinstance(method_id, str) and isinstance(account, str)
    ):
        await query.answer(stale_payout_alert(), show_alert=True)
        return
    await state.clear()
    await query.answer()
    outcome = await partner_account.request_payout(method_id, account, lang=operator_lang)
    await show_screen(query, *_payout_screen(outcome), bot=bot)


def _payout_screen(outcome: PayoutOutcome) -> Screen:
    if outcome.result is PayoutResult.CREATED:
        return payout_created(outcome.payout_id)
    if outcome.result is PayoutResult.UNKNOWN:
        return payout_outcome_unknown()
    assert outcome.error is not None
    if outcome.result is PayoutResult.REFUSED:
        return payout_refused(outcome.error)
    return failure_screen(outcome.error)


async def _forget_payout(state: FSMContext) -> None:
    """Leaving the payout steps by another screen: the next text is not an account."""
    if await state.get_state() in _PAYOUT_STATES:
        await state.clear()


def create_router() -> Router:
    router = Router(name="partner")
    # Everyone else's /partner is an unknown command and their presses are stale buttons:
    # the fallback answers both.
    router.message.filter(F.chat.type == "private", FromAdmin())
    router.callback_query.filter(FromAdmin())
    router.message.middleware(in_operators_locale)
    router.callback_query.middleware(in_operators_locale)
    router.message.register(requests, Command("requests"))
    router.message.register(partner, Command("partner"))
    router.message.register(partner_link, Command("partner_link"))
    router.message.register(
        type_account,
        StateFilter(PayoutInput.account, PayoutInput.confirm),
        F.text,
        ~F.text.startswith("/"),
    )
    router.callback_query.register(requests_page, RequestsPage.filter())
    for screen, read in _SCREENS.items():
        router.callback_query.register(
            _screen_handler(read), PartnerScreen.filter(F.screen == screen)
        )
    router.callback_query.register(pick_method, PayoutMethod.filter())
    router.callback_query.register(confirm_payout, PayoutConfirm.filter(F.yes))
    router.callback_query.register(cancel_payout, PayoutConfirm.filter(~F.yes))
    return router
