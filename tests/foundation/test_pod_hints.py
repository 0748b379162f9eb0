"""Each waiting reason the kubelet writes gets its own hint (akscli.kube.pod_hints), read from the
kubelet's message and the pod's spec: a missing Secret, ConfigMap or key is named with the
variable that reads it and the kubectl command that checks it.

The reasons and messages are the kubelet's (upstream: kubernetes/kubernetes v1.32.0
pkg/kubelet/kuberuntime/kuberuntime_container.go, pkg/kubelet/container/sync_result.go,
pkg/kubelet/images/types.go and image_manager.go, pkg/kubelet/kubelet_pods.go
makeEnvironmentVariables, pkg/kubelet/kuberuntime/security_context_others.go)."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.cli.common import apply_objects
from akscli.kube import pod_hints, pod_problems
from akscli.kube.client import KubeTarget
from tests.baremetal.nodes import small_cpu_node
from tests.foundation.test_wait_pod_problems import gpu_deployment


def _problem(
    reason: str,
    message: str,
    container: dict[str, Any] | None = None,
    last_exit: str | None = None,
    node: str = "aks-gpu-0",
) -> pod_problems.Problem:
    status: dict[str, Any] = {"name": "main", "state": {"waiting": {"reason": reason, "message": message}}}
    if last_exit:
        status["lastState"] = {"terminated": {"reason": last_exit, "exitCode": 137}}
    pod = {
        "metadata": {"name": "llm-abc", "namespace": "ml"},
        "spec": {"nodeName": node, "containers": [{"name": "main", **(container or {})}]},
        "status": {"phase": "Pending", "containerStatuses": [status]},
    }
    found = pod_problems.problem(pod)
    assert found is not None
    return found


def _secret_env(name: str = "hf-token", key: str = "token", env: str = "HF_TOKEN") -> dict[str, Any]:
    return {"env": [{"name": env, "valueFrom": {"secretKeyRef": {"name": name, "key": key}}}]}


def test_a_missing_secret_is_named_with_the_variable_that_reads_it_and_the_check() -> None:
    found = _problem("CreateContainerConfigError", 'secret "hf-token" not found', _secret_env())
    assert pod_hints.fix(found) == (
        "Secret hf-token, which env HF_TOKEN of container main reads, does not exist in namespace ml: "
        "create it, or fix the reference (or mark it optional: true); check with: kubectl get secret hf-token -n ml"
    )


def test_a_missing_configmap_read_by_env_from_is_named() -> None:
    container = {"envFrom": [{"configMapRef": {"name": "vllm-args"}}]}
    found = _problem("CreateContainerConfigError", 'configmap "vllm-args" not found', container)
    hint = pod_hints.fix(found) or ""
    assert hint.startswith("ConfigMap vllm-args, which envFrom of container main reads, does not exist")
    assert hint.endswith("kubectl get configmap vllm-args -n ml")


def test_a_missing_key_is_named_with_its_secret_and_a_check_that_shows_no_values() -> None:
    found = _problem(
        "CreateContainerConfigError", "couldn't find key token in Secret ml/hf-token", _secret_env(key="token")
    )
    assert pod_hints.fix(found) == (
        "Secret hf-token has no key token (env HF_TOKEN of container main reads it): add the key, or fix the "
        "reference; its keys: kubectl describe secret hf-token -n ml"
    )


def test_a_config_error_the_message_does_not_explain_lists_the_sources_the_container_reads() -> None:
    container = {**_secret_env(), "envFrom": [{"configMapRef": {"name": "args"}}]}
    hint = pod_hints.fix(_problem("CreateContainerConfigError", "something else", container)) or ""
    assert hint.startswith("container main reads ConfigMap args, Secret hf-token: check that each exists")
    assert "kubectl describe pod llm-abc -n ml" in hint


def test_run_as_non_root_with_a_root_image_hints_at_run_as_user() -> None:
    message = 'container has runAsNonRoot and image will run as root (pod: "llm-abc_ml(1)", container: main)'
    hint = pod_hints.fix(_problem("CreateContainerConfigError", message)) or ""
    assert "set securityContext.runAsUser to a non-zero UID" in hint


def test_a_crash_loop_after_running_out_of_memory_hints_at_the_memory_limit() -> None:
    hint = pod_hints.fix(_problem("CrashLoopBackOff", "back-off 40s", last_exit="OOMKilled")) or ""
    assert "raise its resources.limits.memory" in hint
    assert hint.endswith("kubectl logs llm-abc -n ml -c main --previous")


def test_a_container_killed_for_memory_hints_at_the_memory_limit() -> None:
    pod = {
        "metadata": {"name": "job-abc", "namespace": "ml"},
        "status": {
            "phase": "Failed",
            "containerStatuses": [{"name": "main", "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}],
        },
    }
    found = pod_problems.problem(pod)
    assert found is not None
    assert pod_hints.fix(found) == (
        "container main ran out of memory: raise its resources.limits.memory; its logs: "
        "kubectl logs job-abc -n ml -c main"
    )


def test_a_pull_the_registry_refused_hints_at_credentials() -> None:
    message = (
        'failed to pull and unpack image "myacr.azurecr.io/llm:1": failed to resolve reference '
        '"myacr.azurecr.io/llm:1": failed to authorize: failed to fetch anonymous token: unexpected status: '
        "401 Unauthorized"
    )
    hint = pod_hints.fix(_problem("ErrImagePull", message)) or ""
    assert hint.startswith("the registry refused the node's credentials")
    assert "az aks update --attach-acr" in hint


def test_a_pull_of_a_tag_that_does_not_exist_hints_at_the_tag() -> None:
    message = (
        'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/vllm/vllm-openai:v9": '
        'failed to resolve reference "docker.io/vllm/vllm-openai:v9": docker.io/vllm/vllm-openai:v9: not found'
    )
    assert pod_hints.fix(_problem("ErrImagePull", message)) == (
        "the registry has no such image or tag: check the container's image name and tag"
    )


def test_an_invalid_image_name_hints_at_the_reference_form() -> None:
    message = (
        'Failed to apply default image tag "Vllm/X": couldn\'t parse image name "Vllm/X": invalid reference format'
    )
    assert "[REGISTRY/]REPOSITORY[:TAG|@DIGEST]" in (pod_hints.fix(_problem("InvalidImageName", message)) or "")


def test_a_command_missing_from_the_image_hints_at_the_command() -> None:
    message = (
        "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create "
        'failed: unable to start container process: exec: "vllm-serve": executable file not found in $PATH: unknown'
    )
    assert pod_hints.fix(_problem("RunContainerError", message)) == (
        "container main's command is not in its image: fix the container's command and args, or the image's entrypoint"
    )


@pytest.mark.parametrize("reason", ["PreCreateHookError", "PreStartHookError"])
def test_an_internal_lifecycle_hook_error_points_at_the_node(reason: str) -> None:
    hint = pod_hints.fix(_problem(reason, "cpu manager: not enough cpus available")) or ""
    assert hint.startswith("the kubelet's CPU, memory or topology manager on the node refused the container")
    assert "kubectl describe node aks-gpu-0" in hint


def test_a_post_start_hook_error_names_the_hook() -> None:
    assert "lifecycle.postStart hook failed" in (pod_hints.fix(_problem("PostStartHookError", "exit 1")) or "")


def test_an_image_with_no_command_hints_at_the_command() -> None:
    hint = pod_hints.fix(_problem("CreateContainerError", "Error response from daemon: No command specified")) or ""
    assert hint == "container main's image has no entrypoint and the pod gives no command: set the container's command"


# ---- through the emulator: its kubelet answers a missing env source as the kubelet does -------


def _with_secret_env(name: str = "llm") -> dict[str, Any]:
    deployment = gpu_deployment(name)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    del container["resources"]
    container.update(_secret_env())
    return deployment


def _pods(kube_emulator: Any) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pods = kube_emulator.cluster.list("v1", "Pod", "default")
        if pods:
            return list(pods)
        time.sleep(0.05)
    raise AssertionError("no pod")


def test_the_emulated_kubelet_reports_a_missing_secret_in_the_kubelets_words(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(small_cpu_node())  # only the kubelet of the pod's node reports its containers
    apply_objects([_with_secret_env()], stack="demo", target=KubeTarget(kubeconfig=str(kubeconfig)), yes=True)
    [pod] = _pods(kube_emulator)
    [status] = pod["status"]["containerStatuses"]
    assert status["state"]["waiting"] == {
        "reason": "CreateContainerConfigError",
        "message": 'secret "hf-token" not found',
    }
    assert pod["status"]["phase"] == "Pending"


def test_the_emulated_kubelet_reports_a_missing_key_in_the_kubelets_words(kube_emulator: Any, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(small_cpu_node())  # only the kubelet of the pod's node reports its containers
    kube_emulator.cluster.create(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "hf-token", "namespace": "default"}, "data": {}}
    )
    apply_objects([_with_secret_env()], stack="demo", target=KubeTarget(kubeconfig=str(kubeconfig)), yes=True)
    [pod] = _pods(kube_emulator)
    waiting = pod["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["message"] == "couldn't find key token in Secret default/hf-token"


def test_a_timed_out_wait_names_the_missing_secret_and_how_to_check_it(kube_emulator: Any, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(small_cpu_node())  # only the kubelet of the pod's node reports its containers
    target = KubeTarget(kubeconfig=str(kubeconfig))
    with pytest.raises(errors.WaitTimeoutError) as caught:
        apply_objects(
            [copy.deepcopy(_with_secret_env())], stack="demo", target=target, yes=True, wait=True, timeout="1s"
        )
    assert 'container main: CreateContainerConfigError: secret "hf-token" not found' in caught.value.message
    assert (caught.value.hint or "").startswith(
        "Secret hf-token, which env HF_TOKEN of container main reads, does not exist in namespace default"
    )
    assert "kubectl get secret hf-token -n default; nothing was rolled back" in (caught.value.hint or "")
