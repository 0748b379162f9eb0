"""A RayCluster scaled by akscli, then its manifest applied again: the API server counts akscli's
patch (an Update) and akscli's apply as two managers, since a manager is its name with its
operation (kubernetes-sigs/structured-merge-diff merge/update.go; kubernetes/apimachinery
pkg/util/managedfields/internal/managedfields.go BuildManagerIdentifier). The apply meets a
conflict with "akscli" itself, and the hint says why and how to take the fields back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.cli import invoke
from tests.ray.conftest import akscli

RAY = "ray.io/v1"


def _manifest(tmp_path: Path) -> Path:
    rendered = invoke("ray", "cluster", "create", "demo", "--dry-run=client")
    assert rendered.exit_code == 0, rendered
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump_all([d for d in yaml.safe_load_all(rendered.stdout) if d]), encoding="utf-8")
    return path


def test_applying_a_manifest_over_an_akscli_scale_names_the_scale_as_the_cause(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    ray_emulator()
    manifest = _manifest(tmp_path)
    assert invoke("apply", "-f", str(manifest), "-y").exit_code == 0
    assert akscli("ray cluster scale demo --group default-group --replicas 3 --max 5").exit_code == 0
    result = invoke("apply", "-f", str(manifest), "-y")
    assert result.exit_code == 4
    assert 'conflict with "akscli" using ray.io/v1: .spec.workerGroupSpecs' in result.stderr
    assert (
        "hint: an akscli command that changes objects in place (such as ray cluster scale) set these fields after "
        "this manifest was applied; re-run with --force-conflicts to apply the manifest's values"
    ) in result.stderr


def test_force_conflicts_gives_the_manifest_its_replicas_back(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = ray_emulator()
    manifest = _manifest(tmp_path)
    assert invoke("apply", "-f", str(manifest), "-y").exit_code == 0
    assert akscli("ray cluster scale demo --group default-group --replicas 3 --max 5").exit_code == 0
    result = invoke("apply", "-f", str(manifest), "-y", "--force-conflicts")
    assert result.exit_code == 0, result
    (group,) = emu.cluster.get(RAY, "RayCluster", "default", "demo")["spec"]["workerGroupSpecs"]
    (wanted,) = next(d for d in yaml.safe_load_all(manifest.read_text()) if d["kind"] == "RayCluster")["spec"][
        "workerGroupSpecs"
    ]
    assert group["replicas"] == wanted["replicas"] != 3
