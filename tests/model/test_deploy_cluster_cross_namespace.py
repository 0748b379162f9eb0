"""Cross-namespace anti-affinity from pods that do not carry the model's labels, in the
pinned-deploy fit check: a placed pod of another namespace whose required anti-affinity term
names the model's namespace (its namespaces list, or a namespaceSelector matching the
namespace's labels) keeps the model out of its topology domain, reached from another node
(upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go
getExistingAntiAffinityCounts, framework/types.go getNamespacesFromPodAffinityTerm, read at
sanposhiho/kubernetes 059ce4e8). A client cannot select such pods: the check reads the first 2
pages of 500 of every namespace's placed pods, and says so where it stopped there
(akscli.model.cluster_affinity)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import NC_A100, ND_H100, node
from tests.model.test_deploy_cluster_pod_affinity import REASON, ZONE, repelling_pod, zone
from tests.model.test_deploy_cluster_resources import a100_and_h100, deploy
from tests.model.test_deploy_cluster_room import deployment_size

Start = Callable[..., Any]


def zoned(emu: Any) -> None:
    """The A100 node and a CPU node in eastus-1, the H100 node in eastus-2."""
    a100_and_h100(emu)
    emu.cluster.create(node("cpu-0", size="Standard_D8s_v5", gpus=None, taint=False))
    zone(emu, "a100-0", "eastus-1")
    zone(emu, "cpu-0", "eastus-1")
    zone(emu, "h100-0", "eastus-2")


def test_a_pod_of_another_namespace_naming_the_models_namespace_keeps_its_zone_off(model_emulator: Start) -> None:
    emu = model_emulator()
    zoned(emu)
    repelling_pod(emu, "cpu-0", key=ZONE, namespaces=["default"])
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"(1 {REASON})" in result.stderr


def test_a_pod_of_another_namespace_selecting_the_models_namespace_by_label_keeps_its_zone_off(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    zoned(emu)
    emu.cluster.patch("v1", "Namespace", None, "default", {"metadata": {"labels": {"serving": "yes"}}})
    repelling_pod(emu, "cpu-0", key=ZONE, namespaceSelector={"matchLabels": {"serving": "yes"}})
    assert deploy() and deployment_size(emu) == ND_H100


def test_a_pod_of_another_namespace_whose_term_keeps_to_its_own_namespace_repels_nothing(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    zoned(emu)
    repelling_pod(emu, "cpu-0", key=ZONE)
    assert deploy() and deployment_size(emu) == NC_A100


def test_every_namespaces_placed_pods_are_read_in_two_pages_at_most_and_the_check_says_it_stopped(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "batch"}})
    for i in range(1001):
        emu.cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"job-{i}", "namespace": "batch"},
                "spec": {"nodeName": "cpu-x", "containers": [{"name": "c", "image": "c"}]},
                "status": {"phase": "Running"},
            }
        )
    emu.record_requests = True
    result = deploy()
    assert deployment_size(emu) == NC_A100
    every = [
        r
        for r in emu.requests("GET", "/api/v1/pods")
        if r.query.get("fieldSelector", [""])[0].startswith("spec.nodeName!=") and "labelSelector" not in r.query
    ]
    assert [r.query.get("limit") for r in every] == [["500"], ["500"]]
    assert "the pod affinity check stopped at its read budget (placed pods of all namespaces past the first 1000" in (
        " ".join(result.stderr.split())
    )
    # Information, not a warning: the node found may well take the pods.
    assert "warning: the pod affinity check" not in result.stderr
