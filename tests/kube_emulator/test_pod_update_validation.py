"""A stored Pod's spec is immutable but for images, activeDeadlineSeconds, tolerations additions
and schedulingGates removals, as kube-apiserver's pod strategy validates an update (upstream:
kubernetes/kubernetes pkg/registry/core/pod/strategy.go ValidateUpdate, pkg/apis/core/validation/
validation.go ValidatePodUpdate); held by the real kubectl where installed, and by the emulator's
own client where the rule has no kubectl surface worth a process."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.status import ApiError

from .test_kubectl_fidelity import kubectl

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")

FIELDS = (
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)


def pod(name: str = "p", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": "node-1", "containers": [{"name": "main", "image": "busybox"}], **spec},
    }


def refused(emu: KubeEmulator, patch: dict[str, Any]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        emu.cluster.patch("v1", "Pod", "default", "p", patch)
    assert caught.value.code == 422
    return caught.value


@needs_kubectl
@pytest.mark.kubectl
def test_kubectl_patch_of_the_node_name_is_refused_with_upstreams_message(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(pod())
    r = kubectl("patch", "pod", "p", "-p", '{"spec":{"nodeName":"node-2"}}')
    assert r.returncode == 1
    first = r.stderr.splitlines()[0]
    assert first == f'The Pod "p" is invalid: spec: Forbidden: {FIELDS}'
    assert '+ nodeName: "node-2"' in r.stderr
    assert kube_emulator.cluster.get("v1", "Pod", "default", "p")["spec"]["nodeName"] == "node-1"


@needs_kubectl
@pytest.mark.kubectl
def test_kubectl_patch_of_an_image_is_accepted(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(pod())
    r = kubectl("patch", "pod", "p", "-p", '{"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}')
    assert r.returncode == 0, r.stderr
    assert kube_emulator.cluster.get("v1", "Pod", "default", "p")["spec"]["containers"][0]["image"] == "busybox:1.37"


@needs_kubectl
@pytest.mark.kubectl
def test_kubectl_replace_of_the_stored_pod_and_a_label_are_accepted(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(pod())
    stored = kubectl("get", "pod", "p", "-o", "yaml")
    r = kubectl("label", "pod", "p", "team=a")
    assert r.returncode == 0, r.stderr
    assert stored.returncode == 0
    again = kubectl("get", "pod", "p", "-o", "yaml").stdout
    path = kubeconfig.parent / "p.yaml"
    path.write_text(again, encoding="utf-8")
    r = kubectl("replace", "-f", str(path))
    assert r.returncode == 0, r.stderr


@needs_kubectl
@pytest.mark.kubectl
def test_kubectl_adding_a_scheduling_gate_is_refused(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(pod(nodeName=None, schedulingGates=[{"name": "a"}]))
    r = kubectl(
        "patch", "pod", "p", "--type=json", "-p", '[{"op":"add","path":"/spec/schedulingGates/-","value":{"name":"b"}}]'
    )
    assert r.returncode == 1
    assert r.stderr.strip() == (
        'The Pod "p" is invalid: spec.schedulingGates[1].name: Forbidden: only deletion is allowed, '
        "but found new scheduling gate 'b'"
    )


def test_removing_a_scheduling_gate_is_accepted(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pod(nodeName=None, schedulingGates=[{"name": "a"}, {"name": "b"}]))
    kube_emulator.cluster.json_patch("v1", "Pod", "default", "p", [{"op": "remove", "path": "/spec/schedulingGates/0"}])
    assert kube_emulator.cluster.get("v1", "Pod", "default", "p")["spec"]["schedulingGates"] == [{"name": "b"}]


def test_a_resources_change_is_refused(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pod())
    patch = {"spec": {"containers": [{"name": "main", "image": "busybox", "resources": {"limits": {"cpu": "1"}}}]}}
    err = refused(kube_emulator, patch)
    assert str(err.message).startswith(f'Pod "p" is invalid: spec: Forbidden: {FIELDS}')


def test_adding_a_container_is_refused_alone(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pod())
    containers = [{"name": "main", "image": "busybox"}, {"name": "side", "image": "busybox"}]
    err = refused(kube_emulator, {"spec": {"containers": containers}})
    assert err.message == 'Pod "p" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers'


def test_active_deadline_may_be_set_and_lowered_but_not_raised(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pod())
    kube_emulator.cluster.patch("v1", "Pod", "default", "p", {"spec": {"activeDeadlineSeconds": 100}})
    kube_emulator.cluster.patch("v1", "Pod", "default", "p", {"spec": {"activeDeadlineSeconds": 50}})
    err = refused(kube_emulator, {"spec": {"activeDeadlineSeconds": 60}})
    assert err.message == (
        'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 60: '
        "must be less than or equal to previous value"
    )


def test_active_deadline_may_not_be_removed(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pod(activeDeadlineSeconds=100))
    err = refused(kube_emulator, {"spec": {"activeDeadlineSeconds": None}})
    assert err.message == (
        'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: "null": '
        "must not update from a positive integer to nil value"
    )


def test_a_toleration_may_be_added_but_not_changed(kube_emulator: KubeEmulator) -> None:
    gpu = {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}
    kube_emulator.cluster.create(pod(tolerations=[gpu]))
    spot = {"key": "kubernetes.azure.com/scalesetpriority", "operator": "Exists", "effect": "NoSchedule"}
    kube_emulator.cluster.patch("v1", "Pod", "default", "p", {"spec": {"tolerations": [gpu, spot]}})
    err = refused(kube_emulator, {"spec": {"tolerations": [{**gpu, "value": "cpu"}, spot]}})
    assert err.message == (
        'Pod "p" is invalid: spec.tolerations: Forbidden: existing toleration can not be modified except its '
        "tolerationSeconds"
    )


def test_a_status_write_is_not_held_to_the_spec_rules(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pod())
    out = kube_emulator.cluster.patch_status("v1", "Pod", "default", "p", {"phase": "Running"})
    assert out["status"]["phase"] == "Running"


def test_a_pod_has_no_generation_on_the_emulators_v1_32(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pod())
    kube_emulator.cluster.patch("v1", "Pod", "default", "p", {"spec": {"activeDeadlineSeconds": 30}})
    assert "generation" not in kube_emulator.cluster.get("v1", "Pod", "default", "p")["metadata"]
