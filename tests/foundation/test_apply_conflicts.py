"""akscli's server-side apply conflict: one error line naming every conflicting field under its
manager, as the API server lists them (kubernetes/apimachinery pkg/util/managedfields/internal/
conflict.go getConflictMessage), and a hint with kubectl's ways out (kubernetes/kubectl
pkg/cmd/apply/apply.go: --force-conflicts, or leave the fields out of the manifest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube import client as kube_client
from akscli.kube.client import RetryPolicy
from akscli.kube.status import api_error
from tests.cli import invoke
from tests.foundation.test_exit_codes import DEPLOYMENT, write

TWO = (
    'Apply failed with 2 conflicts: conflicts with "kubectl-patch" using apps/v1: .spec.replicas; '
    'conflicts with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="main"].image'
)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kube_client, "DEFAULT_RETRY", RetryPolicy(attempts=2, base_delay=0.01, deadline=5))


def _two_conflicts(tmp_path: Path, emu: Any) -> Any:
    """kubectl patch set the replicas and kubectl set image the image after akscli applied them."""
    assert (
        invoke("apply", "-f", write(tmp_path, "a.yaml", DEPLOYMENT.format(replicas=1, digest="a" * 64))).exit_code == 0
    )
    emu.cluster.patch("apps/v1", "Deployment", "default", "web", {"spec": {"replicas": 4}}, manager="kubectl-patch")
    live = emu.cluster.get("apps/v1", "Deployment", "default", "web")
    containers = [{**live["spec"]["template"]["spec"]["containers"][0], "image": "nginx@sha256:" + "c" * 64}]
    template = {"spec": {"containers": containers}}
    emu.cluster.patch(
        "apps/v1", "Deployment", "default", "web", {"spec": {"template": template}}, manager="kubectl-set"
    )
    return invoke("apply", "-f", write(tmp_path, "b.yaml", DEPLOYMENT.format(replicas=2, digest="b" * 64)))


def test_two_conflicting_fields_are_named_with_their_managers_on_one_error_line(
    kubeconfig: Path, tmp_path: Path, kube_emulator: Any
) -> None:
    result = _two_conflicts(tmp_path, kube_emulator)
    assert result.exit_code == 4, result
    errors_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors_lines == [f"error: deployment.apps/web: {TWO}"]
    assert not [line for line in result.stderr.splitlines() if line.startswith("- ")]


def test_the_hint_gives_force_conflicts_and_the_manifest_edit(
    kubeconfig: Path, tmp_path: Path, kube_emulator: Any
) -> None:
    result = _two_conflicts(tmp_path, kube_emulator)
    assert (
        "hint: re-run with --force-conflicts to take these fields from their managers, or leave them out of "
        "the manifest to keep the live values"
    ) in result.stderr


def _status(message: str) -> str:
    return json.dumps({"kind": "Status", "code": 409, "reason": "Conflict", "message": message})


def test_akscli_s_own_update_among_several_conflicts_still_gets_its_own_hint() -> None:
    message = (
        'Apply failed with 2 conflicts: conflicts with "akscli" using ray.io/v1:\n'
        "- .spec.workerGroupSpecs\n"
        'conflicts with "python-requests" using ray.io/v1:\n'
        "- .spec.suspend"
    )
    error = api_error(409, _status(message))
    assert isinstance(error, errors.ConflictError)
    assert error.message == (
        'Apply failed with 2 conflicts: conflicts with "akscli" using ray.io/v1: .spec.workerGroupSpecs; '
        'conflicts with "python-requests" using ray.io/v1: .spec.suspend'
    )
    assert (error.hint or "").startswith("an akscli command that changes objects in place")


def test_a_conflict_message_of_another_shape_is_kept_whole_on_one_line() -> None:
    error = api_error(409, _status("Apply failed with 2 conflicts:\nsomething else\n  entirely"))
    assert error.message == "Apply failed with 2 conflicts: something else entirely"
