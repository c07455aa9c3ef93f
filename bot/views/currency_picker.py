"""The currency pickers: a paged grid of buttons, and what typing a name finds.

The vendor's bot lists every currency one per row with the title as callback_data (facts §10.6):
long Cyrillic titles break the 64-byte limit and a long list buries the chat. Here the buttons
carry ids only and the list is paged; typing part of a name searches (the handler does that).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.exchanger import Currency
from bot.telegram_html import exchanger_plain, quote_exchanger, truncate_plain
from bot.views.callbacks import CurrencyPage, CurrencyPick, FlowNav, Side
from bot.views.keyboards import back_cancel_row, button, clamp_page, page_count, paging_row

COLUMNS = 2
# Half a row each: longer titles would be cut by the client in the middle of the code.
TITLE_LIMIT = 30
QUERY_LIMIT = 100


def _quote_query(query: str) -> str:
    """The customer's own words, escaped and short: a pasted essay must not fill the screen."""
    return html.quote(truncate_plain(query, QUERY_LIMIT))


def render_currency_picker(
    side: Side,
    currencies: Sequence[Currency],
    page: int,
    draft_id: str,
    *,
    give_title: str | None = None,
    per_page: int = 8,
    query: str | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of currencies for `side`. With `query` the list is search results: the first
    page only, because the page buttons lead through the full list, not the results.
    """
    pages = 1 if query is not None else page_count(len(currencies), per_page)
    page = clamp_page(page, pages)
    shown = currencies[page * per_page : (page + 1) * per_page]

    if query is not None:
        prompt = _("Found for «{query}»:").format(query=_quote_query(query))
        if len(currencies) > len(shown):
            prompt += "\n" + _("Showing {shown} of {total}: type more to narrow it down.").format(
                shown=len(shown), total=len(currencies)
            )
    elif side == "give":
        prompt = _("<b>Choose the currency you give</b>")
    elif give_title:
        prompt = _("<b>Choose the currency you get</b> for {give}").format(
            give=quote_exchanger(give_title)
        )
    else:
        prompt = _("<b>Choose the currency you get</b>")
    text = "\n\n".join([prompt, _("Or type a part of the name or the code to search.")])

    rows: list[list[InlineKeyboardButton]] = []
    for start in range(0, len(shown), COLUMNS):
        rows.append(
            [
                button(
                    exchanger_plain(currency.title) or currency.id,
                    CurrencyPick(draft=draft_id, side=side, currency_id=currency.id),
                    limit=TITLE_LIMIT,
                )
                for currency in shown[start : start + COLUMNS]
            ]
        )
    if pages > 1:
        rows.append(
            paging_row(page, pages, lambda to: CurrencyPage(draft=draft_id, side=side, page=to))
        )
    back = FlowNav(draft=draft_id, to="give") if side == "get" else None
    rows.append(back_cancel_row(draft_id, back))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def render_no_currency_found(
    query: str, draft_id: str, *, side: Side = "give"
) -> tuple[str, InlineKeyboardMarkup]:
    """Nothing matched the typed text: say what was searched and offer the full list back."""
    text = _(
        "Nothing found for «{query}». Try another part of the name or the code, "
        "or choose from the list."
    ).format(query=_quote_query(query))
    rows = [
        [button(_("Show all currencies"), CurrencyPage(draft=draft_id, side=side, page=0))],
        back_cancel_row(draft_id, FlowNav(draft=draft_id, to="give") if side == "get" else None),
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def render_no_currencies() -> tuple[str, None]:
    """The exchanger lists no currency at all (every direction off, or API-hidden, facts §4.2)."""
    return _("The exchanger has no currencies available right now. Please try later."), None
