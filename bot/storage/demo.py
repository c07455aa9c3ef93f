"""Whether the in-process store of demo mode (an empty REDIS_URL) is installed.

fakeredis and lupa are test doubles: the production image leaves them out (the `demo` extra),
so an empty REDIS_URL there must stop the start with what to do, not with an ImportError later.
"""

from __future__ import annotations

import importlib

DEMO_PACKAGES = ("fakeredis", "lupa")
INSTALL_HINT = "pip install 'exchange-bot[demo]'"


def missing_demo_package() -> str | None:
    """The first package of the demo store that cannot be imported, or None when all can."""
    for name in DEMO_PACKAGES:
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None
