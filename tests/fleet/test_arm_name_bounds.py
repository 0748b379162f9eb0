"""A name the Fleet API can never hold is refused before anything is sent, on reads and deletes too.

Every name below a fleet is a path parameter of at most 50 characters and a fleet's of at most 63,
each ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (upstream: Azure/azure-rest-api-specs 1dd9b4ac
specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/stable/2026-06-01/
fleets.json: fleetName, fleetMemberName, updateRunName, updateStrategyName, autoUpgradeProfileName;
UpdateStage.name). No resource of a longer name can exist, so akscli answers with one line and exit 2
rather than sending a GET for Azure to answer."""

from __future__ import annotations

import pytest

from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.fleet.armworld import add_aks_cluster, fleet_id, make_fleet

ARM = ["--fleet", "ml-fleet", "-g", "rg-fleet"]
LONG = "a" * 51


@pytest.mark.parametrize(
    ("command", "what"),
    [
        (["fleet", "rollout", "status", LONG, *ARM], "NAME: invalid update run name"),
        (["fleet", "rollout", "start", LONG, *ARM], "NAME: invalid update run name"),
        (["fleet", "rollout", "stop", LONG, *ARM], "NAME: invalid update run name"),
        (["fleet", "rollout", "skip", LONG, "--target", "Member:m1", *ARM], "NAME: invalid update run name"),
        (["fleet", "rollout", "delete", LONG, *ARM, "-y"], "NAME: invalid update run name"),
        (["fleet", "approve", LONG, *ARM], "RUN: invalid update run name"),
        (["fleet", "approve", "run-1", "--stage", LONG, *ARM], "--stage: invalid stage name"),
        (["fleet", "gates", "--run", LONG, *ARM], "invalid --run"),
        (["fleet", "rollout", "strategy", "show", LONG, *ARM], "NAME: invalid strategy name"),
        (["fleet", "rollout", "strategy", "delete", LONG, *ARM, "-y"], "NAME: invalid update strategy name"),
        (["fleet", "rollout", "create", "run-1", "--strategy", LONG, *ARM], "--strategy: invalid strategy name"),
        (
            ["fleet", "autoupgrade", "create", "nightly", "--channel", "Stable", "--strategy", LONG, *ARM],
            "--strategy: invalid strategy name",
        ),
        (["fleet", "member", "show", LONG, *ARM], "NAME: invalid member name"),
    ],
)
def test_a_name_longer_than_the_fleet_api_holds_is_refused_before_anything_is_sent(
    azure_env: ArmEmulator, command: list[str], what: str
) -> None:
    result = invoke(*command)
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        f"error: {what} '{LONG}': it is 51 characters long, at most 50 allowed",
        "hint: the Fleet API's names are at most 50 characters; shorten it",
    ]
    assert azure_env.requests_to("fleets") == []


def test_the_hub_keeps_kubernetes_names_of_up_to_63_characters(tmp_path: object) -> None:
    # Without --fleet the run is a hub object: a Kubernetes name, not the Fleet API's; the command
    # goes on to the hub (none here), past the name check.
    result = invoke("fleet", "rollout", "status", LONG, env={"KUBECONFIG": f"{tmp_path}/missing"})
    assert "invalid update run name" not in result.stderr, result


def test_a_fleet_name_over_63_characters_says_what_is_wrong(azure_env: ArmEmulator) -> None:
    result = invoke("fleet", "show", "a" * 64, "-g", "rg-fleet")
    assert result.exit_code == 2, result
    assert (
        result.stderr.splitlines()[0]
        == f"error: NAME: invalid fleet name '{'a' * 64}': it is 64 characters long, at most 63 allowed"
    )
    assert azure_env.requests_to("fleets") == []


def test_a_fleet_name_of_other_characters_shows_the_name_that_would_work(azure_env: ArmEmulator) -> None:
    result = invoke("fleet", "member", "list", "--fleet", "ML_Fleet", "-g", "rg-fleet")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[1] == "hint: for example: ml-fleet"


def test_a_name_of_exactly_50_characters_is_sent(azure_env: ArmEmulator) -> None:
    result = invoke("fleet", "rollout", "status", "a" * 50, *ARM)
    assert result.exit_code == 3, result  # no such run: Azure's answer
    assert azure_env.requests_to("updateRuns/" + "a" * 50) != []


def test_a_cluster_named_as_aks_names_it_joins_by_its_name(azure_env: ArmEmulator) -> None:
    # An AKS cluster's name takes capitals and '_' (managedClusters.json resourceName,
    # ^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$), unlike a Kubernetes name.
    make_fleet(azure_env)
    add_aks_cluster(azure_env, "GPU_East")
    result = invoke("fleet", "member", "join", "gpu-east", *ARM, "--cluster", "GPU_East")
    assert result.exit_code == 0, result
    member = azure_env.get_resource(f"{fleet_id(azure_env)}/members/gpu-east")
    assert member is not None and member["properties"]["clusterResourceId"].endswith("/managedClusters/GPU_East")
