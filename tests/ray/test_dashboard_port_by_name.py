"""akscli reaches a Ray cluster's dashboard and Ray job API through the head Service's port named
``dashboard``, as KubeRay finds it, not through port number 8265.

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/util.go FetchHeadServiceURL
(the head Service's port named ``dashboard``: the RayJob's status.dashboardURL and its submitter's
``--address``), common/service.go getPortsFromCluster (the head Service's ports are the head
container's, by name); kubernetes/kubernetes pkg/registry/core/service/storage/storage.go
ResourceLocation (the service proxy takes a port name; a number must be some Service port's).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job, submit

RAY = "ray.io/v1"
MOVED_PORTS = [
    {"name": "gcs-server", "containerPort": 6379},
    {"name": "dashboard", "containerPort": 8266},
    {"name": "client", "containerPort": 10001},
    {"name": "serve", "containerPort": 8000},
]


def moved_dashboard_cluster(ray_emulator: Callable[..., Any], **options: Any) -> Any:
    """RayCluster ``moved``, whose dashboard listens on 8266 (``ray start --dashboard-port``), ready."""
    emu = ray_emulator(**options)
    container = {"name": "ray-head", "image": "rayproject/ray:2.52.0", "ports": MOVED_PORTS}
    head = {"rayStartParams": {"dashboard-port": "8266"}, "template": {"spec": {"containers": [container]}}}
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayCluster",
            "metadata": {"name": "moved", "namespace": "default"},
            "spec": {"rayVersion": "2.52.0", "headGroupSpec": head, "workerGroupSpecs": []},
        }
    )
    wait_until(
        lambda: (emu.cluster.get(RAY, "RayCluster", "default", "moved").get("status") or {}).get("state") == "ready"
    )
    return emu


def test_the_job_api_of_a_cluster_whose_dashboard_is_not_on_8265_is_reached(
    ray_emulator: Callable[..., Any],
) -> None:
    moved_dashboard_cluster(ray_emulator)
    listed = invoke("ray", "job", "list", "--cluster", "moved")
    assert listed.exit_code == 0, listed
    # Through port 8265 the proxy found no Service port, and akscli said the head was not serving.
    assert "warning:" not in listed.stderr
    asked = invoke("ray", "job", "status", "raysubmit_abc", "--cluster", "moved")
    assert asked.exit_code == 3, asked
    assert asked.stderr.splitlines()[0] == (
        "error: the Ray job API of cluster moved does not know job raysubmit_abc: Job raysubmit_abc does not exist"
    )


def test_a_rayjobs_dashboard_url_carries_the_head_services_dashboard_port(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = moved_dashboard_cluster(ray_emulator, run_seconds=30)
    assert submit("onmoved", "--cluster", "moved").exit_code == 0
    wait_until(lambda: bool((job(emu, "onmoved").get("status") or {}).get("dashboardURL")))
    assert job(emu, "onmoved")["status"]["dashboardURL"] == "moved-head-svc.default.svc.cluster.local:8266"
    shown = json.loads(invoke("ray", "job", "status", "onmoved", "-o", "json").stdout)
    assert shown["dashboard"].endswith(":8266")
