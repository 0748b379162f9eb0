"""A RayJob's ``runtimeEnvYAML`` (or a RayService's ``serveConfigV2``) that akscli cannot read as a
runtime environment is shown as ``***`` whole: its env_vars cannot be told from the rest, and
``apply -f --dry-run=client -o yaml`` prints it before KubeRay refuses it (ray-project/kuberay
ray-operator/controllers/ray/utils/dashboardclient/dashboard_httpclient.go UnmarshalRuntimeEnvYAML).
A readable one keeps everything but the secret values (tests/ray/test_job_env_secret_output.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import yamlio
from akscli.kube.plan_diff import diff_objects
from akscli.printable import MASK, shown
from tests.cli import invoke

TOKEN = "hf_" + "Zq8Rk3Vw7Xy2Nb5Mc4Lp9Jd1"


def _job(text: str) -> dict[str, Any]:
    return {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "t"}, "spec": {"runtimeEnvYAML": text}}


UNREADABLE = {
    "a second colon": f"env_vars:\n  HF_TOKEN: {TOKEN}: x\n",
    "an unclosed quote": f'env_vars:\n  HF_TOKEN: "{TOKEN}\n',
    "a duplicate key": f"env_vars:\n  HF_TOKEN: {TOKEN}\n  HF_TOKEN: {TOKEN}\n",
    "a list at the top": f"- env_vars:\n    HF_TOKEN: {TOKEN}\n",
    "a plain string": f"env_vars HF_TOKEN={TOKEN}\n",
    "env_vars as a list": f"env_vars:\n- HF_TOKEN={TOKEN}\n",
}


@pytest.mark.parametrize("text", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_runtime_env_is_printed_as_a_mask_whole(text: str) -> None:
    printed = json.dumps(shown(_job(text), "yaml"))
    assert TOKEN not in printed


def test_a_key_spelled_with_escapes_is_still_read_and_masked() -> None:
    text = f'"env_v\\x61rs":\n  HF_TOKEN: {TOKEN}\n  EPOCHS: "3"\n'
    env = yamlio.load(shown(_job(text), "yaml")["spec"]["runtimeEnvYAML"], "runtimeEnvYAML")
    assert env == {"env_vars": {"HF_TOKEN": MASK, "EPOCHS": "3"}}


def test_a_rayservice_whose_runtime_env_is_no_mapping_is_printed_as_a_mask_whole() -> None:
    config = f"applications:\n- name: llm\n  runtime_env:\n  - env_vars:\n      HF_TOKEN: {TOKEN}\n"
    service = {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": "s"},
        "spec": {"serveConfigV2": config},
    }
    assert shown(service, "yaml")["spec"]["serveConfigV2"] == MASK


def test_a_plan_of_an_unreadable_runtime_env_says_it_changed_without_either_text() -> None:
    lines = diff_objects(_job(f"env_vars:\n  HF_TOKEN: {TOKEN}: x\n"), _job(f"env_vars:\n  HF_TOKEN: {TOKEN}: y\n"))
    assert lines == ["~ spec.runtimeEnvYAML: *** (changed)"]


def test_apply_dry_run_client_prints_an_unreadable_runtime_env_as_a_mask(tmp_path: Path) -> None:
    job = _job(f"env_vars:\n  HF_TOKEN: {TOKEN}: x\n")
    job["spec"]["entrypoint"] = "python train.py"
    manifest = tmp_path / "job.yaml"
    manifest.write_text(yamlio.dump(job))
    for fmt in ("yaml", "json"):
        result = invoke("apply", "-f", str(manifest), "--dry-run=client", "-o", fmt)
        assert result.exit_code == 0, result
        assert TOKEN not in result.stdout + result.stderr
        assert MASK in result.stdout


def test_an_empty_runtime_env_is_printed_as_it_is() -> None:
    job = _job("")
    assert shown(job, "yaml") == job
