"""Waiting code resumes after a watch's resourceVersion was compacted (410 Gone)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from akscli.errors import NotFoundError
from akscli.fleet import drain, rollout
from akscli.kube.client import WatchExpired


class _ExpiringKube:
    """A hub whose first watch fails with 410 Gone; the object has moved on meanwhile."""

    def __init__(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        self.before, self.after = before, after
        self.gets = 0
        self.watches = 0

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        self.gets += 1
        return self.before if self.gets == 1 else self.after

    def create(self, obj: Any, *, dry_run: bool = False) -> dict[str, Any]:
        return self.before

    def watch(self, *args: Any, **kwargs: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        self.watches += 1
        raise WatchExpired("too old resource version")


def _run(conditions: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "kind": "ClusterStagedUpdateRun",
        "metadata": {"name": "r", "resourceVersion": "1"},
        "spec": {},
        "status": {"conditions": conditions},
    }


def test_waiting_for_the_next_gate_re_reads_the_run_after_410() -> None:
    kube = _ExpiringKube(
        _run([{"type": "Progressing", "status": "True"}]), _run([{"type": "Succeeded", "status": "True"}])
    )
    assert rollout.wait_for_next_gate(kube, "r", None, set(), timeout=5) == ("done", [])  # type: ignore[arg-type]
    assert kube.watches == 1


def test_eviction_wait_re_reads_the_eviction_after_410() -> None:
    pending = {"metadata": {"name": "e", "resourceVersion": "1"}, "status": {}}
    done = {
        "metadata": {"name": "e"},
        "status": {
            "conditions": [{"type": "Valid", "status": "True"}, {"type": "Executed", "status": "True", "message": "ok"}]
        },
    }
    kube = _ExpiringKube(pending, done)
    kube.gets = 1  # create() returned the pending eviction; the next get sees it executed
    result = drain.evict(kube, "llm", "m1", timeout=5)  # type: ignore[arg-type]
    assert (result.outcome, result.message) == ("Evicted", "ok")


class _DeletingKube(_ExpiringKube):
    """A hub on which the followed object is deleted while akscli waits."""

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return None

    def watch(self, *args: Any, **kwargs: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        self.watches += 1
        yield "DELETED", self.before


def test_an_eviction_deleted_while_waiting_is_not_found_instead_of_timing_out() -> None:
    pending = {"metadata": {"name": "e", "resourceVersion": "1"}, "status": {}}
    kube = _DeletingKube(pending, pending)
    with pytest.raises(NotFoundError, match="deleted while waiting"):
        drain.evict(kube, "llm", "m1", timeout=5)  # type: ignore[arg-type]


class _ClosingHub:
    """A hub whose first watch sends one BOOKMARK and ends normally (timeoutSeconds)."""

    def __init__(self, done: dict[str, Any]) -> None:
        self.done = done
        self.gets = 0
        self.watched_from: list[str | None] = []

    def get(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.gets += 1
        return self.done

    def watch(self, *args: Any, resource_version: str | None = None, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        self.watched_from.append(resource_version)
        if len(self.watched_from) == 1:
            yield "BOOKMARK", {"kind": "ClusterStagedUpdateRun", "metadata": {"resourceVersion": "7"}}
        else:
            yield "MODIFIED", self.done


def test_a_hub_wait_resumes_a_closed_watch_from_its_bookmark_without_reading_again() -> None:
    # kubernetes/client-go v0.35.0 tools/cache/reflector.go: a closed watch is resumed from the
    # last version seen (a Bookmark's too); only an expired one lists again.
    from akscli.errors import WaitTimeoutError
    from akscli.fleet import hub

    done = _run([{"type": "Succeeded", "status": "True"}]) | {"metadata": {"name": "r", "resourceVersion": "9"}}
    kube = _ClosingHub(done)
    found = hub.follow(
        kube,  # type: ignore[arg-type]
        "placement.kubernetes-fleet.io/v1",
        "ClusterStagedUpdateRun",
        "r",
        None,
        _run([{"type": "Progressing", "status": "True"}]),
        lambda run: "done" if hub.conditions(run.get("status") or {}).get("Succeeded") else None,
        timeout=5,
        timeout_error=lambda: WaitTimeoutError("timed out"),
    )
    assert found == "done"
    assert (kube.watched_from, kube.gets) == (["1", "7"], 0)
