"""A GPU Operator operand pod no node took is reported against the node its DaemonSet made it
for: the DaemonSet controller pins each pod with required node affinity on the node's name, and
the pod has no spec.nodeName until the scheduler binds it (kubernetes/kubernetes 05c351a9
pkg/controller/daemon/util/daemonset_util.go ReplaceDaemonSetPodNodeNameNodeAffinity,
GetTargetNodeName)."""

from __future__ import annotations

from typing import Any

from akscli.baremetal import doctor

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator

PLUGIN = "nvidia-device-plugin-daemonset"


def pending_operand(name: str, node: str) -> dict[str, Any]:
    pin = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
    message = "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector."
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "gpu-operator", "labels": {"app": PLUGIN}},
        "spec": {
            "containers": [{"name": PLUGIN, "image": f"nvcr.io/nvidia/{PLUGIN}"}],
            "nodeSelector": {"akscli.test/none": "x"},  # keeps the emulator's scheduler from binding it
            "affinity": {
                "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [pin]}}
            },
        },
        "status": {
            "phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}],
        },
    }


def test_an_unscheduled_operand_pod_names_the_node_it_was_made_for(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator, failure="device-plugin-crash")
    kube_emulator.cluster.create(pending_operand(f"{PLUGIN}-x7k2p", "aks-gpu-1"))
    report = doctor.diagnose(kube, doctor.Options())
    pods = {tuple(f.nodes) for f in report.findings if f.check == "gpu-operator-pod"}
    assert ("aks-gpu-1",) in pods
    assert (f"{PLUGIN}-x7k2p",) not in pods
