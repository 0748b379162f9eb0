"""A waited apply whose pod mounts a Secret the namespace does not have: the emulator's kubelet
keeps it ContainerCreating with FailedMount (tests/emulators/kube/controllers/kubelet_volumes.py;
kubernetes/kubernetes pkg/volume/secret/secret.go SetUpAt), and the wait's hint names the Secret
(src/akscli/kube/mount_wait.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.baremetal.nodes import small_cpu_node
from tests.foundation.test_wait_pod_problems import gpu_deployment, wait_error


def deployment_mounting(volume: dict[str, Any]) -> dict[str, Any]:
    deployment = gpu_deployment()
    pod = deployment["spec"]["template"]["spec"]
    del pod["containers"][0]["resources"]
    pod["volumes"] = [{"name": "token", **volume}]
    return deployment


def test_a_waited_deployment_whose_pod_mounts_a_missing_secret_names_the_secret(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    caught = wait_error(kubeconfig, [deployment_mounting({"secret": {"secretName": "hf-token"}})])
    assert (
        "waits in ContainerCreating: its volume token mounts Secret hf-token, which namespace default does not have"
        in (caught.message)
    )
    assert (caught.hint or "").startswith(
        "create Secret hf-token in namespace default, or mark the volume optional: the kubelet starts the pod once "
        "it can mount it (kubectl describe pod llm-"
    )


def test_a_waited_deployment_whose_config_map_volume_is_missing_names_the_config_map(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    caught = wait_error(kubeconfig, [deployment_mounting({"configMap": {"name": "llm-config"}})])
    assert "its volume token mounts ConfigMap llm-config, which namespace default does not have" in caught.message


def test_a_waited_deployment_whose_projected_volume_lacks_its_secret_names_the_secret(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    sources = [{"serviceAccountToken": {"path": "token"}}, {"secret": {"name": "hf-token"}}]
    caught = wait_error(kubeconfig, [deployment_mounting({"projected": {"sources": sources}})])
    assert "its volume token mounts Secret hf-token, which namespace default does not have" in caught.message


def test_a_waited_deployment_whose_volume_items_name_a_key_the_secret_lacks_names_the_key(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "hf-token", "namespace": "default"}}
    kube_emulator.cluster.create({**secret, "data": {"token": "eA=="}})
    items = [{"key": "hf_token", "path": "token"}]
    caught = wait_error(kubeconfig, [deployment_mounting({"secret": {"secretName": "hf-token", "items": items}})])
    assert "its volume token mounts key hf_token of Secret hf-token, which has no key hf_token" in caught.message
    assert (caught.hint or "").startswith(
        "add key hf_token to Secret hf-token in namespace default, or take it out of the volume's items: the kubelet "
        "starts the pod once it can mount it (kubectl describe pod llm-"
    )
    assert "eA==" not in caught.message + (caught.hint or "")


def test_a_user_who_may_not_read_secrets_is_told_the_missing_secret_from_the_failed_mount_event(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    kube_emulator.auth.deny(verb="get", resource="secrets")
    caught = wait_error(kubeconfig, [deployment_mounting({"secret": {"secretName": "hf-token"}})])
    assert "its volume token mounts Secret hf-token, which namespace default does not have" in caught.message
    assert (caught.hint or "").startswith("create Secret hf-token in namespace default, or mark the volume optional")


def test_a_user_who_may_not_read_secrets_is_told_the_missing_key_from_the_failed_mount_event(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "hf-token", "namespace": "default"}}
    kube_emulator.cluster.create({**secret, "data": {"token": "eA=="}})
    kube_emulator.auth.deny(verb="get", resource="secrets")
    sources = [{"secret": {"name": "hf-token", "items": [{"key": "hf_token", "path": "token"}]}}]
    caught = wait_error(kubeconfig, [deployment_mounting({"projected": {"sources": sources}})])
    assert "its volume token mounts key hf_token of Secret hf-token, which has no key hf_token" in caught.message
