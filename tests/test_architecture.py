"""The architecture's rules hold, and `lint-imports` would catch each known way of breaking them.

Each case puts one of the breaks that the code once had back into a copy of the
package and runs `lint-imports` over that copy: the contract that protects
against it must fail, by name. docs/architecture.md says what each contract is for.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "opsportal"
DOMAINS = ("auth", "users", "audit", "tenants", "metrics", "benchmarks", "training")
# Installed beside this interpreter by the dev dependencies.
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` over the `opsportal` package found in `source_root`."""
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_the_contracts_hold() -> None:
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


# (module whose import is put back, the import, the contract that must catch it)
BREAKS = [
    (
        "i18n.py",
        "from opsportal.web.session import csrf_token",
        "Languages import no domain, no web layer and no database",
    ),
    (
        "notifications/repository.py",
        "from opsportal.benchmarks.repository import positions",
        "Notifications, audit and settings import no domain",
    ),
    (
        "config.py",
        "from opsportal.benchmarks.cohorts import band_codes",
        "Notifications, audit and settings import no domain",
    ),
    (
        "audit/service.py",
        "from opsportal.auth.service import create_user",
        "Notifications, audit and settings import no domain",
    ),
    (
        "tenants/repository.py",
        "from opsportal.benchmarks.verdicts import BOTTOM_QUARTILE_BELOW",
        "No import cycles between domains or between the parts of one",
    ),
    (
        "web/session.py",
        "from opsportal.notifications.service import unread_count",
        "The kit and the pages' shared layer import no domain",
    ),
    (
        "benchmarks/schedule.py",
        "from opsportal.notifications.schedule import add_mail_jobs",
        "Only the scheduler module assembles the scheduled jobs",
    ),
    (
        "benchmarks/pdf.py",
        "from opsportal.training.certification import pdf",
        "Benchmarks and training never import each other",
    ),
    (
        "app.py",
        "from opsportal.training.compliance.wiring import install",
        "Only the wiring module plugs the domains into each other",
    ),
    (
        "training/assessment/grading.py",
        "from opsportal.models import Quiz",
        "Pure cores import no database, web framework or models",
    ),
    (
        "users/service.py",
        "from fastapi import Request",
        "Services and repositories import no web framework",
    ),
    (
        "privacy/registry.py",
        "from opsportal.models import User",
        "The registry of personal data is data: it imports nothing of ours",
    ),
    (
        "operations/collector.py",
        "from opsportal.notifications.repository import count_queued",
        "Operations (probes, metrics, backups) read the database, never a domain",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("module", "statement", "contract"), BREAKS, ids=[b[0] for b in BREAKS])
def test_a_break_put_back_is_caught(
    tmp_path: Path, module: str, statement: str, contract: str
) -> None:
    copy = tmp_path / "opsportal"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.ttf"))
    target = copy / module
    target.write_text(target.read_text() + f"\n{statement}  # noqa: E402, F401\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0, result.stdout
    assert f"{contract} BROKEN" in result.stdout, result.stdout


def test_no_domain_reads_another_domains_files_by_path() -> None:
    """A domain finds its own files (templates, fonts) beside its code, never in another's folder.

    Imports are checked by the contracts; a path such as `Path(__file__).parent.parent
    / "training" / "fonts"` is not an import, so it is checked here. The template
    loader in web/ is the one place that looks into every domain's `templates/`.
    """
    climbing = re.compile(r"Path\(__file__\)((?:\.parent)+)")
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] not in DOMAINS:
            continue
        # How many `.parent` steps stay inside the domain's own folder.
        inside = len(relative.parts) - 1
        for match in climbing.finditer(path.read_text()):
            if match.group(1).count(".parent") > inside:
                offenders.append(f"{relative}: {match.group(0)}")
    assert offenders == []
