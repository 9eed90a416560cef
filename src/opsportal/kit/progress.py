"""The callbacks long imports report to (the CLI draws them as progress bars)."""

from __future__ import annotations

from collections.abc import Callable

# Called with the number of rows just processed.
ProgressCallback = Callable[[int], None]
# Called with what the work has moved on to ("saving the history"), for the
# steps that are one statement each and so have no rows to count.
StageCallback = Callable[[str], None]
