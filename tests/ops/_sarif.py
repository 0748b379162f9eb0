"""What the SARIF tests of ``policy check`` share (test_policy_sarif, test_manifest_lines): the web
Deployment's manifest up to its containers, and the two reads of the SARIF document."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke

# A Deployment "web" up to its pod's container list; a test appends its containers (list items at
# six spaces), so the line numbers it asserts are counted from this head.
WEB_DEPLOYMENT_HEAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
"""


def sarif_of(*args: str) -> dict[str, Any]:
    result = invoke("policy", "check", *args, "-o", "sarif")
    assert result.exit_code in (0, 9), result
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def first_location(doc: dict[str, Any], rule: str) -> dict[str, Any]:
    found = [r for r in doc["runs"][0]["results"] if r["ruleId"] == rule]
    return found[0]["locations"][0]  # type: ignore[no-any-return]
