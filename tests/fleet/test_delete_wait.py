"""`fleet placement delete` waits until the hub has let the placement go: the simulator holds it
with the placement controller's and the scheduler's finalizers and removes them once its
snapshots and bindings are gone (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/placement/controller.go handleDelete, pkg/scheduler/scheduler.go
cleanUpAllBindingsFor), as kubectl delete waits by default."""

from __future__ import annotations

from tests.cli import invoke
from tests.emulators.kube.controllers.fleet_cleanup import PLACEMENT_CLEANUP_FINALIZER, SCHEDULER_CLEANUP_FINALIZER
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"
SNAPSHOTS = "placement.kubernetes-fleet.io/v1beta1"
FINALIZERS = [PLACEMENT_CLEANUP_FINALIZER, SCHEDULER_CLEANUP_FINALIZER]


def _place(*args: str) -> None:
    result = invoke("fleet", "place", *args, "-y")
    assert result.exit_code == 0, result


def test_placement_delete_returns_once_the_hub_deleted_its_snapshots_and_let_it_go(hub: Hub) -> None:
    _place("llm", "--select", "namespace/llm")
    hub.settle()
    assert hub.get("ClusterResourcePlacement", "llm")["metadata"]["finalizers"] == FINALIZERS
    assert hub.cluster.list(P1, "ClusterResourceSnapshot")
    result = invoke("fleet", "placement", "delete", "llm", "-y")
    assert result.exit_code == 0, result
    assert hub.cluster.get(P1, "ClusterResourcePlacement", None, "llm") is None
    assert hub.cluster.list(P1, "ClusterResourceSnapshot") == []


def test_resource_placement_delete_returns_once_the_hub_let_it_go(hub: Hub) -> None:
    _place("cfg", "-n", "llm", "--select", "configmap/model-config", "--pick-fixed", "canary")
    hub.settle()
    assert hub.get("ResourcePlacement", "cfg", "llm")["metadata"]["finalizers"] == FINALIZERS
    result = invoke("fleet", "placement", "delete", "cfg", "-n", "llm", "-y")
    assert result.exit_code == 0, result
    assert hub.cluster.get(P1, "ResourcePlacement", "llm", "cfg") is None
    assert hub.cluster.list(SNAPSHOTS, "ResourceSnapshot", "llm") == []


def test_placement_delete_timeout_names_the_hubs_finalizers_when_no_hub_agent_runs(hub: Hub) -> None:
    _place("llm", "--select", "namespace/llm")
    hub.settle()
    hub.emu.controllers.remove(hub.controller)
    result = invoke("fleet", "placement", "delete", "llm", "-y", "--timeout", "1s")
    assert result.exit_code == 5, result
    assert (
        "clusterresourceplacement.placement.kubernetes-fleet.io/llm (held by finalizers "
        "kubernetes-fleet.io/crp-cleanup, kubernetes-fleet.io/scheduler-cleanup)" in result.stderr
    )
    assert hub.cluster.get(P1, "ClusterResourcePlacement", None, "llm")["metadata"]["deletionTimestamp"]
