"""`python -m opsportal.cli`, as the tests and benches start it."""

from opsportal.cli import app

app()
