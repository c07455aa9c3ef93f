"""The package graph points one way (DESIGN.md §2, issue 9): read from the source with ast, so
a new import that bends it fails here rather than in a review."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Shared by the feature routers; a feature router imports no other feature's module.
# Helpers without a router of their own, used by several features.
SHARED_HANDLERS = frozenset(
    {"handlers.filters", "handlers.screen", "handlers.bid_qr", "handlers.typing_indicator"}
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Every module `path` imports, `from a import b` counted as both `a` and `a.b`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _graph(package: str) -> dict[str, set[str]]:
    """Module -> the bot's modules it imports (bot.*, handlers.*), for every module of
    `package`."""
    base = ROOT.joinpath(*package.split("."))
    paths = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
    return {
        _module_name(path): {
            name for name in _imports(path) if name.split(".")[0] in ("bot", "handlers")
        }
        for path in paths
    }


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _strays(package: str, *forbidden: str, allowed: str | None = None) -> dict[str, list[str]]:
    """Module of `package` -> what it imports that it should not: anything inside `forbidden`,
    or (with `allowed`) any bot module outside `allowed`."""
    found = {
        module: sorted(
            name
            for name in imported
            if any(_inside(name, banned) for banned in forbidden)
            or (allowed is not None and not _inside(name, allowed))
        )
        for module, imported in _graph(package).items()
    }
    return {module: names for module, names in found.items() if names}


def test_the_exchanger_client_imports_no_other_package_of_the_bot() -> None:
    assert _strays("bot.exchanger", allowed="bot.exchanger") == {}


def test_storage_imports_no_other_package_of_the_bot() -> None:
    """Storage knows nothing of the API, the services or Telegram."""
    assert _strays("bot.storage", allowed="bot.storage") == {}


def test_the_telegram_html_package_imports_no_other_package_of_the_bot() -> None:
    assert _strays("bot.telegram_html", allowed="bot.telegram_html") == {}


def test_services_import_neither_handlers_views_nor_notifications() -> None:
    """Business rules stand below what shows them: a service is tested without Telegram."""
    assert _strays("bot.services", "handlers", "bot.views", "bot.notifications") == {}


def test_notifications_import_neither_handlers_nor_views() -> None:
    """The notification pipeline gets its renderer injected (bot/wiring)."""
    assert _strays("bot.notifications", "handlers", "bot.views") == {}


def test_a_feature_router_imports_no_other_feature_router() -> None:
    strays: dict[str, list[str]] = {}
    for module, imported in _graph("handlers").items():
        if module == "handlers":  # get_routers() gathers them all
            continue
        feature = ".".join(module.split(".")[:2])
        strays[module] = sorted(
            name
            for name in imported
            if _inside(name, "handlers")
            and name != "handlers"
            and not _inside(name, feature)
            and not any(_inside(name, shared) for shared in SHARED_HANDLERS)
        )
    assert {module: names for module, names in strays.items() if names} == {}


def test_handlers_never_hold_the_exchanger_client() -> None:
    """They ask bot/services, which may use the client (DESIGN.md §2)."""
    holding = sorted(
        module
        for module, imported in _graph("handlers").items()
        if "bot.exchanger.ExchangerClient" in imported or "bot.exchanger.client" in imported
    )
    assert holding == []


def test_only_the_wiring_of_the_app_imports_the_handlers() -> None:
    importing = sorted(
        module
        for module, imported in _graph("bot").items()
        if any(_inside(name, "handlers") for name in imported)
    )
    assert [module for module in importing if not _inside(module, "bot.wiring")] == []


def _unit(name: str) -> str:
    """The package or top-level module of the bot a module belongs to: bot.notifications,
    bot.redelivery, handlers."""
    parts = name.split(".")
    return "handlers" if parts[0] == "handlers" else ".".join(parts[:2])


def test_no_two_parts_of_the_bot_import_each_other_even_through_others() -> None:
    """A circle between packages (notifications <-> the send budget, the redelivering
    dispatcher <-> the middlewares) is an arrow running back up, whichever way it is drawn."""
    edges: dict[str, set[str]] = {}
    for package in ("bot", "handlers"):
        for module, imported in _graph(package).items():
            for name in imported:
                if _unit(name) != _unit(module) and name.split(".")[0] in ("bot", "handlers"):
                    edges.setdefault(_unit(module), set()).add(_unit(name))
    # Parts of the bot reachable from each part; a part that reaches itself sits in a circle.
    reach = {unit: set(targets) for unit, targets in edges.items()}
    changed = True
    while changed:
        changed = False
        for targets in reach.values():
            more = set().union(*(reach.get(target, set()) for target in targets)) - targets
            if more:
                targets |= more
                changed = True
    assert sorted(unit for unit, targets in reach.items() if unit in targets) == []
