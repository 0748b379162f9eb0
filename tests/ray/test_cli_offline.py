"""akscli ray without a cluster: help, --dry-run=client and bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import invoke
from tests.ray.conftest import akscli


def test_ray_help_imports_neither_kubernetes_nor_azure() -> None:
    code = (
        "import sys; from akscli.cli.main import run; run(['ray', 'job', 'submit', '--help']);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'azure')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]")
    assert "--working-dir" in result.stdout


def test_client_dry_run_renders_without_a_cluster() -> None:
    result = akscli("ray cluster create demo --dry-run=client -n ml --worker-gpu 1 --gpu-pool gpua100 --spot")
    assert result.exit_code == 0, result
    assert "kind: RayCluster" in result.stdout and "namespace: ml" in result.stdout
    assert "kubernetes.azure.com/scalesetpriority: spot" in result.stdout


def test_worker_group_flags_and_group_specs_are_exclusive() -> None:
    result = akscli("ray cluster create demo --dry-run=client --worker-group name=a --worker-gpu 1")
    assert result.exit_code == 2
    assert "--worker-group cannot be combined with the --worker-*" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--worker-cpu", "lots"], "invalid worker group default-group CPU 'lots'"),
        (["--head-memory", "64Mi"], "Ray needs at least 256Mi"),
        (["--worker-min", "3", "--worker-max", "1"], "min replicas (3) is greater than max replicas (1)"),
        (["--worker-group", "name=Bad_Name"], "invalid worker group name 'Bad_Name'"),
        (["--image", "Not An Image"], "invalid --image 'Not An Image'"),
        (["--ray-version", "latest"], "invalid Ray version 'latest'"),
        (["--gpu-pool", "gpu_pool"], "invalid node pool name"),
    ],
)
def test_bad_cluster_flags_give_one_clear_line(args: list[str], message: str) -> None:
    result = invoke("ray", "cluster", "create", "demo", "--dry-run=client", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["--worker-min", "3", "--worker-max", "1"], "hint: give --worker-min no larger than --worker-max"),
        (["--worker-replicas", "5", "--worker-max", "2"], "hint: lower --worker-replicas or raise --worker-max"),
        (["--worker-group", "name=gpu,replicas=0,min=1"], "hint: raise replicas= or lower min="),
    ],
)
def test_a_replica_bound_hint_names_the_flags_of_this_command(args: list[str], hint: str) -> None:
    # the hints named --min and --max, flags ray cluster create does not have
    result = invoke("ray", "cluster", "create", "demo", "--dry-run=client", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == hint


def test_bad_cluster_name_is_refused() -> None:
    result = invoke("ray", "cluster", "create", "Demo_1", "--dry-run=client")
    assert result.exit_code == 2 and "invalid Ray cluster name 'Demo_1'" in result.stderr


def test_job_dry_run_with_working_directory_renders_the_configmap(tmp_path: Path) -> None:
    workdir = tmp_path / "src"
    workdir.mkdir()
    (workdir / "main.py").write_text("print(1)\n")
    result = akscli("ray job submit --name j --working-dir {} --dry-run=client -- python main.py", workdir)
    assert result.exit_code == 0, result
    assert "kind: ConfigMap" in result.stdout and "name: j-workdir" in result.stdout
    assert "1 file(s)" in result.stderr


def test_a_local_working_dir_in_the_runtime_env_is_shipped(tmp_path: Path) -> None:
    root = tmp_path
    (root / "code").mkdir()
    (root / "code" / "job.py").write_text("print(2)\n")
    env_file = root / "env.yaml"
    env_file.write_text(f"working_dir: {root / 'code'}\npip: [requests]\n")
    result = akscli("ray job submit --name envdir --runtime-env {} --dry-run=client -- python job.py", env_file)
    assert result.exit_code == 0, result
    assert "name: envdir-workdir" in result.stdout
    assert "working_dir: /home/ray/workdir" in result.stdout and "requests" in result.stdout


def test_a_working_dir_uri_in_the_runtime_env_is_left_to_ray(tmp_path: Path) -> None:
    env_file = tmp_path / "env.yaml"
    env_file.write_text("working_dir: https://example.com/code.zip\n")
    result = akscli("ray job submit --name uri --runtime-env {} --dry-run=client -- python job.py", env_file)
    assert result.exit_code == 0, result
    assert "kind: ConfigMap" not in result.stdout
    assert "working_dir: https://example.com/code.zip" in result.stdout


def test_cluster_flags_are_checked_before_a_kubeconfig_is_read(tmp_path: Path) -> None:
    result = invoke(
        "ray", "cluster", "create", "demo", "--worker-cpu", "lots", env={"KUBECONFIG": str(tmp_path / "none")}
    )
    assert result.exit_code == 2
    assert "invalid worker group default-group CPU 'lots'" in result.stderr


def test_job_cluster_flags_are_checked_before_a_kubeconfig_is_read(tmp_path: Path) -> None:
    result = invoke(
        "ray",
        "job",
        "submit",
        "--head-memory",
        "64Mi",
        "--",
        "python",
        "x.py",
        env={"KUBECONFIG": str(tmp_path / "none")},
    )
    assert result.exit_code == 2
    assert "Ray needs at least 256Mi" in result.stderr


def test_a_zero_deadline_is_refused_rather_than_dropped() -> None:
    result = invoke("ray", "job", "submit", "--deadline", "0s", "--dry-run=client", "--", "python", "x.py")
    assert result.exit_code == 2
    assert "error: invalid --deadline '0s': a job needs at least 1s to run" in result.stderr


CLUSTER_FLAGS = (
    "--ray-version",
    "--image",
    "--head-cpu",
    "--head-memory",
    "--head-gpu",
    "--worker-replicas",
    "--worker-min",
    "--worker-max",
    "--worker-cpu",
    "--worker-memory",
    "--worker-gpu",
    "--gpu-pool",
    "--spot",
    "--worker-node-selector",
    "--worker-group",
)


@pytest.mark.parametrize("command", [("cluster", "create"), ("job", "submit"), ("service", "deploy")])
def test_every_command_that_makes_a_cluster_takes_every_cluster_flag(command: tuple[str, str]) -> None:
    help_text = invoke("ray", *command, "--help").stdout
    assert [flag for flag in CLUSTER_FLAGS if flag not in help_text] == []


def test_cluster_flags_reach_a_job_s_own_cluster() -> None:
    result = akscli("ray job submit --name j --head-cpu 3 --worker-replicas 2 --dry-run=client -- python x.py")
    assert result.exit_code == 0, result
    assert "cpu: '3'" in result.stdout and "replicas: 2" in result.stdout
