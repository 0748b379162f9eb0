"""doctor and gpu usage end to end: the CLI against the Kubernetes emulator."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.cli import invoke


def ready_pod(emu: Any, namespace: str, name: str, labels: dict[str, str]) -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "op:v1"}]},
        }
    )
    emu.cluster.patch_status(
        "v1",
        "Pod",
        namespace,
        name,
        {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    )


def namespace(emu: Any, name: str) -> None:
    if emu.cluster.get("v1", "Namespace", None, name) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


def gpu_node(emu: Any, name: str, pool: str, vm: str, gpus: int) -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "labels": {
                    "kubernetes.azure.com/agentpool": pool,
                    "node.kubernetes.io/instance-type": vm,
                    "topology.kubernetes.io/region": "eastus",
                    "nvidia.com/gpu.present": "true",
                },
            },
        }
    )
    allocatable = {"cpu": "24", "memory": "200Gi", "pods": "110", "nvidia.com/gpu": str(gpus)}
    emu.cluster.patch_status("v1", "Node", None, name, {"capacity": allocatable, "allocatable": allocatable})


def gpu_pod(emu: Any, ns: str, name: str, node: str, gpus: int) -> None:
    namespace(emu, ns)
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": ns},
            "spec": {
                "nodeName": node,
                "containers": [
                    {
                        "name": "c",
                        "image": "vllm/vllm-openai:v0.11.0",
                        "resources": {"limits": {"nvidia.com/gpu": str(gpus)}},
                    }
                ],
            },
        }
    )
    emu.cluster.patch_status("v1", "Pod", ns, name, {"phase": "Running"})


# The fields the ClusterPolicy schema requires; the operator fills in the rest.
CLUSTER_POLICY_SPEC: dict[str, Any] = {
    key: {}
    for key in (
        "daemonsets",
        "dcgm",
        "dcgmExporter",
        "devicePlugin",
        "driver",
        "gfd",
        "nodeStatusExporter",
        "operator",
        "toolkit",
    )
}


# ---- doctor ----------------------------------------------------------------------------------


def test_doctor_for_model_fails_while_the_kaito_operator_is_absent(kube_emulator: Any, kubeconfig: Any) -> None:
    result = invoke("doctor", "--for", "model")
    assert result.exit_code == 9, result
    assert "kaito" in result.stdout and "missing" in result.stdout
    assert "hint: " in result.stderr and "Traceback" not in result.stderr


def test_doctor_for_ray_passes_with_the_crds_and_a_ready_operator(kube_emulator: Any, kubeconfig: Any) -> None:
    namespace(kube_emulator, "kuberay-system")
    ready_pod(
        kube_emulator,
        "kuberay-system",
        "kuberay-operator-0",
        {"app.kubernetes.io/name": "kuberay-operator"},
    )
    result = invoke("doctor", "--for", "ray", "-o", "json")
    assert result.exit_code == 0, result
    report = json.loads(result.stdout)
    kuberay = [c for c in report["checks"] if c["component"] == "kuberay"]
    assert {c["status"] for c in kuberay} == {"ok"}
    assert report["ready"] is True


def test_doctor_reports_an_operator_pod_that_is_not_ready(kube_emulator: Any, kubeconfig: Any) -> None:
    namespace(kube_emulator, "kuberay-system")
    kube_emulator.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "kuberay-operator-0",
                "namespace": "kuberay-system",
                "labels": {"app.kubernetes.io/name": "kuberay-operator"},
            },
            "spec": {"containers": [{"name": "c", "image": "op:v1"}]},
        }
    )
    kube_emulator.cluster.patch_status("v1", "Pod", "kuberay-system", "kuberay-operator-0", {"phase": "Pending"})
    result = invoke("doctor", "--for", "ray", "-o", "json")
    assert result.exit_code == 9
    pods = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "pods" and c["component"] == "kuberay"]
    assert pods[0]["status"] == "not-ready"


def test_doctor_for_baremetal_checks_the_cluster_policy_state(kube_emulator: Any, kubeconfig: Any) -> None:
    namespace(kube_emulator, "gpu-operator")
    ready_pod(kube_emulator, "gpu-operator", "gpu-operator-0", {"app": "gpu-operator"})
    kube_emulator.cluster.create(
        {
            "apiVersion": "nvidia.com/v1",
            "kind": "ClusterPolicy",
            "metadata": {"name": "cluster-policy"},
            "spec": CLUSTER_POLICY_SPEC,
        }
    )
    kube_emulator.cluster.patch_status("nvidia.com/v1", "ClusterPolicy", None, "cluster-policy", {"state": "notReady"})
    assert invoke("doctor", "--for", "baremetal").exit_code == 9
    kube_emulator.cluster.patch_status("nvidia.com/v1", "ClusterPolicy", None, "cluster-policy", {"state": "ready"})
    result = invoke("doctor", "--for", "baremetal")
    assert result.exit_code == 0, result


def test_doctor_waits_out_a_cluster_policy_the_operator_has_not_reconciled_yet(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    namespace(kube_emulator, "gpu-operator")
    ready_pod(kube_emulator, "gpu-operator", "gpu-operator-0", {"app": "gpu-operator"})
    kube_emulator.cluster.create(
        {
            "apiVersion": "nvidia.com/v1",
            "kind": "ClusterPolicy",
            "metadata": {"name": "cluster-policy"},
            "spec": CLUSTER_POLICY_SPEC,
        }
    )
    result = invoke("doctor", "--for", "baremetal", "-o", "json")
    assert result.exit_code == 0, result
    [check] = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "clusterpolicy"]
    assert (check["status"], check["severity"]) == ("not-ready", "optional")
    assert check["detail"].startswith("ClusterPolicy cluster-policy has no state yet")


def test_doctor_finds_gpu_nodes_by_their_labels(kube_emulator: Any, kubeconfig: Any) -> None:
    gpu_node(kube_emulator, "gpu-0", "a100", "Standard_NC24ads_A100_v4", 1)
    result = invoke("doctor", "--for", "gpu", "-o", "json")
    nodes = [c for c in json.loads(result.stdout)["checks"] if c["component"] == "gpu-nodes"]
    assert nodes[0]["status"] == "ok" and "gpu-0" in nodes[0]["detail"]


def test_doctor_finds_the_dcgm_exporter_an_aks_managed_gpu_pool_runs_on_the_node(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    """AKS-managed GPU nodes run the exporter as a node service, with no pod, and say so in a label."""
    gpu_node(kube_emulator, "gpu-0", "a100", "Standard_NC24ads_A100_v4", 1)
    kube_emulator.cluster.patch(
        "v1", "Node", None, "gpu-0", {"metadata": {"labels": {"kubernetes.azure.com/dcgm-exporter": "enabled"}}}
    )
    result = invoke("doctor", "--for", "gpu", "-o", "json")
    [row] = [c for c in json.loads(result.stdout)["checks"] if c["component"] == "gpu-metrics"]
    assert (row["status"], row["installed"]) == ("ok", True)
    assert "gpu-0" in row["detail"]


def test_doctor_reports_failing_dcgm_exporter_pods_even_where_a_node_runs_aks_managed_dcgm(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    """A cluster with an AKS-managed GPU pool and a GPU Operator pool: the operator's exporter pods
    that are not ready leave that pool without GPU metrics, whatever the managed node runs."""
    gpu_node(kube_emulator, "gpu-0", "a100", "Standard_NC24ads_A100_v4", 1)
    kube_emulator.cluster.patch(
        "v1", "Node", None, "gpu-0", {"metadata": {"labels": {"kubernetes.azure.com/dcgm-exporter": "enabled"}}}
    )
    namespace(kube_emulator, "gpu-operator")
    kube_emulator.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "dcgm-0", "namespace": "gpu-operator", "labels": {"app": "nvidia-dcgm-exporter"}},
            "spec": {"containers": [{"name": "c", "image": "dcgm-exporter:v1"}]},
        }
    )
    kube_emulator.cluster.patch_status("v1", "Pod", "gpu-operator", "dcgm-0", {"phase": "Pending"})
    result = invoke("doctor", "--for", "gpu", "-o", "json")
    [row] = [c for c in json.loads(result.stdout)["checks"] if c["component"] == "gpu-metrics"]
    assert row["status"] == "not-ready"


def test_doctor_takes_only_the_member_agent_charts_pod_for_the_fleet_member_agent(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    """The chart labels its pod app.kubernetes.io/name=member-agent; a bare app=member-agent is someone else's."""
    namespace(kube_emulator, "fleet-system")
    ready_pod(kube_emulator, "fleet-system", "not-the-agent", {"app": "member-agent"})
    result = invoke("doctor", "--for", "fleet", "-o", "json")
    [row] = [
        c for c in json.loads(result.stdout)["checks"] if c["component"] == "fleet-member" and c["check"] == "pods"
    ]
    assert row["status"] == "missing"
    ready_pod(kube_emulator, "fleet-system", "member-agent-0", {"app.kubernetes.io/name": "member-agent"})
    result = invoke("doctor", "--for", "fleet", "-o", "json")
    [row] = [
        c for c in json.loads(result.stdout)["checks"] if c["component"] == "fleet-member" and c["check"] == "pods"
    ]
    assert row["status"] == "ok"


