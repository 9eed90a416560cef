"""Real concurrent calls, for the tests that play several clients at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def run_together(count: int, call: Any) -> list[Any]:
    """Start `count` calls at the same moment (a barrier), return their results in order."""
    barrier = threading.Barrier(count)

    def go(index: int) -> Any:
        barrier.wait(timeout=30)
        return call(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(go, range(count)))
