"""A node pool's upgradeSettings (AgentPoolUpgradeSettings) as `akscli nodepool add`, `upgrade` and
`update` set them: az's --max-surge, --max-unavailable, --drain-timeout, --node-soak-duration and
--undrainable-node-behavior, each checked before anything is sent."""

from __future__ import annotations

import re
from typing import Any

from akscli import validate
from akscli.errors import UsageError

# upstream: Azure/azure-rest-api-specs specification/containerservice/resource-manager/Microsoft.ContainerService/aks/
# stable/2026-08-01/managedClusters.json (the api-version akscli sends), AgentPoolUpgradeSettings: drainTimeoutInMinutes
# "minimum": 1, "maximum": 1440; nodeSoakDurationInMinutes "minimum": 0, "maximum": 30; undrainableNodeBehavior
# UndrainableNodeBehavior 'Cordon' | 'Schedule' (azure-mgmt-containerservice 41.8.0 models.AgentPoolUpgradeSettings,
# generated from it: drain_timeout_in_minutes, node_soak_duration_in_minutes, undrainable_node_behavior).
# az only checks that the two are whole numbers (Azure/azure-cli acs/_params.py: c.argument('drain_timeout', type=int),
# c.argument('node_soak_duration', type=int)) and leaves the range to AKS; akscli refuses it before sending.
DRAIN_TIMEOUT = (1, 1440)
NODE_SOAK = (0, 30)
UNDRAINABLE = ("Cordon", "Schedule")


def count_or_percent(flag: str, value: str, example: str) -> str:
    """--max-surge or --max-unavailable: upstream Azure/azure-rest-api-specs aks/stable/2026-08-01
    AgentPoolUpgradeSettings: maxSurge "either be set to an integer (e.g. '5') or a percentage (e.g. '50%')";
    maxUnavailable "an integer (e.g. '1') or a percentage (e.g. '5%')", each of "the total agent pool size"."""
    if not re.fullmatch(r"[0-9]+%?", value) or (value.endswith("%") and int(value[:-1]) > 100):
        raise UsageError(
            f"invalid {flag} {value!r}: a node count or a percentage of the pool",
            hint=f"for example {flag} 1 or {flag} {example}",
        )
    return value


def settings(
    *,
    max_surge: str | None = None,
    max_unavailable: str | None = None,
    drain_timeout: int | None = None,
    node_soak_duration: int | None = None,
    undrainable_node_behavior: str | None = None,
) -> dict[str, Any]:
    """The upgradeSettings keys the flags set, each checked (raises UsageError); {} when none is given."""
    out: dict[str, Any] = {}
    if max_surge is not None:
        out["maxSurge"] = count_or_percent("--max-surge", max_surge, "33%")
    if max_unavailable is not None:
        out["maxUnavailable"] = count_or_percent("--max-unavailable", max_unavailable, "5%")
    if drain_timeout is not None:
        out["drainTimeoutInMinutes"] = validate.integer(drain_timeout, "--drain-timeout", *DRAIN_TIMEOUT)
    if node_soak_duration is not None:
        out["nodeSoakDurationInMinutes"] = validate.integer(node_soak_duration, "--node-soak-duration", *NODE_SOAK)
    if undrainable_node_behavior is not None:
        out["undrainableNodeBehavior"] = validate.choice(
            undrainable_node_behavior, UNDRAINABLE, "--undrainable-node-behavior"
        )
    return out


def flag_of(key: str) -> str:
    """The flag that sets an upgradeSettings key (for an error naming what was typed)."""
    return {
        "maxSurge": "--max-surge",
        "maxUnavailable": "--max-unavailable",
        "drainTimeoutInMinutes": "--drain-timeout",
        "nodeSoakDurationInMinutes": "--node-soak-duration",
        "undrainableNodeBehavior": "--undrainable-node-behavior",
    }[key]
