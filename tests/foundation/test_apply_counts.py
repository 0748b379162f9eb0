"""What one apply works out once: the kubeconfig parsed once per command, each object's name
once per change (and not at all for a request that succeeds), and no field path written for a
field that fits its type. Counts, not times:
the behaviour is the same, and these prove the work was not repeated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli import errors, shapes
from akscli.kube import apply as kube_apply
from akscli.kube import changes as kube_changes
from akscli.kube import client as kube_client
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.cli import invoke

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: counted-one
  labels: {team: ml}
data:
  a: "1"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: counted-two
data:
  b: "2"
"""
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "named-once"}, "data": {"a": "1"}}


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    calls: list[Any] = []
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_an_apply_parses_the_kubeconfig_once(kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The official client's KubeConfigMerger.load_config parses with yaml.safe_load
    # (kubernetes-client/python 37.0.2 kubernetes/config/kube_config.py); akscli's own check of
    # the file (akscli.kube.config_files) reads its text without parsing a plain mapping.
    manifest = tmp_path / "objects.yaml"
    manifest.write_text(MANIFEST)
    parses = _counting(monkeypatch, yaml, "safe_load")
    result = invoke("apply", "-f", str(manifest), "--stack", "counted", "-y")
    assert result.exit_code == 0, result
    assert len(parses) == 1


def test_a_change_names_its_object_once_however_often_it_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    named = _counting(monkeypatch, kube_changes, "object_ref")
    change = kube_apply.Change({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}, "create")
    # The plan, the progress line, the applied list and the audit line each name the object.
    assert [change.ref for _ in range(4)] == ["configmap/a"] * 4
    assert len(named) == 1


def test_a_change_is_shown_and_compared_without_its_name() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}
    change = kube_apply.Change(obj, "create")
    assert "ref=" not in repr(change)
    assert change == kube_apply.Change(obj, "create")


def test_a_configmap_whose_fields_fit_writes_no_path_for_its_values(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _counting(monkeypatch, shapes, "_join")
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "a", "namespace": "default", "labels": {"team": "ml"}},
        "data": {"a": "1", "b": "2"},
    }
    assert shapes.problem(obj) is None
    # Only the maps it walks into; none for its seven values (apiVersion, kind, name, namespace,
    # the label, a and b).
    assert paths == [("", "metadata"), ("metadata", "labels"), ("", "data")]


def test_a_value_that_does_not_fit_a_map_of_strings_is_still_named_by_its_path() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": {"team": 1}}}
    assert shapes.problem(obj) == "metadata.labels.team must be a string (it is a number)"


def test_a_scalar_field_that_does_not_fit_is_still_named_by_its_path() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": 5}}
    assert shapes.problem(obj) == "metadata.name must be a string (it is a number)"


def test_an_apply_that_succeeds_does_not_name_its_object_for_the_request(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The name is only for a failure's message; 500 objects send 1,000 applies (the dry run too).
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    named = _counting(monkeypatch, kube_client, "object_ref")
    kube.apply(CONFIGMAP, dry_run=True)
    kube.apply(CONFIGMAP)
    assert named == []


def test_an_apply_that_fails_names_its_object_in_the_message(kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    kube.resource("v1", "ConfigMap")  # discovered before the server starts failing
    # An answer with no Status body: the message is made from the request's name.
    monkeypatch.setattr(kube, "_send", lambda *args: (400, b"", None))
    with pytest.raises(errors.AkscliError) as raised:
        kube.apply(CONFIGMAP)
    assert raised.value.message == "apply of configmap/named-once failed with HTTP 400"
