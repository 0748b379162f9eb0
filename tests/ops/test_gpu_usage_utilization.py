"""gpu usage --utilization end to end: the CLI against the Kubernetes emulator, whose
kube-prometheus-stack Prometheus scrapes the GPU Operator's dcgm-exporter (controllers/nvidia_dcgm.py,
prometheus_server.py) and answers avg_over_time through the API server's service proxy."""

from __future__ import annotations

import json
import time
from typing import Any

import urllib3

from tests.cli import invoke
from tests.emulators.kube.controllers.nvidia_dcgm import FB_USABLE_MIB, install_dcgm_exporter
from tests.emulators.kube.profiles import install_crd, install_podmonitor_api
from tests.ops.test_ops_emulator import gpu_node, gpu_pod, namespace


def _proxied(emu: Any) -> list[str]:
    return [e.path for e in emu.request_log if "/services/" in e.path and "/proxy/" in e.path]


def test_utilization_is_each_pools_and_namespaces_mean_over_the_window(kube_emulator: Any, kubeconfig: Any) -> None:
    gpu_node(kube_emulator, "a100-0", "a100", "Standard_NC24ads_A100_v4", 1)
    gpu_node(kube_emulator, "h100-0", "h100", "Standard_NC96ads_A100_v4", 4)
    gpu_pod(kube_emulator, "serving", "llm-0", "a100-0", 1)
    gpu_pod(kube_emulator, "research", "train-0", "h100-0", 1)
    install_podmonitor_api(kube_emulator, scrape_loop=False)
    server = kube_emulator.prometheus_servers["monitoring"]
    serving = install_dcgm_exporter(kube_emulator, "a100-0", {"serving/llm-0": (90.0, 40000.0)})
    install_dcgm_exporter(kube_emulator, "h100-0", {"research/train-0": (2.0, 1000.0)})
    now = time.time()
    server.scrape(now - 120, every=True)
    serving.busy["serving/llm-0"] = (70.0, 40000.0)
    server.scrape(now - 60, every=True)

    plain = invoke("gpu", "usage", "-o", "json")
    assert plain.exit_code == 0, plain
    assert "gpu_util_percent" not in plain.stdout and not _proxied(kube_emulator)  # no flag: no query

    result = invoke("gpu", "usage", "--utilization", "-o", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    figures = {
        p["pool"]: (p["gpu_util_percent"], p["gpu_memory_used_percent"], p["gpus_measured"]) for p in data["pools"]
    }
    used = round(100 * 1000 / FB_USABLE_MIB / 4, 1)  # one of four H100s holds 1000 MiB
    assert figures == {"a100": (80.0, round(100 * 40000 / FB_USABLE_MIB, 1), 1), "h100": (0.5, used, 4)}
    by_ns = {n["namespace"]: n["gpu_util_percent"] for n in data["namespaces"]}
    assert by_ns == {"serving": 80.0, "research": 2.0}
    assert "GPU utilization not shown" not in result.stderr
    # Through the service proxy, each query is a POST of the form (prometheus_source.Querier).
    proxied = [e for e in kube_emulator.request_log if "/services/" in e.path and "/proxy/" in e.path]
    assert {(e.method, e.content_type, bool(e.query)) for e in proxied} == {
        ("POST", "application/x-www-form-urlencoded", False)
    }

    table = invoke("gpu", "usage", "--utilization", "--window", "30m")
    assert table.exit_code == 0, table
    assert "GPU UTIL" in table.stdout and "80%" in table.stdout
    assert (
        "GPU utilization over 30m: 16.4% mean over 5 GPUs; requested and under 5% busy: research (2% on 1 GPU(s))"
        in (table.stderr)
    )


def test_without_prometheus_the_usage_is_shown_with_one_line_why(kube_emulator: Any, kubeconfig: Any) -> None:
    gpu_node(kube_emulator, "a100-0", "a100", "Standard_NC24ads_A100_v4", 1)
    result = invoke("gpu", "usage", "--utilization", "-o", "csv")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0].endswith(",gpu_util_percent,gpu_memory_used_percent,gpus_measured")
    [line] = [x for x in result.stderr.splitlines() if "GPU utilization not shown" in x]
    assert "no Prometheus" in line and "dcgm-exporter" in line


def test_window_without_utilization_is_refused(kube_emulator: Any, kubeconfig: Any) -> None:
    result = invoke("gpu", "usage", "--window", "1h")
    assert result.exit_code == 2 and "--window needs --utilization" in result.stderr


