"""`ray ... status` reads a container's waiting or failed state through akscli.kube.pod_problems,
the one reader of the kubelet's container states (upstream: kubernetes/kubernetes v1.32.0
staging/src/k8s.io/api/core/v1/types.go, ContainerStateWaiting and ContainerStateTerminated)."""

from __future__ import annotations

from typing import Any

from akscli import ray


def _pod(state: dict[str, Any], phase: str = "Pending", container: str = "ray-head") -> dict[str, Any]:
    return {
        "metadata": {"name": "rc-head-x7k2p", "namespace": "ml", "labels": {}},
        "spec": {"containers": [{"name": container}, {"name": "autoscaler"}]},
        "status": {
            "phase": phase,
            "conditions": [{"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [{"name": container, "state": state}],
        },
    }


def test_a_container_config_error_is_a_finding_in_the_kubelets_words() -> None:
    waiting = {"reason": "CreateContainerConfigError", "message": 'secret "hf-token" not found'}
    [finding] = ray.diagnose_pods([_pod({"waiting": waiting})], {}, True)
    assert (finding.pod, finding.reason, finding.message) == (
        "rc-head-x7k2p",
        "CreateContainerConfigError",
        'secret "hf-token" not found',
    )


def test_a_crash_loop_hint_names_the_container_and_namespace() -> None:
    waiting = {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container"}
    [finding] = ray.diagnose_pods([_pod({"waiting": waiting}, phase="Running")], {}, None)
    assert finding.hint == "see its logs: kubectl logs rc-head-x7k2p -n ml -c ray-head --previous"


def test_an_image_the_kubelet_will_never_pull_hints_at_the_pull_policy_not_the_registry() -> None:
    # upstream: kubernetes/kubernetes v1.32.0 pkg/kubelet/images/image_manager.go, EnsureImageExists:
    # "Container image %q is not present with pull policy of Never" (ErrImageNeverPull): the
    # kubelet never asks a registry, so attaching one changes nothing.
    message = 'Container image "rayproject/ray:2.41.0" is not present with pull policy of Never'
    [finding] = ray.diagnose_pods([_pod({"waiting": {"reason": "ErrImageNeverPull", "message": message}})], {}, None)
    assert finding.reason == "ErrImageNeverPull"
    assert "imagePullPolicy: IfNotPresent" in str(finding.hint)
    assert "attach-acr" not in str(finding.hint)


def test_a_missing_secret_of_the_head_is_a_finding_whose_hint_names_it() -> None:
    pod = _pod({"waiting": {"reason": "CreateContainerConfigError", "message": 'secret "hf-token" not found'}})
    env = [{"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "token"}}}]
    pod["spec"]["containers"][0]["env"] = env
    [finding] = ray.diagnose_pods([pod], {}, True)
    assert finding.hint == (
        "Secret hf-token, which env HF_TOKEN of container ray-head reads, does not exist in namespace ml: "
        "create it, or fix the reference (or mark it optional: true); check with: kubectl get secret hf-token -n ml"
    )
