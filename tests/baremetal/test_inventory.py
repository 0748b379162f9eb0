"""baremetal inventory against the Kubernetes emulator and its Job simulator."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.gpu_pods import GpuPodController
from tests.emulators.kube.controllers.jobs import JobController

from . import nodes as fx
from .conftest import add_nodes

IMAGE = "registry.example.com/akscli-probe:0.1.0"


class KeepRunning(dict[str, Any]):
    """JobController.exit_codes for every Job: its pods never exit."""

    def get(self, key: str, default: Any = None) -> Any:
        del key, default
        return lambda _pod: None


@pytest.fixture(autouse=True)
def probe_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AKSCLI_PROBE_IMAGE", IMAGE)


@pytest.fixture
def gpu_nodes(kube_emulator: Any) -> Any:
    add_nodes(kube_emulator, [fx.cpu_node("aks-system-0")] + [fx.node(f"aks-gpu-{i}") for i in range(3)])
    return kube_emulator


def test_inventory_probes_every_gpu_node_once(gpu_nodes: Any, kubeconfig: Any) -> None:
    gpu_nodes.controllers.add(GpuPodController())
    result = invoke("baremetal", "inventory", "-o", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert [n["node"] for n in data["nodes"]] == ["aks-gpu-0", "aks-gpu-1", "aks-gpu-2"]
    assert {
        (n["status"], n["gpus"], n["gpu_model"], n["driver"], n["cuda"], n["nvlink"], n["rdma_ports"])
        for n in data["nodes"]
    } == {("ok", 8, "NVIDIA H100 80GB HBM3", "580.159.04", "13.0", "144/144", "8/8")}
    assert data["summary"]["gpus"] == 24
    assert [r["node"] for r in data["reports"]] == ["aks-gpu-0", "aks-gpu-1", "aks-gpu-2"]


def test_inventory_cleans_up_its_jobs(gpu_nodes: Any, kubeconfig: Any) -> None:
    gpu_nodes.controllers.add(GpuPodController())
    assert invoke("baremetal", "inventory").exit_code == 0
    assert gpu_nodes.cluster.list("batch/v1", "Job", namespace="default") == []
    deletes = gpu_nodes.requests(method="DELETE", path="/apis/batch/v1/namespaces/default/jobs/")
    assert len(deletes) == 3


def test_inventory_runs_at_most_parallel_jobs_at_a_time(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}") for i in range(5)])
    kube_emulator.controllers.add(GpuPodController())
    assert invoke("baremetal", "inventory", "--parallel", "2").exit_code == 0
    job_writes = [
        r.method
        for r in kube_emulator.request_log
        if r.path.startswith("/apis/batch/v1/namespaces/default/jobs") and r.method in ("POST", "DELETE")
    ]
    # A batch's Jobs are deleted before the next batch is created.
    assert job_writes == ["POST", "POST", "DELETE", "DELETE", "POST", "POST", "DELETE", "DELETE", "POST", "DELETE"]


def test_nodes_without_a_driver_fail_with_the_probe_message(gpu_nodes: Any, kubeconfig: Any) -> None:
    gpu_nodes.controllers.add(GpuPodController(failure="probe-no-driver"))
    # The probe prints one error line (and exits 7): inventory reports that line for the node.
    result = invoke("baremetal", "inventory", "-o", "json")
    assert result.exit_code == 9
    data = json.loads(result.stdout)
    assert {n["status"] for n in data["nodes"]} == {"failed"}
    assert data["nodes"][0]["error"].startswith("cannot probe GPUs: no NVIDIA driver")


def test_unpullable_probe_image_fails_each_node_without_waiting(
    kube_emulator_factory: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = kube_emulator_factory(controller_failure="imagepull")
    monkeypatch.setenv("KUBECONFIG", str(emu.write_kubeconfig(tmp_path / "kubeconfig")))
    add_nodes(emu, [fx.node("aks-gpu-0")])
    result = invoke("baremetal", "inventory", "-o", "json", "--timeout", "20s")
    assert result.exit_code == 9
    [row] = json.loads(result.stdout)["nodes"]
    assert row["status"] == "failed" and "ImagePullBackOff" in row["error"]


def test_inventory_refuses_a_bad_image_before_creating_anything(gpu_nodes: Any, kubeconfig: Any) -> None:
    result = invoke("baremetal", "inventory", "--image", "Not An Image")
    assert result.exit_code == 2
    assert gpu_nodes.requests(method="POST") == []


def test_inventory_without_an_image_says_how_to_get_one(
    gpu_nodes: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AKSCLI_PROBE_IMAGE")
    result = invoke("baremetal", "inventory")
    assert result.exit_code == 2
    assert "--image" in result.stderr and "AKSCLI_PROBE_IMAGE" in result.stderr


def test_probe_job_pins_its_node_and_runs_the_probe_in_the_given_image(gpu_nodes: Any, kube: Any) -> None:
    from akscli.baremetal import inventory

    job = inventory.job(inventory.InventoryOptions(image=IMAGE), "ab12cd", 0, "aks-gpu-0")
    pod = job["spec"]["template"]["spec"]
    assert pod["nodeName"] == "aks-gpu-0"
    assert pod["containers"][0]["image"] == IMAGE
    assert pod["containers"][0]["command"] == ["akscli", "baremetal", "probe", "-o", "json", "--sysfs-root", "/host"]
    assert "nvidia.com/gpu" not in (pod["containers"][0]["resources"].get("limits") or {})
    kube.create(job, dry_run=True)  # the API server accepts it as it is


def test_anomalies_from_any_node_reach_the_cluster_table(gpu_nodes: Any, kubeconfig: Any) -> None:
    from akscli.baremetal import probe
    from akscli.baremetal.nvml_replay import RecordedNvml

    from .conftest import eight_gpu_record, ib_sysfs

    def output(node: str) -> str:
        record = eight_gpu_record(active_links=18 if node != "aks-gpu-1" else 17)
        report = probe.probe(RecordedNvml(record), ib_sysfs(), node=node, kernel="6.8")
        return json.dumps(report.to_dict())

    gpu_nodes.controllers.add(GpuPodController(probe_output=output))
    result = invoke("baremetal", "inventory", "-o", "json")
    assert result.exit_code == 9
    data = json.loads(result.stdout)
    assert {n["node"]: n["nvlink"] for n in data["nodes"]} == {
        "aks-gpu-0": "144/144",
        "aks-gpu-1": "136/144",
        "aks-gpu-2": "144/144",
    }
    assert {(a["node"], a["severity"]) for a in data["anomalies"]} == {("aks-gpu-1", "error")}
    assert len(data["anomalies"]) == 8  # one per GPU with a link down
    assert data["summary"]["nvlinks_active"] == 424


def _links_down_on_gpu_1(node: str) -> str:
    from akscli.baremetal import probe
    from akscli.baremetal.nvml_replay import RecordedNvml

    from .conftest import eight_gpu_record, ib_sysfs

    record = eight_gpu_record(active_links=18 if node != "aks-gpu-1" else 17)
    record["devices"][0]["ecc_mode"] = [0, 0]  # a warning on every node: ECC off on GPU 0
    return json.dumps(probe.probe(RecordedNvml(record), ib_sysfs(), node=node, kernel="6.8").to_dict())


def test_the_blocking_anomalies_are_named_in_the_error_line_not_printed_as_warnings(
    gpu_nodes: Any, kubeconfig: Any
) -> None:
    gpu_nodes.controllers.add(GpuPodController(probe_output=_links_down_on_gpu_1))
    result = invoke("baremetal", "inventory")
    assert result.exit_code == 9, result
    shown = [line for line in result.stderr.splitlines() if line.startswith(("warning:", "error:", "hint:"))]
    down = "1 of 18 NVLink links are down (links 17)"
    assert shown[:-2] == [
        f"warning: aks-gpu-{i} gpu 0: ECC is off (fix: enable it with 'nvidia-smi -e 1' and reset the GPU)"
        for i in range(3)
    ]
    assert shown[-2] == (
        f"error: 8 blocking anomalies: aks-gpu-1 gpu 0: {down}, aks-gpu-1 gpu 1: {down}, aks-gpu-1 gpu 2: {down} "
        "and 5 more"
    )
    assert shown[-1].startswith("hint: fix (aks-gpu-1 gpu 0): drain the node; check")


class ExitNine(dict[str, Any]):
    """JobController.exit_codes for every Job: the probe exits 9, as it does on a blocking anomaly."""

    def get(self, key: str, default: Any = None) -> Any:
        del key, default
        return lambda _pod: 9


def test_a_probe_that_exits_9_on_a_blocking_anomaly_is_read_not_failed(gpu_nodes: Any, kubeconfig: Any) -> None:
    gpu_nodes.controllers.add(GpuPodController(probe_output=_links_down_on_gpu_1))
    jobs = next(c for c in gpu_nodes.controllers.controllers if isinstance(c, JobController))
    jobs.exit_codes = ExitNine()
    result = invoke("baremetal", "inventory", "-o", "json")
    assert result.exit_code == 9, result
    data = json.loads(result.stdout)
    assert {(n["node"], n["status"], n["nvlink"]) for n in data["nodes"]} == {
        ("aks-gpu-0", "ok", "144/144"),
        ("aks-gpu-1", "ok", "136/144"),
        ("aks-gpu-2", "ok", "144/144"),
    }


# ---- the GPU Operator's RuntimeClass ---------------------------------------------------------
# upstream: NVIDIA/gpu-operator v26.7.0 controllers/object_controls.go transformToolkitCtrForCDI: with
# CDI (on unless cdi.enabled=false) the NVIDIA runtime is not the nodes' default, so a probe pod that
# asks for no GPU sees the driver only with the operator's RuntimeClass (getRuntimeClassName).


def test_probes_on_a_gpu_operator_cluster_get_its_runtime_class(gpu_nodes: Any, kubeconfig: Any) -> None:
    from .conftest import install_gpu_operator

    install_gpu_operator(gpu_nodes)
    gpu_nodes.controllers.add(GpuPodController())
    result = invoke("baremetal", "inventory", "-o", "json")
    assert result.exit_code == 0, result
    assert {n["status"] for n in json.loads(result.stdout)["nodes"]} == {"ok"}
    assert "probe pods use RuntimeClass nvidia: ClusterPolicy cluster-policy gives GPUs through CDI" in result.stderr


def test_the_cluster_policys_own_runtime_class_name_is_used(gpu_nodes: Any, kubeconfig: Any) -> None:
    from .conftest import install_gpu_operator

    policy = install_gpu_operator(gpu_nodes)
    gpu_nodes.cluster.patch(
        "nvidia.com/v1",
        "ClusterPolicy",
        None,
        policy["metadata"]["name"],
        {"spec": {"operator": {"runtimeClass": "nv"}}},
    )
    result = invoke("baremetal", "inventory", "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    assert {j["spec"]["template"]["spec"]["runtimeClassName"] for j in json.loads(result.stdout)["items"]} == {"nv"}


def test_a_cluster_policy_without_cdi_leaves_probes_on_the_default_runtime(gpu_nodes: Any, kubeconfig: Any) -> None:
    from .conftest import install_gpu_operator

    policy = install_gpu_operator(gpu_nodes)
    gpu_nodes.cluster.patch(
        "nvidia.com/v1", "ClusterPolicy", None, policy["metadata"]["name"], {"spec": {"cdi": {"enabled": False}}}
    )
    result = invoke("baremetal", "inventory", "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    assert all("runtimeClassName" not in j["spec"]["template"]["spec"] for j in json.loads(result.stdout)["items"])
    assert "RuntimeClass" not in result.stderr


# ---- --runtime-class names a RuntimeClass of the cluster ------------------------------------
# upstream: kubernetes/kubernetes plugin/pkg/admission/runtimeclass/admission.go: a pod naming a
# RuntimeClass that does not exist is refused ("pod rejected: RuntimeClass %q not found").


def test_a_runtime_class_that_does_not_exist_is_refused_before_any_probe_job(gpu_nodes: Any, kubeconfig: Any) -> None:
    result = invoke("baremetal", "inventory", "--runtime-class", "nvidia-cdi", "-o", "json")
    assert result.exit_code == 3, result
    assert "--runtime-class names RuntimeClass nvidia-cdi, which does not exist" in result.stderr
    assert "kubectl get runtimeclass" in result.stderr
    assert "Traceback" not in result.stderr
    assert gpu_nodes.cluster.list("batch/v1", "Job", "default") == []


def test_an_existing_runtime_class_is_given_to_the_probe_jobs(gpu_nodes: Any, kubeconfig: Any) -> None:
    gpu_nodes.cluster.create(
        {
            "apiVersion": "node.k8s.io/v1",
            "kind": "RuntimeClass",
            "metadata": {"name": "nvidia-cdi"},
            "handler": "nvidia",
        }
    )
    result = invoke("baremetal", "inventory", "--runtime-class", "nvidia-cdi", "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    assert {j["spec"]["template"]["spec"]["runtimeClassName"] for j in json.loads(result.stdout)["items"]} == {
        "nvidia-cdi"
    }


def test_a_runtime_class_that_cannot_be_read_is_a_warning(gpu_nodes: Any, kubeconfig: Any) -> None:
    gpu_nodes.auth.deny(verb="get", resource="runtimeclasses")
    result = invoke("baremetal", "inventory", "--runtime-class", "nvidia-cdi", "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    assert "cannot read RuntimeClass nvidia-cdi (--runtime-class): not checked that it exists" in result.stderr


def test_a_probe_the_job_deadline_stops_is_a_timeout_not_a_missing_pod(gpu_nodes: Any, kubeconfig: Any) -> None:
    # The probes never finish (every Job's pods keep running); the Job's activeDeadlineSeconds
    # passes on its controller's clock, the Job controller deletes the pods, and their kubelets
    # mark them Failed before removing them (kubernetes/kubernetes pkg/kubelet/kubelet_pods.go
    # getPhase, podIsTerminal). Each node is a timeout; its vanishing pod's log is not read.
    jobs = next(c for c in gpu_nodes.controllers.controllers if isinstance(c, JobController))
    jobs.exit_codes = KeepRunning()

    def probes_running() -> bool:
        running = [p for p in gpu_nodes.cluster.list("v1", "Pod", "default") if p["status"].get("phase") == "Running"]
        return len(running) == 3

    def stop_the_jobs() -> None:
        assert wait_until(probes_running, timeout=30)
        jobs.advance(61)

    stopper = threading.Thread(target=stop_the_jobs)
    stopper.start()
    result = invoke("baremetal", "inventory", "--timeout", "60s", "-o", "json")
    stopper.join()
    assert result.exit_code == 9, result
    data = json.loads(result.stdout)
    assert {(n["status"], n["error"]) for n in data["nodes"]} == {("timeout", "no result within 60s")}
