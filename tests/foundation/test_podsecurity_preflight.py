"""akscli.kube.podsecurity evaluates pod templates as kube-apiserver's PodSecurity admission does
(upstream: kubernetes/pod-security-admission 8f84a87c api/helpers.go PolicyToEvaluate,
policy/registry.go, policy/check_*.go). The kube emulator runs the same checks on the server's
side (tests/emulators/kube/admission_podsecurity.py): both must give the same words."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.kube import podsecurity
from akscli.kube.podsecurity_checks import evaluate
from tests.emulators.kube import admission_podsecurity as server

HARDENED = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
SPECS: dict[str, dict[str, Any]] = {
    "plain": {"containers": [{"name": "c"}]},
    "hardened": {"containers": [{"name": "c", "securityContext": HARDENED}]},
    "pod-level": {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": False}}],
    },
    "nccl": {
        "hostNetwork": True,
        "containers": [{"name": "nccl", "securityContext": {"capabilities": {"add": ["IPC_LOCK"]}}}],
    },
    "probe": {
        "initContainers": [{"name": "init"}],
        "containers": [{"name": "probe"}],
        "volumes": [{"name": "host-sys", "hostPath": {"path": "/sys"}}, {"name": "t", "emptyDir": {}}],
    },
    "device plugin": {
        "hostNetwork": True,
        "containers": [
            {"name": "p", "securityContext": {"privileged": True}, "ports": [{"containerPort": 1, "hostPort": 9}]}
        ],
        "volumes": [{"name": "a", "hostPath": {"path": "/a"}}, {"name": "b", "hostPath": {"path": "/b"}}],
    },
    "unconfined": {
        "securityContext": {"runAsNonRoot": False, "seccompProfile": {"type": "Unconfined"}},
        "containers": [{"name": "c", "securityContext": {**HARDENED, "runAsNonRoot": None}}],
    },
}


@pytest.mark.parametrize("level", ["baseline", "restricted"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_check_words_its_refusal_as_the_api_server_does(level: str, name: str) -> None:
    spec = SPECS[name]
    assert evaluate(level, None, spec) == server.evaluate(level, spec)


@pytest.mark.parametrize("minor", [7, 18, 21, 24, 34])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_version_of_restricted_words_its_refusal_as_the_api_server_does(minor: int, name: str) -> None:
    spec = SPECS[name]
    assert evaluate("restricted", minor, spec) == server.evaluate("restricted", spec, f"v1.{minor}")


def test_restricted_before_v1_22_asks_no_capabilities_drop_and_checks_the_baseline_ones() -> None:
    spec = SPECS["nccl"]
    detail = evaluate("restricted", 21, spec) or ""
    assert "unrestricted capabilities" not in detail
    assert 'non-default capabilities (container "nccl" must not include "IPC_LOCK"' in detail
    assert "unrestricted capabilities" in (evaluate("restricted", 22, spec) or "")


def test_restricted_before_v1_19_asks_no_seccomp_profile() -> None:
    assert "seccompProfile" not in (evaluate("restricted", 18, SPECS["plain"]) or "")
    assert "seccompProfile" in (evaluate("restricted", 19, SPECS["plain"]) or "")


def test_an_unset_warn_level_takes_a_stricter_enforce_level_and_its_version() -> None:
    enforce, warn = podsecurity.policy(
        {"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.29"}
    )
    assert (str(enforce), str(warn)) == ("baseline:v1.29", "baseline:v1.29")


def test_an_invalid_enforce_level_is_restricted_and_an_invalid_version_latest() -> None:
    enforce, warn = podsecurity.policy(
        {"pod-security.kubernetes.io/enforce": "strict", "pod-security.kubernetes.io/enforce-version": "1.29"}
    )
    assert str(enforce) == "restricted:latest"
    assert str(warn) == "privileged:latest"  # no warn default from an invalid enforce level


def test_no_labels_are_privileged() -> None:
    assert tuple(map(str, podsecurity.policy({}))) == ("privileged:latest", "privileged:latest")


def test_a_ray_cluster_is_checked_per_group_with_kuberays_autoscaler_sidecar() -> None:
    cluster = {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": "r"},
        "spec": {
            "enableInTreeAutoscaling": True,
            "headGroupSpec": {"template": {"spec": {"containers": [{"name": "ray-head"}]}}},
            "workerGroupSpecs": [{"groupName": "gpu", "template": {"spec": {"containers": [{"name": "w"}]}}}],
        },
    }
    where = [(w, [c["name"] for c in s["containers"]]) for w, s in podsecurity.pod_specs(cluster)]
    assert where == [("head group", ["ray-head", "autoscaler"]), ("worker group gpu", ["w"])]


def test_a_ray_job_is_checked_with_its_cluster_and_its_submitter() -> None:
    job = {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": "j"},
        "spec": {
            "rayClusterSpec": {"headGroupSpec": {"template": {"spec": {"containers": [{"name": "h"}]}}}},
            "submitterPodTemplate": {"spec": {"containers": [{"name": "s"}]}},
        },
    }
    assert [w for w, _ in podsecurity.pod_specs(job)] == ["head group", "submitter"]


def test_objects_that_make_no_pods_have_no_pod_specs() -> None:
    assert podsecurity.pod_specs({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}) == []
