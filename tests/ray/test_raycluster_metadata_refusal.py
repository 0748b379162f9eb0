"""``akscli apply -f`` refuses a RayCluster whose name KubeRay refuses, before it is sent.

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
ValidateRayClusterMetadata (at most MaxRayClusterNameLength 53 characters, utils/constant.go; a
DNS-1035 label), which raycluster_controller.go rayClusterReconcile (and the optional
pkg/webhooks/v1/raycluster_webhook.go) runs first: a Warning event InvalidRayClusterMetadata, nothing
else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from akscli.ray.object_rules import object_problem
from tests.cli import invoke

RAY = "ray.io/v1"


CLUSTER_HEAD = {"rayStartParams": {}, "template": {"spec": {"containers": [{"name": "ray-head", "image": "x"}]}}}


def test_apply_refuses_a_raycluster_name_longer_than_kuberay_takes(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    name = "r" * 54  # a valid Kubernetes name; KubeRay's MaxRayClusterNameLength is 53
    body = {
        "apiVersion": RAY,
        "kind": "RayCluster",
        "metadata": {"name": name},
        "spec": {"headGroupSpec": CLUSTER_HEAD},
    }
    path = tmp_path / "rc.yaml"
    path.write_text(yaml.safe_dump(body))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        f"error: raycluster/{name}: KubeRay refuses this RayCluster metadata: RayCluster name should be no more "
        "than 53 characters"
    )
    assert "InvalidRayClusterMetadata" in result.stderr
    assert emu.cluster.get(RAY, "RayCluster", "default", name) is None


def test_a_raycluster_name_kuberay_refuses_is_refused_without_its_spec() -> None:
    problem = object_problem({"apiVersion": RAY, "kind": "RayCluster", "metadata": {"name": "ray.one"}})
    assert problem is not None and "RayCluster name should be a valid DNS1035 label" in problem
