"""``follow_job`` follows a RayJob with kube/reflector.py's list-then-watch loop on its name: a
watch the server closes resumes from its last version, a 410 lists the name again, and no GET
is sent (upstream: kubernetes/client-go v0.35.0 tools/cache/reflector.go, tools/watch/until.go
UntilWithSync)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from akscli.errors import NotFoundError
from akscli.kube.wire import WatchExpired
from akscli.ray.follow import follow_job


def _job(rv: str, deployment: str, status: str) -> dict[str, Any]:
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": "train", "namespace": "default", "resourceVersion": rv},
        "status": {"jobDeploymentStatus": deployment, "jobStatus": status},
    }


class _Kube:
    """Lists the job running; its first watch sends one change and closes, the second expires (410);
    the relist finds it ``after`` (None: gone). It serves no watch-list: the reflector lists, then
    watches."""

    watch_list = False

    def __init__(self, after: dict[str, Any] | None) -> None:
        self.after = after
        self.lists: list[dict[str, Any]] = []
        self.watched_from: list[str | None] = []

    def get(self, *_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a GET was sent")

    def list_pages(self, *_args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.lists.append(kwargs)
        if len(self.lists) == 1:
            yield {"metadata": {"resourceVersion": "10"}, "items": [_job("10", "Running", "RUNNING")]}
        else:
            yield {"metadata": {"resourceVersion": "30"}, "items": [self.after] if self.after else []}

    def watch(self, *_args: Any, resource_version: str | None = None, **_kwargs: Any) -> Iterator[tuple[str, Any]]:
        self.watched_from.append(resource_version)
        if len(self.watched_from) == 1:
            yield "MODIFIED", _job("12", "Running", "RUNNING")
        else:
            raise WatchExpired("too old resource version")


def test_a_closed_watch_resumes_and_a_410_lists_the_job_by_name_without_a_get() -> None:
    kube = _Kube(_job("30", "Complete", "SUCCEEDED"))
    said: list[str] = []
    job = follow_job(kube, "default", "train", 10, said.append, diagnose_every=60)  # type: ignore[arg-type]
    assert job["metadata"]["resourceVersion"] == "30"
    assert kube.watched_from == ["10", "12"]
    assert [(q["field_selector"], q["consistent"]) for q in kube.lists] == [("metadata.name=train", True)] * 2
    assert said[-1].startswith("rayjob.ray.io/train: deployment Complete, job SUCCEEDED")


def test_a_job_deleted_in_a_410_gap_ends_the_follow_as_deleted() -> None:
    kube = _Kube(None)
    with pytest.raises(NotFoundError, match="Ray job train was deleted while waiting"):
        follow_job(kube, "default", "train", 10, lambda _line: None, diagnose_every=60)  # type: ignore[arg-type]


def test_a_job_the_list_does_not_have_is_not_found_with_the_list_hint() -> None:
    kube = _Kube(None)
    kube.lists.append({})  # the first list answers from ``after``: no such job
    with pytest.raises(NotFoundError, match="Ray job train not found in namespace default") as raised:
        follow_job(kube, "default", "train", 10, lambda _line: None)  # type: ignore[arg-type]
    assert raised.value.hint == "list them with: akscli ray job list -n default"


def test_a_follow_from_the_created_job_watches_from_its_version_and_lists_nothing() -> None:
    # client-go tools/watch/until.go Until from an initial version: every write after the create
    # arrives, a brief Retrying included, however late the follow starts.
    class Created(_Kube):
        def watch(self, *_args: Any, resource_version: str | None = None, **_kwargs: Any) -> Iterator[tuple[str, Any]]:
            self.watched_from.append(resource_version)
            yield "MODIFIED", _job("6", "Retrying", "FAILED")
            yield "MODIFIED", _job("9", "Complete", "SUCCEEDED")

    kube = Created(None)
    said: list[str] = []
    created = {**_job("5", "", ""), "status": {}}
    job = follow_job(kube, "default", "train", 10, said.append, diagnose_every=60, start=created)  # type: ignore[arg-type]
    assert (kube.lists, kube.watched_from, job["metadata"]["resourceVersion"]) == ([], ["5"], "9")
    assert [line.split(" [")[0] for line in said] == [
        "rayjob.ray.io/train: deployment New, job -",
        "rayjob.ray.io/train: deployment Retrying, job FAILED",
        "rayjob.ray.io/train: deployment Complete, job SUCCEEDED",
    ]
