"""akscli ray job against the Kubernetes emulator and the KubeRay simulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import Result, invoke, list_items
from tests.ray.conftest import unready_head
from tests.ray.test_cli_cluster import wait_until

RAY = "ray.io/v1"


def submit(name: str, *flags: str, entrypoint: tuple[str, ...] = ("python", "x.py")) -> Result:
    """``akscli ray job submit --name NAME FLAGS... -- ENTRYPOINT...``."""
    return invoke("ray", "job", "submit", "--name", name, *flags, "--", *entrypoint)


def job(emu: Any, name: str) -> dict[str, Any]:
    found: dict[str, Any] = emu.cluster.get(RAY, "RayJob", "default", name)
    return found


def test_submit_wait_follows_phases_and_prints_the_logs(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(job_logs="epoch 1 loss 0.5\nepoch 2 loss 0.2\n", run_seconds=0.3)
    result = submit("train", "--wait", "--timeout", "30s", entrypoint=("python", "train.py", "--epochs", "2"))
    assert result.exit_code == 0, result
    assert "epoch 2 loss 0.2" in result.stdout
    running = result.stderr.index("rayjob.ray.io/train: deployment Running, job RUNNING")
    assert result.stderr.index("rayjob.ray.io/train: deployment Complete, job SUCCEEDED") > running
    assert "Ray job train succeeded" in result.stderr


def test_submit_stores_the_entrypoint_and_runtime_env(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    result = submit("env", "--pip", "numpy==2.1.0", "--env", "EPOCHS=3", "--entrypoint-num-cpus", "1", "--ttl", "1m")
    assert result.exit_code == 0, result
    spec = job(emu, "env")["spec"]
    assert spec["entrypoint"] == "python x.py"
    assert "numpy==2.1.0" in spec["runtimeEnvYAML"] and "EPOCHS: '3'" in spec["runtimeEnvYAML"]
    assert spec["ttlSecondsAfterFinished"] == 60 and spec["shutdownAfterJobFinishes"] is True


def test_failed_job_exits_non_zero_with_its_logs(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(failure="job-fail")
    result = submit("bad", "--wait", "--timeout", "30s", entrypoint=("python", "train.py"))
    assert result.exit_code == 10  # an object failed (docs/exit-codes.md)
    assert "RuntimeError: simulated failure" in result.stdout
    assert "error: Ray job bad ended Failed (job FAILED): Job entrypoint command failed" in result.stderr
    assert "akscli ray job logs bad" in result.stderr


def test_stuck_job_is_explained_and_times_out(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(failure="unschedulable-gpu")
    result = submit(
        "stuck",
        "--worker-gpu",
        "1",
        "--gpu-pool",
        "gpua100",
        "--wait",
        "--timeout",
        "2s",
        entrypoint=("python", "t.py"),
    )
    assert result.exit_code == 5
    assert "warning: node pool gpua100 has no nodes" in result.stderr
    assert "waiting: stuck-" in result.stderr and "Insufficient nvidia.com/gpu" in result.stderr
    assert "error: Ray job stuck is still Initializing" in result.stderr
    status = json.loads(invoke("ray", "job", "status", "stuck", "-o", "json").stdout)
    assert status["deploymentStatus"] == "Initializing"
    assert status["problems"][0]["reason"] == "Unschedulable"


def test_job_without_entrypoint_is_refused() -> None:
    result = invoke("ray", "job", "submit", "--name", "x", "--dry-run=client")
    assert result.exit_code == 2
    assert "error: the job has no entrypoint" in result.stderr
    assert "hint: give the command after --" in result.stderr


def test_working_directory_over_the_limit_is_refused_before_sending(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    (tmp_path / "data.bin").write_bytes(b"\0" * 1_000_000)
    result = invoke("ray", "job", "submit", "--name", "big", "--working-dir", str(tmp_path), "--", "python", "x.py")
    assert result.exit_code == 2
    assert "is over the 900 KiB limit" in result.stderr
    assert job(emu, "big") is None


def test_working_directory_ships_as_a_configmap_mounted_in_the_submitter(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    (tmp_path / "train.py").write_text("print('hi')\n")
    result = submit(
        "wd", "--working-dir", str(tmp_path), "--wait", "--timeout", "30s", entrypoint=("python", "train.py")
    )
    assert result.exit_code == 0, result
    configmap = emu.cluster.get("v1", "ConfigMap", "default", "wd-workdir")
    assert list(configmap["data"].values()) == ["print('hi')\n"]
    template = job(emu, "wd")["spec"]["submitterPodTemplate"]["spec"]
    assert template["volumes"][0]["configMap"]["name"] == "wd-workdir"
    assert "working_dir: /home/ray/workdir" in job(emu, "wd")["spec"]["runtimeEnvYAML"]


def test_submit_on_an_existing_cluster_uses_its_selector(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "shared", "--wait", "--timeout", "20s").exit_code == 0
    result = submit("onshared", "--cluster", "shared", "--wait", "--timeout", "30s")
    assert result.exit_code == 0, result
    spec = job(emu, "onshared")["spec"]
    assert spec["clusterSelector"] == {"ray.io/cluster": "shared"}
    assert "rayClusterSpec" not in spec
    assert emu.cluster.get(RAY, "RayCluster", "default", "shared") is not None


def test_submit_on_a_missing_cluster_is_not_found(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = invoke("ray", "job", "submit", "--cluster", "ghost", "--", "python", "x.py")
    assert result.exit_code == 3
    assert "Ray cluster ghost not found" in result.stderr


def test_cluster_flags_with_an_existing_cluster_are_refused() -> None:
    result = invoke("ray", "job", "submit", "--cluster", "c", "--worker-gpu", "1", "--", "x")
    assert result.exit_code == 2
    assert "leave out the flags that describe a new one" in result.stderr


def test_the_refusal_of_cluster_flags_with_an_existing_cluster_names_them() -> None:
    args = ("--cluster", "c", "--annotation", "a=b", "--worker-node-selector", "x=y", "--spot", "--", "x")
    result = invoke("ray", "job", "submit", *args)
    assert result.exit_code == 2
    assert "the flags that describe a new one (--spot, --worker-node-selector, --annotation)" in result.stderr
    assert "hint: drop --spot, --worker-node-selector, --annotation, or drop --cluster" in result.stderr


def test_every_cluster_flag_is_named_as_the_command_line_spells_it() -> None:
    from akscli.cli.ray.common import CLUSTER_OPTIONS
    from akscli.ray.flags import ClusterFlags

    every = ClusterFlags(**{field: True if field == "spot" else "x" for field in ClusterFlags.__dataclass_fields__})
    # typer keeps an option's first name as its ``default`` (the rest in param_decls)
    spelled = {info.__metadata__[0].default for info in CLUSTER_OPTIONS.values()}
    assert set(every.given_flags()) == spelled


def test_list_status_and_logs_of_a_finished_job(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    ray_emulator(job_logs="result=42\n")
    assert submit("done", "--keep-cluster", "--wait", "--timeout", "30s").exit_code == 0
    listed = list_items(invoke("ray", "job", "list", "-o", "json").stdout)
    assert [(j["metadata"]["name"], j["status"]["jobStatus"]) for j in listed] == [("done", "SUCCEEDED")]
    table = invoke("ray", "job", "list").stdout
    assert table.split("\n")[1].split()[:3] == ["done", "SUCCEEDED", "Complete"]
    status = json.loads(invoke("ray", "job", "status", "done", "-o", "json").stdout)
    assert status["jobStatus"] == "SUCCEEDED" and status["problems"] == []
    logs = invoke("ray", "job", "logs", "done")
    assert "result=42" in logs.stdout
    saved = invoke("ray", "job", "logs", "done", "--out-dir", str(tmp_path / "out"))
    assert saved.exit_code == 0, saved
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 2 and any("-head-" in n for n in names)


def test_stop_suspends_a_job_that_owns_its_cluster(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(failure="unschedulable-gpu")
    assert submit("halt", "--worker-gpu", "1", "--gpu-pool", "gpua100").exit_code == 0
    wait_until(lambda: (job(emu, "halt").get("status") or {}).get("jobDeploymentStatus") == "Initializing")
    result = invoke("ray", "job", "stop", "halt", "-y")
    assert result.exit_code == 0, result
    assert job(emu, "halt")["spec"]["suspend"] is True
    # stop waits until KubeRay has written the end (Suspended), as Ray's ray job stop waits.
    assert job(emu, "halt")["status"].get("jobDeploymentStatus") == "Suspended"
    assert "Ray job halt ended: Suspended" in result.stderr


def test_stop_of_a_job_ray_never_ran_ends_without_a_job_status(ray_emulator: Callable[..., Any]) -> None:
    # The line read "ended: Suspended, job -": the job had no status, and "job -" read as a value.
    emu = ray_emulator(failure="unschedulable-gpu")
    assert submit("halt", "--worker-gpu", "1", "--gpu-pool", "gpua100").exit_code == 0
    wait_until(lambda: (job(emu, "halt").get("status") or {}).get("jobDeploymentStatus") == "Initializing")
    result = invoke("ray", "job", "stop", "halt", "-y")
    assert result.exit_code == 0, result
    assert result.stderr.splitlines()[-1] == "Ray job halt ended: Suspended"


def test_stopping_a_suspended_job_again_says_it_ended_without_a_job_status(ray_emulator: Callable[..., Any]) -> None:
    # The line read "already ended (Suspended, job -)".
    emu = ray_emulator(failure="unschedulable-gpu")
    assert submit("halt", "--worker-gpu", "1", "--gpu-pool", "gpua100").exit_code == 0
    wait_until(lambda: (job(emu, "halt").get("status") or {}).get("jobDeploymentStatus") == "Initializing")
    assert invoke("ray", "job", "stop", "halt", "-y").exit_code == 0
    again = invoke("ray", "job", "stop", "halt", "-y")
    assert again.exit_code == 0, again
    assert again.stderr.splitlines()[-1] == "Ray job halt already ended (Suspended)"


def test_stop_on_a_shared_cluster_goes_through_the_job_api(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=30)
    calls: list[tuple[str, str]] = []

    def dashboard(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        calls.append((method, path))
        return 200, {"Content-Type": "application/json"}, b'{"stopped": true}'

    emu.register_service_proxy("default", "shared-head-svc", 8265, dashboard)
    assert invoke("ray", "cluster", "create", "shared", "--wait", "--timeout", "20s").exit_code == 0
    assert submit("long", "--cluster", "shared", entrypoint=("sleep", "1d")).exit_code == 0
    wait_until(lambda: (job(emu, "long").get("status") or {}).get("jobStatus") == "RUNNING")
    # This dashboard stops nothing: the job would run on for 30 s, so the stop does not wait.
    result = invoke("ray", "job", "stop", "long", "-y", "--no-wait")
    assert result.exit_code == 0, result
    job_id = job(emu, "long")["status"]["jobId"]
    assert ("POST", f"api/jobs/{job_id}/stop") in [(m, p.lstrip("/")) for m, p in calls]
    assert "suspend" not in job(emu, "long")["spec"]


def test_delete_removes_the_job_and_its_working_directory(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = ray_emulator()
    (tmp_path / "a.py").write_text("pass\n")
    assert submit("gone", "--working-dir", str(tmp_path), entrypoint=("python", "a.py")).exit_code == 0
    result = invoke("ray", "job", "delete", "gone", "-y")
    assert result.exit_code == 0, result
    assert 'rayjob.ray.io "gone" deleted' in result.stdout and 'configmap "gone-workdir" deleted' in result.stdout
    assert job(emu, "gone") is None


def test_submitting_a_job_name_twice_is_a_conflict(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert submit("twice").exit_code == 0
    again = submit("twice")
    assert again.exit_code == 4
    assert "error: Ray job twice already exists in namespace default" in again.stderr
    # The server's plan answers as the submit would (kubectl create --dry-run=server: AlreadyExists); it
    # was the API server's merge error of the two specs, exit 2.
    planned = submit("twice", "--dry-run=server")
    assert planned.exit_code == 4, planned
    assert "error: Ray job twice already exists in namespace default" in planned.stderr


def test_wait_with_json_prints_only_the_final_job(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = submit("js", "--wait", "--timeout", "30s", "-o", "json")
    assert result.exit_code == 0, result
    final = json.loads(result.stdout)
    assert final["status"]["jobStatus"] == "SUCCEEDED"
    assert "rayjob.ray.io/js" in result.stderr


def test_follow_waits_for_the_submitter_to_start(ray_emulator: Callable[..., Any]) -> None:
    import threading

    from akscli import ray
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    emu = ray_emulator()

    def start_submitter() -> None:
        emu.cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": "late-abcde",
                    "namespace": "default",
                    "labels": {"batch.kubernetes.io/job-name": "late"},
                },
                "spec": {"containers": [{"name": "submitter", "image": "rayproject/ray"}]},
                "status": {"phase": "Running"},
            }
        )

    threading.Timer(0.3, start_submitter).start()
    assert ray.wait_for_submitter(connect(KubeTarget()), "default", "late", timeout=10) == "late-abcde"


def test_follow_gives_up_after_the_timeout(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(failure="unschedulable-gpu")
    assert submit("never", "--worker-gpu", "1", "--gpu-pool", "gpua100").exit_code == 0
    result = invoke("ray", "job", "logs", "never", "--follow", "--timeout", "1s")
    assert result.exit_code == 5
    assert "did not start a submitter within 1s" in result.stderr


def test_a_job_that_never_starts_hints_its_status_in_its_namespace(ray_emulator: Callable[..., Any]) -> None:
    # run as printed from another namespace, the hint must still find the job
    ray_emulator(failure="unschedulable-gpu")
    assert submit("never", "--worker-gpu", "1", "--gpu-pool", "gpua100").exit_code == 0
    result = invoke("ray", "job", "logs", "never", "--follow", "--timeout", "1s")
    assert "hint: see why: akscli ray job status never -n default" in result.stderr


def test_a_finished_job_deletes_its_own_cluster_unless_kept(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert submit("short", "--wait", "--timeout", "30s").exit_code == 0
    assert submit("kept", "--keep-cluster", "--wait", "--timeout", "30s").exit_code == 0
    clusters = {job(emu, n)["status"]["rayClusterName"]: n for n in ("short", "kept")}

    def remaining() -> set[str]:
        return {c["metadata"]["name"] for c in emu.cluster.list(RAY, "RayCluster", "default")}

    wait_until(lambda: remaining() == {c for c, n in clusters.items() if n == "kept"})


def test_status_wait_follows_a_running_job_to_the_end(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(run_seconds=0.5)
    assert submit("later").exit_code == 0
    result = invoke("ray", "job", "status", "later", "--wait", "--timeout", "30s", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["jobStatus"] == "SUCCEEDED"


def test_a_job_deleted_while_it_runs_is_gone_without_simulator_errors(ray_emulator: Callable[..., Any]) -> None:
    # The fixture fails the test if the simulator's job thread raised.
    emu = ray_emulator(run_seconds=5)
    assert submit("brief").exit_code == 0
    wait_until(lambda: (job(emu, "brief").get("status") or {}).get("jobStatus") == "RUNNING")
    assert invoke("ray", "job", "delete", "brief", "-y").exit_code == 0
    assert job(emu, "brief") is None


def test_stop_on_a_shared_cluster_with_no_ready_head_says_the_head_is_not_serving(
    ray_emulator: Callable[..., Any], monkeypatch: Any
) -> None:
    # No dashboard answers behind shared-head-svc (the head is not Ready): the API server's proxy
    # answers 503 (kubernetes pkg/registry/core/service/storage/storage.go). That is about the Ray
    # head, one line at once (exit 3, as `model endpoint` says it), not "HTTP 503".
    from akscli.kube import retry

    emu = ray_emulator(run_seconds=30)
    assert invoke("ray", "cluster", "create", "shared", "--wait", "--timeout", "20s").exit_code == 0
    assert submit("long", "--cluster", "shared", entrypoint=("sleep", "1d")).exit_code == 0
    wait_until(lambda: (job(emu, "long").get("status") or {}).get("jobStatus") == "RUNNING")
    unready_head(emu, "shared")
    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    result = invoke("ray", "job", "stop", "long", "-y")
    assert result.exit_code == 3, result
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        "error: the Ray head of cluster shared is not serving yet: no ready head pod behind Service shared-head-svc"
    )
    assert lines[1].startswith("hint: see why with: akscli ray cluster status shared -n default")
    assert "HTTP 503" not in result.stderr and slept == []


def test_a_missing_working_dir_is_refused_before_the_cluster_is_read(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    emu.request_log.clear()
    result = submit("x", "--cluster", "demo", "--working-dir", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --working-dir: working directory '{tmp_path / 'missing'}' does not exist")
    assert emu.request_log == []


def test_a_jobs_entrypoint_with_an_escape_sequence_is_listed_escaped(
    ray_emulator: Callable[..., Any],
) -> None:
    # Anyone who may create a RayJob in the namespace writes its entrypoint; a table cell is shown
    # as printable.visible shows it, as kubectl's table escapes ESC and CR (kubernetes/cli-runtime
    # pkg/printers/tableprinter.go appendCellValue, terminal.go WriteEscaped).
    emu = ray_emulator(operator=False)
    entrypoint = "python x.py \x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07\x1b[2J\r"
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayJob",
            "metadata": {"name": "odd", "namespace": "default"},
            "spec": {"entrypoint": entrypoint, "clusterSelector": {"ray.io/cluster": "rc"}},
        }
    )
    table = invoke("ray", "job", "list", "-o", "wide")
    assert table.exit_code == 0, table
    assert "\x1b" not in table.stdout and "\r" not in table.stdout and "\x07" not in table.stdout
    assert "python x.py \\x1b]52;c;Y3VybCBldmlsIHwgc2g=\\x07\\x1b[2J\\r" in table.stdout