def test_prometheus_url_of_an_azure_monitor_workspace_is_queried_with_an_entra_token(
    kube_emulator: Any, kubeconfig: Any, azure_env: Any
) -> None:
    from tests.emulators.arm.workspace import AUDIENCE, resolve_workspace

    gpu_node(kube_emulator, "a100-0", "a100", "Standard_NC24ads_A100_v4", 1)
    gpu_pod(kube_emulator, "serving", "llm-0", "a100-0", 1)
    install_podmonitor_api(kube_emulator, scrape_loop=False)
    server = kube_emulator.prometheus_servers["monitoring"]
    install_dcgm_exporter(kube_emulator, "a100-0", {"serving/llm-0": (60.0, 40000.0)})
    server.scrape(time.time() - 60, every=True)
    azure_env.prometheus_workspace = server.handle  # the workspace holds what the exporter reported
    with resolve_workspace(azure_env) as endpoint:
        result = invoke("--debug", "gpu", "usage", "--utilization", "--prometheus", endpoint, "-o", "json")
    assert result.exit_code == 0, result
    [pool] = json.loads(result.stdout)["pools"]
    assert (pool["gpu_util_percent"], pool["gpus_measured"]) == (60.0, 1)
    assert not _proxied(kube_emulator)  # not through the API server
    queried = [e for e in azure_env.request_log if e.path == "/api/v1/query"]
    assert len(queried) == 3 and all(e.status == 200 for e in queried)
    # Each a POST of the form, as the workspace's docs show (prometheus-api-promql.md "Instant queries").
    assert all(e.method == "POST" and not e.query and e.body.startswith(b"query=avg_over_time") for e in queried)
    token = queried[0].headers["Authorization"].removeprefix("Bearer ")
    assert azure_env.tokens[token]["aud"] == AUDIENCE and token not in result.stdout + result.stderr
    assert "/api/v1/query" in result.stderr  # --debug logged the requests, not the token

    # The workspace takes no other audience (ARM's): 401, as Azure Monitor answers it.
    arm_token, _ = azure_env.issue_token()
    with resolve_workspace(azure_env) as endpoint:
        pool = urllib3.PoolManager(ca_certs=azure_env.ca_file)
        refused = pool.request(
            "GET", f"{endpoint}/api/v1/query?query=up", headers={"Authorization": f"Bearer {arm_token}"}
        )
    assert refused.status == 401


def _two_clusters_in_one_workspace(kube_emulator: Any, azure_env: Any) -> None:
    """Two clusters send to one Azure Monitor workspace, each with a node named a100-0: the add-on's
    collector labels each series with its cluster (azure_monitor_collector.py); this cluster's GPU
    is 80% busy, aks-ml-westus's idle."""
    from tests.emulators.kube.controllers.azure_monitor_collector import install_azure_monitor

    gpu_node(kube_emulator, "a100-0", "a100", "Standard_NC24ads_A100_v4", 1)
    gpu_pod(kube_emulator, "serving", "llm-0", "a100-0", 1)
    aks = "/subscriptions/0000/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/aks-ml-eastus"
    collector = install_azure_monitor(kube_emulator, aks)
    install_crd(kube_emulator, "monitoring.coreos.com", "PodMonitor")  # the exporter's own PodMonitor's group
    install_dcgm_exporter(kube_emulator, "a100-0", {"serving/llm-0": (80.0, 40000.0)})
    monitor = kube_emulator.cluster.get(
        "monitoring.coreos.com/v1", "PodMonitor", "gpu-operator", "nvidia-dcgm-exporter"
    )
    meta = {k: monitor["metadata"][k] for k in ("name", "namespace")}
    kube_emulator.cluster.create({**monitor, "apiVersion": "azmonitoring.coreos.com/v1", "metadata": meta})
    now = time.time()
    collector.scrape(now - 60, every=True)
    [labels] = [
        k for k, _ in collector.tsdb.instant(now) if k.get("__name__") == "DCGM_FI_DEV_GPU_UTIL" and k.get("pod")
    ]
    for metric, value in (("DCGM_FI_DEV_GPU_UTIL", 0.0), ("DCGM_FI_DEV_FB_USED", 0.0), ("DCGM_FI_DEV_FB_FREE", 1.0)):
        collector.other_cluster("aks-ml-westus", {**labels, "__name__": metric}, value, now - 60)
    azure_env.prometheus_workspace = collector.handle


