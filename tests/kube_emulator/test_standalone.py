"""The emulator as its own process: python -m tests.emulators.kube."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.emulators.kube.crds import shared_dir

REPO = Path(__file__).resolve().parents[2]


def test_standalone_process_serves_its_generated_cluster(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.emulators.kube",
            "--nodes",
            "30",
            "--pods",
            "60",
            "--no-crds",
            "--kubeconfig",
            str(kubeconfig),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"AKSCLI_SHARED_DIR": str(shared_dir()), "PATH": "/usr/bin:/bin"},
    )
    try:
        deadline = time.monotonic() + 30
        while not kubeconfig.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert kubeconfig.exists(), proc.stderr.read() if proc.stderr else ""
        from kubernetes import client, config

        v1 = client.CoreV1Api(config.new_client_from_config(str(kubeconfig)))
        assert len(v1.list_node(limit=500).items) == 30
        assert len(v1.list_pod_for_all_namespaces().items) == 60
        assert json.loads(kubeconfig.read_text())["clusters"][0]["cluster"]["server"].startswith("https://127.0.0.1:")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_standalone_rejects_a_negative_node_count(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "tests.emulators.kube", "--nodes", "-1", "--kubeconfig", str(tmp_path / "kc")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 2 and "--nodes and --pods must be >= 0" in r.stderr
