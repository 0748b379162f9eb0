"""Waiting code resumes after a watch's resourceVersion was compacted (410 Gone): it lists the
name again, never GETs it (kube/reflector.py; upstream: kubernetes/client-go v0.35.0
tools/watch/until.go UntilWithSync)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from akscli.errors import NotFoundError
from akscli.fleet import approvals, drain
from akscli.kube.client import WatchExpired


class _ExpiringKube:
    """A hub whose first watch fails with 410 Gone; the object has moved on meanwhile. It serves no
    watch-list: the reflector lists, then watches."""

    watch_list = False

    def __init__(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        self.before, self.after = before, after
        self.gets = 0
        self.watches = 0
        self.lists: list[dict[str, Any]] = []

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        self.gets += 1
        return self.before

    def list_pages(self, *_args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.lists.append(kwargs)
        yield {"metadata": {"resourceVersion": "5"}, "items": [self.after]}

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


def test_waiting_for_the_next_gate_lists_the_run_by_name_after_410_without_a_get() -> None:
    kube = _ExpiringKube(
        _run([{"type": "Progressing", "status": "True"}]), _run([{"type": "Succeeded", "status": "True"}])
    )
    assert approvals.wait_for_next_gate(kube, "r", None, set(), timeout=5) == ("done", [])  # type: ignore[arg-type]
    assert (kube.gets, kube.watches) == (1, 1)  # the GET is the run the wait starts from
    assert [(q["field_selector"], q["consistent"]) for q in kube.lists] == [("metadata.name=r", True)]


def test_eviction_wait_lists_the_eviction_after_410_without_a_get() -> None:
    pending = {"metadata": {"name": "e", "resourceVersion": "1"}, "status": {}}
    done = {
        "metadata": {"name": "e"},
        "status": {
            "conditions": [{"type": "Valid", "status": "True"}, {"type": "Executed", "status": "True", "message": "ok"}]
        },
    }
    kube = _ExpiringKube(pending, done)
    result = drain.evict(kube, "llm", "m1", timeout=5)  # type: ignore[arg-type]
    assert (result.outcome, result.message) == ("Evicted", "ok")
    assert (kube.gets, len(kube.lists)) == (0, 1)


class _DeletingKube(_ExpiringKube):
    """A hub on which the followed object is deleted while akscli waits."""

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

    watch_list = False  # no watch-list: a list, then watches

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


class _GoneInTheGap(_ExpiringKube):
    """A hub whose watch expires (410) and whose relist no longer has the eviction."""

    def list_pages(self, *_args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.lists.append(kwargs)
        yield {"metadata": {"resourceVersion": "5"}, "items": []}


def test_an_eviction_deleted_during_a_410_gap_is_not_found_from_the_relist() -> None:
    pending = {"metadata": {"name": "e", "resourceVersion": "1"}, "status": {}}
    kube = _GoneInTheGap(pending, pending)
    with pytest.raises(NotFoundError, match="deleted while waiting"):
        drain.evict(kube, "llm", "m1", timeout=5)  # type: ignore[arg-type]
    assert (kube.gets, len(kube.lists)) == (0, 1)
