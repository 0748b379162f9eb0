"""What the store refuses before it writes: a create whose body carries a numeric resourceVersion
(500, kubernetes/apiserver 24a394e5 pkg/storage/etcd3/store.go Create) and a PUT whose body names
another object's uid (409, pkg/storage/interfaces.go Preconditions.Check through
pkg/storage/errors/storage.go InterpretUpdateError)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap, deployment, raw

CM = "/api/v1/namespaces/default/configmaps"
SET_ON_CREATE = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "resourceVersion should not be set on objects to be created",
    "code": 500,
}


def with_rv(obj: dict[str, Any], rv: str) -> dict[str, Any]:
    obj["metadata"]["resourceVersion"] = rv
    return obj


def uid_conflict(resource: str, name: str, key: str, given: str, stored: str) -> str:
    return (
        f'Operation cannot be fulfilled on {resource} "{name}": StorageError: invalid object, Code: 4, Key: {key}, '
        f"ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: {given}, "
        f"UID in object meta: {stored}"
    )


# ---- a resourceVersion on create ------------------------------------------------------------


def test_a_create_with_a_resource_version_is_500_and_stores_nothing(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CM, with_rv(configmap("a"), "42"))
    assert (r.status, r.json()) == (500, SET_ON_CREATE)
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "a") is None


def test_a_create_with_a_resource_version_is_refused_before_already_exists(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    r = raw(kube_emulator, "POST", CM, with_rv(configmap("a"), "42"))
    assert r.status == 500


def test_a_create_is_validated_before_its_resource_version_is_refused(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CM, with_rv(configmap("Not_Valid"), "42"))
    assert r.status == 422


@pytest.mark.parametrize("rv", ["0", "", "abc"])
def test_a_create_with_a_version_the_store_reads_as_none_succeeds(kube_emulator: KubeEmulator, rv: str) -> None:
    r = raw(kube_emulator, "POST", CM, with_rv(configmap("a"), rv))
    assert r.status == 201, r.body
    assert r.json()["metadata"]["resourceVersion"].isdigit()


def test_a_dry_run_create_answers_with_the_bodys_resource_version(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", f"{CM}?dryRun=All", with_rv(configmap("a"), "42"))
    assert r.status == 201, r.body
    assert r.json()["metadata"]["resourceVersion"] == "42"
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "a") is None


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_create_clears_a_manifests_resource_version_so_the_create_succeeds(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    # kubectl cannot show the 500: cli-runtime's resource.Helper.CreateWithOptions (modify=true, as
    # kubectl create calls it) sets the version to "" before it posts; the server refuses a raw POST
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(yaml.safe_dump(with_rv(configmap("a"), "42")), encoding="utf-8")
    r = subprocess.run(
        ["kubectl", "create", "-f", str(manifest)], capture_output=True, text=True, timeout=30, check=False
    )
    assert (r.returncode, r.stdout.strip()) == (0, "configmap/a created"), r.stderr


# ---- a uid precondition on PUT -------------------------------------------------------------


def test_a_put_naming_another_uid_is_409_and_changes_nothing(kube_emulator: KubeEmulator) -> None:
    cm = kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    uid = cm["metadata"]["uid"]
    body = configmap("a", data={"k": "two"})
    body["metadata"]["uid"] = "00000000-0000-0000-0000-000000000000"
    r = raw(kube_emulator, "PUT", f"{CM}/a", body)
    assert r.status == 409
    assert r.json()["reason"] == "Conflict"
    assert r.json()["message"] == uid_conflict(
        "configmaps", "a", "/registry/configmaps/default/a", "00000000-0000-0000-0000-000000000000", uid
    )
    stored = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")
    assert stored is not None and stored["data"] == {"k": "one"}


def test_a_put_naming_the_stored_uid_succeeds(kube_emulator: KubeEmulator) -> None:
    cm = kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    body = configmap("a", data={"k": "two"})
    body["metadata"]["uid"] = cm["metadata"]["uid"]
    assert raw(kube_emulator, "PUT", f"{CM}/a", body).status == 200


def test_the_uid_is_checked_before_the_resource_version(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("web"))
    body = with_rv(deployment("web"), "1")
    body["metadata"]["uid"] = "other"
    r = raw(kube_emulator, "PUT", "/apis/apps/v1/namespaces/default/deployments/web", body)
    assert r.status == 409
    assert "Key: /registry/deployments/default/web" in r.json()["message"]
    assert "UID in precondition: other" in r.json()["message"]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_replace_of_a_recreated_object_fails_on_its_old_uid(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    old = kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    kube_emulator.cluster.delete("v1", "ConfigMap", "default", "a")
    new = kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    body = configmap("a", data={"k": "two"})
    body["metadata"]["uid"] = old["metadata"]["uid"]
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(yaml.safe_dump(body), encoding="utf-8")
    r = subprocess.run(
        ["kubectl", "replace", "-f", str(manifest)], capture_output=True, text=True, timeout=30, check=False
    )
    assert r.returncode == 1
    message = uid_conflict(
        "configmaps", "a", "/registry/configmaps/default/a", old["metadata"]["uid"], new["metadata"]["uid"]
    )
    assert r.stderr.strip() == f'Error from server (Conflict): error when replacing "{manifest}": {message}'
