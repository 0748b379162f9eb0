"""Server-side apply as the API server does it, where the emulator once did less: a
resourceVersion in the applied config is a precondition (kubernetes/apiserver
pkg/registry/generic/registry/store.go Update), and a manager is its name with its operation, so
an applier's own Update under the same name is another manager (kubernetes-sigs/
structured-merge-diff merge/update.go). Each behaviour is also shown through the real kubectl."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap, raw

APPLY = "application/apply-patch+yaml"
CM = "/api/v1/namespaces/default/configmaps"
STALE = "the object has been modified; please apply your changes to the latest version and try again"


def apply(emu: KubeEmulator, name: str, obj: dict[str, Any], manager: str = "alice", extra: str = "") -> Any:
    return raw(emu, "PATCH", f"{CM}/{name}?fieldManager={manager}{extra}", obj, APPLY)


def with_rv(obj: dict[str, Any], rv: str) -> dict[str, Any]:
    obj["metadata"]["resourceVersion"] = rv
    return obj


def stored_rv(emu: KubeEmulator, name: str) -> str:
    cm = emu.cluster.get("v1", "ConfigMap", "default", name)
    assert cm is not None
    return str(cm["metadata"]["resourceVersion"])


def test_apply_with_a_stale_resource_version_is_409_and_changes_nothing(kube_emulator: KubeEmulator) -> None:
    rv = apply(kube_emulator, "a", configmap("a", data={"k": "one"})).json()["metadata"]["resourceVersion"]
    kube_emulator.cluster.patch("v1", "ConfigMap", "default", "a", {"data": {"other": "theirs"}})
    r = apply(kube_emulator, "a", with_rv(configmap("a", data={"k": "mine"}), rv))
    assert r.status == 409
    assert r.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'Operation cannot be fulfilled on configmaps "a": {STALE}',
        "reason": "Conflict",
        "details": {"name": "a", "kind": "configmaps"},
        "code": 409,
    }
    cm = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")
    assert cm is not None and cm["data"] == {"k": "one", "other": "theirs"}


def test_apply_with_the_current_resource_version_applies(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, "a", configmap("a", data={"k": "one"}))
    r = apply(kube_emulator, "a", with_rv(configmap("a", data={"k": "two"}), stored_rv(kube_emulator, "a")))
    assert r.status == 200 and r.json()["data"] == {"k": "two"}


def test_dry_run_apply_checks_the_resource_version_too(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, "a", configmap("a", data={"k": "one"}))
    r = apply(kube_emulator, "a", with_rv(configmap("a", data={"k": "two"}), "1"), extra="&dryRun=All")
    assert r.status == 409 and r.json()["reason"] == "Conflict"


def test_apply_that_creates_ignores_the_resource_version(kube_emulator: KubeEmulator) -> None:
    r = apply(kube_emulator, "new", with_rv(configmap("new"), "12345"))
    assert r.status == 201 and r.json()["metadata"]["resourceVersion"] != "12345"


def test_a_field_manager_conflict_is_reported_before_a_stale_resource_version(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, "a", configmap("a", data={"k": "one"}))
    r = apply(kube_emulator, "a", with_rv(configmap("a", data={"k": "two"}), "1"), manager="bob")
    assert r.status == 409 and r.json()["message"] == 'Apply failed with 1 conflict: conflict with "alice": .data.k'


def test_forced_apply_with_a_stale_resource_version_is_still_409(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, "a", configmap("a", data={"k": "one"}))
    r = apply(kube_emulator, "a", with_rv(configmap("a", data={"k": "two"}), "1"), manager="bob", extra="&force=true")
    assert r.status == 409 and STALE in r.json()["message"]
    cm = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")
    assert cm is not None and cm["data"] == {"k": "one"}


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_server_side_apply_with_a_stale_resource_version_fails_as_against_a_real_server(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    # kubectl sends the manifest's metadata.resourceVersion as it is; on the 409 it prints the
    # Status message, then its own advice for conflicts (kubernetes/kubectl pkg/cmd/apply/apply.go,
    # errors.IsConflict), and exits 1.
    apply(kube_emulator, "a", configmap("a", data={"k": "one"}))
    stale = stored_rv(kube_emulator, "a")
    kube_emulator.cluster.patch("v1", "ConfigMap", "default", "a", {"data": {"other": "theirs"}})
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(yaml.safe_dump(with_rv(configmap("a", data={"k": "mine"}), stale)), encoding="utf-8")
    r = subprocess.run(
        ["kubectl", "apply", "--server-side", "--field-manager=alice", "-f", str(manifest)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert r.returncode == 1
    assert f'error: Operation cannot be fulfilled on configmaps "a": {STALE}' in r.stderr
    assert "Please review the fields above--they currently have other managers." in r.stderr
    cm = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")
    assert cm is not None and cm["data"] == {"k": "one", "other": "theirs"}


def test_an_applier_conflicts_with_its_own_earlier_update_under_the_same_name(kube_emulator: KubeEmulator) -> None:
    # "alice" applying and "alice" patching are two managers: the identifier holds the operation.
    apply(kube_emulator, "a", configmap("a", data={"k": "one"}))
    raw(kube_emulator, "PATCH", f"{CM}/a?fieldManager=alice", {"data": {"k": "two"}}, "application/merge-patch+json")
    r = apply(kube_emulator, "a", configmap("a", data={"k": "three"}))
    assert r.status == 409
    assert r.json()["message"] == 'Apply failed with 1 conflict: conflict with "alice" using v1: .data.k'


def test_an_applier_keeps_a_value_its_own_update_set_without_conflict(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, "a", configmap("a", data={"k": "one"}))
    raw(kube_emulator, "PATCH", f"{CM}/a?fieldManager=alice", {"data": {"k": "two"}}, "application/merge-patch+json")
    r = apply(kube_emulator, "a", configmap("a", data={"k": "two"}))
    assert r.status == 200 and r.json()["data"] == {"k": "two"}


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_apply_after_its_own_patch_conflicts_as_against_a_real_server(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(yaml.safe_dump(configmap("a", data={"k": "one"})), encoding="utf-8")

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)

    assert kubectl("apply", "--server-side", "--field-manager=deployer", "-f", str(manifest)).returncode == 0
    patched = kubectl("patch", "configmap", "a", "--field-manager=deployer", "-p", '{"data":{"k":"two"}}')
    assert patched.returncode == 0, patched.stderr
    r = kubectl("apply", "--server-side", "--field-manager=deployer", "-f", str(manifest))
    assert r.returncode == 1
    assert 'error: Apply failed with 1 conflict: conflict with "deployer" using v1: .data.k' in r.stderr


def test_force_on_a_merge_patch_is_an_invalid_patch_options_422(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, "a", configmap("a"))
    r = raw(kube_emulator, "PATCH", f"{CM}/a?fieldManager=m&force=true", b"not json", "application/merge-patch+json")
    assert r.status == 422
    body = r.json()
    assert (
        body["message"]
        == 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'
    )
    assert body["details"] == {
        "group": "meta.k8s.io",
        "kind": "PatchOptions",
        "causes": [
            {
                "reason": "FieldValueForbidden",
                "message": "Forbidden: may not be specified for non-apply patch",
                "field": "force",
            }
        ],
    }


RAYCLUSTER = {
    "apiVersion": "ray.io/v1",
    "kind": "RayCluster",
    "metadata": {"name": "rc", "namespace": "default"},
    "spec": {
        "headGroupSpec": {
            "rayStartParams": {},
            "template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.41.0"}]}},
        }
    },
}
RC = "/apis/ray.io/v1/namespaces/default/rayclusters"
NO_VERSION = "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"


def test_put_of_a_custom_resource_without_a_resource_version_is_422(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(RAYCLUSTER)
    r = raw(kube_emulator, "PUT", f"{RC}/rc", RAYCLUSTER)
    assert r.status == 422
    body = r.json()
    assert body["message"] == f'rayclusters.ray.io "rc" is invalid: {NO_VERSION}'
    assert body["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "message": "Invalid value: 0x0: must be specified for an update",
            "field": "metadata.resourceVersion",
        }
    ]


def test_put_of_a_configmap_without_a_resource_version_is_unconditional(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, "a", configmap("a", data={"k": "one"}))
    r = raw(kube_emulator, "PUT", f"{CM}/a", configmap("a", data={"k": "two"}))
    assert r.status == 200 and r.json()["data"] == {"k": "two"}


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_raw_replace_of_a_custom_resource_without_a_resource_version_fails(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    # (a plain kubectl replace reads the stored resourceVersion first: cli-runtime Helper.Replace)
    kube_emulator.cluster.create(RAYCLUSTER)
    manifest = tmp_path / "rc.json"
    manifest.write_text(json.dumps(RAYCLUSTER), encoding="utf-8")
    r = subprocess.run(
        ["kubectl", "replace", "--raw", f"{RC}/rc", "-f", str(manifest)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert r.returncode == 1
    assert r.stderr.strip() == f'The rayclusters "rc" is invalid: {NO_VERSION}'
