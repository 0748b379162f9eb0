"""doctor samples GPU nodes, and also finds the nodes AKS's Node Problem Detector marks with XID
errors outside the sample, from its recent Warning events on Nodes (a field-selected list, 2 pages
at most) and a GET of each node they name (XID_LOOKED at most); in the sample, from the node's
XIDErrors condition (upstream: MicrosoftDocs/azure-aks-docs articles/aks/node-problem-detector.md;
kubernetes/node-problem-detector pkg/util/helpers.go GenerateConditionChangeEvent)."""

from __future__ import annotations

import json
from typing import Any

from akscli.baremetal import doctor
from akscli.gpu import stack as gpu_stack
from tests.cli import invoke
from tests.emulators.kube.controllers.node_problem_detector import report_xid

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator

GPU_NODES = gpu_stack.NODE_SAMPLE + 10  # the last 10 are outside doctor's sample
XID_LOOKED = 10  # akscli.gpu.xid.XID_LOOKED


def _cluster(emu: Any) -> None:
    """GPU nodes with the AKS-managed driver and device plugin (no GPU Operator: NPD's GPU checks run
    only there)."""
    add_nodes(emu, [fx.cpu_node("aks-system-0"), *(fx.node(f"aks-gpu-{i:02d}") for i in range(GPU_NODES))])


def _xid_check(emu: Any) -> dict[str, Any] | None:
    assert emu.idle(10.0)
    result = invoke("doctor", "-o", "json")
    checks = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "gpu xid"]
    return checks[0] if checks else None


def test_doctor_names_an_xid_node_outside_its_sample_from_npds_event(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: the sample's 50 nodes were all doctor read; aks-gpu-59 was not seen.
    _cluster(kube_emulator)
    report_xid(kube_emulator.cluster, "aks-gpu-59")
    check = _xid_check(kube_emulator)
    assert check is not None
    assert check["component"] == "gpu-driver"
    assert check["detail"].startswith(
        "1 GPU node(s) report XID errors (Node Problem Detector's XIDErrors condition is True): aks-gpu-59; "
    )
    assert "kubectl drain aks-gpu-59 --ignore-daemonsets" in check["fix"]


def test_doctor_reads_the_condition_of_a_sampled_node_whose_event_is_gone(kube_emulator: Any, kubeconfig: Any) -> None:
    _cluster(kube_emulator)
    report_xid(kube_emulator.cluster, "aks-gpu-03", event=False)  # marked more than the event TTL ago
    check = _xid_check(kube_emulator)
    assert check is not None and ": aks-gpu-03; " in check["detail"]


def test_a_node_whose_condition_cleared_since_the_event_is_not_named(kube_emulator: Any, kubeconfig: Any) -> None:
    _cluster(kube_emulator)
    report_xid(kube_emulator.cluster, "aks-gpu-59")
    kube_emulator.cluster.patch_status("v1", "Node", None, "aks-gpu-59", {"conditions": []})
    assert _xid_check(kube_emulator) is None


def test_the_event_lookup_is_bounded_and_says_how_many_nodes_it_left(kube_emulator: Any, kubeconfig: Any) -> None:
    _cluster(kube_emulator)
    marked = [f"aks-gpu-{i:02d}" for i in range(gpu_stack.NODE_SAMPLE - 2, GPU_NODES)]  # 2 sampled, 10 not
    for name in marked:
        report_xid(kube_emulator.cluster, name)
    assert kube_emulator.idle(10.0)
    kube_emulator.request_log.clear()
    check = _xid_check(kube_emulator)
    assert check is not None
    assert check["detail"].startswith("12 GPU node(s) report XID errors")
    assert "more node(s) named by recent events" not in check["detail"]
    event_lists = kube_emulator.requests(method="GET", path="/events")
    assert [r.query.get("fieldSelector") for r in event_lists] == [["involvedObject.kind=Node,type=Warning"]]
    gets = [r for r in kube_emulator.requests(method="GET", verb="get") if "/nodes/aks-gpu-" in r.path]
    assert len(gets) == XID_LOOKED


def test_more_marked_nodes_than_are_looked_at_are_counted_as_left(kube_emulator: Any, kubeconfig: Any) -> None:
    _cluster(kube_emulator)
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-x{i}") for i in range(3)])  # outside the sample too
    for name in [*(f"aks-gpu-{i:02d}" for i in range(gpu_stack.NODE_SAMPLE, GPU_NODES)), "aks-gpu-x0", "aks-gpu-x1"]:
        report_xid(kube_emulator.cluster, name)
    check = _xid_check(kube_emulator)
    assert check is not None
    assert "; 2 more node(s) named by recent events not looked at" in check["detail"]


def test_baremetal_doctor_names_an_xid_node_once_as_before(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator)
    report_xid(kube_emulator.cluster, "aks-gpu-1", event=False)
    found = [f for f in doctor.diagnose(kube, doctor.Options()).findings if "XID" in f.message]
    assert [(f.check, f.nodes) for f in found] == [("aks-gpu-health", ["aks-gpu-1"])]
