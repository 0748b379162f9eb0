"""Honest plans, masked secrets, exact retries and lost responses, against the emulator's faults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube import client as kube_client
from akscli.kube import retry
from akscli.kube.client import KubeTarget, RetryPolicy
from akscli.kube.connecting import connect
from tests.cli import invoke, start, stop

CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "fast"}}
RAY_WITH_AN_UNDECLARED_FIELD = {
    "apiVersion": "ray.io/v1",
    "kind": "RayCluster",
    "metadata": {"name": "demo"},
    "spec": {
        "rayVersion": "2.9.0",
        "notAField": True,
        "headGroupSpec": {
            "rayStartParams": {},
            "template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.9.0"}]}},
        },
    },
}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries wait through ``retry.sleep``: recorded here instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr(retry, "sleep", waited.append)
    monkeypatch.setattr(kube_client, "DEFAULT_RETRY", RetryPolicy(attempts=4, base_delay=0.01, deadline=20))
    return waited


def manifest(tmp_path: Path, *objects: dict[str, Any]) -> str:
    path = tmp_path / "objects.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)}))
    return str(path)


def requests(kube_emulator: Any, method: str, path_end: str) -> list[Any]:
    return [e for e in kube_emulator.request_log if e.method == method and e.path.endswith(path_end)]


# ---- the plan dry-runs every object -----------------------------------------------------------


def test_server_dry_run_rejects_a_new_invalid_object(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    result = invoke("apply", "-f", manifest(tmp_path, CONFIG_MAP, RAY_WITH_AN_UNDECLARED_FIELD), "--dry-run=server")
    assert result.exit_code == 2, result
    assert "notAField" in result.stderr and "will be created" not in result.stdout
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings") is None


def test_an_apply_with_one_invalid_new_object_changes_nothing(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    result = invoke("apply", "-f", manifest(tmp_path, CONFIG_MAP, RAY_WITH_AN_UNDECLARED_FIELD))
    assert result.exit_code == 2, result
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings") is None


def test_objects_in_a_namespace_the_apply_creates_are_dry_run_too(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-x"}}
    ray = json.loads(json.dumps(RAY_WITH_AN_UNDECLARED_FIELD))
    ray["metadata"]["namespace"] = "team-x"
    result = invoke("apply", "-f", manifest(tmp_path, namespace, ray), "--dry-run=server")
    assert result.exit_code == 2, result
    assert "notAField" in result.stderr
    assert kube_emulator.cluster.get("v1", "Namespace", None, "team-x") is None


def test_a_valid_new_set_is_planned_without_a_get_before_each_create(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-y"}}
    config_map = json.loads(json.dumps(CONFIG_MAP))
    config_map["metadata"]["namespace"] = "team-y"
    result = invoke("apply", "-f", manifest(tmp_path, namespace, config_map))
    assert result.exit_code == 0, result
    assert not requests(kube_emulator, "GET", "/configmaps/settings")
    assert not requests(kube_emulator, "GET", "/namespaces/team-y")
    assert kube_emulator.cluster.get("v1", "ConfigMap", "team-y", "settings") is not None


# ---- secrets never reach a plan --------------------------------------------------------------


def test_a_changed_secrets_values_are_masked_in_the_plan_and_its_json(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "data": {"password": "aHVudGVyMg=="}}
    assert invoke("apply", "-f", manifest(tmp_path, secret)).exit_code == 0
    secret["data"] = {"password": "c3dvcmRmaXNo", "user": "YWRtaW4="}
    shown = invoke("apply", "-f", manifest(tmp_path, secret), "--dry-run=server", "-o", "json")
    changed = invoke("apply", "-f", manifest(tmp_path, secret))
    for result in (shown, changed):
        assert result.exit_code == 0, result
        for value in ("aHVudGVyMg==", "c3dvcmRmaXNo", "YWRtaW4="):
            assert value not in result.stdout + result.stderr
    assert "data.password: *** (before) -> *** (after)" in changed.stderr
    # The server's answer is printed with the Secret's keys and masked values.
    assert json.loads(shown.stdout)["data"] == {"password": "***", "user": "***"}
    assert "data.user: ***" in shown.stderr


# ---- retries ---------------------------------------------------------------------------------


def test_an_undeclared_field_is_not_retried_and_is_named(kubeconfig: Path, kube_emulator: Any) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    with pytest.raises(errors.UsageError) as caught:
        kube.apply(RAY_WITH_AN_UNDECLARED_FIELD)
    assert ".spec.notAField: field not declared in schema" in caught.value.message
    assert "try again" not in (caught.value.hint or "")
    assert len(requests(kube_emulator, "PATCH", "/rayclusters/demo")) == 1


def test_writes_ask_the_server_for_strict_field_validation(kubeconfig: Path, kube_emulator: Any) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    kube.apply(CONFIG_MAP)
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "strict"}})
    writes = requests(kube_emulator, "PATCH", "/configmaps/settings") + requests(kube_emulator, "POST", "/namespaces")
    assert writes and all(e.query.get("fieldValidation") == ["Strict"] for e in writes)


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
def test_no_client_error_but_429_is_retried(kubeconfig: Path, kube_emulator: Any, status: int) -> None:
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/settings$", status=status, count=5)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    with pytest.raises(errors.AkscliError):
        kube.apply(CONFIG_MAP)
    assert len(requests(kube_emulator, "PATCH", "/configmaps/settings")) == 1


def test_retry_after_is_waited_as_the_server_asks_with_the_first_backoffs_jitter_on_top(
    kubeconfig: Path, kube_emulator: Any, fast_retries: list[float]
) -> None:
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/settings$", status=429, retry_after=12, count=1)
    connect(KubeTarget(kubeconfig=str(kubeconfig))).apply(CONFIG_MAP)
    assert len(fast_retries) == 1 and 12.0 <= fast_retries[0] <= 12.0 + 0.01  # the policy's base_delay
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings") is not None


def test_a_retry_after_beyond_the_retry_budget_fails_at_once(
    kubeconfig: Path, kube_emulator: Any, fast_retries: list[float]
) -> None:
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/settings$", status=429, retry_after=60, count=1)
    with pytest.raises(errors.AkscliError) as caught:
        connect(KubeTarget(kubeconfig=str(kubeconfig))).apply(CONFIG_MAP)
    assert fast_retries == []
    assert "asked to wait 60s" in (caught.value.hint or "")


def test_a_failed_apply_writes_an_audit_line_naming_its_objects(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/settings$", status=503, count=None, dry_run=False)
    result = invoke("apply", "-f", manifest(tmp_path, CONFIG_MAP), "--audit-log", str(log))
    assert result.exit_code != 0
    entry = json.loads(log.read_text().splitlines()[-1])
    assert entry["result"].startswith("failed")
    assert "configmap/settings" in json.dumps(entry["objects"])


def test_a_partial_failure_of_many_objects_is_one_short_line(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    maps = [{**CONFIG_MAP, "metadata": {"name": f"cm-{i:03d}-{'x' * 40}"}} for i in range(60)]
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/cm-0[1-5]", status=403, count=None, dry_run=False)
    result = invoke("apply", "-f", manifest(tmp_path, *maps), "--audit-log", str(log))
    assert result.exit_code != 0
    error_line = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert len(error_line) < 1000
    assert "Applied 10:" in error_line and "Not applied 50:" in error_line and "and 47 more" in error_line
    entry = json.loads(log.read_text().splitlines()[-1])
    outcomes = {o["object"]: o["result"] for o in entry["objects"]}
    assert len(outcomes) == 60
    assert sorted(set(outcomes.values())) == ["applied", "failed"]


# ---- a create whose response was lost ----------------------------------------------------------


def test_a_create_whose_response_was_lost_succeeds_when_the_object_is_ours(
    kubeconfig: Path, kube_emulator: Any
) -> None:
    kube_emulator.faults.add(verb="POST", path=r"/namespaces$", lose_response=True, count=1)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    created = kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "fresh"}})
    assert created["metadata"]["name"] == "fresh"
    assert len(requests(kube_emulator, "POST", "/namespaces")) == 2


def test_a_retried_create_meeting_someone_elses_object_is_still_a_conflict(
    kubeconfig: Path, kube_emulator: Any
) -> None:
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "taken"}})
    kube_emulator.faults.add(verb="POST", path=r"/namespaces$", drop_connection=True, count=1)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    with pytest.raises(errors.ConflictError):
        kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "taken"}})


# ---- races and mappings ------------------------------------------------------------------------


def test_wait_deleted_sees_a_deletion_between_its_list_and_its_watch(kubeconfig: Path, kube_emulator: Any) -> None:
    from akscli.kube.deletion import wait_deleted

    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    kube.apply(CONFIG_MAP)
    kube.watch_list = False  # a server that refuses watch-lists: a list, then a watch from its version
    real_list_pages = kube.list_pages
    versions: list[str] = []

    def list_then_delete(*args: Any, **kwargs: Any) -> Any:
        for page in real_list_pages(*args, **kwargs):
            versions.append(page["metadata"]["resourceVersion"])
            yield page
        # the deletion lands right after the list, before the watch starts
        kube_emulator.cluster.delete("v1", "ConfigMap", "default", "settings")

    kube.list_pages = list_then_delete  # type: ignore[method-assign]
    wait_deleted(kube, [{**CONFIG_MAP, "metadata": {"name": "settings", "namespace": "default"}}], timeout=5)
    watches = [e for e in kube_emulator.request_log if e.query.get("watch") == ["true"]]
    assert [e.query.get("resourceVersion") for e in watches] == [versions]  # one watch, from the list


def test_applying_into_a_terminating_namespace_says_so(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "leaving"}})
    kube_emulator.cluster.create(
        {**CONFIG_MAP, "metadata": {"name": "pin", "namespace": "leaving", "finalizers": ["example.com/hold"]}}
    )
    kube_emulator.cluster.delete("v1", "Namespace", None, "leaving")
    config_map = {**CONFIG_MAP, "metadata": {"name": "settings", "namespace": "leaving"}}
    result = invoke("apply", "-f", manifest(tmp_path, config_map))
    assert result.exit_code == 4, result
    assert "being terminated" in result.stderr
    assert "sign in" not in result.stderr and "credentials" not in result.stderr


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_an_apply_stopped_by_a_signal_writes_an_audit_line(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, signal_name: str
) -> None:
    import signal

    log = tmp_path / "audit.jsonl"
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/settings$", delay=20, count=1, dry_run=False)
    # --debug: should the child fail another way, its traceback is in the assertion's message. It
    # once exited 1 with "RuntimeError: release unlocked lock": the signal landed inside CPython's
    # threading code (akscli.concurrency says why, and now defers it; docs/changes/stopping.md).
    process = start("apply", "-f", manifest(tmp_path, CONFIG_MAP), "--audit-log", str(log), "--debug")
    seen: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            if line.startswith("applying"):
                break
        assert process.poll() is None, f"the apply ended before the signal: {''.join(seen)}"
        process.send_signal(getattr(signal, signal_name))
        _, rest = process.communicate(timeout=15)
        seen.append(rest or "")
    finally:
        stop(process)
    assert process.returncode == 130, "".join(seen)
    entry = json.loads(log.read_text().splitlines()[-1])
    assert entry["result"] == "interrupted"
    assert [o["object"] for o in entry["objects"]] == ["configmap/settings"]
