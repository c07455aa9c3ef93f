"""What a deployment installs is what the checkout runs: the wheel carries every package and the
translation catalogues, and the installed bot finds them from any working directory (the
Docker image runs it from its own directory, not from a checkout)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "bot", "handlers", "locales")


def checkout_packages() -> set[str]:
    return {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "handlers")
        for init in (ROOT / top).rglob("__init__.py")
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Built once, offline, from a copy (an in-tree build/ would leave stale files behind)."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", "wheel"]
    subprocess.run(
        [*pip, "--no-deps", "--no-index", "--no-build-isolation", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("exchange_bot-*.whl")
    yield built


def test_the_wheel_carries_every_package_and_both_catalogues(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())

    packages = {name.rsplit("/", 1)[0].replace("/", ".") for name in names if name.endswith(".py")}
    assert checkout_packages() <= packages
    assert {
        "bot/locales/en/LC_MESSAGES/messages.po",
        "bot/locales/ru/LC_MESSAGES/messages.po",
    } <= names


def test_the_installed_bot_speaks_russian_from_another_directory(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    snippet = textwrap.dedent(
        """
        import bot, bot.i18n
        i18n = bot.i18n.create_i18n("en")
        print(bot.__file__)
        print(bot.i18n.LOCALES_DIR)
        print(sorted(i18n.locales))
        print(i18n.gettext("(optional)", locale="ru"))
        """
    )

    result = subprocess.run(
        [sys.executable, "-c", snippet],
        cwd=elsewhere,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    )

    module, locales_dir, locales, optional = result.stdout.splitlines()
    assert Path(module).is_relative_to(site)
    assert Path(locales_dir) == site / "bot" / "locales"
    assert locales == "['en', 'ru']"
    assert optional == "(необязательно)"
