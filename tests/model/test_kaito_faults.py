"""`model deploy --wait` and `model status` name the node whose NVIDIA device plugin KAITO waits on
(NodePluginsNotReady: kaito-project/kaito v0.12.0 pkg/workspace/resource/node.go
CheckIfNodePluginsReady) and its plugin pod, with what to do; `model status` gives a classified
inference failure's fix (workspace_controller.go classifyInferencePodFailure), and for an
InferenceSet both of these and the node pressure of each of its Workspaces."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from akscli.model import kaito_faults, live
from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO

Start = Callable[..., Any]
HELD = "NodePluginsNotReady"


def _until(check: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not check():
        time.sleep(0.05)
    return check()


def _workspace(emu: Any, name: str = "phi-4") -> dict[str, Any]:
    return emu.cluster.get(KAITO, "Workspace", "default", name) or {}


def _reason(ws: dict[str, Any], kind: str) -> str:
    return next((str(c.get("reason")) for c in ws.get("status", {}).get("conditions", []) if c["type"] == kind), "")


def _plugin_pod(emu: Any, node: str) -> None:
    """KAITO's chart's device plugin pod on ``node``, its container crash-looping."""
    labels = {"name": "nvidia-device-plugin-ds"}
    spec = {"nodeName": node, "containers": [{"name": "nvidia-device-plugin-ctr", "image": "k8s-device-plugin"}]}
    meta = {"name": "nvidia-device-plugin-daemonset-x7k2p", "namespace": "kube-system", "labels": labels}
    emu.cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
    # The emulator's kubelet starts it first; then its container keeps exiting.
    pod = lambda: emu.cluster.get("v1", "Pod", "kube-system", meta["name"]) or {}  # noqa: E731
    assert _until(lambda: pod().get("status", {}).get("phase") == "Running")
    waiting = {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}
    crash = {"name": "nvidia-device-plugin-ctr", "ready": False, "restartCount": 6, "state": {"waiting": waiting}}
    status = {"phase": "Running", "containerStatuses": [crash]}
    emu.cluster.patch_status("v1", "Pod", "kube-system", meta["name"], status)


def test_deploy_wait_names_the_node_whose_device_plugin_kaito_waits_on(model_emulator: Start) -> None:
    model_emulator(failure="plugins")
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "3s", "-y")
    assert result.exit_code == 5, result
    assert f"ResourceReady=False ({HELD}): waiting all node plugins to be ready" in result.stderr
    assert "advertises no nvidia.com/gpu, and no device plugin pod runs on it" in result.stderr
    assert "metadata.name=nvidia-device-plugin-daemonset" in result.stderr


def test_status_names_the_node_and_its_crash_looping_device_plugin_pod(model_emulator: Start) -> None:
    emu = model_emulator(failure="plugins")
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert _until(lambda: _reason(_workspace(emu), "ResourceReady") == HELD)
    [node] = _workspace(emu)["status"]["workerNodes"]
    _plugin_pod(emu, node)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["ready"] == 0
    warning = f"workspace.kaito.sh/phi-4 waits for the NVIDIA device plugin (KAITO's {HELD}): node {node} "
    assert warning in result.stderr
    assert "its device plugin pod kube-system/nvidia-device-plugin-daemonset-x7k2p is CrashLoopBackOff" in result.stderr
    assert "kubectl -n kube-system logs nvidia-device-plugin-daemonset-x7k2p --previous" in result.stderr


def test_status_names_the_cause_in_a_crash_looping_servers_previous_log(model_emulator: Start) -> None:
    emu = model_emulator(failure="inference")  # the simulator's server: CUDA out of memory
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert _until(lambda: _reason(_workspace(emu), "InferenceReady") == "ContainerCrashLoopBackOff")
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    said = "workspace.kaito.sh/phi-4 does not serve: KAITO's InferenceReady is ContainerCrashLoopBackOff: "
    assert said in result.stderr
    assert "the model does not fit the GPU's memory (CUDA out of memory) (its previous log says so)" in result.stderr


def test_status_says_the_node_cannot_reach_hugging_face_for_the_weights(model_emulator: Start) -> None:
    emu = model_emulator(failure="download")
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert _until(lambda: _reason(_workspace(emu), "InferenceReady") == "ContainerCrashLoopBackOff")
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    cause = "the server could not reach Hugging Face to download the weights (LocalEntryNotFoundError)"
    assert f"{cause} (its previous log says so): let the nodes reach huggingface.co" in result.stderr


def test_status_of_an_inference_set_names_its_workspaces_node_pressure(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    members = lambda: emu.cluster.list(KAITO, "Workspace", "default")  # noqa: E731
    assert _until(lambda: len(members()) == 2 and all(live.state_of(w) == "Ready" for w in members()))
    first = sorted(members(), key=lambda w: w["metadata"]["name"])[0]
    name = first["metadata"]["name"]
    [node] = first["status"]["workerNodes"]
    current = (emu.cluster.get("v1", "Node", None, node) or {})["status"]["conditions"]
    disk = {"type": "DiskPressure", "status": "True", "reason": "KubeletHasDiskPressure"}
    emu.cluster.patch_status("v1", "Node", None, node, {"conditions": [*current, disk]})
    # KAITO watches no Node: its next reconcile of the Workspace says it.
    emu.cluster.patch(KAITO, "Workspace", "default", name, {"metadata": {"annotations": {"touch": "1"}}})
    assert _until(lambda: kaito_faults.node_pressure(_workspace(emu, name)))
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert f"workspace.kaito.sh/{name} runs on nodes under kubelet resource pressure: {node} (DiskPressure)" in (
        result.stderr
    )


def test_status_of_an_inference_set_names_a_workspaces_device_plugin_wait(model_emulator: Start) -> None:
    emu = model_emulator(failure="plugins")
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    members = lambda: emu.cluster.list(KAITO, "Workspace", "default")  # noqa: E731
    assert _until(lambda: len(members()) == 2 and all(_reason(w, "ResourceReady") == HELD for w in members()))
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert result.stderr.count(f"waits for the NVIDIA device plugin (KAITO's {HELD})") == 2, result.stderr


def test_an_inference_sets_wait_names_the_device_plugin_its_workspace_waits_on(model_emulator: Start) -> None:
    model_emulator(failure="plugins")
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--wait", "--timeout", "3s", "-y")
    assert result.exit_code == 5, result
    assert f"waits for the NVIDIA device plugin (KAITO's {HELD}): node " in result.stderr
    assert "no device plugin pod runs on it" in result.stderr
