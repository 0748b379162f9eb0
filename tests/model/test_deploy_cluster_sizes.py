"""A deploy whose pods are pinned to a VM size (nodeSelector node.kubernetes.io/instance-type)
runs only where the cluster has nodes of that size: with no --vm-size it takes a fitting size the
cluster has over the plan's cheaper one it lacks; otherwise it says the pods will wait for a node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import NC_A100, ND_H100, node
from tests.cli import invoke

Start = Callable[..., Any]


def deployment_size(emu: Any) -> str:
    dep = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    return str(dep["spec"]["template"]["spec"]["nodeSelector"]["node.kubernetes.io/instance-type"])


def test_a_vllm_deploy_takes_the_fitting_size_the_cluster_has(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(node("gpu-0", size=ND_H100))
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y")
    assert result.exit_code == 0, result
    assert deployment_size(emu) == ND_H100
    assert f"no node in the cluster has VM size {NC_A100}, and {ND_H100} nodes have room for the pods" in result.stderr
    assert f"({NC_A100} is the plan's cheapest fit; --vm-size {NC_A100} to wait for it instead)" in result.stderr
    assert f"plan: {ND_H100} x 1 node(s)" in result.stderr


def test_a_vllm_deploy_keeps_the_plans_size_when_the_cluster_has_it(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(node("gpu-0", size=ND_H100))
    emu.cluster.create(node("gpu-1", size=NC_A100, gpus=1))
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y")
    assert result.exit_code == 0, result
    assert deployment_size(emu) == NC_A100
    assert "the cluster has no" not in result.stderr and "no node in the cluster" not in result.stderr


def test_asking_for_the_plans_size_costs_one_node_request_and_five_pod_requests(model_emulator: Start) -> None:
    # The node's pods, the cluster's pods nominated for a node (one list for the deploy), and, for
    # their anti-affinity (InterPodAffinity), the placed pods carrying the model's labels, those
    # of its namespace, and the first pages of every namespace's.
    emu = model_emulator()
    emu.cluster.create(node("gpu-0", size=NC_A100, gpus=1))
    emu.record_requests = True
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y").exit_code == 0
    reads = emu.requests("GET", "/api/v1/nodes")
    assert len(reads) == 1
    assert reads[0].query["labelSelector"] == [f"node.kubernetes.io/instance-type={NC_A100}"]
    assert reads[0].query["fieldSelector"] == ["spec.unschedulable=false"]
    pods = emu.requests("GET", "/api/v1/pods")
    assert [p.query["fieldSelector"] for p in pods] == [
        ["spec.nodeName=,status.nominatedNodeName!="],
        ["spec.nodeName=gpu-0,status.phase!=Succeeded,status.phase!=Failed"],
        ["spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed"],
        ["spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed"],
    ]
    assert [p.query.get("limit") for p in pods[2:]] == [["500"], ["500"]]
    assert "labelSelector" not in pods[3].query
    assert pods[2].query["labelSelector"] == ["akscli.io/model=phi-4,app.kubernetes.io/name=vllm"]
    in_namespace = emu.requests("GET", "/api/v1/namespaces/default/pods")
    assert [p.query["fieldSelector"] for p in in_namespace] == [
        ["spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed"]
    ]


def test_a_named_size_the_cluster_lacks_is_kept_with_a_warning(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(node("gpu-0", size=ND_H100))
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", NC_A100, "-y")
    assert result.exit_code == 0, result
    assert deployment_size(emu) == NC_A100
    assert f"warning: no node in the cluster has VM size {NC_A100}: the pods stay Pending" in result.stderr


def test_a_cluster_without_a_fitting_size_keeps_the_plan_and_warns(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y")
    assert result.exit_code == 0, result
    assert deployment_size(emu) == NC_A100
    assert f"no node in the cluster has VM size {NC_A100}" in result.stderr


def test_a_server_dry_run_plans_the_size_the_cluster_has(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(node("gpu-0", size=ND_H100))
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--dry-run=server", "-y")
    assert result.exit_code == 0, result
    assert f"plan: {ND_H100} x 1 node(s)" in result.stderr
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is None


def test_a_client_dry_run_asks_no_cluster_and_keeps_the_plans_size() -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    assert f"node.kubernetes.io/instance-type: {NC_A100}" in result.stdout


def test_a_kaito_deploy_reads_no_nodes(model_emulator: Start) -> None:
    # KAITO provisions nodes of its Workspace's instanceType itself.
    emu = model_emulator()
    emu.record_requests = True
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert emu.requests("GET", "/api/v1/nodes") == []
