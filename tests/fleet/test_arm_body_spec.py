"""Every field akscli sends in a Fleet ARM body is one the REST spec of the API version it uses has
(upstream: Azure/azure-rest-api-specs 1dd9b4ac0a89d543c2fd38b2d2610c0f03e2703d
specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/stable/2026-06-01/
fleets.json; azure-mgmt-containerservicefleet 4.0.0 sends api-version 2026-06-01), and the names the
spec bounds to 50 characters (fleetMemberName, updateRunName, updateStrategyName,
autoUpgradeProfileName, FleetMemberProperties.group,
UpdateStage.name, UpdateGroup.name) are refused past it before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.fleet import arm
from akscli.fleet.stages import parse_stages
from tests.cli import invoke
from tests.fleet.armworld import ARM

# The writable fields of each body, from the spec's definitions (readOnly fields left out).
GATE_CONFIGURATION = {"displayName": None, "type": None}
UPDATE_GROUP = {
    "name": None,
    "maxConcurrency": None,
    "beforeGates": [GATE_CONFIGURATION],
    "afterGates": [GATE_CONFIGURATION],
}
UPDATE_STAGE = {
    "name": None,
    "groups": [UPDATE_GROUP],
    "afterStageWaitInSeconds": None,
    "maxConcurrency": None,
    "beforeGates": [GATE_CONFIGURATION],
    "afterGates": [GATE_CONFIGURATION],
}
UPDATE_RUN_STRATEGY = {"stages": [UPDATE_STAGE]}
SPEC: dict[str, Any] = {
    # Fleet (TrackedResource) with FleetProperties.hubProfile: FleetHubProfile, AgentProfile
    "Fleet": {
        "location": None,
        "tags": None,
        "properties": {
            "hubProfile": {
                "dnsPrefix": None,
                "apiServerAccessProfile": {
                    "enablePrivateCluster": None,
                    "enableVnetIntegration": None,
                    "subnetId": None,
                },
                "agentProfile": {"subnetId": None, "vmSize": None},
            }
        },
    },
    "FleetMember": {"properties": {"clusterResourceId": None, "group": None, "labels": {}}},
    "FleetMemberUpdate": {"properties": {"group": None, "labels": {}}},
    # UpdateRunProperties: updateStrategyId, strategy, managedClusterUpdate (ManagedClusterUpdate:
    # upgrade ManagedClusterUpgradeSpec, nodeImageSelection NodeImageSelection)
    "UpdateRun": {
        "properties": {
            "updateStrategyId": None,
            "strategy": UPDATE_RUN_STRATEGY,
            "managedClusterUpdate": {
                "upgrade": {"type": None, "kubernetesVersion": None},
                "nodeImageSelection": {"type": None, "customNodeImageVersions": None},
            },
        }
    },
    "FleetUpdateStrategy": {"properties": {"strategy": UPDATE_RUN_STRATEGY}},
    "AutoUpgradeProfile": {
        "properties": {
            "updateStrategyId": None,
            "channel": None,
            "nodeImageSelection": {"type": None},
            "disabled": None,
            "targetKubernetesVersion": None,
            "longTermSupport": None,
        }
    },
    "SkipProperties": {"targets": [{"type": None, "name": None}]},
    "GatePatch": {"properties": {"state": None}},
}


def _unknown(body: Any, schema: Any, path: str = "") -> list[str]:
    """The paths of ``body`` the schema has no field for; ``{}`` in the schema is a free map."""
    if schema is None or schema == {}:
        return []
    if isinstance(schema, list):
        return [p for i, item in enumerate(body) for p in _unknown(item, schema[0], f"{path}[{i}]")]
    return [
        p
        for key, value in body.items()
        for p in ([f"{path}.{key}"] if key not in schema else _unknown(value, schema[key], f"{path}.{key}"))
    ]


STAGES = parse_stages(
    ["canary;groups=c1;max=1;before=approval;after=approval", "rest;groups=c2,c3;max=25%;after=wait:1h"]
)
CLUSTER = arm.cluster_ref("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/a")
BODIES = {
    "Fleet": arm.fleet_body("fl", "eastus", hub=True, dns_prefix=None, vm_size="Standard_D4s_v3"),
    "FleetMember": arm.member_body(CLUSTER, "cloud", {"env": "prod"}),
    "FleetMemberUpdate": arm.member_update_body("cloud", {"env": "prod"}),
    "UpdateRun": arm.update_run_body(
        upgrade_type="Full", kubernetes_version="1.34.1", node_image="Consistent", strategy=None, stages=STAGES
    ),
    "UpdateRun with a saved strategy": arm.use_strategy(
        arm.update_run_body(
            upgrade_type="NodeImageOnly", kubernetes_version=None, node_image="Latest", strategy="safe", stages=None
        ),
        {"id": arm.strategy_id("s", "rg", "fl", "safe")},
    ),
    "FleetUpdateStrategy": arm.strategy_body(STAGES),
    "AutoUpgradeProfile": arm.use_strategy(
        arm.auto_upgrade_body("TargetKubernetesVersion", target_version="1.34", node_image="Latest", disabled=False),
        {"id": arm.strategy_id("s", "rg", "fl", "safe")},
    ),
    "SkipProperties": arm.skip_body(["Member:m1", "AfterStageWait:canary"]),
}


@pytest.mark.parametrize("kind", list(BODIES))
def test_every_field_of_the_body_is_in_the_spec(kind: str) -> None:
    assert _unknown(BODIES[kind], SPEC[kind.split(" ")[0]]) == []


def test_a_field_the_spec_lacks_would_be_found() -> None:
    assert _unknown({"properties": {"group": "g", "weight": 1}}, SPEC["FleetMember"]) == [".properties.weight"]


NAME_51 = "a" * 51
LONG_NAMES = {
    "member name": ["fleet", "member", "join", NAME_51, *ARM, "--cluster", "aks-gpu", "-y"],
    "update group": ["fleet", "member", "join", "gpu", *ARM, "--cluster", "aks-gpu", "--update-group", NAME_51, "-y"],
    "member update group": ["fleet", "member", "update", "gpu", *ARM, "--update-group", NAME_51],
    "strategy name": ["fleet", "rollout", "strategy", "create", NAME_51, *ARM, "--stage", "all;groups=cloud", "-y"],
    "profile name": ["fleet", "autoupgrade", "create", NAME_51, *ARM, "--channel", "Stable", "-y"],
    "update run name": ["fleet", "rollout", "create", NAME_51, *ARM, "--upgrade-type", "NodeImageOnly", "-y"],
    "stage name": ["fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", f"{NAME_51};groups=cloud", "-y"],
    "update group name": [
        "fleet",
        "rollout",
        "strategy",
        "create",
        "safe",
        *ARM,
        "--stage",
        f"all;groups={NAME_51}",
        "-y",
    ],
}


@pytest.mark.parametrize("command", list(LONG_NAMES.values()), ids=list(LONG_NAMES))
def test_a_name_past_the_specs_50_characters_is_refused_before_anything_is_sent(fleet: Any, command: list[str]) -> None:
    fleet.request_log.clear()
    result = invoke(*command)
    assert result.exit_code == 2, result
    assert "it is 51 characters long, at most 50 allowed" in result.stderr
    assert "Traceback" not in result.stderr
    assert fleet.request_log == []


def test_a_name_of_50_characters_is_taken(fleet: Any) -> None:
    result = invoke("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", f"{'a' * 50};groups=cloud", "-y")
    assert result.exit_code == 0, result