def test_a_workspace_other_clusters_send_to_answers_with_this_clusters_gpus_only(
    kube_emulator: Any, kubeconfig: Any, azure_env: Any
) -> None:
    # Unpinned, the idle GPU of aks-ml-westus halved this cluster's 80% (and its namespace's) to 40%.
    from tests.emulators.arm.workspace import resolve_workspace

    _two_clusters_in_one_workspace(kube_emulator, azure_env)
    with resolve_workspace(azure_env) as endpoint:
        result = invoke("gpu", "usage", "--utilization", "--prometheus", endpoint, "-o", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert [(p["gpu_util_percent"], p["gpus_measured"]) for p in data["pools"]] == [(80.0, 1)]
    assert [n["gpu_util_percent"] for n in data["namespaces"]] == [80.0]
    queried = [e.body for e in azure_env.request_log if e.path == "/api/v1/query"]
    assert all(b"%7Bcluster%3D%22aks-ml-eastus%22%7D" in body for body in queried), queried
    assert "warning" not in result.stderr


def test_a_workspace_asked_without_the_cluster_label_says_so_once_on_stderr(
    kube_emulator: Any, kubeconfig: Any, azure_env: Any
) -> None:
    # The collector's Deployment cannot be read (here: absent), so the query goes unpinned and the
    # repeated node name mixes the other cluster's idle GPU in: the user is told, once.
    from tests.emulators.arm.workspace import resolve_workspace

    _two_clusters_in_one_workspace(kube_emulator, azure_env)
    kube_emulator.cluster.delete("apps/v1", "Deployment", "kube-system", "ama-metrics")
    with resolve_workspace(azure_env) as endpoint:
        result = invoke("gpu", "usage", "--utilization", "--prometheus", endpoint, "-o", "json")
    assert result.exit_code == 0, result
    assert [p["gpu_util_percent"] for p in json.loads(result.stdout)["pools"]] == [40.0]
    [line] = [ln for ln in result.stderr.splitlines() if ln.startswith("warning:")]
    assert line.startswith("warning: GPU utilization is not pinned to this cluster's series of Azure Monitor")
    assert "no Deployment kube-system/ama-metrics with the collector's CLUSTER" in line
    assert "a node another cluster sending to the workspace also names mixes that cluster's GPUs" in line


def _mig_node(emu: Any, name: str, devices: int) -> None:
    """A node of two H100s in 1g.10gb MIG devices under the mixed strategy: the device plugin advertises
    nvidia.com/mig-1g.10gb and no nvidia.com/gpu (azure-aks-docs gpu-multi-instance.md "Mixed strategy
    output"); GFD's gpu.count is the physical GPUs (NVIDIA/k8s-device-plugin internal/lm/resource.go)."""
    gpu_node(emu, name, "mig", "Standard_NC80adis_H100_v5", 0)
    labels = {"nvidia.com/mig.strategy": "mixed", "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"}
    labels |= {"nvidia.com/gpu.count": "2"}
    emu.cluster.patch("v1", "Node", None, name, {"metadata": {"labels": labels}})
    resources = {"cpu": "24", "memory": "200Gi", "pods": "110", "nvidia.com/mig-1g.10gb": str(devices)}
    emu.cluster.patch_status("v1", "Node", None, name, {"capacity": resources, "allocatable": resources})


def test_a_mig_pool_is_measured_by_graphics_engine_activity(kube_emulator: Any, kubeconfig: Any) -> None:
    # dcgm-exporter's DCGM_FI_DEV_GPU_UTIL reads 0 on every MIG device; the one MIG device the pod
    # holds was 70% busy by DCGM_FI_PROF_GR_ENGINE_ACTIVE, the other 13 idle.
    _mig_node(kube_emulator, "mig-0", 14)
    namespace(kube_emulator, "serving")
    limits = {"nvidia.com/mig-1g.10gb": "1"}
    container = {"name": "c", "image": "vllm/vllm-openai:v0.11.0", "resources": {"limits": limits}}
    pod = {
        "metadata": {"name": "llm-0", "namespace": "serving"},
        "spec": {"nodeName": "mig-0", "containers": [container]},
    }
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Pod", **pod})
    kube_emulator.cluster.patch_status("v1", "Pod", "serving", "llm-0", {"phase": "Running"})
    install_podmonitor_api(kube_emulator, scrape_loop=False)
    install_dcgm_exporter(kube_emulator, "mig-0", {"serving/llm-0": (70.0, 5120.0)})
    kube_emulator.prometheus_servers["monitoring"].scrape(time.time() - 60, every=True)

    result = invoke("gpu", "usage", "--utilization", "-o", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    [pool] = data["pools"]
    assert (pool["sharing"], pool["gpu_util_percent"], pool["gpus_measured"]) == ("mig-mixed", 5.0, 14)
    [serving] = data["namespaces"]
    assert (serving["gpu_util_percent"], serving["gpu_memory_used_percent"]) == (70.0, 50.0)
    assert "GPU utilization" not in result.stderr.replace("GPU utilization over", "")


def test_a_prometheus_without_the_exporters_series_names_the_gpu_operators_service_monitor_switch(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # The ClusterPolicy's serviceMonitor.enabled is off when left out (clusterpolicy_types.go IsEnabled).
    gpu_node(kube_emulator, "a100-0", "a100", "Standard_NC24ads_A100_v4", 1)
    install_podmonitor_api(kube_emulator, scrape_loop=False)
    result = invoke("gpu", "usage", "--utilization")
    assert result.exit_code == 0, result
    [line] = [x for x in result.stderr.splitlines() if "GPU utilization not shown" in x]
    assert "has no DCGM_FI_DEV_GPU_UTIL series" in line and "spec.dcgmExporter.serviceMonitor.enabled" in line
