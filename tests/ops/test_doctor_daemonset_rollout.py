"""doctor names an operator DaemonSet whose changed template has not reached every node, in
``kubectl rollout status``'s words (kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go
DaemonSetStatusViewer), from the status the DaemonSet controller writes (kubernetes/kubernetes
pkg/controller/daemon/daemon_controller.go updateDaemonSetStatus; the emulator rolls as
pkg/controller/daemon/update.go rollingUpdate does, tests/emulators/kube/controllers/daemon_pods.py).
The DCGM exporter's pods are labelled app=nvidia-dcgm-exporter by the GPU Operator
(NVIDIA/gpu-operator assets/state-dcgm-exporter/0800_daemonset.yaml)."""

from __future__ import annotations

import json
from typing import Any

from akscli.doctor import rollout as doctor_rollout
from akscli.gpu import stack as gpu_stack
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_scheduling import node
from tests.ops.fakes import FakeReader

NS = "gpu-operator"
NAME = "nvidia-dcgm-exporter"
LABELS = {"app": NAME}


def _status(emu: Any) -> dict[str, Any]:
    return dict((emu.cluster.get("apps/v1", "DaemonSet", NS, NAME) or {}).get("status") or {})


def _exporter_rolling_onto_a_pod_no_node_fits(emu: Any) -> None:
    """The exporter on two nodes, then a template asking 64 CPUs: maxUnavailable 1 replaces one pod,
    whose new one stays Pending, and the other node keeps its old pod."""
    for name in ("node-0", "node-1"):
        emu.cluster.create(node(name))
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    container = {"name": "exporter", "image": "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04"}
    ds = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": NAME, "namespace": NS, "labels": LABELS},
        "spec": {
            "selector": {"matchLabels": LABELS},
            "template": {"metadata": {"labels": LABELS}, "spec": {"containers": [container]}},
        },
    }
    emu.cluster.create(ds)
    assert wait_until(lambda: _status(emu).get("numberAvailable") == 2)
    ds = emu.cluster.get("apps/v1", "DaemonSet", NS, NAME)
    ds["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "64"}}
    emu.cluster.update(ds)
    assert wait_until(lambda: _status(emu).get("updatedNumberScheduled") == 1)


def _metrics_checks() -> list[dict[str, Any]]:
    result = invoke("doctor", "--for", "gpu", "-o", "json")
    return [c for c in json.loads(result.stdout)["checks"] if c["component"] == "gpu-metrics"]


def test_an_exporter_daemonset_stuck_mid_rollout_is_named_in_kubectls_words(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    _exporter_rolling_onto_a_pod_no_node_fits(kube_emulator)
    [rollout] = [c for c in _metrics_checks() if c["check"] == f"rollout daemonset/{NAME}"]
    assert rollout["detail"] == (
        f'daemonset {NS}/{NAME}: Waiting for daemon set "{NAME}" rollout to finish: '
        "1 out of 2 new pods have been updated, 1 of 2 pods available"
    )
    assert rollout["fix"] == (
        f"kubectl rollout status daemonset/{NAME} -n {NS} follows it; "
        f"kubectl rollout undo daemonset/{NAME} -n {NS} goes back to the previous pod template"
    )


def test_an_exporter_rollout_that_leaves_a_pod_serving_is_a_warning(kube_emulator: Any, kubeconfig: Any) -> None:
    _exporter_rolling_onto_a_pod_no_node_fits(kube_emulator)
    [rollout] = [c for c in _metrics_checks() if c["check"] == f"rollout daemonset/{NAME}"]
    assert rollout["severity"] == "optional"


def _daemonset(strategy: str, updated: int, available: int) -> dict[str, Any]:
    return {
        "kind": "DaemonSet",
        "metadata": {"name": "nvidia-device-plugin-daemonset", "namespace": NS, "generation": 2},
        "spec": {"updateStrategy": {"type": strategy}},
        "status": {
            "observedGeneration": 2,
            "desiredNumberScheduled": 2,
            "updatedNumberScheduled": updated,
            "numberAvailable": available,
            "numberReady": available,
        },
    }


def test_an_on_delete_daemonset_is_no_rollout_finding() -> None:
    """kubectl rollout status follows only RollingUpdate DaemonSets; OnDelete replaces a pod only
    when it is deleted (kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go)."""
    assert doctor_rollout.daemonset_rollout(_daemonset("OnDelete", 0, 2)) is None


def test_a_daemonset_whose_pods_are_all_of_its_template_is_no_rollout_finding() -> None:
    assert doctor_rollout.daemonset_rollout(_daemonset("RollingUpdate", 2, 1)) is None


def test_a_daemonset_spec_not_observed_yet_says_so() -> None:
    ds = _daemonset("RollingUpdate", 2, 2)
    ds["status"]["observedGeneration"] = 1
    assert doctor_rollout.daemonset_rollout(ds) == (
        f"daemonset {NS}/nvidia-device-plugin-daemonset: Waiting for daemon set spec update to be observed",
        0,
    )


def test_the_gpu_operators_device_plugin_mid_rollout_is_a_baremetal_finding_with_no_extra_read() -> None:
    """The operand DaemonSet's status is already read for its ready count; the rollout comes from it."""
    reads: list[str] = []

    class Counting(FakeReader):
        def list(self, api_version: str, kind: str, **kwargs: Any) -> Any:
            reads.append(kind)
            return super().list(api_version, kind, **kwargs)

    nodes = gpu_stack.GpuNodes()
    rules = list(
        gpu_stack._daemonsets(
            Counting(), "devicePlugin", "nvidia-device-plugin-daemonset", [_daemonset("RollingUpdate", 1, 0)], NS, nodes
        )  # type: ignore[arg-type]
    )
    [rollout] = [r for r in rules if r.subject == "rollout daemonset/nvidia-device-plugin-daemonset"]
    assert rollout.severity == "error"  # no pod of the plugin is available
    assert rollout.message.startswith(
        f'daemonset {NS}/nvidia-device-plugin-daemonset: Waiting for daemon set "nvidia-device-plugin-daemonset" '
        "rollout to finish: 1 out of 2 new pods have been updated"
    )
    assert reads == ["Pod"]  # the operand pods the not-ready row lists, as before
