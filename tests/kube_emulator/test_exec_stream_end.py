"""How akscli's exec (Kube.exec_output, used for the Ray session logs) ends, as kubectl exec does: the
final Status on the error channel decides (kubernetes/client-go 32ce75a7 tools/remotecommand/v4.go
errorDecoderV4.decode), and a connection cut before that Status is an error, not a short success
(tools/remotecommand/websocket.go readDemuxLoop, errorstream.go watchErrorStream). The real kubectl's
lines for the same cut: test_kubectl_streams.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli import errors
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from akscli.kube.wire import exec_failure
from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.test_kubectl_streams import _running_pod


@pytest.fixture
def pod(kube_emulator: KubeEmulator) -> KubeEmulator:
    _running_pod(kube_emulator)  # pod default/p, container c, Running on n1
    return kube_emulator


def _run(kubeconfig: Path, command: list[str]) -> bytes:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    return b"".join(kube.exec_output("default", "p", "c", command))


def test_a_command_that_exits_0_gives_its_stdout(pod: KubeEmulator, kubeconfig: Path) -> None:
    assert _run(kubeconfig, ["echo", "hello"]) == b"hello\n"


def test_an_exec_cut_before_its_status_is_an_error_in_kubectls_words(pod: KubeEmulator, kubeconfig: Path) -> None:
    pod.faults.add(path="/exec$", drop_connection=True, in_stream=True)
    with pytest.raises(errors.AkscliError) as cut:
        _run(kubeconfig, ["echo", "partial"])
    assert cut.value.exit_code == 1
    assert cut.value.message == (
        "echo in pod default/p was cut: error reading from error stream: websocket: close 1006 (abnormal closure): "
        "unexpected EOF (the connection to the API server closed before the command's exit status)"
    )
    assert cut.value.hint == "what arrived before the cut is incomplete; run the command again"


def test_a_command_that_wrote_and_then_exited_non_zero_fails_with_its_exit_code(
    pod: KubeEmulator, kubeconfig: Path
) -> None:
    pod.register_exec("default", "p", lambda _c, _cmd, _in: (2, b"half a tar", b"tar: ./raylet.out: Cannot open\n"))
    with pytest.raises(errors.AkscliError) as failed:
        _run(kubeconfig, ["tar", "-cf", "-", "."])
    assert failed.value.message == (
        "tar in pod default/p failed: command terminated with exit code 2 (tar: ./raylet.out: Cannot open)"
    )


def test_a_missing_executable_is_named_with_its_exit_code_and_stderr(pod: KubeEmulator, kubeconfig: Path) -> None:
    with pytest.raises(
        errors.AkscliError,
        match=r"^nosuch in pod default/p failed: command terminated with exit code 126 \(OCI runtime exec failed: .*",
    ):
        _run(kubeconfig, ["nosuch"])


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (b'{"status":"Success"}', None),
        (b"", None),
        (
            b'{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"7"}]}}',
            "command terminated with exit code 7",
        ),
        (b'{"status":"Failure","reason":"NonZeroExitCode"}', "error stream protocol error: no ExitCode cause given"),
        (b'{"status":"Failure","reason":"InternalError","message":"container not found"}', "container not found"),
        (b'{"status":"Pending"}', "error stream protocol error: unknown error"),
    ],
)
def test_the_error_channels_status_reads_as_client_go_decodes_it(status: bytes, said: str | None) -> None:
    assert exec_failure(status) == said
