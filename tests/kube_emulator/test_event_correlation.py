"""The emulator's controllers record events as client-go's recorder does (event_correlator.py,
upstream kubernetes/client-go tools/record/events_cache.go): a repeat is one Event counted, and
the tenth distinct message of a reason about one object is combined."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default", "uid": "u-1"}}


def events(emu: Any) -> list[dict[str, Any]]:
    return [e for e in emu.cluster.list("v1", "Event", "default") if e["involvedObject"]["name"] == "p"]


def test_a_repeated_event_is_one_event_counted(kube_emulator: Any) -> None:
    first = kube_emulator.cluster.add_event(POD, "Ready", "p is ready")
    again = kube_emulator.cluster.add_event(POD, "Ready", "p is ready")
    (only,) = events(kube_emulator)
    assert only["metadata"]["name"] == first["metadata"]["name"] == again["metadata"]["name"]
    assert only["count"] == 2
    assert only["firstTimestamp"] == first["firstTimestamp"]


def test_another_message_or_source_is_another_event(kube_emulator: Any) -> None:
    kube_emulator.cluster.add_event(POD, "Ready", "p is ready")
    kube_emulator.cluster.add_event(POD, "Ready", "p is ready again")
    kube_emulator.cluster.add_event(POD, "Ready", "p is ready", component="kubelet")
    assert sorted(e["count"] for e in events(kube_emulator)) == [1, 1, 1]


def test_the_tenth_distinct_message_of_a_reason_is_combined(kube_emulator: Any) -> None:
    for i in range(11):
        kube_emulator.cluster.add_event(POD, "Scaled", f"scaled to {i}")
    found = events(kube_emulator)
    combined = [e for e in found if e["message"].startswith("(combined from similar events): ")]
    assert len(found) == 10 and len(combined) == 1
    assert combined[0]["count"] == 2
    assert combined[0]["message"] == "(combined from similar events): scaled to 10"


def test_a_repeat_of_a_deleted_event_creates_it_again_counted(kube_emulator: Any) -> None:
    first = kube_emulator.cluster.add_event(POD, "Ready", "p is ready")
    kube_emulator.cluster.delete("v1", "Event", "default", first["metadata"]["name"])
    again = kube_emulator.cluster.add_event(POD, "Ready", "p is ready")
    assert again["count"] == 2 and again["firstTimestamp"] == first["firstTimestamp"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_get_events_shows_one_line_for_the_repeats(kube_emulator: Any, kubeconfig: Any) -> None:
    for _ in range(3):
        kube_emulator.cluster.add_event(POD, "Ready", "p is ready")
    out = subprocess.run(["kubectl", "get", "events"], capture_output=True, text=True, timeout=30, check=True)
    assert len([line for line in out.stdout.splitlines() if "p is ready" in line]) == 1


def test_the_spam_filter_lets_25_through_then_one_every_5_minutes_counting_the_rest(kube_emulator: Any) -> None:
    clock = [1000.0]
    kube_emulator.cluster.events.clock = lambda: clock[0]
    for _ in range(30):
        kube_emulator.cluster.add_event(POD, "Ready", "p is ready")
    (only,) = events(kube_emulator)
    assert only["count"] == 25  # the last 5 are skipped, but counted
    clock[0] += 300  # one token back
    kube_emulator.cluster.add_event(POD, "Ready", "p is ready")
    kube_emulator.cluster.add_event(POD, "Ready", "p is ready")
    (only,) = events(kube_emulator)
    assert only["count"] == 31
    kube_emulator.cluster.add_event(POD, "Ready", "p is ready", component="kubelet")  # another source's bucket
    assert sorted(e["count"] for e in events(kube_emulator)) == [1, 31]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_get_events_wide_shows_the_servers_priority_columns(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.cluster.add_event(POD, "Ready", "p is ready", component="kubelet")
    kube_emulator.cluster.add_event(POD, "Ready", "p is ready", component="kubelet")
    cmd = ["kubectl", "get", "events", "-o", "wide", "--field-selector", "involvedObject.name=p"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=True)
    header, row = out.stdout.splitlines()
    assert header.split() == [
        "LAST",
        "SEEN",
        "TYPE",
        "REASON",
        "OBJECT",
        "SUBOBJECT",
        "SOURCE",
        "MESSAGE",
        "FIRST",
        "SEEN",
        "COUNT",
        "NAME",
    ]
    cells = row.split()
    assert cells[1:6] == ["Normal", "Ready", "pod/p", "kubelet", "p"] and cells[-2].isdigit() and cells[-2] == "2"
