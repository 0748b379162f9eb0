"""Offline commands stay offline: they import neither the kubernetes client nor the Azure SDK."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_PROBE = r"""
import sys
from akscli.cli.main import run
for argv in (["--help"], ["policy", "rules"], ["audit", "list"], ["gpu", "--help"],
             ["policy", "check", "-f", sys.argv[1]]):
    run(argv)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("kubernetes", "azure"))
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\n")
"""


def test_help_policy_and_audit_commands_import_no_cluster_or_azure_sdk(tmp_path: Path) -> None:
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: 'busybox:1.36'}]}\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(manifest)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    (heavy,) = [line for line in done.stderr.splitlines() if line.startswith("HEAVY=")]
    assert heavy == "HEAVY=", heavy
