"""One field a screen: selects, checkboxes, text with a saved value, and why a value is refused."""

from __future__ import annotations

import pytest

from bot.exchanger import Direction
from bot.views.callbacks import (
    FieldCheckbox,
    FieldOption,
    FieldSaved,
    FieldSkip,
    FlowNav,
)
from bot.views.fields import describe_field_problem, render_field_prompt, render_server_field_error
from tests.unit.exchange_screens.screens import (
    DIRECTION,
    DRAFT,
    callbacks,
    direction_data,
    sendable,
)


def test_a_required_city_select_hides_no_selected_and_has_no_skip() -> None:
    city = DIRECTION.fields_in_order()[0]

    text, keyboard = render_field_prompt(city, 0, 7, DRAFT)

    shown = sendable(text, keyboard)
    assert "Step 1 of 7" in shown and "Your city (required)" in shown
    labels = [button.text for row in keyboard.inline_keyboard for button in row]
    assert "No selected" not in labels and "Moscow" in labels
    options = [FieldOption.unpack(data) for data in callbacks(keyboard) if "fopt:" in data]
    assert [(option.field, option.option) for option in options] == [(0, 1), (0, 2)]
    assert not any(data.startswith("fskip:") for data in callbacks(keyboard))
    assert FlowNav(draft=DRAFT, to="direction").pack() in callbacks(keyboard)


def test_an_optional_list_select_can_be_skipped() -> None:
    bank = DIRECTION.fields_in_order()[1]

    text, keyboard = render_field_prompt(bank, 1, 7, DRAFT)

    assert "(optional)" in sendable(text, keyboard)
    assert FieldSkip(draft=DRAFT, field=1).pack() in callbacks(keyboard)
    assert FlowNav(draft=DRAFT, to="amount").pack() in callbacks(keyboard)


def test_a_wallet_check_checkbox_is_a_yes_no_question() -> None:
    checkbox = DIRECTION.fields_in_order()[2]

    text, keyboard = render_field_prompt(checkbox, 2, 7, DRAFT)

    assert "e-wallet has valid status" in sendable(text, keyboard)
    assert FieldCheckbox(draft=DRAFT, field=2, ticked=True).pack() in callbacks(keyboard)
    assert FieldCheckbox(draft=DRAFT, field=2, ticked=False).pack() in callbacks(keyboard)


def test_a_text_field_offers_the_saved_value_masked_and_shows_the_tooltip() -> None:
    holder = DIRECTION.fields_in_order()[4]

    text, keyboard = render_field_prompt(holder, 4, 7, DRAFT, saved_masked="IV•••OV")

    shown = sendable(text, keyboard)
    assert "As printed on the card" in shown and "Type your answer" in shown
    saved = [button for row in keyboard.inline_keyboard for button in row if button.text]
    assert any(button.text == "Use saved: IV•••OV" for button in saved)
    assert FieldSaved(draft=DRAFT, field=4).pack() in callbacks(keyboard)
    assert not any(data.startswith("fskip:") for data in callbacks(keyboard))


def test_a_hostile_field_with_a_300_character_label_still_renders() -> None:
    field = Direction.model_validate(
        direction_data(
            dir_fields={
                "cf1": {
                    "name": "cf1",
                    "type": "textarea",
                    "label": "<script>x</script>" + "Ф&" * 150,
                    "tooltip": "<p>Use <b>Latin</b> letters</p>" * 200,
                    "req": "0",
                }
            }
        )
    ).fields_in_order()[0]

    text, keyboard = render_field_prompt(
        field, 0, 1, DRAFT, error=describe_field_problem("too_long", limit=255), editing=True
    )

    shown = sendable(text, keyboard)
    assert shown.startswith("⚠️ That is too long: at most 255 characters.")
    assert FieldSkip(draft=DRAFT, field=0).pack() in callbacks(keyboard)
    assert FlowNav(draft=DRAFT, to="summary").pack() in callbacks(keyboard)


@pytest.mark.parametrize(
    "problem",
    [
        "empty",
        "too_long",
        "control_characters",
        "bad_card_number",
        "bad_btc_address",
        "bad_eth_address",
        "bad_tron_address",
        "bad_email",
        "BAD_PHONE",
    ],
)
def test_every_local_field_check_has_its_own_explanation(problem: str) -> None:
    text = describe_field_problem(problem)

    sendable(text)
    assert text != describe_field_problem("unheard_of")


def test_a_server_field_error_shows_the_text_of_its_html_span() -> None:
    message = '<span class="js_amount" data-id="sum1" data-val="3000">min.: 3000 RUB</span>'

    assert render_server_field_error("Amount &lt;you&gt; give", message) == (
        "Amount &lt;you&gt; give: min.: 3000 RUB"
    )


# --- summary ------------------------------------------------------------------------------------
