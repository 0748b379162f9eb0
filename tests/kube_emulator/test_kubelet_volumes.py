"""The kubelet's volume manager for Secret and ConfigMap volumes (controllers/kubelet_volumes.py):
a pod whose volume's object is missing stays ContainerCreating with the kubelet's FailedMount
(kubernetes/kubernetes pkg/volume/secret/secret.go, pkg/volume/configmap/configmap.go SetUpAt;
pkg/volume/util/operationexecutor/operation_generator.go GenerateMountVolumeFunc), and starts once
the object is made."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import a_node, deployment


def mounting(volume: dict[str, Any]) -> dict[str, Any]:
    """A one-pod Deployment `web` whose pod mounts ``volume`` as `config`."""
    dep = deployment("web", replicas=1)
    dep["spec"]["template"]["spec"]["volumes"] = [{"name": "config", **volume}]
    return dep


def web_pod(emu: KubeEmulator) -> dict[str, Any]:
    found = emu.cluster.list("v1", "Pod", "default", label_selector="app=web")
    return found[0] if found else {}


def failed_mounts(emu: KubeEmulator) -> list[tuple[str, str]]:
    found = [e for e in emu.cluster.list("v1", "Event", "default") if e["reason"] == "FailedMount"]
    return [(e["type"], e["message"]) for e in found]


def test_a_pod_whose_secret_volume_is_missing_waits_in_container_creating(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(mounting({"secret": {"secretName": "hf-token"}}))
    assert wait_until(lambda: bool(web_pod(kube_emulator)))
    status = web_pod(kube_emulator)["status"]
    assert status["phase"] == "Pending"
    assert [c["state"] for c in status["containerStatuses"]] == [{"waiting": {"reason": "ContainerCreating"}}]
    assert web_pod(kube_emulator)["spec"]["nodeName"]


def test_a_missing_secret_volume_is_a_failed_mount_event(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(mounting({"secret": {"secretName": "hf-token"}}))
    expected = ("Warning", 'MountVolume.SetUp failed for volume "config" : secret "hf-token" not found')
    assert wait_until(lambda: failed_mounts(kube_emulator) == [expected])


def test_a_missing_config_map_volume_is_a_failed_mount_event(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(mounting({"configMap": {"name": "llm-config"}}))
    expected = ("Warning", 'MountVolume.SetUp failed for volume "config" : configmap "llm-config" not found')
    assert wait_until(lambda: failed_mounts(kube_emulator) == [expected])


def test_an_optional_missing_volume_does_not_hold_the_pod(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(mounting({"secret": {"secretName": "hf-token", "optional": True}}))
    assert wait_until(lambda: web_pod(kube_emulator).get("status", {}).get("phase") == "Running")
    assert failed_mounts(kube_emulator) == []


def test_the_pod_starts_once_its_secret_is_made(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(mounting({"secret": {"secretName": "hf-token"}}))
    assert wait_until(lambda: bool(failed_mounts(kube_emulator)))
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "hf-token", "namespace": "default"}}
    kube_emulator.cluster.create({**secret, "data": {"token": "eA=="}})
    assert wait_until(lambda: web_pod(kube_emulator).get("status", {}).get("phase") == "Running")
    ready = [c for c in web_pod(kube_emulator)["status"]["conditions"] if c["type"] == "Ready"]
    assert ready[0]["status"] == "True"
