"""axe-core in every browser test: each page a test visits is checked against WCAG 2.2 AA.

`AxeChecks.watch(context)` puts axe-core (shipped by axe-playwright-python) into
every document of a browser context, with a small runner that checks the page
once it has loaded and reports what it found to Python through a binding.
Playwright waits for that check before the test acts on the page (or leaves it
with `goto`), so a page the test leaves at once is checked all the same. At the end of the
test, `finish()` checks each open page once more, in the state the test left
it, and fails with a report when anything was found. `check_accessibility(page)`
checks a page now, in the state it is in (a dialog open, an error shown).

Only the origins given to `watch` are checked: a stand-in identity provider or
a page a test makes up is not ours to fix.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what SPEC.md promises.
TAGS = ("wcag2a", "wcag2aa", "wcag21aa", "wcag22aa")
BINDING = "__opsportalAxeReport"
PENDING = "data-axe-pending"
# Every check, clean or not, is appended here as one JSON line when it is set.
LOG_ENV = "OPSPORTAL_AXE_LOG"
NODES_SHOWN = 3

RUNNER = """
(() => {
  if (window.top !== window || window.__opsportalAxe) return;
  const origins = %(origins)s;
  const options = {runOnly: {type: "tag", values: %(tags)s}, resultTypes: ["violations"]};
  const checkable = () =>
    origins.includes(location.origin) && document.contentType === "text/html";
  const target = (t) => (Array.isArray(t) ? t.join(" >>> ") : String(t));
  const slim = (violations) => violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(target), summary: n.failureSummary || "",
    })),
  }));
  // Until its first check has reported, the document says so on <html>: Playwright
  // waits for that check before it acts on the page (add_locator_handler).
  let unchecked = true;
  const mark = () => {
    if (unchecked && checkable()) document.documentElement.setAttribute("%(pending)s", "");
  };
  if (document.documentElement) mark();
  else new MutationObserver((_, observer) => {
    if (document.documentElement) { observer.disconnect(); mark(); }
  }).observe(document, {childList: true});
  // axe refuses to start while it runs: checks wait for each other.
  let pending = Promise.resolve(null);
  let started = false;
  const run = () => {
    started = true;
    pending = pending.then(async () => {
      if (!checkable()) return null;
      let report;
      try {
        const results = await axe.run(document, options);
        report = {url: location.href, violations: slim(results.violations)};
      } catch (error) {
        report = {url: location.href, violations: [], error: String(error)};
      }
      await window.%(binding)s(report);
      unchecked = false;
      document.documentElement.removeAttribute("%(pending)s");
      return report;
    });
    return pending;
  };
  const when = (state, event) => new Promise((resolve) => {
    if (state()) resolve();
    else window.addEventListener(event, () => resolve(), {once: true});
  });
  // Checked once loaded; a test that acts sooner has it checked once the document is parsed.
  when(() => document.readyState === "complete", "load").then(() => { if (!started) run(); });
  const parsed = when(() => document.readyState !== "loading", "DOMContentLoaded");
  const settle = () => parsed.then(() => (started ? pending : run())).then(() => null);
  window.__opsportalAxe = {run, settle};
})();
"""


@dataclass(frozen=True)
class Violation:
    """One rule broken on one page, with the elements that break it."""

    rule: str
    impact: str
    help: str
    help_url: str
    url: str
    targets: tuple[str, ...]
    summary: str


def _violations(report: dict[str, Any]) -> list[Violation]:
    url = report["url"]
    found = [
        Violation(
            rule=item["id"],
            impact=item.get("impact") or "unknown",
            help=item["help"],
            help_url=item["helpUrl"].split("?")[0],
            url=url,
            targets=tuple(", ".join(node["target"]) for node in item["nodes"]),
            summary=item["nodes"][0]["summary"] if item["nodes"] else "",
        )
        for item in report["violations"]
    ]
    if report.get("error"):
        failed = f"axe-core could not check the page: {report['error']}"
        found.append(Violation("axe-error", "unknown", failed, "", url, (), ""))
    return found


def format_report(violations: list[Violation]) -> str:
    """What a person reads: per rule and page, its impact, elements, the help and the fix."""
    grouped: dict[tuple[str, str], list[Violation]] = {}
    for violation in violations:
        key = (violation.rule, urlsplit(violation.url).path)
        grouped.setdefault(key, []).append(violation)
    lines = [
        f"axe-core found {len(grouped)} accessibility violation(s) "
        f"(WCAG 2.2 AA: {', '.join(TAGS)}):"
    ]
    for (rule, where), found in grouped.items():
        first = found[0]
        targets = list(dict.fromkeys(t for v in found for t in v.targets))
        lines.append("")
        lines.append(f"{rule} ({first.impact}) on {where}: {len(targets)} element(s)")
        lines.append(f"  {first.help}" + (f" — {first.help_url}" if first.help_url else ""))
        lines.extend(f"  - {target}" for target in targets[:NODES_SHOWN])
        if len(targets) > NODES_SHOWN:
            lines.append(f"  … and {len(targets) - NODES_SHOWN} more")
        if first.summary:
            parts = [part.strip() for part in first.summary.splitlines() if part.strip()]
            summary = parts[0] + " " + "; ".join(parts[1:]) if len(parts) > 1 else parts[0]
            lines.append(f"  first element: {summary[:300]}")
    return "\n".join(lines)


_watching: WeakKeyDictionary[BrowserContext, AxeChecks] = WeakKeyDictionary()


@dataclass
class AxeChecks:
    """The checks of one test: the contexts it watches and what axe found in them."""

    test_id: str = ""
    log_path: Path | None = field(
        default_factory=lambda: Path(os.environ[LOG_ENV]) if os.environ.get(LOG_ENV) else None
    )
    violations: list[Violation] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    def watch(self, context: BrowserContext, *, origins: list[str]) -> BrowserContext:
        """Check every page of `context` on these origins (scheme://host:port) as it loads."""
        runner = RUNNER % {
            "origins": json.dumps([o.rstrip("/") for o in origins]),
            "tags": json.dumps(list(TAGS)),
            "binding": BINDING,
            "pending": PENDING,
        }
        context.expose_binding(BINDING, lambda _source, report: self._record(report))
        # axe-core goes into every frame, so the top frame's check reaches into iframes.
        context.add_init_script(AXE_SCRIPT + "\n" + runner)
        for page in context.pages:
            self._hold_actions(page)
        context.on("page", self._hold_actions)
        self.contexts.append(context)
        _watching[context] = self
        return context

    def _record(self, report: dict[str, Any]) -> None:
        found = _violations(report)
        self.violations.extend(found)
        if self.log_path is not None:
            line = {"test": self.test_id, "url": report["url"], "violations": report["violations"]}
            with self.log_path.open("a", encoding="utf-8") as log:
                log.write(json.dumps(line) + "\n")

    def _hold_actions(self, page: Page) -> None:
        """Let a page's check finish before the test acts on it, so a page the test
        leaves at once (fill, click, gone) is checked all the same.

        A navigation can't be held instead: while one waits, the page it leaves
        runs no script. Playwright runs a locator handler before each action and
        each assertion, and `goto` is wrapped to settle first too."""
        page.add_locator_handler(page.locator(f"html[{PENDING}]"), lambda _: self.settle(page))
        goto = page.goto

        def settled_goto(url: str, **options: Any) -> Any:
            self.settle(page)
            return goto(url, **options)

        page.goto = settled_goto  # type: ignore[method-assign]

    def settle(self, page: Page) -> None:
        """Wait for the check of the page's current document (it starts at load)."""
        try:
            page.evaluate("() => window.__opsportalAxe ? window.__opsportalAxe.settle() : null")
        except PlaywrightError as error:
            # The page moved on by itself meanwhile (a redirect, a closed popup).
            if not ("context was destroyed" in str(error) or "closed" in str(error)):
                raise

    def finish(self) -> None:
        """Check each open page as the test left it; fail on anything found during the test."""
        for context in self.contexts:
            for page in list(context.pages):
                if not page.is_closed():
                    _check_now(page, attempts=3)
        if self.violations:
            raise AssertionError(format_report(self.violations))


def _check_now(page: Page, *, attempts: int = 1) -> dict[str, Any] | None:
    for attempt in range(attempts):
        try:
            page.wait_for_load_state("load")
            report: dict[str, Any] | None = page.evaluate(
                "() => window.__opsportalAxe ? window.__opsportalAxe.run() : undefined"
            )
            return report
        except PlaywrightError as error:
            # The page moved on while it was being checked: check where it is now.
            if "context was destroyed" not in str(error) or attempt == attempts - 1:
                raise
    return None


def check_accessibility(page: Page) -> None:
    """Check the page now, in its current state (a dialog open, errors shown): fail at once
    with the report if axe-core finds a violation. The test's end-of-test check also
    counts what is found here."""
    if page.context not in _watching:
        raise AssertionError("this page's context is not watched by axe (use the fixtures)")
    report = _check_now(page)
    if report is None:
        raise AssertionError(f"{page.url} is not on an origin axe checks")
    found = _violations(report)
    if found:
        raise AssertionError(format_report(found))
