"""`python -m opsportal.cli`, as the tests and benches start it."""

from opsportal.cli import app

# Guarded: walking the package (tests/web/test_security.py imports every module) must not run it.
if __name__ == "__main__":
    app()
