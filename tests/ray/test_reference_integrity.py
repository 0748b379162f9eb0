"""The references of a `ray job submit --working-dir` set resolve inside it: the submitter's volume
names the working directory's ConfigMap of the same set, every item is a key of it, and the
mount is the runtime env's working_dir (KubeRay runs the submitter from the pod template and
`ray job submit` uploads working_dir from it: ray-project/kuberay ray-operator/controllers/ray/
common/job.go, GetSubmitterTemplate)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from akscli import yamlio
from tests.cli import invoke


def _submitted(tmp_path: Path) -> dict[str, dict[str, Any]]:
    (tmp_path / "train.py").write_text("print(1)\n")
    (tmp_path / "data.txt").write_text("x\n")
    result = invoke(
        "ray", "job", "submit", "--name", "wd", "--working-dir", str(tmp_path), "--dry-run=client", "-o", "json",
        "--", "python", "train.py",
    )  # fmt: skip
    assert result.exit_code == 0, result
    return {item["kind"]: item for item in json.loads(result.stdout)["items"]}


def test_the_submitter_mounts_the_configmap_of_the_same_set_at_the_working_dir(tmp_path: Path) -> None:
    objects = _submitted(tmp_path)
    pod = objects["RayJob"]["spec"]["submitterPodTemplate"]["spec"]
    volume = pod["volumes"][0]
    assert volume["configMap"]["name"] == objects["ConfigMap"]["metadata"]["name"]
    keys = {*objects["ConfigMap"].get("data", {}), *objects["ConfigMap"].get("binaryData", {})}
    assert {item["key"] for item in volume["configMap"]["items"]} == keys
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == volume["name"])
    runtime_env = yamlio.load(objects["RayJob"]["spec"]["runtimeEnvYAML"])
    assert mount["mountPath"] == runtime_env["working_dir"]