def test_doctor_rejects_an_unknown_group(kube_emulator: Any, kubeconfig: Any) -> None:
    result = invoke("doctor", "--for", "modle")
    assert result.exit_code == 2
    assert "unknown command group 'modle'" in result.stderr


# ---- gpu usage -------------------------------------------------------------------------------


def test_gpu_usage_table_puts_the_pool_with_most_idle_gpus_first(kube_emulator: Any, kubeconfig: Any) -> None:
    gpu_node(kube_emulator, "a100-0", "a100", "Standard_NC24ads_A100_v4", 1)
    gpu_node(kube_emulator, "h100-0", "h100", "Standard_NC96ads_A100_v4", 4)
    gpu_pod(kube_emulator, "serving", "llm-0", "a100-0", 1)
    gpu_pod(kube_emulator, "research", "train-0", "h100-0", 1)
    result = invoke("gpu", "usage")
    assert result.exit_code == 0, result
    rows = [line.split() for line in result.stdout.splitlines() if line.strip()]
    assert re.split(r"\s{2,}", result.stdout.splitlines()[0])[:3] == ["POOL", "VM SIZE", "GPU NODES"]
    assert rows[1][0] == "h100" and rows[2][0] == "a100"
    assert "3 of 5 GPUs idle" in result.stderr


