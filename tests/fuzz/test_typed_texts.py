"""Whatever a customer types at a text step, the bot answers it and the conversation goes on.

Generated texts (tests/fuzz/texts.py: direction marks, joiners, combining marks, emoji, astral
characters, NUL and control characters, look-alike letters, numbers in every shape and script,
markup, SQL and PHP, whitespace only, up to Telegram's 4,096 characters) go through the whole
stack: the fake Telegram, aiogram's dispatcher and the handlers, a real Redis and the sandbox
exchanger over HTTP. Each text is typed at once by a customer at the currency picker, one at the
amount prompt and one at a field (one of twelve kinds, drawn per text): with the default profile
at least 2,000 texts at each of the three steps, some 170 per kind of field (test_parsers.py
gives every kind 2,000 more, without the stack around it).

For every text, at every step:
- the bot answers with a message (no silence), and that answer is not an error reply
  ("Something went wrong on our side", an exchanger failure, "did not understand");
- nothing is logged at WARNING or above (an unhandled exception logs an ERROR);
- the fake Telegram refused no call (broken HTML, a text over 4,096, an empty text...);
- a refused text is answered with the step asked again and the reason on top; an accepted text
  moves the conversation on (the next picker, the next question, the summary), and the
  customer can come back to the step.

Run longer with `FUZZ_PROFILE=long ./scripts/test tests/fuzz` (tests/fuzz/profiles.py).
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conversation import (
    AmountEntry,
    CurrencySearch,
    FieldAnswer,
    Step,
    capture_warnings,
    field_steps,
)
from tests.fuzz.profiles import EXAMPLES, TIMEOUT, fuzz_settings
from tests.fuzz.texts import typed_texts
from tests.fuzz.world import bot_world

pytestmark = pytest.mark.timeout(TIMEOUT)


async def park(steps: list[Step]) -> None:
    await asyncio.gather(*(step.ensure_parked() for step in steps))


async def type_everywhere(steps: list[Step], text: str) -> list[str]:
    found = await asyncio.gather(*(step.type(text) for step in steps))
    return [problem for problems in found for problem in problems]


def test_every_text_step_answers_whatever_is_typed_and_stays_usable(
    redis_url: str, redis_prefix: str
) -> None:
    typed: Counter[str] = Counter()
    with bot_world(redis_url, redis_prefix) as world, capture_warnings() as log:
        assert world.app is not None
        search = CurrencySearch(world.telegram, world.app)
        amount = AmountEntry(world.telegram, world.app)
        fields = field_steps(world.telegram, world.app)
        world.run(park([search, amount, *fields]))
        assert not log.take()

        @fuzz_settings()
        @given(text=typed_texts(), field=st.sampled_from(fields))
        def customers_type(text: str, field: FieldAnswer) -> None:
            steps = [search, amount, field]
            problems = world.run(type_everywhere(steps, text))
            typed.update(step.name for step in steps)
            problems += [
                f"Telegram refused {r.method}: {r.description}" for r in world.telegram.rejections
            ]
            world.telegram.rejections.clear()
            problems += log.take()
            assert not problems, f"typed {text!r}:\n" + "\n".join(problems)

        customers_type()

        # After thousands of odd texts every step still takes an ordinary answer.
        for step, text in [(search, "Sberbank"), (amount, "5000"), (fields[0], "bob@example.com")]:
            assert world.run(step.type(text)) == []
            assert step.screen is not None and step.asks(step.screen)
    assert typed[search.name] >= EXAMPLES and typed[amount.name] >= EXAMPLES
    assert sum(typed[field.name] for field in fields) >= EXAMPLES
    # Both ways out of each step were taken, so both were checked.
    at_fields: Counter[str] = Counter()
    for field in fields:
        at_fields.update(field.outcomes)
    steps: list[tuple[str, Counter[str]]] = [
        (search.name, Counter(search.outcomes)),
        (amount.name, Counter(amount.outcomes)),
        ("fields", at_fields),
    ]
    for name, outcomes in steps:
        assert outcomes["refused"] and outcomes["accepted"], (name, outcomes)
