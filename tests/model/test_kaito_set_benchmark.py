"""A KAITO InferenceSet whose members serve but whose benchmark failed: KAITO counts those members
not ready, so InferenceSetReady stays False (upstream: kaito-project/kaito v0.12.0 0894eb2b
pkg/inferenceset/inferenceset_controller.go addOrUpdateInferenceSet, aggregateBenchmarkResults;
pkg/workspace/controllers/metrics.go DetermineWorkspacePhase). akscli reads the set's Workspaces
(one list and watch by the label KAITO lists them by, pkg/utils/inferenceset/inferenceset.go
ListWorkspaces) and calls the set ready, with a warning naming the member and how to see why."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from akscli.kube import readiness
from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO

Start = Callable[..., Any]
WHY = "pod default/phi-4-abcde-0: no KAITO_BENCHMARK_RESULT line found in pod logs"


def _cond(ctype: str, status: str, reason: str, message: str = "") -> dict[str, Any]:
    return {"type": ctype, "status": status, "reason": reason, "message": message, "observedGeneration": 1}


def _set(reason: str = "inferencesetNotReady", replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": KAITO,
        "kind": "InferenceSet",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 1},
        "spec": {"replicas": replicas},
        "status": {"conditions": [_cond("InferenceSetReady", "False", reason, "inferenceset is not ready")]},
    }


def _member(name: str, succeeded: dict[str, Any], inference: str = "True") -> dict[str, Any]:
    return {
        "apiVersion": KAITO,
        "kind": "Workspace",
        "metadata": {"name": name, "namespace": "default", "generation": 1},
        "status": {
            "conditions": [
                _cond("ResourceReady", "True", "workspaceResourceStatusSuccess"),
                _cond("InferenceReady", inference, "WorkspaceInferenceStatusSuccess"),
                succeeded,
            ]
        },
    }


BENCHMARK_FAILED = _cond("WorkspaceSucceeded", "False", "BenchmarkFailed", WHY)
SUCCEEDED = _cond("WorkspaceSucceeded", "True", "workspaceSucceeded", "workspace succeeds")


def test_a_set_whose_members_serve_but_one_benchmark_failed_is_ready_with_a_warning() -> None:
    members = [_member("phi-4-abcde", BENCHMARK_FAILED), _member("phi-4-fghjk", SUCCEEDED)]
    verdict = readiness.check_with_members(_set(), members)
    assert verdict.ready
    assert verdict.warning.startswith(
        "serves requests on 2/2 replicas, but KAITO's benchmark of workspace.kaito.sh/phi-4-abcde"
    )
    assert f"BenchmarkFailed: {WHY}" in verdict.warning
    assert "kubectl logs phi-4-abcde-0 -n default -c phi-4-abcde | grep KAITO_BENCHMARK" in verdict.warning


def test_a_set_with_a_member_that_does_not_serve_is_not_ready() -> None:
    members = [_member("phi-4-abcde", BENCHMARK_FAILED, inference="False"), _member("phi-4-fghjk", SUCCEEDED)]
    assert not readiness.check_with_members(_set(), members).ready


def test_a_set_with_fewer_members_than_replicas_is_not_ready() -> None:
    assert not readiness.check_with_members(_set(), [_member("phi-4-abcde", BENCHMARK_FAILED)]).ready


def test_a_set_kaito_failed_for_another_reason_is_not_ready() -> None:
    # ensureGatewayAPIInferenceExtension's failure: InferenceSetReady False inferencesetFailed.
    members = [_member("phi-4-abcde", BENCHMARK_FAILED), _member("phi-4-fghjk", SUCCEEDED)]
    assert not readiness.check_with_members(_set("inferencesetFailed"), members).ready


def test_a_set_is_judged_on_its_own_conditions_without_members() -> None:
    # The plain rule (no members read) follows KAITO: the set is not ready.
    assert not readiness.check(_set()).ready


def test_deploy_wait_of_a_set_ends_ready_and_warns_when_only_the_benchmark_failed(model_emulator: Start) -> None:
    emu = model_emulator(failure="benchmark")
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    assert (
        "inferenceset.kaito.sh/phi-4 serves requests on 2/2 replicas, "
        "but KAITO's benchmark of workspace.kaito.sh/phi-4-" in result.stderr
    )
    assert "(and 1 more)" in result.stderr
    iset = emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4")
    ready = {c["type"]: c for c in iset["status"]["conditions"]}["InferenceSetReady"]
    assert (ready["status"], ready["reason"]) == ("False", "inferencesetNotReady")


def test_deploy_wait_reads_the_members_by_label_never_one_by_one(model_emulator: Start) -> None:
    emu = model_emulator(failure="benchmark")
    emu.request_log.clear()
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    # The simulator works on the store directly: every request here is akscli's.
    reads = emu.requests(method="GET", path="/workspaces")
    assert reads, "the wait read no Workspace"
    assert all(r.query.get("labelSelector") == ["inferenceset.kaito.sh/created-by=phi-4"] for r in reads), reads
    assert all(r.verb in ("list", "watch") for r in reads), reads


def _wait_for(emu: Any, kind: str, name: str, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    obj = None
    while time.monotonic() < deadline:
        obj = emu.cluster.get(KAITO, kind, "default", name)
        if obj is not None and done(obj):
            return dict(obj)
        time.sleep(0.05)
    raise AssertionError(f"{kind}/{name} never got there: {obj}")


def test_model_status_of_such_a_set_counts_every_replica_ready_and_warns(model_emulator: Start) -> None:
    emu = model_emulator(failure="benchmark")
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    label = "inferenceset.kaito.sh/created-by=phi-4"

    def both_failed(_: dict[str, Any]) -> bool:
        found = emu.cluster.list(KAITO, "Workspace", "default", label_selector=label)
        return len(found) == 2 and all(readiness.check(ws).warning for ws in found)

    _wait_for(emu, "InferenceSet", "phi-4", both_failed)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    doc = json.loads(result.stdout)
    assert (doc["ready"], doc["desired"], doc["state"]) == (2, 2, "inferencesetNotReady")
    assert "inferenceset.kaito.sh/phi-4 serves requests on 2/2 replicas" in result.stderr
    assert doc["warning"].startswith("inferenceset.kaito.sh/phi-4 serves requests")


def test_model_list_counts_every_replica_of_such_a_set_ready(model_emulator: Start) -> None:
    emu = model_emulator(failure="benchmark")
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    label = "inferenceset.kaito.sh/created-by=phi-4"

    def both_failed(_: dict[str, Any]) -> bool:
        found = emu.cluster.list(KAITO, "Workspace", "default", label_selector=label)
        return len(found) == 2 and all(readiness.check(ws).warning for ws in found)

    _wait_for(emu, "InferenceSet", "phi-4", both_failed)
    result = invoke("model", "list", "-o", "json")
    assert result.exit_code == 0, result
    (row,) = [r for r in json.loads(result.stdout)["items"] if r["name"] == "phi-4"]
    assert (row["ready"], row["desired"], row["kind"]) == (2, 2, "InferenceSet")


def test_deploy_wait_of_a_set_with_one_failed_benchmark_names_that_member(model_emulator: Start) -> None:
    emu = model_emulator(failure="benchmark-one")
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    label = "inferenceset.kaito.sh/created-by=phi-4"
    first = min(ws["metadata"]["name"] for ws in emu.cluster.list(KAITO, "Workspace", "default", label_selector=label))
    said = f"serves requests on 2/2 replicas, but KAITO's benchmark of workspace.kaito.sh/{first} failed"
    assert said in result.stderr
