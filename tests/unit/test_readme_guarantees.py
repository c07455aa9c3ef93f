"""README's "Guarantees" names the test behind each promise: every one named must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_NAMED = re.compile(r"`((?:unit/|e2e/)?(?:[\w/]+\.py)?(?:::)?(test_\w+)?)`")


def _guarantees() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Guarantees")
    return readme[start : readme.index("\n## ", start + 1)]


def _all_tests() -> dict[str, str]:
    """Test function name -> the file (relative to tests/) that defines it."""
    found: dict[str, str] = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        for name in re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.MULTILINE):
            found[name] = str(path.relative_to(ROOT / "tests"))
    return found


def test_every_test_the_guarantees_name_exists_where_they_say() -> None:
    tests = _all_tests()
    files = {str(p.relative_to(ROOT / "tests")) for p in (ROOT / "tests").rglob("test_*.py")}
    named = [match.group(1) for match in _NAMED.finditer(_guarantees())]
    missing = []
    for reference in named:
        if reference.endswith(".py"):  # a whole file
            if not any(f.endswith(reference) for f in files):
                missing.append(reference)
            continue
        where, _, test = reference.rpartition("::")
        if test not in tests or (where and not tests[test].endswith(where)):
            missing.append(reference)
    assert len(named) >= 15
    assert missing == []
