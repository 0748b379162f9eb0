"""The kubelet's volume manager for Secret, ConfigMap and projected volumes (controllers/kubelet_volumes.py):
a pod whose volume's object, or an ``items`` key of it, is missing stays ContainerCreating with the
kubelet's FailedMount (kubernetes/kubernetes pkg/volume/secret/secret.go, pkg/volume/configmap/
configmap.go SetUpAt and MakePayload; pkg/volume/projected/projected.go collectData;
pkg/volume/util/operationexecutor/operation_generator.go GenerateMountVolumeFunc), counted again at
each retry of the backoff (pkg/util/goroutinemap/exponentialbackoff/exponential_backoff.go), and
starts once the object is made; the 2m3s WaitForAttachAndMount timeout writes no event
(pkg/kubelet/kubelet.go SyncPod, `if !wait.Interrupted(err)`)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.kubelet_volumes import KubeletVolumes
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


def kubelet(emu: KubeEmulator) -> KubeletVolumes:
    return next(c for c in emu.controllers.controllers if isinstance(c, KubeletVolumes))


def made(kind: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "default"}, **fields}


def test_a_projected_volume_whose_config_map_is_missing_is_a_failed_mount(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    sources = [{"serviceAccountToken": {"path": "token"}}, {"configMap": {"name": "llm-config"}}]
    kube_emulator.cluster.create(mounting({"projected": {"sources": sources}}))
    expected = ("Warning", 'MountVolume.SetUp failed for volume "config" : configmap "llm-config" not found')
    assert wait_until(lambda: failed_mounts(kube_emulator) == [expected])
    assert web_pod(kube_emulator)["status"]["phase"] == "Pending"


def test_a_projected_volume_aggregates_each_missing_source_in_brackets(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    sources = [{"secret": {"name": "hf-token"}}, {"configMap": {"name": "llm-config"}}]
    kube_emulator.cluster.create(mounting({"projected": {"sources": sources}}))
    expected = (
        "Warning",
        'MountVolume.SetUp failed for volume "config" : '
        '[secret "hf-token" not found, configmap "llm-config" not found]',
    )
    assert wait_until(lambda: failed_mounts(kube_emulator) == [expected])


def test_an_optional_projected_source_does_not_hold_the_pod(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    sources = [{"secret": {"name": "hf-token", "optional": True}}, {"downwardAPI": {"items": []}}]
    kube_emulator.cluster.create(mounting({"projected": {"sources": sources}}))
    assert wait_until(lambda: web_pod(kube_emulator).get("status", {}).get("phase") == "Running")
    assert failed_mounts(kube_emulator) == []


def test_an_items_key_the_secret_lacks_is_a_failed_mount(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(made("Secret", "hf-token", data={"token": "eA=="}))
    items = [{"key": "hf_token", "path": "token"}]
    kube_emulator.cluster.create(mounting({"secret": {"secretName": "hf-token", "items": items}}))
    expected = (
        "Warning",
        'MountVolume.SetUp failed for volume "config" : references non-existent secret key: hf_token',
    )
    assert wait_until(lambda: failed_mounts(kube_emulator) == [expected])


def test_an_items_key_the_projected_config_map_lacks_is_a_failed_mount(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(made("ConfigMap", "llm-config", data={"model.yaml": "x"}))
    items = [{"key": "serve.yaml", "path": "serve.yaml"}]
    kube_emulator.cluster.create(
        mounting({"projected": {"sources": [{"configMap": {"name": "llm-config", "items": items}}]}})
    )
    expected = (
        "Warning",
        'MountVolume.SetUp failed for volume "config" : configmap references non-existent config key: serve.yaml',
    )
    assert wait_until(lambda: failed_mounts(kube_emulator) == [expected])


def test_the_pod_starts_once_the_missing_key_is_added(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(made("ConfigMap", "llm-config", data={"model.yaml": "x"}))
    items = [{"key": "serve.yaml", "path": "serve.yaml"}]
    kube_emulator.cluster.create(mounting({"configMap": {"name": "llm-config", "items": items}}))
    assert wait_until(lambda: bool(failed_mounts(kube_emulator)))
    kube_emulator.cluster.patch("v1", "ConfigMap", "default", "llm-config", {"data": {"serve.yaml": "y"}})
    assert wait_until(lambda: web_pod(kube_emulator).get("status", {}).get("phase") == "Running")


def mount_event_count(emu: KubeEmulator) -> int:
    found = [e for e in emu.cluster.list("v1", "Event", "default") if e["reason"] == "FailedMount"]
    return int(found[0]["count"]) if len(found) == 1 else -len(found)


def test_each_mount_retry_of_the_backoff_counts_the_failed_mount_again(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(mounting({"secret": {"secretName": "hf-token"}}))
    assert wait_until(lambda: mount_event_count(kube_emulator) == 1)
    # Retries 0.5, 1.5, 3.5, 7.5, 15.5, 31.5, 63.5, 127.5 and 249.5 s after the first try
    # (500 ms doubled each failure, at most 2m2s): 9 in 300 s, 10 FailedMount in all.
    kubelet(kube_emulator).advance(300)
    assert wait_until(lambda: mount_event_count(kube_emulator) == 10)


def test_the_kubelets_timed_out_mount_wait_writes_no_event(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(mounting({"secret": {"secretName": "hf-token"}}))
    assert wait_until(lambda: mount_event_count(kube_emulator) == 1)
    # Past podAttachAndMountTimeout (2m3s): the 7 retries up to 63.5 s counted, no other event.
    kubelet(kube_emulator).advance(2 * 60 + 3 + 1)
    assert wait_until(lambda: mount_event_count(kube_emulator) == 8)
    messages = [e["message"] for e in kube_emulator.cluster.list("v1", "Event", "default")]
    assert not [m for m in messages if m.startswith("Unable to attach or mount volumes")]
