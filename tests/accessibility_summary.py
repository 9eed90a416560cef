"""Sums up an axe log (OPSPORTAL_AXE_LOG, one JSON line per check) for a person to read.

    OPSPORTAL_AXE_LOG=axe.jsonl uv run pytest -m browser -q -p no:randomly
    uv run python -m tests.accessibility_summary axe.jsonl

Page views are distinct URL paths; an element counts once per path and selector.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit


def summarize(lines: list[str]) -> str:
    views: dict[str, set[str]] = defaultdict(set)  # path -> rules broken there
    nodes: dict[str, set[tuple[str, str]]] = defaultdict(set)  # rule -> (path, target)
    impact: dict[str, str] = {}
    for line in lines:
        check = json.loads(line)
        path = urlsplit(check["url"]).path
        views[path]  # noqa: B018 - a clean check still counts as a view
        for violation in check["violations"]:
            views[path].add(violation["id"])
            impact[violation["id"]] = violation.get("impact") or "unknown"
            for node in violation["nodes"]:
                nodes[violation["id"]].add((path, ", ".join(node["target"])))
    clean = sum(1 for rules in views.values() if not rules)
    out = [f"{len(views)} page views (distinct paths): {clean} clean, {len(views) - clean} not"]
    out.append("")
    out.append(f"{'rule':<28} {'impact':<9} {'nodes':>6} {'views':>6}")
    for rule in sorted(nodes, key=lambda r: -len(nodes[r])):
        broken = {path for path, _ in nodes[rule]}
        out.append(f"{rule:<28} {impact[rule]:<9} {len(nodes[rule]):>6} {len(broken):>6}")
    out.append("")
    for path in sorted(views):
        out.append(f"{path:<60} {', '.join(sorted(views[path])) or 'clean'}")
    return "\n".join(out)


if __name__ == "__main__":
    print(summarize(Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()))
