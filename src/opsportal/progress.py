"""The progress callback long imports report to (the CLI draws it as a progress bar)."""

from __future__ import annotations

from collections.abc import Callable

# Called with the number of rows just processed.
ProgressCallback = Callable[[int], None]
