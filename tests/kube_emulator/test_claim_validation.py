"""The API server refuses a PersistentVolumeClaim without access modes or a storage request, as
ValidatePersistentVolumeClaimSpec does, before any admission plugin sees it: a namespace's
LimitRange never answers for a claim validation refuses (kubernetes/kubernetes
pkg/apis/core/validation/validation.go; plugin/pkg/admission/limitranger runs after it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import kubectl_create, raw
from tests.kube_emulator.test_limit_ranger_claims import BOUNDS, CLAIMS, claim, limit_range


def refusal(emu: KubeEmulator, body: dict[str, Any]) -> list[tuple[str, str]]:
    r = raw(emu, "POST", CLAIMS, body)
    assert r.status == 422, r.body
    return [(c["field"], c["message"]) for c in r.json()["details"]["causes"]]


def test_a_claim_without_a_storage_request_is_invalid(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, claim(None)) == [("spec.resources[storage]", "Required value")]


def test_validation_refuses_before_the_limit_range(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, BOUNDS)
    assert refusal(kube_emulator, claim(None)) == [("spec.resources[storage]", "Required value")]


def test_a_claim_needs_an_access_mode(kube_emulator: KubeEmulator) -> None:
    body = claim("1Gi")
    body["spec"]["accessModes"] = []
    assert refusal(kube_emulator, body) == [("spec.accessModes", "Required value: at least 1 access mode is required")]


def test_an_unknown_access_mode_is_refused(kube_emulator: KubeEmulator) -> None:
    body = claim("1Gi")
    body["spec"]["accessModes"] = ["ReadWriteAll"]
    assert refusal(kube_emulator, body) == [
        (
            "spec.accessModes",
            'Unsupported value: "ReadWriteAll": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", '
            '"ReadWriteOncePod"',
        )
    ]


def test_read_write_once_pod_cannot_be_mixed(kube_emulator: KubeEmulator) -> None:
    body = claim("1Gi")
    body["spec"]["accessModes"] = ["ReadWriteOncePod", "ReadWriteOnce"]
    assert refusal(kube_emulator, body) == [
        ("spec.accessModes", "Forbidden: may not use ReadWriteOncePod with other access modes")
    ]


def test_a_zero_storage_request_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, claim("0Gi")) == [
        ("spec.resources[storage]", 'Invalid value: "0": must be greater than zero')
    ]


@pytest.mark.kubectl
def test_kubectl_prints_the_missing_storage(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    r = kubectl_create(claim(None))
    assert r.returncode == 1
    assert r.stderr.strip() == ('The PersistentVolumeClaim "data" is invalid: spec.resources[storage]: Required value')
