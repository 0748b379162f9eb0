"""A write the API server's timeout filter answered 504 (reason Timeout) is not sent again: the server
answers at its deadline while the handler goes on, so the write may be applied all the same
("Clients may retry, but the operation may still complete": kubernetes/apimachinery
pkg/api/errors/errors.go NewTimeoutError; kubernetes/apiserver 24a394e5 pkg/server/filters/timeout.go),
as akscli never sends a write again after its own timeout. client-go retries a 5xx only with Retry-After
(rest/with_retry.go checkWait). Before (audit35, wait35), the create was sent again and met 409 AlreadyExists
for the object it had made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}}


def test_a_create_the_server_timed_out_is_not_sent_again(kube_emulator: Any, kubeconfig: Path) -> None:
    # kube-apiserver's own --request-timeout (0.2 s here) ends a create slower than it; akscli has no bound
    kube_emulator.request_timeout = 0.2
    kube_emulator.faults.add(verb="POST", path="/configmaps", delay=0.4)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig), request_timeout=0.0))
    with pytest.raises(errors.WaitTimeoutError) as timed_out:
        kube.create(dict(CONFIGMAP))
    assert timed_out.value.message == "Timeout: request did not complete within the allotted timeout"
    assert timed_out.value.hint.startswith("the API server may have applied it all the same")
    assert [r.status for r in kube_emulator.request_log if r.method == "POST"] == [504]
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "c") is not None
