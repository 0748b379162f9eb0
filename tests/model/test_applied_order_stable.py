"""A script compares what a deploy printed run after run: the objects come in the order they were
rendered, as kubectl apply prints them in the order it reads them (upstream: kubernetes/kubectl
dee3483a pkg/cmd/apply/apply.go Run: applyOneObject for each object GetObjects read, in input order),
whatever order akscli applied them in. A first deploy applies the InferenceSet right after the
ConfigMap it names (its check deferred until that ConfigMap exists, akscli.kube.deferred_checks),
and a re-run applies it with the other custom resources, after the Service."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]
DEPLOY = ("model", "deploy", "phi-4", "--replicas", "2", "-y")


def test_a_rerun_prints_the_applied_objects_in_the_same_order_as_the_first_run(model_emulator: Start) -> None:
    model_emulator()
    first = invoke(*DEPLOY, "-o", "name")
    again = invoke(*DEPLOY, "-o", "name")
    assert first.exit_code == 0, first
    assert again.exit_code == 0, again
    assert again.stdout.splitlines() == first.stdout.splitlines()


def test_a_rerun_lists_the_applied_objects_in_json_in_the_order_they_were_rendered(model_emulator: Start) -> None:
    model_emulator()
    rendered = invoke(*DEPLOY, "--dry-run=client", "-o", "name")
    assert invoke(*DEPLOY).exit_code == 0
    again = invoke(*DEPLOY, "-o", "json")
    assert again.exit_code == 0, again
    kinds = [f"{item['kind'].lower()}/{item['metadata']['name']}" for item in json.loads(again.stdout)["items"]]
    assert kinds == [line.replace(".kaito.sh", "") for line in rendered.stdout.splitlines()]
