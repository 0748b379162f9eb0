"""akscli.ray without a cluster: specs, placement, scaling, working directories (status and diagnosis:
test_logic_status.py)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akscli import ray
from akscli.errors import UsageError

# ---- worker groups and placement --------------------------------------------------------------


def test_group_spec_parses_every_key() -> None:
    group = ray.parse_group("name=gpu,replicas=1,min=0,max=4,cpu=8,memory=64Gi,gpu=2,pool=gpua100,spot")
    assert (group.name, group.replicas, group.min, group.max) == ("gpu", 1, 0, 4)
    assert group.resources == ray.Resources(cpu="8", memory="64Gi", gpu=2)
    assert group.placement.gpu_pool == "gpua100"
    assert group.placement.spot is True


def test_group_spec_without_name_is_refused() -> None:
    with pytest.raises(UsageError, match="has no name"):
        ray.parse_group("replicas=2")


def test_group_spec_with_unknown_key_names_the_key() -> None:
    with pytest.raises(UsageError, match="unknown key 'gpus'"):
        ray.parse_group("name=a,gpus=1")


def test_min_above_max_is_refused() -> None:
    with pytest.raises(UsageError, match=r"min replicas \(5\) is greater than max replicas \(2\)"):
        ray.worker_group("w", min_replicas=5, max_replicas=2)


def test_replicas_default_to_the_minimum_when_only_bounds_are_given() -> None:
    group = ray.worker_group("w", min_replicas=0, max_replicas=8)
    assert (group.replicas, group.min, group.max) == (0, 0, 8)


def test_gpu_pool_places_workers_by_agentpool_label_with_gpu_tolerations() -> None:
    group = ray.worker_group("gpu", gpu=1, gpu_pool="gpua100")
    assert group.placement.selector() == {"kubernetes.azure.com/agentpool": "gpua100"}
    keys = {t["key"] for t in group.placement.tolerations(gpu=True)}
    assert keys == {"sku", "nvidia.com/gpu"}


def test_spot_adds_the_aks_spot_selector_and_toleration() -> None:
    place = ray.placement(None, spot=True)
    assert place.selector() == {"kubernetes.azure.com/scalesetpriority": "spot"}
    assert place.tolerations(gpu=False) == [ray.SPOT_TOLERATION]


def test_a_pool_name_aks_cannot_give_a_pool_is_a_nap_nodepools_selected_by_karpenters_label() -> None:
    # AKS pool names: lower-case letters and digits, a letter first, 12 at most; a NodePool's name
    # is a DNS label, the value of its nodes' karpenter.sh/nodepool (akscli.nap.target)
    assert ray.placement("gpu-a100", spot=False).selector() == {"karpenter.sh/nodepool": "gpu-a100"}
    assert ray.placement("gpunodepoolh100", spot=False).selector() == {"karpenter.sh/nodepool": "gpunodepoolh100"}


def test_a_pool_name_that_is_no_dns_label_is_refused() -> None:
    with pytest.raises(UsageError, match="invalid node pool name 'gpu_pool'"):
        ray.placement("gpu_pool", spot=False)


def test_memory_below_ray_minimum_is_refused() -> None:
    with pytest.raises(UsageError, match="at least 256Mi"):
        ray.resources("1", "64Mi", 0, "head")


def test_bad_quantity_names_the_flag() -> None:
    with pytest.raises(UsageError, match="worker group w CPU"):
        ray.worker_group("w", cpu="lots")


def test_duplicate_group_names_are_refused() -> None:
    with pytest.raises(UsageError, match="given twice"):
        ray.check_groups([ray.worker_group("a"), ray.worker_group("a")])


def test_gpu_image_is_chosen_when_any_group_has_gpus() -> None:
    spec = ray.ClusterSpec(name="c", namespace="n", groups=(ray.worker_group("g", gpu=1),))
    assert spec.image_ref == f"rayproject/ray:{ray.DEFAULT_RAY_VERSION}-gpu"


def test_autoscaling_is_on_only_when_a_group_has_a_range() -> None:
    fixed = ray.ClusterSpec(name="c", namespace="n", groups=(ray.worker_group("a", replicas=2),))
    ranged = ray.ClusterSpec(name="c", namespace="n", groups=(ray.worker_group("a", min_replicas=0, max_replicas=3),))
    assert (fixed.autoscaling, ranged.autoscaling) == (False, True)


# ---- scaling ----------------------------------------------------------------------------------


def cluster_with_groups(*groups: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"name": "demo"}, "spec": {"workerGroupSpecs": list(groups)}}


def test_scaling_an_unknown_group_lists_the_groups() -> None:
    cluster = cluster_with_groups({"groupName": "cpu", "replicas": 1})
    with pytest.raises(UsageError, match="'gpu' does not exist") as info:
        ray.scale_patch(cluster, "gpu", 2, None, None)
    assert info.value.hint == "its worker groups: cpu"


def test_scaling_without_a_group_takes_the_only_one_and_names_them_when_there_are_several() -> None:
    assert ray.chosen_group(cluster_with_groups({"groupName": "cpu"}), None) == "cpu"
    several = cluster_with_groups({"groupName": "cpu"}, {"groupName": "gpu"})
    with pytest.raises(UsageError, match=r"has 2 worker groups \(cpu, gpu\): --group names the one") as info:
        ray.chosen_group(several, None)
    assert info.value.hint == "for example: akscli ray cluster scale demo --group cpu --replicas 3"


def test_scale_patch_tests_the_group_name_before_changing_it() -> None:
    cluster = cluster_with_groups(
        {"groupName": "a", "replicas": 1, "minReplicas": 0, "maxReplicas": 5},
        {"groupName": "b", "replicas": 1, "minReplicas": 1, "maxReplicas": 1},
    )
    change = ray.scale_patch(cluster, "b", None, None, 4)
    assert change is not None
    assert change["ops"][0] == {"op": "test", "path": "/spec/workerGroupSpecs/1/groupName", "value": "b"}
    assert {"op": "add", "path": "/spec/workerGroupSpecs/1/maxReplicas", "value": 4} in change["ops"]


def test_raising_the_minimum_drags_replicas_up() -> None:
    cluster = cluster_with_groups({"groupName": "a", "replicas": 1, "minReplicas": 0, "maxReplicas": 5})
    change = ray.scale_patch(cluster, "a", None, 3, None)
    assert change is not None and change["replicas"] == 3


def test_replicas_above_the_maximum_are_refused() -> None:
    cluster = cluster_with_groups({"groupName": "a", "replicas": 1, "minReplicas": 0, "maxReplicas": 2})
    with pytest.raises(UsageError, match="more than max replicas"):
        ray.scale_patch(cluster, "a", 5, None, None)


def test_scaling_to_the_current_size_changes_nothing() -> None:
    cluster = cluster_with_groups({"groupName": "a", "replicas": 2, "minReplicas": 0, "maxReplicas": 4})
    assert ray.scale_patch(cluster, "a", 2, None, None) is None


def test_adding_an_existing_group_points_to_scale() -> None:
    cluster = cluster_with_groups({"groupName": "a"})
    with pytest.raises(UsageError, match="already exists") as info:
        ray.add_group_ops(cluster, {"groupName": "a"})
    assert "ray cluster scale demo --group a" in str(info.value.hint)


def test_adding_a_group_appends_after_testing_the_last_one() -> None:
    cluster = cluster_with_groups({"groupName": "a"})
    ops = ray.add_group_ops(cluster, {"groupName": "b", "minReplicas": 2, "maxReplicas": 2})
    assert ops[0]["op"] == "test" and ops[1]["path"] == "/spec/workerGroupSpecs/-"
    assert len(ops) == 2


def test_an_autoscaled_group_on_a_cluster_without_autoscaler_is_refused() -> None:
    # common/pod.go adds the autoscaler container only when KubeRay creates the head pod.
    cluster = cluster_with_groups({"groupName": "a"})
    with pytest.raises(UsageError, match="has no autoscaler") as info:
        ray.add_group_ops(cluster, {"groupName": "b", "minReplicas": 0, "maxReplicas": 2})
    assert "--worker-min A --worker-max B" in str(info.value.hint)
    cluster["spec"]["enableInTreeAutoscaling"] = True
    assert len(ray.add_group_ops(cluster, {"groupName": "b", "minReplicas": 0, "maxReplicas": 2})) == 2


def test_replicas_of_an_autoscaled_group_are_refused_with_the_bounds_to_move() -> None:
    cluster = cluster_with_groups({"groupName": "a", "replicas": 1, "minReplicas": 0, "maxReplicas": 4})
    cluster["spec"]["enableInTreeAutoscaling"] = True
    with pytest.raises(UsageError, match="is autoscaled: the Ray autoscaler sets the replicas") as info:
        ray.scale_patch(cluster, "a", 3, None, None)
    assert "--group a --min 3 --max 4" in str(info.value.hint)
    change = ray.scale_patch(cluster, "a", None, 2, 6)
    assert change is not None
    assert [op["path"] for op in change["ops"][1:]] == [
        "/spec/workerGroupSpecs/0/minReplicas",
        "/spec/workerGroupSpecs/0/maxReplicas",
    ]


# ---- jobs -------------------------------------------------------------------------------------


def test_a_job_without_entrypoint_is_refused() -> None:
    with pytest.raises(UsageError, match="no entrypoint") as info:
        ray.entrypoint([])
    assert "-- python train.py" in str(info.value.hint)


def test_entrypoint_words_are_shell_quoted() -> None:
    assert ray.entrypoint(["python", "train.py", "--name", "a b"]) == "python train.py --name 'a b'"


def test_a_single_entrypoint_word_is_kept_as_written() -> None:
    assert ray.entrypoint(["python train.py --epochs 3"]) == "python train.py --epochs 3"


def test_runtime_env_flags_override_the_file() -> None:
    merged = ray.runtime_env(
        {"pip": ["torch"], "env_vars": {"A": "1", "B": "2"}}, pip=["numpy"], env=["B=3"], working_dir="/w"
    )
    assert merged == {"pip": ["numpy"], "env_vars": {"A": "1", "B": "3"}, "working_dir": "/w"}


def test_env_without_equals_is_refused() -> None:
    with pytest.raises(UsageError, match="has no '='"):
        ray.runtime_env(None, env=["NOVALUE"])


def test_generated_job_names_are_valid_and_distinct() -> None:
    names = {ray.job_name(None) for _ in range(20)}
    assert len(names) == 20
    assert all(n.startswith("rayjob-") and len(n) == 12 for n in names)


def test_a_job_on_an_existing_cluster_never_shuts_it_down() -> None:
    spec = ray.JobSpec(name="j", namespace="n", entrypoint="python x.py", cluster_selector="shared")
    assert ray.job_values(spec, None)["shutdown"] is False


# ---- working directory ------------------------------------------------------------------------


def test_workdir_keeps_its_tree_through_volume_items(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "train.py").write_text("print('hi')\n")
    (tmp_path / "pkg" / "util.py").write_text("X = 1\n")
    packed = ray.pack_workdir(tmp_path)
    paths = {item["path"]: item["key"] for item in packed.items}
    assert set(paths) == {"pkg/util.py", "train.py"}
    assert packed.data[paths["pkg/util.py"]] == "X = 1\n"


def test_workdir_stores_binary_files_base64(tmp_path: Path) -> None:
    (tmp_path / "weights.bin").write_bytes(b"\xff\x00\xfe")
    packed = ray.pack_workdir(tmp_path)
    key = packed.items[0]["key"]
    assert base64.b64decode(packed.binary_data[key]) == b"\xff\x00\xfe"


def test_workdir_skips_caches_and_git(tmp_path: Path) -> None:
    for folder in (".git", "__pycache__", ".venv"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "big").write_bytes(b"x" * 2_000_000)
    (tmp_path / "main.py").write_text("pass\n")
    packed = ray.pack_workdir(tmp_path)
    assert [item["path"] for item in packed.items] == ["main.py"]


def test_workdir_over_the_limit_is_refused_with_the_limit(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("x" * 2048)
    with pytest.raises(UsageError, match="over the 1 KiB limit") as info:
        ray.pack_workdir(tmp_path, limit=1024)
    assert "working_dir: https://" in str(info.value.hint)


def test_workdir_counts_binary_files_at_their_base64_size(tmp_path: Path) -> None:
    (tmp_path / "blob").write_bytes(b"\xff" * 900)  # 1,200 bytes once base64-encoded
    with pytest.raises(UsageError, match="over the"):
        ray.pack_workdir(tmp_path, limit=1000)


def test_workdir_keys_are_valid_configmap_keys(tmp_path: Path) -> None:
    (tmp_path / "a dir").mkdir()
    (tmp_path / "a dir" / "ünï code.py").write_text("pass\n")
    packed = ray.pack_workdir(tmp_path)
    import re

    assert all(re.fullmatch(r"[-._a-zA-Z0-9]+", item["key"]) for item in packed.items)


def test_empty_workdir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="holds no files"):
        ray.pack_workdir(tmp_path)


def test_missing_workdir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        ray.pack_workdir(tmp_path / "nope")


# ---- services ---------------------------------------------------------------------------------


def test_serve_config_needs_applications() -> None:
    with pytest.raises(UsageError, match="no applications list"):
        ray.serve_config("proxy_location: EveryNode\n", "serve.yaml")


def test_serve_config_needs_an_import_path_per_application() -> None:
    with pytest.raises(UsageError, match="application 1 has no import_path"):
        ray.serve_config("applications:\n- name: a\n", "serve.yaml")


def test_serve_config_refuses_duplicate_application_names() -> None:
    text = "applications:\n- {name: a, import_path: m:a}\n- {name: a, import_path: m:b}\n"
    with pytest.raises(UsageError, match="used twice"):
        ray.serve_config(text, "serve.yaml")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\\0"),
            min_size=1,
            max_size=30,
        ).filter(lambda n: n not in (".", "..") and not n.endswith(ray.WORKDIR_SKIP_SUFFIXES)),
        min_size=1,
        max_size=8,
        unique_by=lambda n: n.lower(),
    )
)
def test_any_file_names_give_unique_valid_configmap_keys(
    tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    import re

    root = tmp_path_factory.mktemp("wd")
    written = []
    for name in names:
        try:
            (root / name).write_text("x")
            written.append(name)
        except OSError:
            continue
    if not written:
        return
    packed = ray.pack_workdir(root)
    keys = [item["key"] for item in packed.items]
    assert len(set(keys)) == len(keys) == len(list(root.iterdir()))
    assert all(re.fullmatch(r"[-._a-zA-Z0-9]{1,253}", k) for k in keys)


# ---- cluster flags, cluster files, jobs and services ---------------------------------------------


def test_no_cluster_flag_means_the_default_cluster() -> None:
    assert not ray.ClusterFlags().given()
    assert ray.ClusterFlags(spot=True).given() and ray.ClusterFlags(ray_version="2.40.0").given()


def test_worker_group_specs_replace_the_default_group_flags() -> None:
    with pytest.raises(UsageError, match="--worker-group cannot be combined"):
        ray.cluster_spec("c", "ns", ray.ClusterFlags(worker_group=["name=a"], worker_cpu="2"))


def test_head_flags_may_come_with_worker_group_specs() -> None:
    spec = ray.cluster_spec("c", "ns", ray.ClusterFlags(worker_group=["name=a"], head_cpu="4"))
    assert [g.name for g in spec.groups] == ["a"] and spec.head.cpu == "4"


def test_a_cluster_file_of_another_kind_is_refused() -> None:
    with pytest.raises(UsageError, match=r"holds v1 Pod, not ray\.io/v1 RayCluster"):
        ray.load_cluster_file("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", "pod.yaml", "c", "ns")


def test_a_cluster_file_takes_the_name_and_namespace_it_is_created_as() -> None:
    head = "{template: {spec: {containers: [{name: ray-head, image: 'rayproject/ray:2.52.0'}]}}}"
    text = f"apiVersion: ray.io/v1\nkind: RayCluster\nspec: {{headGroupSpec: {head}}}\n"
    doc = ray.load_cluster_file(text, "rc.yaml", "demo", "ml")
    assert doc["metadata"] == {"name": "demo", "namespace": "ml"}


def test_the_working_dir_flag_wins_over_the_runtime_env() -> None:
    assert ray.local_working_dir("./src", {"working_dir": "./other"}) == "./src"
    assert ray.local_working_dir(None, {"working_dir": "./other"}) == "./other"
    assert ray.local_working_dir(None, {"working_dir": "s3://bucket/code.zip"}) is None


def test_a_job_on_an_existing_cluster_names_the_cluster_it_selects() -> None:
    job = {"spec": {"clusterSelector": {"ray.io/cluster": "shared"}}, "status": {}}
    assert ray.job_cluster(job) == "shared"
    assert ray.job_cluster({"spec": {"clusterSelector": None}}) is None


def test_a_failed_job_error_carries_its_message_and_where_to_read_logs() -> None:
    job = {
        "metadata": {"name": "t", "namespace": "ml"},
        "status": {"jobDeploymentStatus": "Failed", "jobStatus": "FAILED", "message": "exit code 1"},
    }
    error = ray.job_failure(job)
    assert error.message == "Ray job t ended Failed (job FAILED): exit code 1"
    assert error.hint == "read its logs: akscli ray job logs t -n ml --out-dir ./t-logs"


def test_service_status_rows_show_each_application_and_problem() -> None:
    service = {
        "metadata": {"name": "llm", "namespace": "ml"},
        "status": {
            "conditions": [{"type": "Ready", "status": "False", "reason": "ZeroServeEndpoints"}],
            "activeServiceStatus": {
                "rayClusterName": "llm-rc",
                "applicationStatuses": {"app": {"status": "DEPLOY_FAILED", "message": "no module"}},
            },
        },
    }
    finding = ray.Finding("llm-rc-head", "ImagePullBackOff", "cannot pull")
    summary = ray.service_summary(service, [finding])
    rows = dict(ray.service_summary_fields(summary, [finding]))
    assert rows["ready"] == "False" and rows["cluster"] == "llm-rc"
    assert rows["app app"] == "DEPLOY_FAILED: no module"
    assert rows["problem"] == "llm-rc-head: ImagePullBackOff: cannot pull"


def test_a_job_without_a_status_yet_has_a_null_job_status_in_its_summary() -> None:
    # KubeRay's JobStatusNew is "" (ray-operator/apis/ray/v1/rayjob_types.go); -o json printed the
    # table's "-" placeholder, which no RayJob ever holds
    job = {
        "metadata": {"name": "t", "namespace": "default"},
        "spec": {},
        "status": {"jobDeploymentStatus": "Initializing"},
    }
    summary = ray.job_summary(job, [])
    assert summary["jobStatus"] is None
    assert ("jobStatus", "-") not in ray.job_summary_fields(summary, [])
