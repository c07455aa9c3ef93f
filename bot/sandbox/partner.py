"""The affiliate ("pp" module) methods with the seed's partner data [§4.11, §9.11, §14.10]."""

from __future__ import annotations

import time
from decimal import Decimal

from bot.sandbox import texts
from bot.sandbox.calc import fmt, round_down
from bot.sandbox.calls import Call, Method, Payload, fail, ok
from bot.sandbox.listing import bids_in_window, dated, exchange_item, page_answer
from bot.sandbox.model import PartnerAccount, PartnerLink, PartnerPayout
from bot.sandbox.php import strip_input
from bot.sandbox.state import Bid, SandboxState
from bot.sandbox.texts import Lang

PARTNER_REWARD = Decimal("0.005")
"""Share of amount_give credited to the referring partner in the seed's affiliate program."""


def _partner_guard(state: SandboxState, call: Call) -> Payload | None:
    if not state.partner_program:
        return fail("1", texts.NO_PARTNER_PROGRAM)
    if call.key.user_id <= 0:
        return fail("1", texts.NO_PARTNER_ID)
    return None


def _partner_account(state: SandboxState, user_id: int) -> PartnerAccount:
    return state.seed.partner_accounts.setdefault(user_id, PartnerAccount(Decimal(0), Decimal(10)))


def _payout_options(state: SandboxState, account: PartnerAccount, lang: Lang) -> list[Payload]:
    """Payout currencies whose reserve covers the balance; none at a zero balance [§14.10]."""
    if account.balance <= 0:
        return []
    items = []
    for option in state.seed.payout_currencies:
        currency = state.currency(option.currency_id)
        if currency is None:
            continue
        amount = account.balance * option.usd_rate * (1 - option.comission / 100)
        amount = round_down(amount, currency.decimals)
        if option.reserve >= amount:
            items.append(
                {
                    "id": str(currency.id),
                    "title": currency.title(lang),
                    "comission": f"{fmt(option.comission)}%",
                    "amount": fmt(amount),
                }
            )
    return items


async def get_partner_info(state: SandboxState, call: Call) -> Payload:
    refused = _partner_guard(state, call)
    if refused:
        return refused
    account = _partner_account(state, call.key.user_id)
    return ok(
        {
            "partner_id": call.key.user_id,
            "balance": fmt(account.balance),
            "min_payout": fmt(account.min_payout),
            "items": _payout_options(state, account, call.lang),
        }
    )


async def get_partner_links(state: SandboxState, call: Call) -> Payload:
    refused = _partner_guard(state, call)
    if refused:
        return refused
    window = call.time_window()
    ip = call.param("ip").strip()
    links = [
        link
        for link in state.seed.partner_links.get(call.key.user_id, [])
        if link.time in window and (not ip or link.ip == ip)
    ]
    links.sort(key=lambda link: link.time, reverse=True)
    return page_answer(links, call, _link_item)


async def get_partner_exchanges(state: SandboxState, call: Call) -> Payload:
    refused = _partner_guard(state, call)
    if refused:
        return refused
    referred = (bid for bid in state.bids.values() if bid.ref_id == call.key.user_id)

    def rewarded_item(bid: Bid) -> Payload:
        item = exchange_item(state, bid, call)
        del item["api_id"]
        give = state.currency(bid.give_id)
        decimals = give.decimals if give else 2
        item["accrued"] = 1 if bid.status == "success" else 0
        item["partner_reward"] = fmt(round_down(bid.amount_give * PARTNER_REWARD, decimals))
        return item

    return page_answer(bids_in_window(referred, call), call, rewarded_item)


async def get_partner_payouts(state: SandboxState, call: Call) -> Payload:
    refused = _partner_guard(state, call)
    if refused:
        return refused
    window = call.time_window()
    payout_id = call.int_param("id")
    payouts = [
        p
        for p in state.seed.partner_payouts.get(call.key.user_id, [])
        if (payout_id <= 0 or p.id == payout_id) and p.time in window
    ]
    payouts.sort(key=lambda p: (p.time, p.id), reverse=True)
    return page_answer(payouts, call, _payout_item)


def _link_item(link: PartnerLink) -> Payload:
    return {
        **dated(link.id, link.time),
        "browser": link.browser,
        "ip": link.ip,
        "referrer": link.referrer,
        "user_hash": link.user_hash,
        "query_string": link.query_string,
    }


def _payout_item(payout: PartnerPayout) -> Payload:
    return {
        **dated(payout.id, payout.time),
        "method_id": payout.method_id,
        "account": payout.account,
        "pay_amount": fmt(payout.pay_amount),
        "pay_currency_code": payout.pay_currency_code,
        "original_amount": fmt(payout.original_amount),
        "original_currency_code": "USD",
        "status": payout.status,
    }


async def add_partner_payout(state: SandboxState, call: Call) -> Payload:
    """A payout module refusal comes as int 1, unlike the string "1" of the guards [§2.2]."""
    refused = _partner_guard(state, call)
    if refused:
        return refused
    user_id, lang = call.key.user_id, call.lang
    account = _partner_account(state, user_id)
    if account.balance < account.min_payout or account.balance <= 0:
        return fail(1, texts.PAYOUT_MIN.get(lang).format(amount=fmt(account.min_payout)))
    method_id = call.int_param("method_id")
    option = next(
        (o for o in _payout_options(state, account, lang) if o["id"] == str(method_id)), None
    )
    if option is None:
        return fail(1, texts.PAYOUT_METHOD.get(lang))
    target = strip_input(call.param("account"))
    if not target:
        return fail(1, texts.PAYOUT_ACCOUNT.get(lang))
    currency = state.currency(method_id)
    payout = PartnerPayout(
        id=state.next_payout_id(),
        time=int(time.time()),
        method_id=method_id,
        account=target,
        pay_amount=Decimal(option["amount"]),
        pay_currency_code=currency.code if currency else "",
        original_amount=account.balance,
        status="0",
    )
    state.seed.partner_payouts.setdefault(user_id, []).append(payout)
    account.balance = Decimal(0)
    return ok({"payout_id": str(payout.id)})


PARTNER_METHODS: dict[str, Method] = {
    "get_partner_info": get_partner_info,
    "get_partner_links": get_partner_links,
    "get_partner_exchanges": get_partner_exchanges,
    "get_partner_payouts": get_partner_payouts,
    "add_partner_payout": add_partner_payout,
}
