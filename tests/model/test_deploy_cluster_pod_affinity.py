"""InterPodAffinity in the pinned-deploy fit check: a placed pod whose required anti-affinity
selects the vLLM pod (namespace and labels) keeps it out of that pod's topology domain (upstream:
kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go
getExistingAntiAffinityCounts, satisfyExistingPodsAntiAffinity,
ErrReasonExistingAntiAffinityRulesNotMatch). The check reads the pods of the node it counts and
the pods carrying the model's labels (akscli.model.cluster_affinity); the lab scheduler agrees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.model.kinds import MODEL_LABEL
from tests.baremetal.nodes import NC_A100, ND_H100, node
from tests.model.test_deploy_cluster_resources import a100_and_h100, deploy
from tests.model.test_deploy_cluster_room import deployment_size

Start = Callable[..., Any]

REASON = "node(s) didn't satisfy existing pods anti-affinity rules"
ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"
VLLM = {MODEL_LABEL: "phi-4", "app.kubernetes.io/name": "vllm"}  # the vLLM pod's labels (DeployRequest.pod_labels)


def repelling_pod(
    emu: Any,
    node_name: str,
    *,
    ns: str = "team-a",
    labels: dict[str, str] | None = None,
    key: str = HOST,
    ns_labels: dict[str, str] | None = None,
    **term: Any,
) -> None:
    """A running pod with a required anti-affinity term selecting the vLLM pod."""
    if emu.cluster.get("v1", "Namespace", None, ns) is None:
        emu.cluster.create(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": ns_labels or {}}}
        )
    anti = {"labelSelector": {"matchLabels": {MODEL_LABEL: "phi-4"}}, "topologyKey": key, **term}
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"guard-{node_name}", "namespace": ns, "labels": labels or {"app": "guard"}},
            "spec": {
                "nodeName": node_name,
                "containers": [{"name": "app", "image": "app"}],
                "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [anti]}},
            },
            "status": {"phase": "Running"},
        }
    )


def zone(emu: Any, node_name: str, value: str) -> None:
    emu.cluster.patch("v1", "Node", None, node_name, {"metadata": {"labels": {ZONE: value}}})


def test_a_pod_on_the_node_repelling_the_model_in_its_namespace_keeps_the_size_off(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    repelling_pod(emu, "a100-0", namespaces=["default"])
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 {REASON}), and {ND_H100}" in " ".join(
        result.stderr.split()
    )


def test_a_pods_term_reaches_only_its_own_namespace_by_default(model_emulator: Start) -> None:
    # No namespaces and no namespaceSelector: the term selects pods of team-a only.
    emu = model_emulator()
    a100_and_h100(emu)
    repelling_pod(emu, "a100-0")
    assert deploy() and deployment_size(emu) == NC_A100


def test_a_namespace_selector_matching_the_models_namespace_keeps_the_size_off(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    emu.cluster.patch("v1", "Namespace", None, "default", {"metadata": {"labels": {"serving": "yes"}}})
    repelling_pod(emu, "a100-0", namespaceSelector={"matchLabels": {"serving": "yes"}})
    assert deploy() and deployment_size(emu) == ND_H100


def test_a_topology_key_the_node_lacks_repels_nothing(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    repelling_pod(emu, "a100-0", key=ZONE, namespaces=["default"])
    assert deploy() and deployment_size(emu) == NC_A100


def test_a_model_replica_on_another_node_of_the_zone_keeps_the_size_off(model_emulator: Start) -> None:
    # A copy of the model in team-a, spread one per zone, on a CPU node of the A100 node's zone.
    emu = model_emulator()
    a100_and_h100(emu)
    emu.cluster.create(node("cpu-0", size="Standard_D8s_v5", gpus=None, taint=False))
    zone(emu, "a100-0", "eastus-1")
    zone(emu, "cpu-0", "eastus-1")
    zone(emu, "h100-0", "eastus-2")
    repelling_pod(emu, "cpu-0", labels=VLLM, key=ZONE, namespaces=["team-a", "default"])
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"(1 {REASON})" in result.stderr


def test_the_models_pods_are_read_by_label_and_their_nodes_by_name(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    emu.cluster.create(node("cpu-0", size="Standard_D8s_v5", gpus=None, taint=False))
    zone(emu, "a100-0", "eastus-1")
    zone(emu, "cpu-0", "eastus-2")
    repelling_pod(emu, "cpu-0", labels=VLLM, key=ZONE, namespaces=["default"])
    emu.record_requests = True
    assert deploy() and deployment_size(emu) == NC_A100
    by_label = [r for r in emu.requests("GET", "/api/v1/pods") if r.query.get("labelSelector")]
    assert [(r.query["labelSelector"], r.query["limit"]) for r in by_label] == [
        ([f"{MODEL_LABEL}=phi-4,app.kubernetes.io/name=vllm"], ["500"])
    ]
    assert [r.path for r in emu.requests("GET", "/api/v1/nodes/cpu-0")] == ["/api/v1/nodes/cpu-0"]


def test_a_neighbour_in_the_models_namespace_repelling_it_from_another_node_of_the_zone_keeps_the_size_off(
    model_emulator: Start,
) -> None:
    # Not one of the model's pods: its default-namespaced term reaches the vLLM pod in its own
    # namespace, over the zone, from a CPU node of the A100 node's zone.
    emu = model_emulator()
    a100_and_h100(emu)
    emu.cluster.create(node("cpu-0", size="Standard_D8s_v5", gpus=None, taint=False))
    zone(emu, "a100-0", "eastus-1")
    zone(emu, "cpu-0", "eastus-1")
    zone(emu, "h100-0", "eastus-2")
    repelling_pod(emu, "cpu-0", ns="default", key=ZONE)
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"(1 {REASON})" in result.stderr


def test_the_models_namespace_is_read_in_pages_of_bound_active_pods(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    emu.record_requests = True
    deploy()
    listed = emu.requests("GET", "/api/v1/namespaces/default/pods")
    assert [(r.query.get("fieldSelector"), r.query.get("limit")) for r in listed] == [
        (["spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed"], ["500"])
    ]


def test_a_node_is_not_read_for_a_term_over_a_key_the_counted_node_lacks(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    emu.cluster.create(node("cpu-0", size="Standard_D8s_v5", gpus=None, taint=False))
    repelling_pod(emu, "cpu-0", ns="default", labels=VLLM, key=ZONE)
    emu.record_requests = True
    assert deploy() and deployment_size(emu) == NC_A100
    assert not emu.requests("GET", "/api/v1/nodes/cpu-0")


def test_the_nodes_of_zone_terms_are_read_before_those_of_hostname_terms(model_emulator: Start) -> None:
    # Ten replicas kept one per node, listed first, use up the node GETs (10) only after the
    # neighbour whose term covers the A100 node's zone has had its node read.
    emu = model_emulator()
    a100_and_h100(emu)
    for i in range(10):
        emu.cluster.create(node(f"cpu-{i}", size="Standard_D8s_v5", gpus=None, taint=False))
        repelling_pod(emu, f"cpu-{i}", ns="default", labels=VLLM)
    emu.cluster.create(node("zone-0", size="Standard_D8s_v5", gpus=None, taint=False))
    zone(emu, "a100-0", "eastus-1")
    zone(emu, "zone-0", "eastus-1")
    zone(emu, "h100-0", "eastus-2")
    repelling_pod(emu, "zone-0", ns="default", key=ZONE)
    assert deploy() and deployment_size(emu) == ND_H100


def test_the_emulators_scheduler_keeps_the_pod_out_of_the_neighbours_zone(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    emu.cluster.create(node("cpu-0", size="Standard_D8s_v5", gpus=None, taint=False))
    zone(emu, "a100-0", "eastus-1")
    zone(emu, "cpu-0", "eastus-1")
    repelling_pod(emu, "cpu-0", ns="default", key=ZONE)
    assert REASON in deploy("--vm-size", NC_A100).stderr
    emu.idle(5)
    events = [e.get("message", "") for e in emu.cluster.list("v1", "Event", "default")]
    assert any(f"1 {REASON}" in m for m in events), events


def test_the_emulators_scheduler_leaves_the_pod_pending_with_the_same_reason(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    repelling_pod(emu, "a100-0", namespaces=["default"])
    result = deploy("--vm-size", NC_A100)
    assert REASON in result.stderr
    emu.idle(5)
    pods = [p for p in emu.cluster.list("v1", "Pod", "default") if "phi-4" in p["metadata"]["name"]]
    assert pods and all(not p["spec"].get("nodeName") for p in pods)
    events = [e.get("message", "") for e in emu.cluster.list("v1", "Event", "default")]
    assert any(f"1 {REASON}" in m for m in events), events
