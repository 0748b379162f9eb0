"""The real kubectl against the emulator's streams: what a cut stream and --request-timeout make it
print and exit with, the words akscli's streams follow (kube/streams.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.emulators.kube import KubeEmulator

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)


def _running_pod(emu: KubeEmulator) -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "x"}]},
            "status": {"phase": "Running"},
        }
    )
    emu.cluster.set_pod_logs("default", "p", "line1\nline2\n")


def test_logs_follow_cut_mid_stream_prints_the_lines_then_unexpected_eof_exit_1(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    # upstream: kubernetes/kubectl pkg/cmd/logs/logs.go DefaultConsumeRequest returns the read's error
    _running_pod(kube_emulator)
    kube_emulator.faults.add(verb="GET", path="/log$", drop_connection=True, in_stream=True)
    r = kubectl("logs", "-f", "p")
    assert (r.returncode, r.stdout, r.stderr) == (1, "line1\nline2\n", "error: unexpected EOF\n")


def test_a_plain_answer_cut_mid_body_is_unexpected_eof_too(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    _running_pod(kube_emulator)
    kube_emulator.faults.add(verb="GET", path="/log$", drop_connection=True, in_stream=True)
    r = kubectl("logs", "p")
    assert (r.returncode, r.stderr) == (1, "error: unexpected EOF\n")


def test_get_watch_ends_at_the_request_timeout_with_exit_0(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    # upstream: kubernetes/client-go rest/transport.go HTTPClientFor (http.Client.Timeout bounds the
    # watch's body), kubernetes/kubectl pkg/cmd/get/get.go watch (the closed watch's error is dropped)
    _running_pod(kube_emulator)
    r = kubectl("get", "pods", "-w", "-o", "name", "--request-timeout=1s")
    assert (r.returncode, r.stdout, r.stderr) == (0, "pod/p\n", "")


def test_a_negative_request_timeout_with_a_unit_is_no_timeout_and_is_sent_to_the_server(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    # upstream: kubernetes/client-go tools/clientcmd/helpers.go ParseTimeout (a negative number
    # without a unit is refused, with one it is time.ParseDuration's); rest/request.go URL (a timeout
    # other than 0 is sent as the timeout parameter) and request (a context timeout only when > 0)
    _running_pod(kube_emulator)
    r = kubectl("get", "pods", "-o", "name", "--request-timeout=-1s")
    assert (r.returncode, r.stdout) == (0, "pod/p\n")
    [listed] = [q for q in kube_emulator.requests(method="GET", path="/pods") if "timeout" in q.query]
    assert listed.query["timeout"] == ["-1s"]
    refused = kubectl("get", "pods", "--request-timeout=-1")
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: Invalid timeout value.")


def test_wait_with_a_request_timeout_watches_again_each_time_it_runs_out(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    # kubectl wait's watches go through the same http.Client (its Timeout cuts each one); the informer
    # watches again from where it was (kubernetes/client-go tools/cache/reflector.go), so the wait ends at
    # --timeout, not at --request-timeout (upstream: kubernetes/kubectl pkg/cmd/wait/wait.go)
    _running_pod(kube_emulator)
    r = kubectl("wait", "pod/p", "--for=condition=Ready", "--timeout=3500ms", "--request-timeout=1s")
    assert r.returncode == 1 and "timed out waiting for the condition" in r.stderr
    assert len(kube_emulator.requests(verb="watch")) >= 3


def test_exec_cut_before_its_status_prints_the_output_then_the_error_streams_eof_exit_1(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    # upstream: kubernetes/client-go 32ce75a7 tools/remotecommand/websocket.go readDemuxLoop (a read
    # that is no normal close: "next reader: ..."), errorstream.go watchErrorStream
    _running_pod(kube_emulator)
    kube_emulator.faults.add(path="/exec$", drop_connection=True, in_stream=True)
    r = kubectl("exec", "p", "--", "echo", "partial")
    assert (r.returncode, r.stdout) == (1, "partial\n")
    assert r.stderr.splitlines()[-1] == (
        "error: error reading from error stream: next reader: websocket: close 1006 (abnormal closure): unexpected EOF"
    )
