"""Catalogue and calculator: currencies, directions, fields and get_calc (facts §3, §4.2–§4.6)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote, urlencode

from bot.sandbox import DEMO_COUPON, RunningSandbox
from tests.sandbox.helpers import Api


async def test_currency_filter_lists_the_give_currency_and_everything_reachable(api: Api) -> None:
    body = await api.call("get_direction_currencies", currency_id_give="8")

    assert body["error"] == 0
    assert [c["id"] for c in body["data"]["give"]] == ["8"]
    assert {c["title"] for c in body["data"]["get"]} == {"Tether TRC20 USDT", "Bitcoin BTC"}


async def test_catalogue_hides_disabled_and_website_only_directions(api: Api) -> None:
    listed = {d["direction_id"] for d in (await api.call("get_directions"))["data"]}

    assert len(listed) >= 20
    assert {"60", "63"} <= listed, "frozen and API-only directions are listed"
    assert not {"61", "62"} & listed, "disabled and website-only ones are not"


async def test_currency_titles_follow_api_lang(api: Api) -> None:
    ru = await api.call_as({"API-LANG": "ru_RU"}, "get_directions", currency_id_give="13")

    assert ru["data"][0]["currency_give_title"] == "Наличные USD"


async def test_get_direction_by_currency_pair_like_the_official_bot(api: Api) -> None:
    body = await api.call("get_direction", currency_id_give="3", currency_id_get="8")

    assert body["error"] == "0"
    assert body["data"]["id"] == "48"


async def test_unknown_hidden_or_disabled_directions_are_an_empty_success(api: Api) -> None:
    for direction_id in ("999", "61", "62"):
        body = await api.call("get_direction", direction_id=direction_id)
        assert body == {"error": "0", "error_text": "", "data": []}


async def test_get_calc_refuses_website_only_directions(api: Api) -> None:
    body = await api.call("get_calc", direction_id="62", calc_amount="0.01")

    assert body == {"error": "1", "error_text": "direction not found", "data": []}


async def test_fields_keep_the_servers_unstable_shapes(api: Api) -> None:
    data = (await api.call("get_direction", direction_id="44"))["data"]
    give, dirs = data["give_fields"], data["dir_fields"]

    assert give["account1"]["req"] == 1 and give["account1"]["format"] == "purse"
    assert give["cfgive8"]["req"] == "1" and give["cfgive8"]["format"] == ""
    assert dirs["cf12"]["options"] == ["No selected", "Sber", "T-Bank"]
    assert dirs["coupon_code"]["cd"] == "1" and dirs["coupon_code"]["req"] == 0
    assert data["min_get"] == "no"

    monobank = (await api.call("get_direction", direction_id="57"))["data"]
    assert monobank["dir_fields"]["cf14"]["options"] == {
        "0": "No selected",
        "1": "Salary",
        "3": "Savings",
        "4": "Business income",
    }
    assert monobank["get_fields"]["account2"]["tooltip"]


async def test_cash_direction_has_city_first_and_a_textarea_but_no_accounts(api: Api) -> None:
    data = (await api.call("get_direction", direction_id="50"))["data"]

    assert data["give_fields"] == []
    assert next(iter(data["dir_fields"])) == "city"
    assert data["dir_fields"]["city"]["options"]["MSK"] == "Moscow"
    assert data["dir_fields"]["city"]["cd"] == "1"
    assert data["dir_fields"]["cf15"]["type"] == "textarea"


async def test_wallet_check_checkbox_follows_account1(api: Api) -> None:
    fields = (await api.call("get_direction", direction_id="58"))["data"]["give_fields"]

    assert list(fields) == ["account1", "check_purse1"]
    assert fields["check_purse1"]["type"] == "checkbox"
    assert fields["check_purse1"]["value"] == 1


async def test_frozen_direction_carries_its_frozen_text(api: Api) -> None:
    info = (await api.call("get_direction", direction_id="60"))["data"]["info"]

    assert info["frozen_text"].startswith("<p>")
    assert "<br />" in info["timeline_text"]
    assert "<a href=" in info["before_button_text"]


async def test_get_calc_four_actions_with_fees(api: Api) -> None:
    async def calc(action: str, amount: str) -> dict[str, str]:
        body = await api.call("get_calc", direction_id="56", calc_amount=amount, calc_action=action)
        return dict(body["data"])

    give = await calc("1", "100")
    assert (give["sum_give"], give["sum_give_com"], give["sum_get"]) == ("100", "103", "97.08")
    assert give["com_give"] == (
        "Including payment system fees Visa/MasterCard (2% + 1 USD) , you send"
    )
    assert (await calc("3", "103"))["sum_give"] == "100"
    assert (await calc("2", "97.08"))["sum_give"] == "100"
    with_fee = await calc("4", "50")
    assert with_fee["sum_get_com"] == "50"
    assert with_fee["sum_get"] == "50"


async def test_get_calc_reads_amounts_leniently_and_flags_rounding(api: Api) -> None:
    body = await api.call(
        "get_calc", direction_id="44", calc_amount="10 000,555 rub", calc_action="1"
    )

    assert body["data"]["sum_give"] == "10000.55"
    assert body["data"]["changed"] == 1
    exact = await api.call("get_calc", direction_id="44", calc_amount="10000")
    assert exact["data"]["changed"] == 0
    huge = await api.call("get_calc", direction_id="47", calc_amount="9" * 40, calc_action="2")
    assert huge["data"]["sum_get"] == "999999999999999"
    junk = await api.call("get_calc", direction_id="44", calc_amount="-abc")
    assert (junk["data"]["sum_give"], junk["data"]["sum_get_com"]) == ("0", "0")


async def test_get_calc_reports_no_limit_errors(api: Api) -> None:
    body = await api.call("get_calc", direction_id="44", calc_amount="1", calc_action="1")

    assert body["error"] == "0"
    assert "error_fields" not in body
    assert body["data"]["min_give"] == "3000"


async def test_changed_can_be_the_calculator_23_string(sandbox: RunningSandbox, api: Api) -> None:
    sandbox.state.changed_as_string = True

    body = await api.call("get_calc", direction_id="44", calc_amount="5000")

    assert body["data"]["changed"] == "0"


async def test_city_and_coupon_in_cd_shift_the_rate(api: Api) -> None:
    plain = await api.call("get_calc", direction_id="50", calc_amount="1000")
    dubai_cd = quote(urlencode({"city": "DXB"}))
    dubai = await api.call("get_calc", direction_id="50", calc_amount="1000", cd=dubai_cd)

    assert plain["data"]["min_give"] == "500"
    assert dubai["data"]["min_give"] == "5000"
    assert dubai["data"]["course_get"] != plain["data"]["course_get"]

    base = await api.call("get_calc", direction_id="44", calc_amount="5000")
    coupon_cd = urlencode({"coupon_code": DEMO_COUPON})
    better = await api.call("get_calc", direction_id="44", calc_amount="5000", cd=coupon_cd)
    assert Decimal(better["data"]["sum_get"]) > Decimal(base["data"]["sum_get"])
