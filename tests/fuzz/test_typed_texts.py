"""Whatever a customer types at a text step, the bot answers it and the conversation goes on.

Generated texts (tests/fuzz/texts.py: direction marks, joiners, combining marks, emoji, astral
characters, NUL and control characters, look-alike letters, numbers in every shape and script,
markup, SQL and PHP, whitespace only, up to Telegram's 4,096 characters) go through the whole
stack: the fake Telegram, aiogram's dispatcher and the handlers, a real Redis and the sandbox
exchanger over HTTP. Each of the three text steps is a test of its own (so parallel workers
share them): a customer at the currency picker, one at the amount prompt, and customers at a
field (one of twelve kinds, drawn per text). With the default profile at least 2,000 texts at
each of the three steps, some 170 per kind of field (test_parsers.py gives every kind 2,000
more, without the stack around it). The seed comes from the test, so each step gets the same
texts as the others.

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

from tests.fuzz.conversation import Step, capture_warnings
from tests.fuzz.profiles import EXAMPLES, TIMEOUT, fuzz_settings
from tests.fuzz.steps import AmountEntry, CurrencySearch, FieldAnswer, field_steps
from tests.fuzz.texts import typed_texts
from tests.fuzz.world import bot_world

pytestmark = pytest.mark.timeout(TIMEOUT)


async def park(steps: list[Step]) -> None:
    await asyncio.gather(*(step.ensure_parked() for step in steps))


STEPS = ["currency search", "amount", "fields"]


@pytest.mark.parametrize("at", STEPS)
def test_every_text_step_answers_whatever_is_typed_and_stays_usable(
    redis_url: str, redis_prefix: str, at: str
) -> None:
    typed: Counter[str] = Counter()
    with bot_world(redis_url, redis_prefix) as world, capture_warnings() as log:
        assert world.app is not None
        fields: list[FieldAnswer] = []
        parked: list[Step]
        if at == "currency search":
            parked = [CurrencySearch(world.telegram, world.app)]
        elif at == "amount":
            parked = [AmountEntry(world.telegram, world.app)]
        else:
            fields = field_steps(world.telegram, world.app)
            parked = list(fields)
        world.run(park(parked))
        assert not log.take()

        choices: list[FieldAnswer | None] = [*fields] or [None]

        @fuzz_settings()
        @given(text=typed_texts(), field=st.sampled_from(choices))
        def customers_type(text: str, field: FieldAnswer | None) -> None:
            step = field or parked[0]
            problems = world.run(step.type(text))
            typed[step.name] += 1
            problems += [
                f"Telegram refused {r.method}: {r.description}" for r in world.telegram.rejections
            ]
            world.telegram.rejections.clear()
            problems += log.take()
            assert not problems, f"typed {text!r}:\n" + "\n".join(problems)

        customers_type()

        # After thousands of odd texts the step still takes an ordinary answer.
        ordinary = {"currency search": "Sberbank", "amount": "5000", "fields": "bob@example.com"}
        step = parked[0]
        assert world.run(step.type(ordinary[at])) == []
        assert step.screen is not None and step.asks(step.screen)
    assert sum(typed[step.name] for step in parked) >= EXAMPLES
    # Both ways out of the step were taken, so both were checked.
    outcomes: Counter[str] = Counter()
    for step in parked:
        outcomes.update(step.outcomes)
    assert outcomes["refused"] and outcomes["accepted"], (at, outcomes)
