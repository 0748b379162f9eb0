"""The opening of akscli's exec websocket (Kube.exec_output: the Ray session logs' tar) is bounded as any
request is (--request-timeout, else akscli's 30 s a try); the stream after it is not, as exec is
long-running on the API server (kubernetes/kubernetes pkg/controlplane/apiserver/config.go
BuildGenericConfig, BasicLongRunningRequestCheck: the exec subresource). kubernetes' own client opens
the websocket with no timeout at all (kubernetes-client/python kubernetes/base/stream/ws_client.py
create_websocket), so before (audit35, wait35) a server that took the connection and never answered the
upgrade held the command for ever: that case is tests/foundation/test_server_timeouts.py's (its silent
server)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.test_kubectl_streams import _running_pod


def test_an_exec_that_runs_past_the_request_timeout_is_not_cut(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    _running_pod(kube_emulator)  # pod default/p, container c

    def slow(_container: Any, _command: Any, _stdin: Any) -> tuple[int, bytes, bytes]:
        time.sleep(0.6)  # the command's run, longer than --request-timeout
        return 0, b"done\n", b""

    kube_emulator.register_exec("default", "p", slow)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig), request_timeout=0.2))
    assert b"".join(kube.exec_output("default", "p", "c", ["tar", "-cf", "-", "."])) == b"done\n"


def test_a_refused_exec_still_names_the_api_servers_answer(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    with pytest.raises(errors.AkscliError) as refused:
        b"".join(kube.exec_output("default", "nosuch", "c", ["true"]))
    assert refused.value.message.startswith("cannot exec in pod default/nosuch: HTTP 404: ")
