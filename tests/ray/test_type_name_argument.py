"""`ray cluster|job|service list -o name` prints ``raycluster.ray.io/NAME`` (and rayjob, rayservice);
the commands that take such a NAME take that line as it is, and any TYPE kubectl takes for the
resource (KubeRay's CRDs: kind, plural, singular; k8s.io/cli-runtime pkg/resource/builder.go
splitResourceTypeName, mappingFor). They were refused as invalid names (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke


def test_each_line_of_ray_cluster_list_names_the_cluster_to_status(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    rendered = invoke("ray", "cluster", "create", "demo", "--dry-run=client", "-o", "json")
    emu.cluster.create(json.loads(rendered.stdout))
    lines = invoke("ray", "cluster", "list", "-o", "name").stdout.splitlines()
    assert lines == ["raycluster.ray.io/demo"]
    result = invoke("ray", "cluster", "status", lines[0], "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == lines
    kind_form = invoke("ray", "workergroup", "list", "RayCluster/demo", "-o", "name")
    assert kind_form.exit_code == 0, kind_form
    assert kind_form.stdout.splitlines() == ["demo/default-group"]


def test_another_type_is_one_usage_line_before_anything_is_read() -> None:
    # No cluster at all: the TYPE is refused as the flags are parsed.
    result = invoke("ray", "job", "status", "raycluster/train", "--kubeconfig", "/nonexistent")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: invalid RayJob name 'raycluster/train': give NAME or rayjob.ray.io/NAME, "
        "as ray job list -o name prints it",
        "hint: list them with: akscli ray job list -o name",
    ]
