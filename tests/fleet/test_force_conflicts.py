"""Hub writes meet fields another field manager owns (a GitOps tool applying the same placement):
the conflict's hint names --force-conflicts, and the command accepts it (upstream: kubernetes/apiserver
v0.35.0 pkg/endpoints/handlers/patch.go applyPatcher, force; kubectl apply --server-side --force-conflicts)."""

from __future__ import annotations

from typing import Any

from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.cli import invoke
from tests.fleet.conftest import Hub


def place(*extra: str) -> Any:
    return invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y", *extra)


def test_a_placement_field_another_manager_owns_is_taken_with_force_conflicts(hub: Hub, kubeconfig: Any) -> None:
    assert place("--pick-n", "1").exit_code == 0
    crp = hub.get("ClusterResourcePlacement", "llm")
    theirs = {
        "apiVersion": crp["apiVersion"],
        "kind": crp["kind"],
        "metadata": {"name": "llm"},
        "spec": {
            "policy": {"placementType": "PickN", "numberOfClusters": 3},
            "resourceSelectors": crp["spec"]["resourceSelectors"],
        },
    }
    connect(KubeTarget(kubeconfig=str(kubeconfig))).apply(theirs, field_manager="flux", force=True)
    refused = place("--pick-n", "2")
    assert refused.exit_code == 4 and "--force-conflicts" in refused.stderr
    assert place("--pick-n", "2", "--force-conflicts").exit_code == 0
    assert hub.get("ClusterResourcePlacement", "llm")["spec"]["policy"]["numberOfClusters"] == 2


def test_a_create_has_no_force_conflicts() -> None:
    # `rollout create` and `rollout strategy create` POST a new object (kubectl create, which has no
    # such flag): no other manager owns its fields, and a taken name is refused whatever the flag says.
    run = ("rollout", "create", "r1", "--placement", "p", "--strategy", "s")
    for command in (run, ("rollout", "strategy", "create", "s")):
        result = invoke("fleet", *command, "--force-conflicts")
        assert result.exit_code == 2, result
        assert "No such option: --force-conflicts" in result.stderr
