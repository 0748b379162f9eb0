"""A RayService's serve Service as KubeRay v1.7.0 builds it from ``spec.serveService`` and the head
container's serving ports, the address ``ray service status`` prints for it, and the spec that gets
none, which ``akscli apply -f`` refuses first.

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/common/service.go BuildServeService
(a user's serveService is the base: its name when set, KubeRay's labels and selector over it, each
auto-detected serving port replaced by the user's port of the same name; no serving port and no
serveService: "Please specify a port named 'serve' ..."), rayservice_controller.go
reconcileServicesToReadyCluster (that error ends the reconcile before calculateStatus) and
reconcileServices (an update replaces the whole spec, the ClusterIP kept).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from akscli.ray.service import serve_address
from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until

RAY = "ray.io/v1"
APPS = "applications:\n  - name: llm\n    import_path: m:app\n"


def rayservice(ports: list[dict[str, Any]] | None, serve_service: dict[str, Any] | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "ray-head", "image": "rayproject/ray:2.52.0"}
    if ports is not None:
        container["ports"] = ports
    spec: dict[str, Any] = {
        "serveConfigV2": APPS,
        "rayClusterConfig": {
            "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [container]}}},
            "workerGroupSpecs": [],
        },
    }
    if serve_service is not None:
        spec["serveService"] = serve_service
    return {"apiVersion": RAY, "kind": "RayService", "metadata": {"name": "llm", "namespace": "default"}, "spec": spec}


SERVE_8000 = [{"name": "dashboard", "containerPort": 8265}, {"name": "serve", "containerPort": 8000}]
PUBLIC = {
    "metadata": {"name": "llm-public", "labels": {"team": "ml"}},
    "spec": {"ports": [{"name": "serve", "port": 80, "targetPort": 8000}]},
}


def test_a_serve_service_port_named_serve_is_the_address_port() -> None:
    assert serve_address(rayservice(SERVE_8000, PUBLIC)) == "llm-public.default.svc.cluster.local:80"


def test_a_head_without_a_serving_port_and_no_serve_service_has_no_serve_address() -> None:
    assert serve_address(rayservice([{"name": "dashboard", "containerPort": 8265}])) is None


def test_a_head_listing_no_ports_is_served_on_kuberays_default_serve_port() -> None:
    assert serve_address(rayservice(None)) == "llm-serve-svc.default.svc.cluster.local:8000"


def test_the_serve_service_is_the_users_with_kuberays_selector_and_its_port(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    emu.cluster.create(rayservice(SERVE_8000, PUBLIC))
    wait_until(lambda: emu.cluster.get("v1", "Service", "default", "llm-public") is not None)
    svc = emu.cluster.get("v1", "Service", "default", "llm-public")
    assert svc["spec"]["ports"] == [{"name": "serve", "port": 80, "targetPort": 8000, "protocol": "TCP"}]
    assert svc["spec"]["selector"]["ray.io/serve"] == "true"
    assert svc["metadata"]["labels"]["team"] == "ml"
    assert svc["metadata"]["labels"]["ray.io/originated-from-crd"] == "RayService"
    assert emu.cluster.get("v1", "Service", "default", "llm-serve-svc") is None
    shown = invoke("ray", "service", "status", "llm", "-o", "json")
    assert shown.exit_code == 0, shown
    assert json.loads(shown.stdout)["serveService"] == "llm-public.default.svc.cluster.local:80"


def test_a_rayservice_with_no_serving_port_gets_no_serve_service_and_never_a_ready_status(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    emu.cluster.create(rayservice([{"name": "dashboard", "containerPort": 8265}]))
    # The head Service is made first; the serve Service's error then ends every reconcile.
    wait_until(lambda: emu.cluster.get("v1", "Service", "default", "llm-head-svc") is not None)
    emu.controllers.idle()
    assert emu.cluster.get("v1", "Service", "default", "llm-serve-svc") is None
    status = emu.cluster.get(RAY, "RayService", "default", "llm").get("status") or {}
    assert not (status.get("activeServiceStatus") or {}).get("rayClusterName")
    assert not any(c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions") or [])


def test_apply_refuses_a_rayservice_kuberay_can_make_no_serve_service_for(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    path = tmp_path / "svc.yaml"
    path.write_text(yaml.safe_dump(rayservice([{"name": "dashboard", "containerPort": 8265}])))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 2, result
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        "error: rayservice/llm: KubeRay cannot make this RayService's serve Service: Please specify a port named "
        "'serve' (or with the prefix 'serve-', e.g. 'serve-grpc') in the Ray head container; otherwise, the "
        "Kubernetes service for Ray Serve will not be created."
    ]
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert emu.cluster.get(RAY, "RayService", "default", "llm") is None


def test_apply_takes_a_head_without_a_serving_port_when_a_serve_service_lists_one(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    path = tmp_path / "svc.yaml"
    path.write_text(yaml.safe_dump(rayservice([{"name": "dashboard", "containerPort": 8265}], PUBLIC)))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(RAY, "RayService", "default", "llm") is not None
