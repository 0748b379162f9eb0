"""A $KUBECONFIG of several files read as kubectl reads it: the current context is the first
non-empty one in the order of the list (upstream: kubernetes/client-go tools/clientcmd/loader.go
``ClientConfigLoadingRules.Load``, commit 32ce75a7d6bc6960fd048d3d1e3b34185418d8c8: maps merged
first file wins, other values merged in reverse order so the first file's wins, an empty value
never overriding). The kubernetes Python client's ``KubeConfigMerger`` takes the last file's
``current-context``, even an empty one; akscli must not act on another cluster than kubectl."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect


def _chain(emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *currents: str) -> None:
    """One file per current-context given, each with its own context (one, two, ...)."""
    names = ("one", "two", "three")
    files = []
    for name, current in zip(names, currents, strict=False):
        config = emulator.kubeconfig_dict(name, "default", None)
        config["current-context"] = current
        path = tmp_path / name
        path.write_text(json.dumps(config), encoding="utf-8")
        path.chmod(0o600)
        files.append(str(path))
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(files))


def _kubectl_current() -> str | None:
    if shutil.which("kubectl") is None:
        return None
    p = subprocess.run(["kubectl", "config", "current-context"], capture_output=True, text=True, timeout=60)
    return p.stdout.strip()


def test_the_first_files_current_context_wins(
    kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _chain(kube_emulator, tmp_path, monkeypatch, "one", "two")
    assert connect(KubeTarget()).context_name == "one"
    assert _kubectl_current() in ("one", None)


def test_an_empty_current_context_in_a_later_file_does_not_clear_it(
    kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _chain(kube_emulator, tmp_path, monkeypatch, "one", "")
    assert connect(KubeTarget()).context_name == "one"
    assert _kubectl_current() in ("one", None)


def test_an_empty_current_context_in_the_first_file_leaves_it_to_the_next(
    kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _chain(kube_emulator, tmp_path, monkeypatch, "", "two", "three")
    assert connect(KubeTarget()).context_name == "two"
    assert _kubectl_current() in ("two", None)


def test_completion_offers_a_context_in_two_files_once_with_the_first_files_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.cli.complete import kube_contexts

    files = []
    for name, cluster in (("a", "first"), ("b", "second")):
        path = tmp_path / name
        path.write_text(json.dumps({"contexts": [{"name": "prod", "context": {"cluster": cluster, "user": "u"}}]}))
        files.append(str(path))
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(files))
    assert kube_contexts(None, "pr") == [("prod", "cluster first")]
