"""The order of an update's checks, as kube-apiserver runs them: the body is decoded (400), the
patch or the field manager makes the object and mutating admission changes it, then the store
checks the resourceVersion (a number: 500 where it is none, 422 where a custom resource gives
none, 409 where it is not the stored one), then the strategy validates (422) and validating
admission runs (upstream: kubernetes/apiserver 24a394e5 pkg/registry/generic/registry/store.go
Update, pkg/storage/api_object_versioner.go ObjectResourceVersion). Also PatchOptions.force
(refused on a non-apply patch whatever its value) and a dry-run apply that creates."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap, raw

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
CM = "/api/v1/namespaces/default/configmaps"
RC = "/apis/ray.io/v1/namespaces/default/rayclusters"
STALE = "the object has been modified; please apply your changes to the latest version and try again"
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


def stored(emu: KubeEmulator, name: str = "a") -> dict[str, Any]:
    cm = emu.cluster.get("v1", "ConfigMap", "default", name)
    assert cm is not None
    return cm


def with_rv(obj: dict[str, Any], rv: str) -> dict[str, Any]:
    obj["metadata"]["resourceVersion"] = rv
    return obj


def parse_failure(text: str) -> dict[str, Any]:
    # a plain Go error through ErrorToAPIStatus: 500, no reason, no details
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'strconv.ParseUint: parsing "{text}": invalid syntax',
        "code": 500,
    }


# ---- the order -------------------------------------------------------------------------


def test_a_body_that_cannot_be_decoded_is_400_before_a_stale_resource_version(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    body = with_rv(configmap("a"), "1")
    body["data"] = {"k": 1}
    r = raw(kube_emulator, "PUT", f"{CM}/a", body)
    assert r.status == 400
    assert r.json()["message"].startswith('ConfigMap in version "v1" cannot be handled as a ConfigMap')


def test_a_stale_resource_version_is_409_before_a_validation_error(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    r = raw(kube_emulator, "PUT", f"{CM}/a", with_rv(configmap("a", labels={"bad key!": "x"}), "1"))
    assert r.status == 409 and r.json()["message"] == f'Operation cannot be fulfilled on configmaps "a": {STALE}'


def test_a_strict_unknown_field_is_400_before_a_custom_resource_misses_its_resource_version(
    kube_emulator: KubeEmulator,
) -> None:
    kube_emulator.cluster.create(RAYCLUSTER)
    body = {**RAYCLUSTER, "spec": {**RAYCLUSTER["spec"], "notAField": 1}}
    r = raw(kube_emulator, "PUT", f"{RC}/rc?fieldValidation=Strict", body)
    assert r.status == 400
    assert r.json()["message"] == (
        'RayCluster in version "v1" cannot be handled as a RayCluster: strict decoding error: '
        'unknown field "spec.notAField"'
    )


# ---- what the store reads as a resourceVersion ------------------------------------------


def test_a_put_with_a_non_numeric_resource_version_is_a_500_with_go_parse_error(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    r = raw(kube_emulator, "PUT", f"{CM}/a", with_rv(configmap("a", data={"k": "two"}), "abc"))
    assert r.status == 500 and r.json() == parse_failure("abc")
    assert stored(kube_emulator)["data"] == {"k": "one"}


def test_a_non_numeric_resource_version_is_a_500_before_a_validation_error(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    r = raw(kube_emulator, "PUT", f"{CM}/a", with_rv(configmap("a", labels={"bad key!": "x"}), "abc"))
    assert r.status == 500 and r.json() == parse_failure("abc")


def test_a_merge_patch_setting_a_non_numeric_resource_version_is_a_500(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    r = raw(kube_emulator, "PATCH", f"{CM}/a", {"metadata": {"resourceVersion": "v2"}}, MERGE)
    assert r.status == 500 and r.json() == parse_failure("v2")


def test_an_apply_that_creates_with_a_non_numeric_resource_version_is_a_500_and_creates_nothing(
    kube_emulator: KubeEmulator,
) -> None:
    r = raw(kube_emulator, "PATCH", f"{CM}/new?fieldManager=alice", with_rv(configmap("new"), "abc"), APPLY)
    assert r.status == 500 and r.json() == parse_failure("abc")
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "new") is None


def test_a_put_with_resource_version_zero_is_unconditional_for_a_configmap(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    r = raw(kube_emulator, "PUT", f"{CM}/a", with_rv(configmap("a", data={"k": "two"}), "0"))
    assert r.status == 200 and r.json()["data"] == {"k": "two"}


def test_a_put_with_resource_version_zero_on_a_custom_resource_is_422(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(RAYCLUSTER)
    r = raw(
        kube_emulator, "PUT", f"{RC}/rc", {**RAYCLUSTER, "metadata": {**RAYCLUSTER["metadata"], "resourceVersion": "0"}}
    )
    assert r.status == 422
    assert r.json()["message"] == (
        'rayclusters.ray.io "rc" is invalid: '
        "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"
    )


def test_resource_versions_are_compared_as_numbers(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    padded = "00" + stored(kube_emulator)["metadata"]["resourceVersion"]
    r = raw(kube_emulator, "PUT", f"{CM}/a", with_rv(configmap("a", data={"k": "two"}), padded))
    assert r.status == 200 and r.json()["data"] == {"k": "two"}


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_replace_with_a_non_numeric_resource_version_fails_with_the_parse_error(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(yaml.safe_dump(with_rv(configmap("a", data={"k": "two"}), "abc")), encoding="utf-8")
    r = subprocess.run(
        ["kubectl", "replace", "-f", str(manifest)], capture_output=True, text=True, timeout=30, check=False
    )
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f'Error from server: error when replacing "{manifest}": strconv.ParseUint: parsing "abc": invalid syntax'
    )
    assert stored(kube_emulator)["data"] == {"k": "one"}


# ---- PatchOptions.force ------------------------------------------------------------------

FORCE_FORBIDDEN = 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'


@pytest.mark.parametrize("value", ["false", "0", ""])
def test_any_force_on_a_merge_patch_is_refused_false_included(kube_emulator: KubeEmulator, value: str) -> None:
    kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    r = raw(kube_emulator, "PATCH", f"{CM}/a?force={value}", {"data": {"k": "two"}}, MERGE)
    assert r.status == 422 and r.json()["message"] == FORCE_FORBIDDEN
    assert stored(kube_emulator)["data"] == {"k": "one"}


def test_force_with_any_value_but_false_or_zero_forces_an_apply(kube_emulator: KubeEmulator) -> None:
    # Convert_Slice_string_To_Pointer_bool: "yes" is true
    raw(kube_emulator, "PATCH", f"{CM}/a?fieldManager=alice", configmap("a", data={"k": "one"}), APPLY)
    r = raw(kube_emulator, "PATCH", f"{CM}/a?fieldManager=bob&force=yes", configmap("a", data={"k": "two"}), APPLY)
    assert r.status == 200 and r.json()["data"] == {"k": "two"}


# ---- a dry-run apply that creates ---------------------------------------------------------


def test_a_dry_run_apply_that_creates_answers_with_the_applied_resource_version_a_uid_and_a_time(
    kube_emulator: KubeEmulator,
) -> None:
    # a dry run skips the storage, which would drop the version (PrepareObjectForStorage)
    r = raw(kube_emulator, "PATCH", f"{CM}/new?fieldManager=alice&dryRun=All", with_rv(configmap("new"), "42"), APPLY)
    assert r.status == 201
    md = r.json()["metadata"]
    assert md["resourceVersion"] == "42" and md["uid"] and md["creationTimestamp"]
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "new") is None


def test_a_dry_run_apply_that_creates_without_a_resource_version_answers_with_none(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "PATCH", f"{CM}/new?fieldManager=alice&dryRun=All", configmap("new"), APPLY)
    assert r.status == 201 and "resourceVersion" not in r.json()["metadata"]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_server_dry_run_apply_of_a_new_object_shows_the_manifest_resource_version(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(yaml.safe_dump(with_rv(configmap("new"), "42")), encoding="utf-8")
    r = subprocess.run(
        ["kubectl", "apply", "--server-side", "--dry-run=server", "-o", "yaml", "-f", str(manifest)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    md = yaml.safe_load(r.stdout)["metadata"]
    assert md["resourceVersion"] == "42" and md["uid"]
