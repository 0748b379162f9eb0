"""Lists and watches that outlive their resourceVersion: an expired continue token, a list a
watch resumes from, a watch the server ends normally (upstream: kubernetes/apiserver v0.35.0
pkg/storage/etcd3/errors.go; kubernetes/client-go v0.35.0 tools/cache/reflector.go)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from akscli.baremetal import pods
from akscli.kube import wait
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.baremetal.nodes import small_cpu_node
from tests.kube_emulator.helpers import deployment

# The root CA publisher's ConfigMap, in every namespace of a real cluster (the emulator's
# namespace_defaults.py): the namespace's lists and watches have it too.
ROOT_CA = "kube-root-ca.crt"


def configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}}


def compact_before_second_list(kube_emulator: Any) -> None:
    """etcd compacts the list's snapshot between its first and second page."""
    seen: list[int] = []

    def before() -> None:
        seen.append(1)
        if len(seen) == 2:
            kube_emulator.compact()

    kube_emulator.faults.add(verb="list", path="/configmaps", before=before, count=None)


def test_a_list_whose_snapshot_expires_goes_on_with_the_servers_token(kubeconfig: Path, kube_emulator: Any) -> None:
    for i in range(5):
        kube_emulator.cluster.create(configmap(f"cm-{i}"))
    compact_before_second_list(kube_emulator)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    names = [o["metadata"]["name"] for o in kube.list("v1", "ConfigMap", page_size=2)]
    assert names == [*(f"cm-{i}" for i in range(5)), ROOT_CA]


def test_a_list_that_goes_on_with_the_servers_token_says_so_on_stderr(
    kubeconfig: Path, kube_emulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # The rest is read at a later version: the list is not one snapshot, and the user hears of it
    # (kubectl get fails here with the Expired error; akscli goes on, paged).
    for i in range(5):
        kube_emulator.cluster.create(configmap(f"cm-{i}"))
    compact_before_second_list(kube_emulator)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    assert len(list(kube.list("v1", "ConfigMap", page_size=2))) == 6  # and ROOT_CA
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "warning: the list of configmaps expired while paging: the rest is from a later version, not one snapshot\n"
    )


