"""AKS's Node Problem Detector reporting XID errors on a GPU node: the node condition it sets and
the event it records (a helper the tests call, not a controller: NPD runs on the node, from the
kernel log the emulator does not have).

upstream:
- The condition type ``XIDErrors``, and the text in the docs' Reason column: MicrosoftDocs/
  azure-aks-docs fb060abe6 articles/aks/node-problem-detector.md (node conditions table). AKS's
  NPD configuration and plugin are not published, so the reason and message are that text, and
  the event's source is NPD's problem daemon type (the docs' "CustomPluginMonitor" column).
- The condition, then a Warning event on the Node with NPD's condition-change message:
  kubernetes/node-problem-detector 6632ca67 pkg/custompluginmonitor/custom_plugin_monitor.go
  generateStatus (Scenario 2: False to True, Transition set), pkg/util/helpers.go
  GenerateConditionChangeEvent (severity Warn when True; "Node condition %s is now: %s, reason: %s,
  message: %q"), pkg/util/convert.go ConvertToAPIEventType (Warn -> Warning),
  pkg/exporters/k8sexporter/problemclient/problem_client.go (Eventf on the Node's reference,
  SetConditions as a status patch).
"""

from __future__ import annotations

import json
from typing import Any

from tests.emulators.kube.apiserver import now_iso

CONDITION = "XIDErrors"
REASON = "XID errors present in kernel log"
SOURCE = "custom-plugin-monitor"


def report_xid(cluster: Any, node: str, message: str = REASON, *, event: bool = True) -> None:
    """NPD finds XID errors on ``node``: its XIDErrors condition turns True and, with ``event``, the
    Warning event is recorded (False: an event older than the API server's event TTL, gone)."""
    found = cluster.get("v1", "Node", None, node)
    now = now_iso()
    kept = [c for c in (found.get("status") or {}).get("conditions") or [] if c.get("type") != CONDITION]
    condition = {
        "type": CONDITION,
        "status": "True",
        "reason": REASON,
        "message": message,
        "lastHeartbeatTime": now,
        "lastTransitionTime": now,
    }
    cluster.patch_status("v1", "Node", None, node, {"conditions": [*kept, condition]})
    if event:
        text = f"Node condition {CONDITION} is now: True, reason: {REASON}, message: {json.dumps(message)}"
        cluster.add_event(found, REASON, text, type="Warning", component=SOURCE)
