"""The Services KubeRay v1.7.0 creates, and the names and ports akscli prints for them.

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/common/service.go
(BuildServiceForHeadPod, BuildServeService, getServicePorts, GetServePort), common/job.go
BuildHeadServiceForRayJob, rayjob_controller.go reconcileServices, utils/util.go
GenerateHeadServiceName, GenerateServeServiceName.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import ray_pods, wait_until
from tests.ray.test_cli_job import job, submit

RAY = "ray.io/v1"


def service(emu: Any, name: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = emu.cluster.get("v1", "Service", "default", name)
    return found


def port_names(svc: dict[str, Any]) -> list[str]:
    return [p["name"] for p in svc["spec"]["ports"]]


def head_spec(ports: list[dict[str, Any]]) -> dict[str, Any]:
    container = {"name": "ray-head", "image": "rayproject/ray:2.52.0", "ports": ports}
    return {"rayStartParams": {}, "template": {"spec": {"containers": [container]}}}


def test_a_job_with_its_own_cluster_gets_kuberays_job_head_service(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    done = submit("train", "--keep-cluster", "--wait", "--timeout", "30s")
    assert done.exit_code == 0, done
    rc = job(emu, "train")["status"]["rayClusterName"]
    svc = service(emu, "train-head-svc")
    assert svc is not None
    assert svc["spec"]["selector"]["ray.io/cluster"] == rc
    assert svc["metadata"]["ownerReferences"][0]["kind"] == "RayJob"
    assert svc["metadata"]["labels"]["ray.io/originated-from-crd"] == "RayJob"
    assert "dashboard" in port_names(svc)
    # The cluster's own head service is there too: akscli's dashboard and logs use that one.
    assert service(emu, f"{rc}-head-svc") is not None


def test_a_job_on_an_existing_cluster_gets_no_job_head_service(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "base", "--wait", "--timeout", "20s").exit_code == 0
    done = submit("onbase", "--cluster", "base", "--wait", "--timeout", "30s")
    assert done.exit_code == 0, done
    assert service(emu, "onbase-head-svc") is None


def test_head_service_ports_are_the_head_containers_and_metrics(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    ports = [{"name": "dashboard", "containerPort": 8265}, {"containerPort": 9999}]
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayCluster",
            "metadata": {"name": "custom", "namespace": "default"},
            "spec": {"headGroupSpec": head_spec(ports), "workerGroupSpecs": []},
        }
    )
    wait_until(lambda: service(emu, "custom-head-svc") is not None)
    svc = service(emu, "custom-head-svc")
    assert svc is not None
    assert port_names(svc) == ["9999-port", "dashboard", "metrics"]
    assert svc["spec"]["clusterIP"] == "None"
    # The head pod is made in the same reconcile as the Service, and may land a moment after it.
    wait_until(lambda: any(p["metadata"]["labels"]["ray.io/node-type"] == "head" for p in ray_pods(emu, "custom")))
    head = next(p for p in ray_pods(emu, "custom") if p["metadata"]["labels"]["ray.io/node-type"] == "head")
    assert all(head["metadata"]["labels"].get(k) == v for k, v in svc["spec"]["selector"].items())


def test_a_service_serve_service_has_only_serve_ports_and_akscli_prints_its_port(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    ports = [
        {"name": "dashboard", "containerPort": 8265},
        {"name": "serve", "containerPort": 9000},
        {"name": "serve-grpc", "containerPort": 9001},
    ]
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayService",
            "metadata": {"name": "llm", "namespace": "default"},
            "spec": {
                "serveConfigV2": "applications:\n  - name: llm\n    import_path: m:app\n",
                "rayClusterConfig": {"headGroupSpec": head_spec(ports), "workerGroupSpecs": []},
            },
        }
    )
    wait_until(lambda: service(emu, "llm-serve-svc") is not None)
    serve = service(emu, "llm-serve-svc")
    assert serve is not None
    assert sorted(port_names(serve)) == ["serve", "serve-grpc"]
    assert serve["spec"]["selector"]["ray.io/serve"] == "true"
    head_svc = service(emu, "llm-head-svc")
    assert head_svc is not None and "dashboard" in port_names(head_svc)
    shown = invoke("ray", "service", "status", "llm", "-o", "json")
    assert shown.exit_code == 0, shown
    assert json.loads(shown.stdout)["serveService"] == "llm-serve-svc.default.svc.cluster.local:9000"


def test_akscli_deployed_service_is_served_on_its_serve_port(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = ray_emulator()
    serve_file = tmp_path / "serve.yaml"
    serve_file.write_text("applications:\n  - name: llm\n    import_path: serve_llm:app\n")
    deployed = invoke("ray", "service", "deploy", "llm", "-f", str(serve_file), "--wait", "--timeout", "20s")
    assert deployed.exit_code == 0, deployed
    serve = service(emu, "llm-serve-svc")
    assert serve is not None and [p["port"] for p in serve["spec"]["ports"]] == [8000]
    rc = emu.cluster.get(RAY, "RayService", "default", "llm")["status"]["activeServiceStatus"]["rayClusterName"]
    head = next(p for p in ray_pods(emu, rc) if p["metadata"]["labels"]["ray.io/node-type"] == "head")
    assert head["metadata"]["labels"]["ray.io/serve"] == "true"


def test_incremental_upgrade_serve_service_is_the_active_clusters() -> None:
    from akscli.ray.service import serve_address

    svc: dict[str, Any] = {
        "metadata": {"name": "llm", "namespace": "ml"},
        "spec": {"upgradeStrategy": {"type": "NewClusterWithIncrementalUpgrade"}, "rayClusterConfig": {}},
        "status": {"activeServiceStatus": {"rayClusterName": "llm-abcde"}},
    }
    assert serve_address(svc) == "llm-abcde-serve-svc.ml.svc.cluster.local:8000"
    svc["status"] = {}
    assert serve_address(svc) is None


def test_a_job_whose_cluster_is_not_ready_has_no_dashboard_url_yet(ray_emulator: Callable[..., Any]) -> None:
    # rayjob_controller.go (Initializing): "Wait for the RayCluster.Status.State to be ready before
    # submitting the job", and only then FetchHeadServiceURL fills status.dashboardURL.
    emu = ray_emulator(failure="image-pull")
    result = invoke("ray", "job", "submit", "--name", "pull", "--", "python", "x.py")
    assert result.exit_code == 0, result
    wait_until(lambda: bool((job(emu, "pull").get("status") or {}).get("rayClusterStatus")))
    assert job(emu, "pull")["status"]["jobDeploymentStatus"] == "Initializing"
    assert not job(emu, "pull")["status"].get("dashboardURL")
    shown = json.loads(invoke("ray", "job", "status", "pull", "-o", "json").stdout)
    assert shown["dashboard"] is None


def test_deploy_over_a_service_with_upgrade_strategy_none_warns_the_cluster_is_kept(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    # rayservice_controller.go shouldPrepareNewCluster: upgradeStrategy None prepares no new cluster.
    emu = ray_emulator()
    serve_file = tmp_path / "serve.yaml"
    serve_file.write_text("applications:\n  - name: llm\n    import_path: serve_llm:app\n")
    first = invoke("ray", "service", "deploy", "llm", "-f", str(serve_file), "--wait", "--timeout", "20s")
    assert first.exit_code == 0, first
    stored = emu.cluster.get(RAY, "RayService", "default", "llm")
    active = stored["status"]["activeServiceStatus"]["rayClusterName"]
    stored["spec"]["upgradeStrategy"] = {"type": "None"}
    emu.cluster.update(stored)
    again = invoke("ray", "service", "deploy", "llm", "-f", str(serve_file), "--worker-cpu", "3", "-y")
    assert again.exit_code == 0, again
    assert "upgradeStrategy.type None" in again.stderr and "not rolled out" in again.stderr

    def observed() -> bool:
        svc = emu.cluster.get(RAY, "RayService", "default", "llm")
        return bool(svc["status"].get("observedGeneration") == svc["metadata"]["generation"] == 3)

    wait_until(observed)
    status = emu.cluster.get(RAY, "RayService", "default", "llm")["status"]
    assert status["activeServiceStatus"]["rayClusterName"] == active
    assert not status["pendingServiceStatus"].get("rayClusterName")
