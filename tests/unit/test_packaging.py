"""What a deployment installs is what the checkout runs: the wheel carries every package and the
translation catalogues, and the installed bot finds them from any working directory (the
Docker image runs it from its own directory, not from a checkout)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


LOCKS = {
    "base.txt": (),
    "demo.txt": ("demo",),
    "dev.txt": ("demo", "dev"),
}


def locked(lock: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        if line and not line.startswith((" ", "#", "-")):
            name, _, version = line.split(" ")[0].partition("==")
            pins[canonicalize_name(name)] = version
    return pins


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_each_lock_holds_every_pin_of_pyproject_at_its_version(
    lock: str, extras: tuple[str, ...]
) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(spec) for spec in project["dependencies"]]
    for extra in extras:
        wanted += [Requirement(spec) for spec in project["optional-dependencies"][extra]]
    pins = locked(lock)

    for requirement in wanted:
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{requirement} is not pinned exactly"
        assert pins.get(canonicalize_name(requirement.name)) == specifier.version, (
            f"{lock} does not lock {requirement}: run ./requirements/compile"
        )


def test_the_production_lock_carries_no_test_double() -> None:
    assert not {"fakeredis", "lupa", "pytest", "hypothesis"} & locked("base.txt").keys()


def test_the_build_backend_of_the_tests_is_the_one_the_build_uses() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (backend,) = pyproject["build-system"]["requires"]
    assert f"setuptools=={locked('dev.txt')['setuptools']}" == backend
