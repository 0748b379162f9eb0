"""The API server refuses a pod template whose volumes or volume mounts cannot work, with
ValidateVolumes' and ValidateVolumeMounts' texts (tests/emulators/kube/pod_volume_validation.py
names the functions; upstream's cases: validation_test.go TestValidateVolumeMounts "name not
found", "empty mountpath", "mountpath collision", TestValidateVolumes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import deployment, kubectl_create, raw

AT = "spec.template.spec"
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def web(volumes: list[dict[str, Any]], mounts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body = deployment("web", replicas=1)
    spec = body["spec"]["template"]["spec"]
    spec["volumes"] = volumes
    if mounts is not None:
        spec["containers"][0]["volumeMounts"] = mounts
    return body


def refusal(emu: KubeEmulator, body: dict[str, Any]) -> list[tuple[str, str]]:
    r = raw(emu, "POST", "/apis/apps/v1/namespaces/default/deployments", body)
    assert r.status == 422, r.body
    return [(c["field"], c["message"]) for c in r.json()["details"]["causes"]]


def created(emu: KubeEmulator, body: dict[str, Any]) -> dict[str, Any]:
    r = raw(emu, "POST", "/apis/apps/v1/namespaces/default/deployments", body)
    assert r.status == 201, r.body
    result: dict[str, Any] = r.json()
    return result


CACHE = {"name": "cache", "emptyDir": {}}


def test_a_mount_of_a_volume_the_pod_does_not_have_is_refused(kube_emulator: KubeEmulator) -> None:
    body = web([CACHE], [{"name": "weights", "mountPath": "/models"}])
    assert refusal(kube_emulator, body) == [(f"{AT}.containers[0].volumeMounts[0].name", 'Not found: "weights"')]


def test_a_mount_without_a_path_is_refused(kube_emulator: KubeEmulator) -> None:
    body = web([CACHE], [{"name": "cache", "mountPath": ""}])
    assert refusal(kube_emulator, body) == [(f"{AT}.containers[0].volumeMounts[0].mountPath", "Required value")]


def test_two_mounts_at_one_path_are_refused_on_the_second(kube_emulator: KubeEmulator) -> None:
    volumes = [CACHE, {"name": "shm", "emptyDir": {"medium": "Memory"}}]
    body = web(volumes, [{"name": "cache", "mountPath": "/data"}, {"name": "shm", "mountPath": "/data"}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].volumeMounts[1].mountPath", 'Invalid value: "/data": must be unique')
    ]


def test_a_sub_path_that_leaves_the_volume_is_refused_at_upstreams_path(kube_emulator: KubeEmulator) -> None:
    # upstream names the list, not the item: fldPath.Child("subPath")
    body = web([CACHE], [{"name": "cache", "mountPath": "/data", "subPath": "../etc"}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].volumeMounts.subPath", "Invalid value: \"../etc\": must not contain '..'")
    ]


def test_a_volume_name_that_is_no_dns_label_is_refused_and_cannot_be_mounted(kube_emulator: KubeEmulator) -> None:
    body = web([{"name": "Model_Cache", "emptyDir": {}}], [{"name": "Model_Cache", "mountPath": "/cache"}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.volumes[0].name", f'Invalid value: "Model_Cache": {LABEL_MSG}'),
        (f"{AT}.containers[0].volumeMounts[0].name", 'Not found: "Model_Cache"'),
    ]


def test_two_volumes_of_one_name_are_refused_on_the_second(kube_emulator: KubeEmulator) -> None:
    body = web([CACHE, {"name": "cache", "configMap": {"name": "cfg"}}])
    assert refusal(kube_emulator, body) == [(f"{AT}.volumes[1].name", 'Duplicate value: "cache"')]


def test_a_config_map_volume_needs_the_config_maps_name(kube_emulator: KubeEmulator) -> None:
    body = web([{"name": "cfg", "configMap": {"items": [{"key": "a", "path": "a"}]}}])
    assert refusal(kube_emulator, body) == [(f"{AT}.volumes[0].configMap.name", "Required value")]


def test_a_secret_volume_needs_a_secret_name_and_a_file_mode_up_to_0777(kube_emulator: KubeEmulator) -> None:
    body = web([{"name": "ssh", "secret": {"defaultMode": 1000}}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.volumes[0].secret.secretName", "Required value"),
        (
            f"{AT}.volumes[0].secret.defaultMode",
            "Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive",
        ),
    ]


def test_an_item_of_a_config_map_volume_must_be_a_relative_path(kube_emulator: KubeEmulator) -> None:
    body = web([{"name": "cfg", "configMap": {"name": "cfg", "items": [{"key": "a", "path": "/etc/a"}]}}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.volumes[0].configMap.items[0].path", 'Invalid value: "/etc/a": must be a relative path')
    ]


def test_a_claim_volume_needs_the_claims_name(kube_emulator: KubeEmulator) -> None:
    body = web([{"name": "data", "persistentVolumeClaim": {"claimName": ""}}])
    assert refusal(kube_emulator, body) == [(f"{AT}.volumes[0].persistentVolumeClaim.claimName", "Required value")]


def test_a_host_path_volume_needs_a_path_without_backsteps_and_a_known_type(kube_emulator: KubeEmulator) -> None:
    body = web(
        [
            {"name": "a", "hostPath": {"path": ""}},
            {"name": "b", "hostPath": {"path": "/var/../etc", "type": "Folder"}},
        ]
    )
    supported = '"", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"'
    assert refusal(kube_emulator, body) == [
        (f"{AT}.volumes[0].hostPath.path", "Required value"),
        (f"{AT}.volumes[1].hostPath.path", "Invalid value: \"/var/../etc\": must not contain '..'"),
        (f"{AT}.volumes[1].hostPath.type", f'Unsupported value: "Folder": supported values: {supported}'),
    ]


def test_an_ephemeral_volumes_claim_template_is_checked_as_a_claim(kube_emulator: KubeEmulator) -> None:
    template = {"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {}}}}
    body = web([{"name": "weights", "ephemeral": {"volumeClaimTemplate": template}}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.volumes[0].ephemeral.volumeClaimTemplate.spec.resources[storage]", "Required value")
    ]


def test_the_volumes_akscli_mounts_are_accepted(kube_emulator: KubeEmulator) -> None:
    volumes = [
        {"name": "script", "configMap": {"name": "run-script", "items": [{"key": "run.sh", "path": "run.sh"}]}},
        {"name": "ssh", "secret": {"secretName": "run-ssh", "defaultMode": 256}},
        {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
        {"name": "host-sys", "hostPath": {"path": "/sys"}},
    ]
    mounts = [{"name": v["name"], "mountPath": f"/mnt/{v['name']}"} for v in volumes]
    spec = created(kube_emulator, web(volumes, mounts))["spec"]["template"]["spec"]
    assert [m["name"] for m in spec["containers"][0]["volumeMounts"]] == ["script", "ssh", "dshm", "host-sys"]


@pytest.mark.kubectl
def test_kubectl_prints_the_mount_refusal(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    r = kubectl_create(web([CACHE], [{"name": "weights", "mountPath": "/models"}]))
    assert r.returncode == 1
    assert r.stderr.strip() == (
        'The Deployment "web" is invalid: spec.template.spec.containers[0].volumeMounts[0].name: Not found: "weights"'
    )
