"""--wait --timeout 0 checks once and does not wait, as kubectl wait --timeout=0: each object not ready
on the write's answer is read once (a GET), never listed or watched, and one that is still not ready
ends the command with kubectl's "condition not met for ..." (kubernetes/kubectl dee3483a
pkg/cmd/wait/condition.go getObjAndCheckCondition, ``if o.Timeout == 0``; pkg/cmd/wait/wait.go, the
flag's help: "Zero means check once and don't wait"). Before, the wait judged the answer, then timed
out at once: "timed out after 0s waiting for ...", with no read of the object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube import wait
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.cli import invoke

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: "nginx:1.27"}]
"""
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}}


def _reads(emu: Any, name: str) -> list[tuple[str, str]]:
    return [(r.verb, r.path) for r in emu.request_log if r.method == "GET" and name in r.path]


def test_apply_wait_timeout_zero_reads_the_object_once_and_says_the_condition_is_not_met(
    kube_emulator: Any, kubeconfig: Path, tmp_path: Path
) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(DEPLOYMENT)
    kube_emulator.request_log.clear()
    result = invoke("apply", "-f", str(path), "--wait", "--timeout", "0", "-y")
    assert result.exit_code == 5
    assert "error: condition not met for deployment.apps/web (" in result.stderr
    assert "timed out" not in result.stderr
    assert "hint: --timeout 0 checks once and does not wait, as kubectl wait --timeout=0" in result.stderr
    deployments = [v for v, p in _reads(kube_emulator, "/deployments") if v in ("get", "watch")]
    assert deployments == ["get"]


def test_a_check_once_of_a_ready_object_succeeds_without_a_watch(kube_emulator: Any, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(dict(CONFIGMAP))
    kube_emulator.request_log.clear()
    assert wait.wait_for(connect(KubeTarget(kubeconfig=str(kubeconfig))), [CONFIGMAP], timeout=0) == []
    assert _reads(kube_emulator, "/configmaps") == [("get", "/api/v1/namespaces/default/configmaps/c")]


def test_an_object_ready_on_the_writes_answer_is_not_read_again(kube_emulator: Any, kubeconfig: Path) -> None:
    answer = kube_emulator.cluster.create(dict(CONFIGMAP))
    kube_emulator.request_log.clear()
    assert wait.wait_for(connect(KubeTarget(kubeconfig=str(kubeconfig))), [answer], timeout=0) == []
    assert _reads(kube_emulator, "/configmaps") == []


def test_a_check_once_of_an_object_that_is_not_there_is_not_found(kube_emulator: Any, kubeconfig: Path) -> None:
    # kubectl returns the GET's error (NotFound)
    with pytest.raises(errors.NotFoundError) as missing:
        wait.wait_for(connect(KubeTarget(kubeconfig=str(kubeconfig))), [CONFIGMAP], timeout=0)
    assert missing.value.message == "configmap/c not found"


def test_the_exit_codes_page_says_a_check_once_not_met_exits_5_not_kubectls_1() -> None:
    # audit35 (wait35): the decision, kept where users read exit codes (docs/exit-codes.md, docgen)
    from akscli.cli.docgen import exit_codes_markdown

    page = " ".join(exit_codes_markdown().split())
    assert "`condition not met for ...` and exits 5, as a wait that ran out of time does" in page
    assert "kubectl wait exits 1 for both" in page
