"""`model logs` takes kubectl logs' --since, --timestamps and -p/--previous (upstream:
kubernetes/kubectl dee3483a pkg/cmd/logs/logs.go: --since a duration sent as sinceSeconds rounded
to the second, --timestamps, -p/--previous), the flags a runbook reaches for when a model
crash-loops or a CI job dumps the last minutes of logs. They were `No such option`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from akscli.kube import retry, streams
from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke

Start = Callable[..., Any]


def _deployed(model_emulator: Start) -> Any:
    emu = model_emulator()
    emu.cluster.create(nc_a100_node())  # the vLLM pod is Ready only on a node that has its GPU
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    [pod] = emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4")
    emu.cluster.set_pod_logs("default", pod["metadata"]["name"], "INFO vLLM ready\n")
    emu.request_log.clear()
    return emu


def _log_query(emu: Any) -> dict[str, list[str]]:
    [request] = emu.requests(method="GET", path="/log")
    return dict(request.query)


def test_since_asks_the_server_for_the_lines_of_that_last_duration_in_seconds(model_emulator: Start) -> None:
    emu = _deployed(model_emulator)
    result = invoke("model", "logs", "phi-4", "--since", "10m")
    assert result.exit_code == 0, result
    assert "vLLM ready" in result.stdout
    assert _log_query(emu)["sinceSeconds"] == ["600"]


def test_timestamps_prints_each_line_with_the_servers_time(model_emulator: Start) -> None:
    emu = _deployed(model_emulator)
    result = invoke("model", "logs", "phi-4", "--timestamps")
    assert result.exit_code == 0, result
    stamp, _, text = result.stdout.strip().partition(" ")
    assert text == "INFO vLLM ready" and stamp.endswith("Z")
    assert _log_query(emu)["timestamps"] == ["true"]


def test_previous_asks_for_the_last_terminated_container_and_says_when_there_is_none(
    model_emulator: Start,
) -> None:
    emu = _deployed(model_emulator)
    result = invoke("model", "logs", "phi-4", "-p")
    assert _log_query(emu)["previous"] == ["true"]
    assert result.exit_code != 0
    assert "previous terminated container" in result.stderr


def test_a_since_that_is_not_a_duration_is_one_usage_line_and_nothing_is_read(model_emulator: Start) -> None:
    emu = _deployed(model_emulator)
    result = invoke("model", "logs", "phi-4", "--since", "yesterday")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid --since 'yesterday': it is not a duration")
    assert not emu.requests(path="/log")


def test_a_since_under_a_second_is_refused_as_the_server_counts_whole_seconds() -> None:
    result = invoke("model", "logs", "phi-4", "--since", "400ms")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: --since 400ms: the server counts whole seconds",
        "hint: use 1s or more",
    ]


def test_follow_with_a_request_timeout_ends_when_it_runs_out_as_kubectl_logs_f(model_emulator: Start) -> None:
    # kubectl logs -f --request-timeout 1s: client-go's http.Client.Timeout bounds the stream's body
    # (kubernetes/client-go rest/transport.go HTTPClientFor), DefaultConsumeRequest returns the error
    emu = _deployed(model_emulator)
    [pod] = emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4")
    result = invoke("model", "logs", "phi-4", "-f", "--request-timeout", "1s")
    assert result.exit_code == 1, result
    assert result.stdout.strip() == "INFO vLLM ready"  # what came before the end
    assert result.stderr.splitlines()[0] == (
        f"error: stopped following the logs of pod default/{pod['metadata']['name']}: --request-timeout 1s ran out"
    )


class _TimerNotRunYet(threading.Timer):
    """A timer whose thread a loaded machine has not run by the time the socket's read timeout is up."""

    def start(self) -> None:
        pass


def test_follow_whose_read_times_out_before_the_timer_runs_says_the_request_timeout_ran_out(
    model_emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stream's read timeout is --request-timeout itself: a pod silent that long has outlasted it.
    emu = _deployed(model_emulator)
    monkeypatch.setattr(streams.threading, "Timer", _TimerNotRunYet)
    [pod] = emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4")
    result = invoke("model", "logs", "phi-4", "-f", "--request-timeout", "1s")
    assert result.exit_code == 1, result
    assert result.stderr.splitlines()[0] == (
        f"error: stopped following the logs of pod default/{pod['metadata']['name']}: --request-timeout 1s ran out"
    )


def test_follow_without_a_request_timeout_ends_with_the_pod_not_with_akscli_default_timeout(
    model_emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = _deployed(model_emulator)
    monkeypatch.setattr(retry, "DEFAULT_REQUEST_TIMEOUT", 0.3)  # each request's; the follow outlasts it
    [pod] = emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4")
    ended = threading.Timer(1.5, emu.cluster.delete, ("v1", "Pod", "default", pod["metadata"]["name"]))
    ended.start()
    result = invoke("model", "logs", "phi-4", "-f")
    ended.join()
    assert result.exit_code == 0, result
    assert result.stdout.strip() == "INFO vLLM ready"


def test_container_asks_the_server_for_that_containers_logs(model_emulator: Start) -> None:
    emu = _deployed(model_emulator)
    [pod] = emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4")
    server = pod["spec"]["containers"][0]["name"]
    result = invoke("model", "logs", "phi-4", "-c", server)
    assert result.exit_code == 0, result
    assert "vLLM ready" in result.stdout
    assert _log_query(emu)["container"] == [server]


def test_a_container_the_pod_lacks_is_one_line_naming_those_it_has_and_no_log_is_read(
    model_emulator: Start,
) -> None:
    # kubectl logs: "container %s is not valid for pod %s out of: %s" (kubernetes/kubectl
    # pkg/polymorphichelpers/logsforobject.go, podcmd.AllContainerNames), before any log request.
    emu = _deployed(model_emulator)
    [pod] = emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4")
    names = [c["name"] for c in pod["spec"]["containers"]]
    result = invoke("model", "logs", "phi-4", "-c", "sidecar")
    assert result.exit_code == 3, result
    error, hint = result.stderr.strip().splitlines()
    assert (
        error == f"error: container sidecar is not valid for pod {pod['metadata']['name']} out of: {', '.join(names)}"
    )
    assert hint == f"hint: give one of them: akscli model logs phi-4 -n default -c {names[0]}"
    assert emu.requests(method="GET", path="/log") == []


def test_a_container_name_that_is_no_dns_label_is_refused_before_anything_is_read(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "logs", "phi-4", "-c", "Server_1")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: -c: invalid container name 'Server_1'")
    assert emu.request_log == []


def test_the_containers_named_are_kubectls_list_init_and_ephemeral_ones_marked() -> None:
    # kubernetes/kubectl pkg/cmd/util/podcmd/podcmd.go AllContainerNames and FindContainerByName.
    from akscli.kube import pod_containers

    spec = {
        "containers": [{"name": "vllm"}, {"name": "proxy"}],
        "initContainers": [{"name": "fetch"}],
        "ephemeralContainers": [{"name": "debugger"}],
    }
    pod = {"metadata": {"name": "p"}, "spec": spec}
    assert pod_containers.all_names(pod) == "vllm, proxy, debugger (ephem), fetch (init)"
    assert all(pod_containers.has(pod, name) for name in ("vllm", "proxy", "fetch", "debugger"))
    assert not pod_containers.has(pod, "sidecar")
