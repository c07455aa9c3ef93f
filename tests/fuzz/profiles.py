"""How hard the fuzz tests try: `FUZZ_PROFILE=long ./scripts/test tests/fuzz` for a long run.

default  2,000 examples per test, a fixed seed derived from each test (`derandomize`): every run
         of the suite tries the same texts and bodies, so a failure in CI reproduces anywhere.
long     20,000 examples per test from a fresh random seed each run, to find what the default
         set does not; a failure prints the blob that replays it (`@reproduce_failure`).
smoke    100 examples per test with the default's seed: a quick look while changing the tests.

Nothing is written into the checkout: no example database, and hypothesis's caches go to the
temporary directory (or HYPOTHESIS_STORAGE_DIRECTORY). Health checks about slow generation are
off: big texts and a 2-core machine shared with other work make generation slow at times, and
that says nothing about the bot.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "exchange-bot-hypothesis")

PROFILES = {"default": 2_000, "long": 20_000, "smoke": 300}
# pytest-timeout's 120 s is for ordinary tests; a fuzz test gets this long (a safety net on a
# slow machine: the default profile takes about a minute for the longest test).
TIMEOUTS = {"default": 900, "long": 6 * 3600, "smoke": 300}
PROFILE = os.environ.get("FUZZ_PROFILE", "default")
if PROFILE not in PROFILES:
    raise RuntimeError(f"FUZZ_PROFILE must be one of {sorted(PROFILES)}, not {PROFILE!r}")
EXAMPLES = PROFILES[PROFILE]
TIMEOUT = TIMEOUTS[PROFILE]


def fuzz_settings() -> settings:
    return settings(
        max_examples=EXAMPLES,
        derandomize=PROFILE != "long",
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
