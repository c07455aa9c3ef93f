"""A customer's saved details: listed masked, deleted one by one or all at once, and remembering
asked for with a way to say no."""

from __future__ import annotations

from bot.views.callbacks import SavedDetailAction
from bot.views.saved_details import render_consent_question, render_saved_details
from tests.unit.bid_screens.screens import callbacks, sendable


def test_saved_details_are_listed_masked_with_a_delete_button_each() -> None:
    items = [("Into account", "TXy8•••••Qm2"), ("Cardholder name &amp; <b>co</b>", "IV•••OV")]

    text, keyboard = render_saved_details(items, True)

    shown = sendable(text, keyboard)
    assert "1. Into account: TXy8•••••Qm2" in shown
    assert "2. Cardholder name & co: IV•••OV" in shown
    assert callbacks(keyboard) == [
        SavedDetailAction(action="delete", index=0).pack(),
        SavedDetailAction(action="delete", index=1).pack(),
        SavedDetailAction(action="delete_all").pack(),
    ]


def test_deleting_everything_asks_first_under_the_list() -> None:
    text, keyboard = render_saved_details(
        [("Into account", "TX•••")], True, confirm_delete_all=True
    )

    assert "Delete all your saved details?" in sendable(text, keyboard)
    assert callbacks(keyboard)[-2:] == [
        SavedDetailAction(action="delete_all_yes").pack(),
        SavedDetailAction(action="show").pack(),
    ]


def test_nothing_saved_and_remembering_switched_off_are_told_apart() -> None:
    empty, empty_keyboard = render_saved_details([], True)
    off, off_keyboard = render_saved_details([("Into account", "TX•••")], False)

    assert "no saved details" in sendable(empty)
    assert sendable(off) == "Remembering details is switched off on this bot."
    assert empty_keyboard is None and off_keyboard is None


def test_remembering_is_asked_for_with_a_way_to_say_no() -> None:
    text, keyboard = render_consent_question()

    assert "stored encrypted" in sendable(text, keyboard)
    assert callbacks(keyboard) == [
        SavedDetailAction(action="consent_yes").pack(),
        SavedDetailAction(action="consent_no").pack(),
    ]
