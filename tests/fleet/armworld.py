"""The ARM fleet world of the fleet tests: a fleet with a hub in rg-fleet, an AKS and an Arc cluster."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke, list_items

RG = "rg-fleet"
FLEET = "ml-fleet"
ARM = ["--fleet", FLEET, "-g", RG]
# Each ARM-backed fleet delete, naming something that does not exist.
ABSENT_DELETES = [
    ["fleet", "delete", "nosuch", "-g", RG],
    ["fleet", "member", "remove", "nosuch", *ARM],
    ["fleet", "rollout", "delete", "nosuch", *ARM],
    ["fleet", "rollout", "strategy", "delete", "nosuch", *ARM],
    ["fleet", "autoupgrade", "delete", "nosuch", *ARM],
]


def sub(emu: Any) -> str:
    return str(emu.subscription)


def fleet_id(emu: Any) -> str:
    return f"/subscriptions/{sub(emu)}/resourceGroups/{RG}/providers/Microsoft.ContainerService/fleets/{FLEET}"


def aks_id(emu: Any, name: str) -> str:
    return f"/subscriptions/{sub(emu)}/resourceGroups/{RG}/providers/Microsoft.ContainerService/managedClusters/{name}"


def arc_id(emu: Any, name: str) -> str:
    return f"/subscriptions/{sub(emu)}/resourceGroups/{RG}/providers/Microsoft.Kubernetes/connectedClusters/{name}"


def make_fleet(emu: Any) -> Any:
    """A fleet with a hub (stored directly; creation is tested on its own), an AKS cluster and an
    Arc-enabled cluster ready to join."""
    emu.put_resource(
        fleet_id(emu),
        {
            "location": "eastus",
            # What the service returns for a hub (Fleets_Get.json, fleet 2026-06-01).
            "properties": {
                "hubProfile": {
                    "dnsPrefix": f"{FLEET}-hub",
                    "fqdn": f"{FLEET}-hub-0a1b2c3d.flt.eastus.azmk8s.io",
                    "portalFqdn": f"{FLEET}-hub-0a1b2c3d.flt.eastus.azmk8s.io",
                    "kubernetesVersion": "1.33.5",
                }
            },
        },
    )
    add_aks_cluster(emu, "aks-gpu")
    emu.put_resource(
        arc_id(emu, "edge-1"),
        {"location": "eastus", "properties": {"kubernetesVersion": "1.32.5", "connectivityStatus": "Connected"}},
    )
    return emu


def add_aks_cluster(emu: Any, name: str) -> None:
    emu.put_resource(
        aks_id(emu, name),
        {
            "location": "eastus",
            "properties": {
                "currentKubernetesVersion": "1.33.2",
                "kubernetesVersion": "1.33.2",
                "provisioningState": "Succeeded",
                "powerState": {"code": "Running"},
            },
        },
    )


def seed_members(emu: Any) -> None:
    """The two members as joined, stored directly (joining itself is tested on its own): gpu (AKS, update
    group cloud) and edge (Arc, update group edge)."""
    for name, rid, group in (("gpu", aks_id(emu, "aks-gpu"), "cloud"), ("edge", arc_id(emu, "edge-1"), "edge")):
        seed_member(emu, name, rid, group)


def seed_member(emu: Any, name: str, cluster_id: str, group: str) -> None:
    body = {"properties": {"clusterResourceId": cluster_id, "group": group}}
    emu.put_resource(f"{fleet_id(emu)}/members/{name}", body)


def ok(*args: str) -> str:
    """Run akscli; it must succeed; its stdout."""
    result = invoke(*args)
    assert result.exit_code == 0, result
    return str(result.stdout)


def run_status(name: str) -> dict[str, Any]:
    """``properties.status`` of an update run, as ``fleet rollout status -o json`` prints it (one read: one
    step of the emulator's run)."""
    run = json.loads(ok("fleet", "rollout", "status", name, *ARM, "-o", "json"))
    return dict(run["properties"]["status"])


def gates_of(run: str) -> list[dict[str, Any]]:
    return list_items(ok("fleet", "gates", *ARM, "--run", run, "-o", "json"))
