"""A device plugin installed without the GPU Operator, and a plugin pod that crash-loops, for the
device manager tests (the simulator: tests/emulators/kube/controllers/device_manager.py)."""

from __future__ import annotations

from typing import Any

# upstream: MicrosoftDocs/azure-aks-docs fb060abe6 articles/aks/use-nvidia-gpu.md, the manifest AKS
# asks for where AKS installs the driver only: NVIDIA/k8s-device-plugin's
# deployments/static/nvidia-device-plugin.yml in namespace gpu-resources, tolerating AKS's sku=gpu taint.
STANDALONE = "nvidia-device-plugin-daemonset"
STANDALONE_LABEL = "name=nvidia-device-plugin-ds"
NAMESPACE = "gpu-resources"


def install_standalone(emu: Any) -> None:
    """The namespace and the DaemonSet, as the doc's kubectl create namespace and kubectl apply do."""
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    emu.cluster.create(standalone_daemonset())
    assert emu.idle(10.0)


def standalone_daemonset() -> dict[str, Any]:
    labels = {"name": "nvidia-device-plugin-ds"}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": STANDALONE, "namespace": NAMESPACE},
        "spec": {
            "selector": {"matchLabels": labels},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "tolerations": [{"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}],
                    "priorityClassName": "system-node-critical",
                    "containers": [
                        {"name": "nvidia-device-plugin-ctr", "image": "nvcr.io/nvidia/k8s-device-plugin:v0.18.0"}
                    ],
                },
            },
        },
    }


def plugin_pod(emu: Any, node: str, namespace: str, selector: str) -> dict[str, Any]:
    [pod] = [
        p
        for p in emu.cluster.list("v1", "Pod", namespace=namespace, label_selector=selector)
        if p["spec"].get("nodeName") == node and not p["metadata"].get("deletionTimestamp")
    ]
    return pod  # type: ignore[no-any-return]


def crash(emu: Any, pod: dict[str, Any]) -> None:
    """The plugin's container exits and the kubelet backs off restarting it (CrashLoopBackOff, as
    kubectl shows it: waiting after a termination)."""
    container = pod["spec"]["containers"][0]
    status = {
        "conditions": [{"type": "Ready", "status": "False"}],
        "containerStatuses": [
            {
                "name": container["name"],
                "image": container["image"],
                "ready": False,
                "restartCount": 4,
                "state": {
                    "waiting": {"reason": "CrashLoopBackOff", "message": "back-off 1m20s restarting failed container"}
                },
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
            }
        ],
    }
    emu.cluster.patch_status("v1", "Pod", pod["metadata"]["namespace"], pod["metadata"]["name"], status)


def recover(emu: Any, pod: dict[str, Any]) -> None:
    """The plugin's container runs again and is ready (it registers with the kubelet)."""
    container = pod["spec"]["containers"][0]
    status = {
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [
            {
                "name": container["name"],
                "image": container["image"],
                "ready": True,
                "restartCount": 5,
                "state": {"running": {"startedAt": "2026-12-05T12:00:00Z"}},
            }
        ],
    }
    emu.cluster.patch_status("v1", "Pod", pod["metadata"]["namespace"], pod["metadata"]["name"], status)