def test_a_wait_lists_again_when_its_list_expires(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.cluster.create(configmap("ready"))
    kube_emulator.faults.add(verb="list", path="/configmaps", status=410, message="too old resource version: 1 (2)")
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    kube.watch_list = False  # a server that refuses watch-lists: the reflector lists page by page
    wait.wait_for(kube, [configmap("ready")], timeout=10)
    assert len(kube_emulator.requests(verb="list", path="/configmaps")) == 2


class _ClosingKube:
    """A cluster whose watches end normally (timeoutSeconds) after one event each; it serves no
    watch-list, so the reflector lists page by page."""

    watch_list = False

    def __init__(self) -> None:
        self.lists = 0
        self.watched_from: list[str | None] = []

    def list_pages(self, *_args: Any, **_kwargs: Any) -> Iterator[dict[str, Any]]:
        self.lists += 1
        yield {"metadata": {"resourceVersion": "10"}, "items": []}

    def watch(self, *_args: Any, resource_version: str | None = None, **_kwargs: Any) -> Iterator[tuple[str, Any]]:
        self.watched_from.append(resource_version)
        rv = str(11 + len(self.watched_from))
        yield "ADDED", {"metadata": {"name": f"p{rv}", "resourceVersion": rv}, "status": {"phase": "Running"}}


def test_pod_events_resume_a_normally_closed_watch_from_the_last_version() -> None:
    import time

    kube = _ClosingKube()
    events = pods.pod_events(kube, "default", "app=x", time.monotonic() + 30)  # type: ignore[arg-type]
    seen = [next(events)["metadata"]["name"] for _ in range(3)]
    assert seen == ["p12", "p13", "p14"]
    assert (kube.lists, kube.watched_from) == (1, ["10", "12", "13"])


def test_a_watch_the_server_ends_at_once_backs_off_before_the_next(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.kube import retry, streams

    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    monkeypatch.setattr(streams, "watch_events", lambda raw: iter(()))  # closed with nothing in it
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    assert list(kube.watch("v1", "ConfigMap", timeout_seconds=1)) == []
    assert len(slept) == 1 and 0.8 <= slept[0] <= 1.6


def test_a_watch_that_delivered_events_is_watched_again_at_once(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.kube import retry

    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    kube_emulator.cluster.create(configmap("a"))
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    added = [o["metadata"]["name"] for e, o in kube.watch("v1", "ConfigMap", timeout_seconds=1) if e == "ADDED"]
    assert added == ["a", ROOT_CA]
    assert slept == []


def in_stream(kube_emulator: Any, status: int, count: int | None = 1, retry_after: float | None = None) -> None:
    kube_emulator.faults.add(
        verb="watch", path="/configmaps", status=status, in_stream=True, count=count, retry_after=retry_after
    )


def test_an_in_stream_500_ends_the_watch_after_a_jittered_backoff(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.kube import retry

    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    in_stream(kube_emulator, 500)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    assert list(kube.watch("v1", "ConfigMap", timeout_seconds=1)) == []
    assert len(slept) == 1 and 0 <= slept[0] <= kube.retry.base_delay


def test_an_in_stream_429_waits_its_retry_after(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.kube import retry

    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    in_stream(kube_emulator, 429, retry_after=3)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    assert list(kube.watch("v1", "ConfigMap", timeout_seconds=1)) == []
    assert len(slept) == 1 and 3.0 <= slept[0] <= 3.0 + kube.retry.base_delay


def test_in_stream_errors_in_a_row_end_in_one_error_after_the_policys_attempts(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli import errors
    from akscli.kube import retry

    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    in_stream(kube_emulator, 503, count=None)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    for _ in range(kube.retry.attempts - 1):
        assert list(kube.watch("v1", "ConfigMap", timeout_seconds=1)) == []
    with pytest.raises(errors.AkscliError) as caught:
        list(kube.watch("v1", "ConfigMap", timeout_seconds=1))
    assert (caught.value.attempts, len(slept)) == (kube.retry.attempts, kube.retry.attempts - 1)
    assert "\n" not in caught.value.message


def test_a_wait_rides_out_an_in_stream_error(kube_emulator_factory: Any, tmp_path: Path) -> None:
    from akscli.cli.common import apply_objects

    emu = kube_emulator_factory(controller_delay=1.0)
    emu.cluster.create(small_cpu_node())  # the Deployment's pod is Ready only on a node
    emu.faults.add(verb="watch", path="/deployments", status=500, in_stream=True)
    target = KubeTarget(kubeconfig=str(emu.write_kubeconfig(tmp_path / "config")))
    apply_objects([deployment("web", replicas=1)], stack="demo", target=target, yes=True, wait=True, timeout="30s")
    assert len(emu.requests(verb="watch", path="/deployments")) >= 2


def test_a_429_on_a_later_list_page_is_waited_out_and_the_list_goes_on(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.kube import retry

    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    for i in range(4):
        kube_emulator.cluster.create(configmap(f"cm-{i}"))
    pages = connect(KubeTarget(kubeconfig=str(kubeconfig))).list_pages("v1", "ConfigMap", page_size=2)
    first = next(pages)
    kube_emulator.faults.add(verb="list", path="/configmaps", status=429, retry_after=2)
    names = [o["metadata"]["name"] for page in [first, *pages] for o in page["items"]]
    assert names == [*(f"cm-{i}" for i in range(4)), ROOT_CA]
    assert len(slept) == 1 and 2.0 <= slept[0] <= 2.0 + retry.RetryPolicy().base_delay


def test_a_watch_request_answered_503_is_retried_before_it_streams(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.kube import retry

    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    kube_emulator.cluster.create(configmap("a"))
    kube_emulator.faults.add(verb="watch", path="/configmaps", status=503, count=2)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    added = [o["metadata"]["name"] for e, o in kube.watch("v1", "ConfigMap", timeout_seconds=1) if e == "ADDED"]
    assert added == ["a", ROOT_CA]
    assert len(slept) == 2


def test_a_list_page_that_keeps_failing_is_one_error_after_the_policys_attempts(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli import errors
    from akscli.kube import retry

    monkeypatch.setattr(retry, "sleep", lambda _s: None)
    kube_emulator.faults.add(verb="list", path="/configmaps", status=500, count=None, message="etcdserver: timeout")
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    with pytest.raises(errors.AkscliError) as caught:
        list(kube.list("v1", "ConfigMap"))
    assert (caught.value.exit_code, caught.value.attempts) == (1, kube.retry.attempts)
    assert caught.value.message == "etcdserver: timeout"


def test_an_in_stream_429_asking_past_the_retry_budget_fails_at_once_instead_of_sleeping(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Kube.request refuses a Retry-After past its deadline; a watch's in-stream Status must not
    # sleep it either (a wait would hang an hour past its own --timeout).
    from akscli import errors
    from akscli.kube import retry

    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    in_stream(kube_emulator, 429, retry_after=3600)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    with pytest.raises(errors.AkscliError) as raised:
        list(kube.watch("v1", "ConfigMap", timeout_seconds=1))
    assert slept == [] and "past the retry budget" in (raised.value.hint or "")


def test_a_short_watch_backoff_ends_at_the_callers_deadline(kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # client-go selects its backoff timer against ctx.Done() (tools/cache/reflector.go watch).
    from akscli.kube import retry, streams

    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    monkeypatch.setattr(streams, "watch_events", lambda raw: iter(()))  # closed with nothing in it
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    assert list(kube.watch("v1", "ConfigMap", timeout_seconds=1, seconds_left=lambda: 0.25)) == []
    assert slept == [0.25]


def test_a_wait_whose_deadline_falls_inside_an_in_stream_backoff_ends_at_the_deadline(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.kube import reflector, retry

    now = [0.0]  # a fake clock that only the backoff advances: the wait's deadline is 0.5 s away
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(retry, "sleep", sleep)
    in_stream(kube_emulator, 503, retry_after=10)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    events = list(
        reflector.list_and_watch(kube, "v1", "ConfigMap", namespace="default", seconds_left=lambda: 0.5 - now[0])
    )
    # the first read is a watch-list, which meets the 503 before it streams the namespace's one
    # ConfigMap (the root CA publisher's): nothing, and the backoff ends at the deadline
    assert ([(e, o["metadata"]["name"]) for e, o in events], slept) == ([], [0.5])


def test_an_object_a_list_yielded_before_it_expired_and_gone_at_the_relist_is_reported_deleted(
    kubeconfig: Path, kube_emulator: Any
) -> None:
    # The caller saw cm-a ADDED from the first page; it is deleted and the snapshot compacted
    # before the second page: the relist lacks it, and says so (client-go's store never held it:
    # tools/pager/pager.go gathers every page before the reflector's Replace).
    from akscli.kube import reflector

    for name in ("cm-a", "cm-b"):
        kube_emulator.cluster.create(configmap(name))
    lists: list[int] = []

    def before() -> None:
        lists.append(1)
        if len(lists) == 2:
            kube_emulator.cluster.delete("v1", "ConfigMap", "default", "cm-a")
            kube_emulator.compact()

    kube_emulator.faults.add(verb="list", path="/configmaps", before=before, count=None)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    events = reflector.list_and_watch(
        kube, "v1", "ConfigMap", namespace="default", page_size=1, seconds_left=lambda: 0.0
    )
    seen = [(event, obj["metadata"]["name"]) for event, obj in events]
    assert seen == [("ADDED", "cm-a"), ("ADDED", "cm-b"), ("ADDED", ROOT_CA), ("DELETED", "cm-a")]
    # a page, its 410, the relist's two pages (cm-b, ROOT_CA)
    assert len(kube_emulator.requests(verb="list", path="/configmaps")) == 4


def test_a_watch_cut_mid_stream_is_watched_again_from_the_last_version(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An unexpected EOF ends a watch as a normal close does (kubernetes/apimachinery
    # pkg/watch/streamwatcher.go receive); the reflector watches again (client-go
    # tools/cache/reflector.go watch). Before, the cut reached the caller as urllib3's ProtocolError.
    from akscli.kube import reflector, retry

    monkeypatch.setattr(retry, "sleep", lambda _s: None)  # the short-watch backoff
    kube_emulator.cluster.create(configmap("a"))
    kube_emulator.faults.add(verb="watch", path="/configmaps", drop_connection=True, in_stream=True)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    kube.watch_list = False
    events = reflector.list_and_watch(kube, "v1", "ConfigMap", namespace="default", seconds_left=lambda: 30.0)
    assert [next(events)[1]["metadata"]["name"] for _ in range(2)] == ["a", ROOT_CA]  # listed
    kube_emulator.cluster.create(configmap("b"))
    event, obj = next(events)
    assert (event, obj["metadata"]["name"]) == ("ADDED", "b")
    events.close()
    [first, second] = kube_emulator.requests(verb="watch", path="/configmaps")
    assert first.query["resourceVersion"] == second.query["resourceVersion"]
