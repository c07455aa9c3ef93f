"""An operator copies `.env.example` to `.env` and fills in only BOT_TOKEN, as the README says:
every other line is `NAME=` (empty), and docker compose passes them on as empty variables.
Empty means "not set": each setting takes its default, none is refused."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
OPTIONAL = sorted(name for name in Settings.model_fields if name != "BOT_TOKEN")


@pytest.fixture(autouse=True)
def no_settings_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)


def defaults() -> dict[str, object]:
    return load_settings(_env_file=None, BOT_TOKEN=TOKEN).model_dump()


def test_the_example_file_with_only_a_token_filled_in_gives_the_defaults(
    tmp_path: Path,
) -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "\nBOT_TOKEN=\n" in example
    env_file = tmp_path / ".env"
    env_file.write_text(example.replace("\nBOT_TOKEN=\n", f"\nBOT_TOKEN={TOKEN}\n"))

    settings = load_settings(_env_file=env_file)

    assert settings.model_dump() == defaults()


@pytest.mark.parametrize("name", OPTIONAL)
def test_an_empty_environment_variable_is_not_set(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv(name, "")

    assert load_settings(_env_file=None).model_dump() == defaults()


@pytest.mark.parametrize("name", OPTIONAL)
def test_an_empty_line_in_the_env_file_is_not_set(name: str, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"BOT_TOKEN={TOKEN}\n{name}=\n")

    assert load_settings(_env_file=env_file).model_dump() == defaults()


def test_an_empty_variable_does_not_hide_the_value_in_the_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"BOT_TOKEN={TOKEN}\nOPERATOR_CHAT_ID=-1001234\n")
    monkeypatch.setenv("OPERATOR_CHAT_ID", "")

    assert load_settings(_env_file=env_file).OPERATOR_CHAT_ID == -1001234


def test_an_empty_token_is_named_as_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "")
    with pytest.raises(SettingsError, match=r"^Setting BOT_TOKEN: is required but not set$"):
        load_settings(_env_file=None)


def test_an_empty_redis_url_without_the_demo_store_installed_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "fakeredis", None)  # as in the production image

    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, BOT_TOKEN=TOKEN)

    assert str(caught.value) == (
        "Setting REDIS_URL: empty means the in-process demo store, which is not installed "
        "here (no fakeredis): set REDIS_URL=redis://host:6379/0, or install the demo store "
        "with pip install 'exchange-bot[demo]'"
    )
    assert load_settings(_env_file=None, BOT_TOKEN=TOKEN, REDIS_URL="redis://redis:6379/0")
