"""The `opsportal` command line: `app` is the entry point; each module adds its commands."""

from opsportal.cli import data, languages, mail, operations, server, xapi
from opsportal.cli.base import app

__all__ = ["app", "data", "languages", "mail", "operations", "server", "xapi"]
