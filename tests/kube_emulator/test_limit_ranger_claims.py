"""A namespace's LimitRanges bound its PersistentVolumeClaims' storage requests as the LimitRanger
admission plugin does, on create and on update, and never default them (upstream:
kubernetes/kubernetes plugin/pkg/admission/limitranger/admission.go
PersistentVolumeClaimValidateLimitFunc, minConstraint, maxRequestConstraint)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw

CLAIMS = "/api/v1/namespaces/default/persistentvolumeclaims"
BOUNDS = {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "10Gi"}}


def limit_range(emu: KubeEmulator, *items: dict[str, Any]) -> None:
    body = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "storage"}, "spec": {"limits": list(items)}}
    r = raw(emu, "POST", "/api/v1/namespaces/default/limitranges", body)
    assert r.status == 201, r.body


def claim(storage: str | None, name: str = "data") -> dict[str, Any]:
    resources = {"requests": {"storage": storage}} if storage else {}
    spec = {"accessModes": ["ReadWriteOnce"], "resources": resources}
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": spec}


def refusal(emu: KubeEmulator, body: dict[str, Any]) -> str:
    r = raw(emu, "POST", CLAIMS, body)
    assert r.status == 403, r.body
    assert r.json()["details"] == {"name": body["metadata"]["name"], "kind": "persistentvolumeclaims"}
    return str(r.json()["message"])


def test_a_claim_within_the_bounds_is_created_unchanged(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, BOUNDS)
    r = raw(kube_emulator, "POST", CLAIMS, claim("5Gi"))
    assert r.status == 201, r.body
    assert r.json()["spec"]["resources"] == {"requests": {"storage": "5Gi"}}


def test_a_claim_above_the_max_is_refused(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, BOUNDS)
    assert refusal(kube_emulator, claim("20Gi")) == (
        'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, '
        "but request is 20Gi"
    )


def test_a_claim_below_the_min_is_refused(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, BOUNDS)
    assert refusal(kube_emulator, claim("500Mi")) == (
        'persistentvolumeclaims "data" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, '
        "but request is 500Mi"
    )


def test_container_items_do_not_bound_claims(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, {"type": "Container", "max": {"memory": "1Gi"}})
    assert raw(kube_emulator, "POST", CLAIMS, claim("100Gi")).status == 201


def test_a_resize_above_the_max_is_refused(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "POST", CLAIMS, claim("5Gi")).status == 201
    limit_range(kube_emulator, BOUNDS)
    patch = {"spec": {"resources": {"requests": {"storage": "50Gi"}}}}
    r = raw(kube_emulator, "PATCH", f"{CLAIMS}/data", patch, "application/merge-patch+json")
    assert r.status == 403
    assert "maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 50Gi" in r.json()["message"]


def test_a_status_update_is_not_bounded(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "POST", CLAIMS, claim("5Gi")).status == 201
    limit_range(kube_emulator, {"type": "PersistentVolumeClaim", "max": {"storage": "1Gi"}})
    patch = {"status": {"phase": "Bound", "capacity": {"storage": "5Gi"}}}
    r = raw(kube_emulator, "PATCH", f"{CLAIMS}/data/status", patch, "application/merge-patch+json")
    assert r.status == 200, r.body


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_prints_the_claim_refusal(kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path) -> None:
    limit_range(kube_emulator, BOUNDS)
    manifest = tmp_path / "claim.json"
    manifest.write_text(json.dumps(claim("20Gi")), "utf-8")
    r = subprocess.run(
        ["kubectl", "create", "-f", str(manifest)], capture_output=True, text=True, timeout=30, check=False
    )
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f'Error from server (Forbidden): error when creating "{manifest}": persistentvolumeclaims "data" is '
        "forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi"
    )
