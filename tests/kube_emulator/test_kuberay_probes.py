"""The simulated KubeRay gives the Ray container the probes ray-project/kuberay's
initLivenessAndReadinessProbe does (tests/emulators/kube/controllers/kuberay/probes.py)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.kuberay.probes import with_probes


def spec(**ray: Any) -> dict[str, Any]:
    return {"containers": [{"name": "ray-head", **ray}, {"name": "autoscaler"}]}


def test_a_head_before_ray_2_53_gets_wget_checks_of_the_raylet_and_the_gcs() -> None:
    made = spec()
    with_probes(made, "head", {"dashboard-port": "8266"}, "2.52.0", False)
    command = made["containers"][0]["readinessProbe"]["exec"]["command"]
    assert command == [
        "bash",
        "-c",
        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && "
        "wget --tries 1 -T 10 -q -O- http://localhost:8266/api/gcs_healthz | grep success",
    ]
    assert made["containers"][0]["livenessProbe"]["timeoutSeconds"] == 5
    assert "readinessProbe" not in made["containers"][1]


def test_ray_2_53_gets_the_unified_http_check() -> None:
    made = spec()
    with_probes(made, "worker", {}, "2.53.0", False)
    assert made["containers"][0]["livenessProbe"]["httpGet"] == {"path": "/api/healthz", "port": 52365}


def test_a_probe_the_template_sets_is_kept() -> None:
    made = spec(readinessProbe={"grpc": {"port": 9000}})
    with_probes(made, "worker", {}, "2.52.0", False)
    assert made["containers"][0]["readinessProbe"] == {"grpc": {"port": 9000}}
    assert "exec" in made["containers"][0]["livenessProbe"]


def test_a_rayservice_worker_readiness_also_checks_the_serve_proxy() -> None:
    made = spec(ports=[{"name": "serve", "containerPort": 8001}])
    with_probes(made, "worker", {}, "2.53.0", True)
    readiness = made["containers"][0]["readinessProbe"]
    assert readiness["failureThreshold"] == 1
    assert readiness["exec"]["command"][2].endswith("http://localhost:8001/-/healthz | grep success")
    assert "httpGet" not in readiness
