"""`python -m opsportal.cli`, as the tests and benches start it."""

from opsportal.cli import app

if __name__ == "__main__":
    app()
