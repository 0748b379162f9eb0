"""akscli ray without a cluster: help, --dry-run=client and bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli import invoke


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
    result = invoke(
        "ray",
        "cluster",
        "create",
        "demo",
        "--dry-run=client",
        "-n",
        "ml",
        "--worker-gpu",
        "1",
        "--gpu-pool",
        "gpua100",
        "--spot",
    )
    assert result.exit_code == 0, result
    assert "kind: RayCluster" in result.stdout and "namespace: ml" in result.stdout
    assert "kubernetes.azure.com/scalesetpriority: spot" in result.stdout


def test_worker_group_flags_and_group_specs_are_exclusive() -> None:
    result = invoke(
        "ray", "cluster", "create", "demo", "--dry-run=client", "--worker-group", "name=a", "--worker-gpu", "1"
    )
    assert result.exit_code == 2
    assert "--worker-group cannot be combined with the --worker-*" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--worker-cpu", "lots"], "invalid worker group default-group CPU 'lots'"),
        (["--head-memory", "64Mi"], "Ray needs at least 128Mi"),
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


def test_bad_cluster_name_is_refused() -> None:
    result = invoke("ray", "cluster", "create", "Demo_1", "--dry-run=client")
    assert result.exit_code == 2 and "invalid Ray cluster name 'Demo_1'" in result.stderr


def test_job_dry_run_with_working_directory_renders_the_configmap(tmp_path: object) -> None:
    from pathlib import Path

    workdir = Path(str(tmp_path)) / "src"
    workdir.mkdir()
    (workdir / "main.py").write_text("print(1)\n")
    result = invoke(
        "ray",
        "job",
        "submit",
        "--name",
        "j",
        "--working-dir",
        str(workdir),
        "--dry-run=client",
        "--",
        "python",
        "main.py",
    )
    assert result.exit_code == 0, result
    assert "kind: ConfigMap" in result.stdout and "name: j-workdir" in result.stdout
    assert "1 file(s)" in result.stderr


def test_a_local_working_dir_in_the_runtime_env_is_shipped(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "code").mkdir()
    (root / "code" / "job.py").write_text("print(2)\n")
    env_file = root / "env.yaml"
    env_file.write_text(f"working_dir: {root / 'code'}\npip: [requests]\n")
    result = invoke(
        "ray",
        "job",
        "submit",
        "--name",
        "envdir",
        "--runtime-env",
        str(env_file),
        "--dry-run=client",
        "--",
        "python",
        "job.py",
    )
    assert result.exit_code == 0, result
    assert "name: envdir-workdir" in result.stdout
    assert "working_dir: /home/ray/workdir" in result.stdout and "requests" in result.stdout


def test_a_working_dir_uri_in_the_runtime_env_is_left_to_ray(tmp_path: object) -> None:
    from pathlib import Path

    env_file = Path(str(tmp_path)) / "env.yaml"
    env_file.write_text("working_dir: https://example.com/code.zip\n")
    result = invoke(
        "ray",
        "job",
        "submit",
        "--name",
        "uri",
        "--runtime-env",
        str(env_file),
        "--dry-run=client",
        "--",
        "python",
        "job.py",
    )
    assert result.exit_code == 0, result
    assert "kind: ConfigMap" not in result.stdout
    assert "working_dir: https://example.com/code.zip" in result.stdout
