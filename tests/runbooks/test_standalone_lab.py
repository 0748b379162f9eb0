"""The emulators as their own processes, as getting-started uses them: the Kubernetes one runs
the operator simulators by default, the ARM one writes the environment that points akscli at it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli import invoke
from tests.emulators.kube.crds import shared_dir

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def _process(args: list[str], ready: Path) -> Iterator[subprocess.Popen[str]]:
    env = {"AKSCLI_SHARED_DIR": str(shared_dir()), "PATH": "/usr/bin:/bin", "HOME": str(ready.parent)}
    proc = subprocess.Popen(
        [sys.executable, "-m", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert ready.exists(), proc.stderr.read() if proc.stderr else ""
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _akscli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ) | env | {"PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "akscli", *args], capture_output=True, text=True, env=full, timeout=120, check=False
    )


def test_the_kube_emulator_runs_the_operator_simulators_by_default(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc"
    crds = str(shared_dir() / "crds" / "kuberay")
    # One generated node: on a cluster with none, KubeRay's pods stay Pending as kube-scheduler leaves them.
    args = ["tests.emulators.kube", "--crds", crds, "--no-tls", "--nodes", "1", "--kubeconfig", str(kubeconfig)]
    with _process(args, kubeconfig):
        env = {"KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
        created = _akscli(
            env, "ray", "cluster", "create", "demo", "--worker-replicas", "0", "--wait", "--timeout", "60s", "-y"
        )
        assert created.returncode == 0, created.stderr
        status = _akscli(env, "ray", "cluster", "status", "demo", "-o", "jsonpath={.state}")
        assert status.stdout == "ready", status


def test_the_kube_emulator_runs_the_kaito_controller_pod_so_model_deploy_wait_works(tmp_path: Path) -> None:
    """`model deploy --wait` refuses when no KAITO controller pod runs; the standalone emulator's
    simulators stand for the operators, so their pods are there as in tests.emulators.lab."""
    kubeconfig = tmp_path / "kc"
    crds = str(shared_dir() / "crds" / "kaito")
    with _process(["tests.emulators.kube", "--crds", crds, "--no-tls", "--kubeconfig", str(kubeconfig)], kubeconfig):
        env = {"KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
        deployed = _akscli(env, "model", "deploy", "phi-4", "--wait", "--timeout", "60s")
        assert deployed.returncode == 0, deployed.stderr


def test_doctor_for_ray_passes_on_the_standalone_emulator_whose_kuberay_simulator_runs(tmp_path: Path) -> None:
    """The KubeRay simulator stands for the operator, so its pod is there: `doctor --for ray` used to
    exit 9 (no operator pod) on the emulator docs/emulator.md tells a new user to explore with."""
    kubeconfig = tmp_path / "kc"
    crds = str(shared_dir() / "crds" / "kuberay")
    with _process(["tests.emulators.kube", "--crds", crds, "--no-tls", "--kubeconfig", str(kubeconfig)], kubeconfig):
        env = {"KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
        doctor = _akscli(env, "doctor", "--for", "ray", "-o", "json")
        assert doctor.returncode == 0, doctor.stderr
        [pods] = [c for c in json.loads(doctor.stdout)["checks"] if (c["component"], c["check"]) == ("kuberay", "pods")]
        assert pods["status"] == "ok"


def test_the_kube_emulator_with_lab_runs_the_readme_tour_vllm_line_by_hand(tmp_path: Path) -> None:
    """docs/runbooks/README.md sends a user to the standalone emulators to explore the tour by hand;
    without the lab's PodMonitor API and Gateway the tour's `--runtime vllm --autoscale --expose`
    line exits 7 there. `--lab` adds them, and `model test` goes through the Gateway."""
    kubeconfig = tmp_path / "kc"
    with _process(["tests.emulators.kube", "--lab", "--no-tls", "--kubeconfig", str(kubeconfig)], kubeconfig):
        env = {"KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
        line = ["phi-4", "--name", "phi-4-vllm", "--runtime", "vllm", "--autoscale", "1:4", "--expose"]
        deployed = _akscli(env, "model", "deploy", *line, "--wait", "--timeout", "60s")
        assert deployed.returncode == 0, deployed.stderr
        tested = _akscli(env, "model", "test", "phi-4-vllm")
        assert tested.returncode == 0, tested.stderr
        assert "through Gateway default/inference-gateway" in tested.stderr


def test_the_standalone_kube_emulators_fleet_member_agents_send_heartbeats_every_60_seconds() -> None:
    """No test moves a standalone emulator's clock on: without heartbeats on the wall clock its Fleet
    members stopped being eligible 5 minutes after it started (tests/fleet/test_member_agent_heartbeats.py)."""
    from tests.emulators.kube.__main__ import build, build_args
    from tests.emulators.kube.controllers.fleet import FleetHubController

    emu = build(build_args())
    [hub] = [c for c in emu.controllers.controllers if isinstance(c, FleetHubController)]
    assert hub.agent_period == 60.0


def test_the_standalone_kube_emulator_runs_ai_runway_so_runtime_airunway_deploys_and_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """journeys20: `--runtime airunway` exited 7 there (no InferenceProviderConfig). Built in this
    process, with only the KAITO and AI Runway CRDs (so with no Gateway API: the Service answers)."""
    from tests.emulators.kube.__main__ import build, build_args

    crds = [shared_dir() / "crds" / folder for folder in ("kaito", "airunway")]
    emu = build(build_args(crds=crds)).start()
    try:
        monkeypatch.setenv("KUBECONFIG", str(emu.write_kubeconfig(tmp_path / "kc")))
        deployed = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "-y")
        assert deployed.exit_code == 0, deployed
        assert emu.idle()  # AI Runway made KAITO's Workspace, and KAITO its ready pod
        tested = invoke("model", "test", "phi-4")
        assert tested.exit_code == 0, tested
        assert "through Service phi-4" in tested.stderr
    finally:
        emu.stop()


def test_the_kube_emulator_refuses_lab_without_the_operators(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc"
    refused = subprocess.run(
        [sys.executable, "-m", "tests.emulators.kube", "--lab", "--no-operators", "--kubeconfig", str(kubeconfig)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert "--lab adds to the operator simulators" in refused.stderr
    assert not kubeconfig.exists()


def test_the_arm_emulator_writes_the_environment_akscli_needs(tmp_path: Path) -> None:
    env_file = tmp_path / "arm.env"
    with _process(["tests.emulators.arm", "--env-file", str(env_file), "--home", str(tmp_path)], env_file):
        env = dict(line.removeprefix("export ").split("=", 1) for line in env_file.read_text().splitlines())
        env = {k: v.strip("'") for k, v in env.items()} | {"HOME": str(tmp_path)}
        dry = _akscli(env, "cluster", "create", "ml", "-g", "rg-ml", "--dry-run", "-o", "json")
        assert dry.returncode == 0, dry.stderr
        made = _akscli(env, "cluster", "create", "ml", "-g", "rg-ml", "-o", "jsonpath={.name}")
        assert made.returncode == 0, made.stderr
        assert made.stdout == "ml"
