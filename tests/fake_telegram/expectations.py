"""Rejections a test provokes on purpose, matched against what the fake actually refused."""

from __future__ import annotations

from dataclasses import dataclass

from tests.fake_telegram.state import Rejection


@dataclass
class ExpectedRejection:
    """``count`` rejections of ``method`` (any if None) whose description contains ``contains``."""

    method: str | None
    contains: str | None
    count: int = 1
    seen: int = 0

    def matches(self, rejection: Rejection) -> bool:
        if self.seen >= self.count:
            return False
        if self.method is not None and self.method.lower() != rejection.method.lower():
            return False
        return self.contains is None or self.contains in rejection.description

    def describe(self) -> str:
        what = self.method or "any method"
        text = f" containing {self.contains!r}" if self.contains else ""
        return f"{self.count} rejection(s) of {what}{text}, saw {self.seen}"


def reconcile(rejections: list[Rejection], expected: list[ExpectedRejection]) -> list[str]:
    """Problems to report: rejections nobody expected, and expectations that never happened."""
    for item in expected:
        item.seen = 0
    problems: list[str] = []
    for rejection in rejections:
        match = next((item for item in expected if item.matches(rejection)), None)
        if match is not None:
            match.seen += 1
            continue
        problems.append(
            f"unexpected rejection: {rejection.method} -> {rejection.status} "
            f"{rejection.description!r}\n    params: {rejection.params!r}"
        )
    for item in expected:
        if item.seen < item.count:
            problems.append(f"expected rejection did not happen: {item.describe()}")
    return problems
