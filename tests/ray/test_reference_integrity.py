"""The references of a `ray job submit --working-dir` set resolve inside it: the submitter's volume
names the working directory's ConfigMap of the same set, every item is a key of it, and the
mount is the runtime env's working_dir (KubeRay runs the submitter from the pod template and
`ray job submit` uploads working_dir from it: ray-project/kuberay ray-operator/controllers/ray/
common/job.go, GetSubmitterTemplate). The head and Serve Services akscli talks to are the ones
KubeRay makes (below)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from akscli import ray, yamlio
from akscli.ray.service import serve_address
from tests.cli import invoke


def _submitted(tmp_path: Path) -> dict[str, dict[str, Any]]:
    (tmp_path / "train.py").write_text("print(1)\n")
    (tmp_path / "data.txt").write_text("x\n")
    result = invoke(
        "ray", "job", "submit", "--name", "wd", "--working-dir", str(tmp_path), "--dry-run=client", "-o", "json",
        "--", "python", "train.py",
    )  # fmt: skip
    assert result.exit_code == 0, result
    return {item["kind"]: item for item in json.loads(result.stdout)["items"]}


def test_the_submitter_mounts_the_configmap_of_the_same_set_at_the_working_dir(tmp_path: Path) -> None:
    objects = _submitted(tmp_path)
    pod = objects["RayJob"]["spec"]["submitterPodTemplate"]["spec"]
    volume = pod["volumes"][0]
    assert volume["configMap"]["name"] == objects["ConfigMap"]["metadata"]["name"]
    keys = {*objects["ConfigMap"].get("data", {}), *objects["ConfigMap"].get("binaryData", {})}
    assert {item["key"] for item in volume["configMap"]["items"]} == keys
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == volume["name"])
    runtime_env = yamlio.load(objects["RayJob"]["spec"]["runtimeEnvYAML"])
    assert mount["mountPath"] == runtime_env["working_dir"]


# ---- the head and Serve Services akscli talks to are the ones KubeRay makes -----------------------
# KubeRay names a RayCluster's head Service spec.headGroupSpec.headService.metadata.name, else
# <cluster>-head-svc (ray-project/kuberay feeaf72f ray-operator/controllers/ray/utils/util.go
# GenerateHeadServiceName; common/service.go BuildServiceForHeadPod), and a RayService's Serve Service
# <service>-serve-svc, made only when the head container has a port named serve (or serve-*)
# or spec.serveService is given (common/service.go BuildServeService).


def _cluster(name: str, head_service: dict[str, Any] | None = None) -> dict[str, Any]:
    head: dict[str, Any] = {"template": {"spec": {"containers": [{"name": "ray-head"}]}}}
    if head_service is not None:
        head["headService"] = head_service
    return {"metadata": {"name": name, "namespace": "default"}, "spec": {"headGroupSpec": head}}


def test_the_head_service_of_a_new_cluster_is_kuberays_default_name() -> None:
    assert ray.head_service(_cluster("demo")) == "demo-head-svc"


def test_a_head_service_named_in_the_spec_is_used_before_kuberay_reports_it() -> None:
    cluster = _cluster("demo", {"metadata": {"name": "demo-head"}})
    assert ray.head_service(cluster) == "demo-head"


def test_the_head_service_kuberay_reports_wins() -> None:
    cluster = {**_cluster("demo", {"metadata": {"name": "demo-head"}}), "status": {"head": {"serviceName": "x"}}}
    assert ray.head_service(cluster) == "x"


def test_a_rendered_rayservice_has_the_serve_port_kuberay_makes_its_serve_service_from() -> None:
    from .test_render import service_object

    service = service_object()
    head = service["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    serve_ports = [p for p in head["ports"] if p["name"] == "serve" or p["name"].startswith("serve-")]
    assert serve_ports == [{"name": "serve", "containerPort": 8000}]
    address = serve_address(service)
    assert (
        address == f"{service['metadata']['name']}-serve-svc.{service['metadata']['namespace']}.svc.cluster.local:8000"
    )
