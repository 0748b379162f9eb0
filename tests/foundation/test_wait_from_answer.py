"""A wait for what the command wrote starts from the server's answers: each object is judged on
its answer, then watched by its name from the answer's resourceVersion, with no list (client-go's
Until from an initial version: kubernetes/client-go v0.35.0 tools/watch/until.go); an answer whose
version is gone (410 Gone) is listed by its name again, as the reflector relists
(tools/cache/reflector.go). Requests are counted as the emulator saw them, never timed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from akscli.kube.wait import wait_for
from akscli.render import with_stack_labels
from tests.kube_emulator.helpers import a_node, deployment


def _reads(emu: Any) -> list[Any]:
    return [r for r in emu.requests(method="GET", path="/deployments") if r.verb in ("list", "watch")]


def test_a_wait_for_two_written_objects_of_one_stack_watches_each_from_its_answer(
    kube_emulator_factory: Any, tmp_path: Path
) -> None:
    emu = kube_emulator_factory(controller_delay=3600)  # neither Deployment becomes available
    kube = connect(KubeTarget(kubeconfig=str(emu.write_kubeconfig(tmp_path / "config"))))
    answers = [kube.apply(d) for d in with_stack_labels([deployment("a"), deployment("b")], "web")]
    emu.record_requests = True
    with pytest.raises(errors.WaitTimeoutError):
        wait_for(kube, answers, timeout=1)
    versions = {a["metadata"]["name"]: a["metadata"]["resourceVersion"] for a in answers}
    # Not the stack's watch-list made after the writes: one watch of each name from its answer.
    assert sorted(
        (r.verb, r.query["fieldSelector"][0], r.query["resourceVersion"][0], "sendInitialEvents" in r.query)
        for r in _reads(emu)
    ) == [
        ("watch", "metadata.name=a", versions["a"], False),
        ("watch", "metadata.name=b", versions["b"], False),
    ]


def test_a_wait_from_an_answer_whose_version_is_gone_lists_the_name_again(
    kube_emulator_factory: Any, tmp_path: Path
) -> None:
    emu = kube_emulator_factory(controller_delay=0.02)
    a_node(emu)
    kube = connect(KubeTarget(kubeconfig=str(emu.write_kubeconfig(tmp_path / "config"))))
    answer = kube.apply(deployment("web", replicas=1))
    emu.api.store.compact()  # etcd compaction: the answer's version now answers 410 Gone
    emu.record_requests = True
    lines: list[str] = []
    wait_for(kube, [answer], timeout=20, progress=lines.append)
    assert lines[-1] == "1/1 ready; deployment.apps/web: ready"
    reads = _reads(emu)
    assert (reads[0].verb, reads[0].query["resourceVersion"][0]) == ("watch", answer["metadata"]["resourceVersion"])
    # its 410 comes in the stream (an ERROR event); then the name again, as the reflector relists
    # (a watch-list of it, where the server serves one)
    assert (reads[1].query["fieldSelector"], reads[1].query.get("sendInitialEvents")) == (
        ["metadata.name=web"],
        ["true"],
    )