def _units(resources: dict[str, str]) -> int:
    return sum(int(v) for k, v in resources.items() if k.endswith("/gpu") or k.startswith("nvidia.com/mig-"))


def test_gpu_usage_json_agrees_with_a_direct_count(kube_emulator: Any, kubeconfig: Any) -> None:
    # The generator makes every kind of GPU pool (whole, MIG single and mixed, time-sliced, spot,
    # device plugin down, AMD): whole GPUs and slices are counted apart, billed-unusable on its own.
    kube_emulator.generate_cluster(nodes=300, pods=1500, gpu_fraction=0.3)
    result = invoke("gpu", "usage", "-o", "json", "--page-size", "100")
    assert result.exit_code == 0, result
    totals = json.loads(result.stdout)["totals"]

    cluster = kube_emulator.cluster
    whole: dict[str, int] = {}
    sliced: dict[str, int] = {}
    unusable = 0
    for n in cluster.list("v1", "Node"):
        labels, status = n["metadata"]["labels"], n["status"]
        units = _units(status["allocatable"])
        shared = "-MIG-" in labels.get("nvidia.com/gpu.product", "") or "nvidia.com/gpu.replicas" in labels
        shared = shared or any(k.startswith("nvidia.com/mig-") for k in status["allocatable"])
        if _units(status["capacity"]) and not units:
            unusable += 1
        elif units:
            (sliced if shared else whole)[n["metadata"]["name"]] = units
    held = dict.fromkeys([*whole, *sliced], 0)
    for p in cluster.list("v1", "Pod"):
        if p.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            continue
        if p["spec"].get("nodeName") in held:
            for c in p["spec"]["containers"]:
                held[p["spec"]["nodeName"]] += _units((c.get("resources") or {}).get("limits") or {})
    assert totals["allocatable"] == sum(whole.values()) > 0
    assert totals["slices"] == sum(sliced.values()) > 0
    assert totals["requested"] == sum(min(held[n], whole[n]) for n in whole)
    assert totals["slicesRequested"] == sum(min(held[n], sliced[n]) for n in sliced)
    assert totals["unusableNodes"] == unusable > 0
    assert (totals["nodesSeen"], totals["podsSeen"]) == (
        300,
        sum(1 for p in cluster.list("v1", "Pod") if p.get("status", {}).get("phase") not in ("Succeeded", "Failed")),
    )


def test_gpu_usage_reads_pods_page_by_page(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.generate_cluster(nodes=50, pods=400, gpu_fraction=0.5)
    assert invoke("gpu", "usage", "-o", "json", "--page-size", "100").exit_code == 0
    pod_lists = [e for e in kube_emulator.request_log if e.method == "GET" and e.path == "/api/v1/pods"]
    assert len(pod_lists) >= 4
    assert all(e.query.get("limit") == ["100"] for e in pod_lists)


def test_gpu_usage_csv_has_pool_and_namespace_rows(kube_emulator: Any, kubeconfig: Any) -> None:
    gpu_node(kube_emulator, "a100-0", "a100", "Standard_NC24ads_A100_v4", 1)
    gpu_pod(kube_emulator, "serving", "llm-0", "a100-0", 1)
    result = invoke("gpu", "usage", "-o", "csv")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0].startswith("scope,name,vm_size")
    assert [line.split(",")[0] for line in lines[1:]] == ["pool", "namespace"]


def test_gpu_usage_rejects_an_unknown_price_region(kube_emulator: Any, kubeconfig: Any) -> None:
    result = invoke("gpu", "usage", "--price-region", "moon-1")
    assert result.exit_code == 2
    assert "--price-region" in result.stderr


def test_gpu_usage_n_keeps_one_namespace_row_and_the_whole_clusters_pools(kube_emulator: Any, kubeconfig: Any) -> None:
    gpu_node(kube_emulator, "a100-0", "a100", "Standard_NC24ads_A100_v4", 1)
    gpu_node(kube_emulator, "h100-0", "h100", "Standard_NC96ads_A100_v4", 4)
    gpu_pod(kube_emulator, "serving", "llm-0", "a100-0", 1)
    gpu_pod(kube_emulator, "research", "train-0", "h100-0", 1)
    result = invoke("gpu", "usage", "-n", "serving", "-o", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert [n["namespace"] for n in data["namespaces"]] == ["serving"]
    assert sorted(p["pool"] for p in data["pools"]) == ["a100", "h100"]
