"""The scorecard's trend charts, each drawn once per cached trend."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from opsportal.web.i18n import current_locale

# Charts kept per process (a few kilobytes of SVG each).
MAX_DRAWN_TRENDS = 4_096


class DrawnTrends:
    """Each trend's chart, drawn once per list of points the history cache hands out.

    A cached trend (`HistoryCache`) is one list, shared and never changed, until a
    run publishes; its chart depends on nothing else but the words around it (the
    metric's label and unit, the page's language). So it is kept beside it, keyed
    by the list itself and those words. Each entry holds its list, so the key
    cannot be reused while the entry lives.
    """

    def __init__(self, size: int = MAX_DRAWN_TRENDS) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._drawn: OrderedDict[tuple[int, str, str, str], tuple[list[Any], str | None]] = (
            OrderedDict()
        )

    def draw(
        self, points: list[Any], words: tuple[str, str], draw: Callable[[], str | None]
    ) -> str | None:
        key = (id(points), *words, current_locale())
        with self._lock:
            found = self._drawn.get(key)
            if found is not None and found[0] is points:
                self._drawn.move_to_end(key)
                return found[1]
        drawn = draw()
        with self._lock:
            self._drawn[key] = (points, drawn)
            while len(self._drawn) > self._size:
                self._drawn.popitem(last=False)
        return drawn
