"""`model logs NAME` without -c reads the container kubectl logs would: the one the pod's
kubectl.kubernetes.io/default-container annotation names, else the first, saying on stderr which
one it took when the pod has others (kubernetes/kubectl dee3483a
pkg/polymorphichelpers/logsforobject.go logsForObjectWithClient; pkg/cmd/util/podcmd/podcmd.go).
Before, no container was sent, and the API server refused a pod of several containers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke

Start = Callable[..., Any]


def _deployed(model_emulator: Start, annotation: str | None = None, sidecar: bool = True) -> tuple[Any, str, str]:
    """phi-4 served by one pod; with ``sidecar`` the pod also runs a ``proxy`` container (as a mesh
    injects one); ``annotation`` is its default-container annotation. Returns the emulator, the pod's
    name and its server container's name."""
    emu = model_emulator()
    emu.cluster.create(nc_a100_node())
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    [pod] = emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4")
    if sidecar:
        # A stored pod's containers are immutable (kubernetes/kubernetes pkg/apis/core/validation/
        # validation.go ValidatePodUpdate): the sidecar comes with a pod of the template that has it.
        deployment = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
        containers = [
            *deployment["spec"]["template"]["spec"]["containers"],
            {"name": "proxy", "image": "istio/proxyv2"},
        ]
        emu.cluster.patch(
            "apps/v1", "Deployment", "default", "phi-4", {"spec": {"template": {"spec": {"containers": containers}}}}
        )
        pod = _the_one_pod_with(emu, 2)
    name, server = pod["metadata"]["name"], pod["spec"]["containers"][0]["name"]
    if sidecar:
        emu.cluster.set_pod_logs("default", name, "proxy ready\n", container="proxy")
    if annotation is not None:
        patch = {"metadata": {"annotations": {"kubectl.kubernetes.io/default-container": annotation}}}
        emu.cluster.patch("v1", "Pod", "default", name, patch)
    emu.cluster.set_pod_logs("default", name, "INFO vLLM ready\n", container=server)
    emu.request_log.clear()
    return emu, name, server


def _the_one_pod_with(emu: Any, containers: int) -> dict[str, Any]:
    """The model's only pod once the rollout has left one, of ``containers`` containers."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pods = emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4")
        if len(pods) == 1 and len(pods[0]["spec"]["containers"]) == containers:
            return dict(pods[0])
        time.sleep(0.05)
    raise AssertionError(f"no single pod of {containers} containers: {pods}")


def _asked_for(emu: Any) -> list[str]:
    [request] = emu.requests(method="GET", path="/log")
    return list(request.query["container"])


def test_a_pod_of_one_container_has_its_log_read_with_no_notice(model_emulator: Start) -> None:
    emu, _, server = _deployed(model_emulator, sidecar=False)
    result = invoke("model", "logs", "phi-4")
    assert result.exit_code == 0, result
    assert (result.stdout, result.stderr) == ("INFO vLLM ready\n", "")
    assert _asked_for(emu) == [server]


def test_a_pod_of_several_containers_has_its_first_read_and_says_so_on_stderr(model_emulator: Start) -> None:
    emu, _, server = _deployed(model_emulator)
    result = invoke("model", "logs", "phi-4")
    assert result.exit_code == 0, result
    assert result.stdout == "INFO vLLM ready\n"
    assert result.stderr == f'Defaulted container "{server}" out of: {server}, proxy\n'
    assert _asked_for(emu) == [server]


def test_the_default_container_annotation_picks_the_container_with_no_notice(model_emulator: Start) -> None:
    emu, _, _ = _deployed(model_emulator, annotation="proxy")
    result = invoke("model", "logs", "phi-4")
    assert result.exit_code == 0, result
    assert (result.stdout, result.stderr) == ("proxy ready\n", "")
    assert _asked_for(emu) == ["proxy"]


def test_an_annotation_naming_no_container_is_said_and_the_first_is_read(model_emulator: Start) -> None:
    emu, pod, server = _deployed(model_emulator, annotation="envoy")
    result = invoke("model", "logs", "phi-4")
    assert result.exit_code == 0, result
    assert result.stdout == "INFO vLLM ready\n"
    assert result.stderr.splitlines() == [
        f'Default container name "envoy" not found in pod {pod}',
        f'Defaulted container "{server}" out of: {server}, proxy',
    ]
    assert _asked_for(emu) == [server]
