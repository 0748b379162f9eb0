"""doctor says why an operator's pod is not ready in kube-scheduler's words (through
akscli.kube.pod_problems), not only "none ready": the emulator's scheduler leaves the pod Pending
with FitError's message (tests/emulators/kube/controllers/scheduling.py)."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.baremetal.nodes import small_cpu_node
from tests.cli import invoke

LABELS = {"app.kubernetes.io/name": "kuberay-operator", "app.kubernetes.io/component": "kuberay-operator"}


def pending_operator(emu: Any, namespace: str, labels: dict[str, str], pod_spec: dict[str, Any]) -> None:
    """An operator's one-replica Deployment (named for its first container) in ``namespace``, back
    once its pod exists; ``pod_spec`` is one no node fits, so the pod stays Pending."""
    if emu.cluster.get("v1", "Namespace", None, namespace) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    name = pod_spec["containers"][0]["name"]
    emu.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": pod_spec},
            },
        }
    )
    deadline = time.monotonic() + 5
    while not emu.cluster.list("v1", "Pod", namespace) and time.monotonic() < deadline:
        time.sleep(0.05)


def _operator_that_fits_no_node(emu: Any, node_selector: dict[str, str]) -> None:
    container = {"name": "kuberay-operator", "image": "quay.io/kuberay/operator:v1.4.2"}
    pending_operator(emu, "kuberay-system", LABELS, {"nodeSelector": node_selector, "containers": [container]})


def test_doctor_quotes_the_scheduler_for_an_operator_pod_no_node_fits(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    _operator_that_fits_no_node(kube_emulator, {"kubernetes.azure.com/mode": "system"})
    result = invoke("doctor", "--for", "ray", "-o", "json")
    assert result.exit_code == 9, result
    [pods] = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "pods" and c["component"] == "kuberay"]
    assert pods["status"] == "not-ready"
    assert "operator pod(s) found, none ready; pod kuberay-system/kuberay-operator-" in pods["detail"]
    assert (
        " not scheduled: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."
        in (pods["detail"])
    )


def test_doctor_counts_a_pod_both_operator_selectors_find_once(kube_emulator: Any, kubeconfig: Any) -> None:
    """Upstream: the KubeRay Helm chart labels its pod with both app.kubernetes.io/name=kuberay-operator and
    app.kubernetes.io/component=kuberay-operator (ray-project/kuberay
    000a58b3 helm-chart/kuberay-operator/templates/_helpers.tpl: both default to the chart name),
    the two selectors doctor tries."""
    kube_emulator.cluster.create(small_cpu_node())
    _operator_that_fits_no_node(kube_emulator, {"kubernetes.azure.com/mode": "system"})
    result = invoke("doctor", "--for", "ray", "-o", "json")
    [pods] = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "pods" and c["component"] == "kuberay"]
    assert pods["detail"].startswith("1 operator pod(s) found, none ready")


def test_doctor_quotes_the_scheduler_for_a_gpu_operator_pod_no_node_fits(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    labels = {"app.kubernetes.io/component": "gpu-operator", "app": "gpu-operator"}
    container = {
        "name": "gpu-operator",
        "image": "nvcr.io/nvidia/gpu-operator:v25.3.0",
        "resources": {"requests": {"cpu": "64"}},
    }
    pending_operator(kube_emulator, "gpu-operator", labels, {"containers": [container]})
    result = invoke("doctor", "--for", "baremetal", "-o", "json")
    checks = json.loads(result.stdout)["checks"]
    [operator] = [c for c in checks if "GPU Operator pod(s) found" in c["detail"]]
    assert operator["detail"].startswith("1 GPU Operator pod(s) found in gpu-operator, none ready; pod gpu-operator/")
    assert " not scheduled: 0/1 nodes are available: 1 Insufficient cpu." in operator["detail"]


def test_a_webhook_whose_backend_pod_is_pending_quotes_the_scheduler() -> None:
    """The emulator serves no webhook configurations (test_doctor_logic.py's fake reader does); the
    pod's status is kube-scheduler's FitError message as the emulator's scheduler writes it."""
    from akscli.doctor import checks as doctor
    from tests.ops.fakes import FakeReader
    from tests.ops.test_doctor_logic import KAITO, service, webhook

    message = (
        "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
        "3 No preemption victims found for incoming pod."
    )
    pending = {
        "kind": "Pod",
        "metadata": {"name": "wh-0", "namespace": "kube-system", "labels": {"app": "kaito-webhook"}},
        "status": {
            "phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}],
        },
    }
    reader = FakeReader(
        *KAITO,
        webhook("validation-webhook.kaito.sh", "kaito-webhook", "kube-system"),
        service("kaito-webhook", "kube-system", {"app": "kaito-webhook"}),
        pending,
    )
    [result] = [r for r in doctor.run(reader) if r.check.startswith("webhook")]
    assert result.detail == (
        "service kube-system/kaito-webhook has no ready pod: every request it checks fails; "
        f"pod kube-system/wh-0 not scheduled: {message}"
    )


def test_a_gpu_operand_pod_the_scheduler_placed_nowhere_is_named_in_its_words() -> None:
    """A DaemonSet's pod is bound by kube-scheduler too (node affinity to its node: upstream
    kubernetes/kubernetes v1.32.0 pkg/controller/daemon/util/daemonset_util.go,
    ReplaceDaemonSetPodNodeNameNodeAffinity), so one that does not fit its node is Pending with
    FitError's words, which the operand verdict quotes instead of the bare phase."""
    from akscli.gpu import stack as gpu_stack

    message = "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match Pod's node affinity/selector."
    pending = {
        "metadata": {"name": "nvidia-device-plugin-daemonset-x", "namespace": "gpu-operator"},
        "status": {
            "phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}],
        },
    }
    assert gpu_stack._pod_problem(pending) == f"not scheduled: {message}"
