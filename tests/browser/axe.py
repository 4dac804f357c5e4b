"""Checking a page with axe-core, to the accessibility bar in BRIEF.md section 6."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from epurse.paths import BASE_DIR

AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"  # pinned in package.json

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    # Off by default in axe-core; WCAG 2.2's 2.5.8 (targets at least 24 by 24 px).
    "rules": {"target-size": {"enabled": True}},
}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now (after any typing or clicking), once its
    stylesheet and scripts have loaded."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE_JS)
    result: dict[str, Any] = page.evaluate(
        "options => window.axe.run(document, options)", AXE_OPTIONS
    )
    return list(result["violations"])


def violations_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation['impact']}]: {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html']}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, state: str) -> None:
    violations = axe_violations(page)
    if violations:
        pytest.fail(
            f"{len(violations)} axe-core violation(s) on {state} ({page.url}):\n"
            + violations_report(violations),
            pytrace=False,
        )
