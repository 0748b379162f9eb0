"""Rendered KubeRay manifests: golden files, and valid against the ray.io/v1 CRD schemas.

Regenerate the golden files after an intended change with AKSCLI_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import ray, yamlio
from akscli.render import render
from tests.golden import assert_golden
from tests.ray.conftest import schema_problems


def gpu_spot_cluster() -> ray.ClusterSpec:
    return ray.ClusterSpec(
        name="demo",
        namespace="ml",
        labels={"team": "research"},
        groups=(
            ray.parse_group("name=gpu,gpu=1,cpu=8,memory=32Gi,pool=gpua100,min=0,max=4,spot"),
            ray.worker_group("cpu", replicas=2, cpu="4", memory="16Gi"),
        ),
    )


def test_cluster_with_gpu_spot_and_cpu_groups_matches_golden() -> None:
    assert_golden("ray", "raycluster-gpu-spot.yaml", [ray.render_cluster(gpu_spot_cluster())])


def test_cluster_is_valid_against_the_raycluster_crd() -> None:
    assert schema_problems(ray.render_cluster(gpu_spot_cluster())) == []


def test_head_only_cluster_is_valid() -> None:
    spec = ray.ClusterSpec(name="solo", namespace="default", groups=())
    obj = ray.render_cluster(spec)
    assert obj["spec"]["workerGroupSpecs"] == []
    assert "num-cpus" not in obj["spec"]["headGroupSpec"]["rayStartParams"]
    assert schema_problems(obj) == []


def job_objects(tmp_path: Path) -> list[dict[str, Any]]:
    (tmp_path / "train.py").write_text("import ray\nray.init()\n")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "data.py").write_text("ROWS = 10\n")
    packed = ray.pack_workdir(tmp_path)
    cluster = ray.render_cluster(
        ray.ClusterSpec(name="train", namespace="ml", groups=(ray.worker_group("gpu", gpu=1, gpu_pool="gpua100"),))
    )
    env = ray.runtime_env({"pip": ["torch==2.5.1"]}, env=["EPOCHS=3"], working_dir=ray.WORKDIR_MOUNT)
    spec = ray.JobSpec(
        name="train",
        namespace="ml",
        entrypoint="python train.py",
        runtime_env_yaml=yamlio.dump(env),
        entrypoint_gpus=1.0,
        entrypoint_resources={"accel": 1.0},
        ttl_seconds=60,
        active_deadline_seconds=3600,
        workdir_configmap=ray.workdir_configmap_name("train"),
        workdir_items=tuple(packed.items),
        submitter_image="rayproject/ray:2.52.0-gpu",
    )
    return [
        *render("ray/workdir-configmap.yaml.j2", ray.workdir_values("train", "ml", packed)),
        *render("ray/rayjob.yaml.j2", ray.job_values(spec, cluster["spec"])),
    ]


def test_head_only_cluster_matches_golden() -> None:
    # Its one group can have no pod (maxReplicas 0): the head runs the tasks, sized as a worker.
    spec = ray.ClusterSpec(name="solo", namespace="ml", groups=(ray.worker_group("w", replicas=0),))
    assert_golden("ray", "raycluster-head-only.yaml", [ray.render_cluster(spec)])


def test_job_with_working_directory_matches_golden(tmp_path: Path) -> None:
    assert_golden("ray", "rayjob-workdir.yaml", job_objects(tmp_path))


def test_workdir_configmap_is_labelled_in_akscli_domain_not_kuberays(tmp_path: Path) -> None:
    # ray.io/ is KubeRay's label domain; KubeRay v1.7.0 defines no job-workdir key (utils/constant.go).
    labels = job_objects(tmp_path)[0]["metadata"]["labels"]
    assert labels == {"akscli.io/ray-job-workdir": "train"}


def test_job_is_valid_against_the_rayjob_crd(tmp_path: Path) -> None:
    job = job_objects(tmp_path)[1]
    assert schema_problems(job) == []


def test_job_submitter_mounts_the_working_directory_tree(tmp_path: Path) -> None:
    configmap, job = job_objects(tmp_path)
    volume = job["spec"]["submitterPodTemplate"]["spec"]["volumes"][0]["configMap"]
    assert volume["name"] == configmap["metadata"]["name"]
    assert sorted(i["path"] for i in volume["items"]) == ["lib/data.py", "train.py"]
    env = yamlio.load(job["spec"]["runtimeEnvYAML"])
    assert env["working_dir"] == ray.WORKDIR_MOUNT


def test_job_on_existing_cluster_uses_cluster_selector_only() -> None:
    spec = ray.JobSpec(name="j", namespace="ml", entrypoint="python x.py", cluster_selector="shared")
    job = render("ray/rayjob.yaml.j2", ray.job_values(spec, None))[0]
    assert job["spec"]["clusterSelector"] == {"ray.io/cluster": "shared"}
    assert "rayClusterSpec" not in job["spec"] and "shutdownAfterJobFinishes" not in job["spec"]
    assert schema_problems(job) == []


def service_object() -> dict[str, Any]:
    serve = ray.serve_config(
        "applications:\n- name: llm\n  import_path: serve_llm:app\n  route_prefix: /\n", "serve.yaml"
    )
    cluster = ray.render_cluster(ray.ClusterSpec(name="llm", namespace="ml", groups=(ray.worker_group("gpu", gpu=1),)))
    return render(
        "ray/rayservice.yaml.j2",
        {"name": "llm", "namespace": "ml", "labels": {}, "serve_config": serve, "cluster_spec": cluster["spec"]},
    )[0]


def test_service_matches_golden() -> None:
    assert_golden("ray", "rayservice.yaml", [service_object()])


def test_service_is_valid_against_the_rayservice_crd() -> None:
    assert schema_problems(service_object()) == []


@pytest.mark.parametrize("hostile", ['x"\n  evil: true', "a: b\n---\nkind: Secret"])
def test_user_text_stays_one_yaml_value(hostile: str) -> None:
    spec = ray.JobSpec(name="j", namespace="ml", entrypoint=hostile, cluster_selector="c")
    job = render("ray/rayjob.yaml.j2", ray.job_values(spec, None))
    assert len(job) == 1 and job[0]["spec"]["entrypoint"] == hostile
