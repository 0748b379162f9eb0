"""``ray job submit --env KEY=VALUE`` with a secret in it warns: the value is on akscli's command line
(``ps``, the shell's history) and stored as plain text in the RayJob's runtimeEnvYAML, which KubeRay's
submitter passes on its command line (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/common/
job.go BuildJobSubmitCommand, ``--runtime-env-json``). The fix names upstream fields only: a Secret,
given to the Ray containers as ``env`` ``valueFrom.secretKeyRef`` in the cluster's pod templates."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli import yamlio
from tests.cli import invoke
from tests.ray.test_cli_job import submit

TOKEN = "hf_" + "a1B2c3D4e5F6g7H8i9J0k1L2"  # shaped like a Hugging Face token (akscli.secret_words.looks_secret)


def test_a_secret_named_env_value_warns_without_showing_it_and_names_a_secret_ref(
    ray_emulator: Callable[..., Any],
) -> None:
    ray_emulator()
    result = submit("train", "--env", f"HF_TOKEN={TOKEN}", "--env", "EPOCHS=3", "--dry-run=client")
    assert result.exit_code == 0, result
    assert result.stderr.startswith(
        "warning: --env HF_TOKEN=... looks like a secret (the value is not shown): ps and the shell's history show "
        "akscli's command line, and the RayJob stores it as plain text in spec.runtimeEnvYAML"
    ), result.stderr
    assert (
        'read -rs HF_TOKEN && printf %s "$HF_TOKEN" | kubectl create secret generic hf-token -n default '
        "--from-file=HF_TOKEN=/dev/stdin" in result.stderr
    )
    assert "env HF_TOKEN valueFrom.secretKeyRef (name hf-token, key HF_TOKEN)" in result.stderr
    assert "--cluster NAME" in result.stderr
    assert TOKEN not in result.stderr
    assert "EPOCHS" not in result.stderr


def test_a_token_shaped_value_warns_whatever_its_name(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = submit("train", "--env", f"SETTINGS={TOKEN}", "--dry-run=client")
    assert result.exit_code == 0, result
    assert "warning: --env SETTINGS=... looks like a secret" in result.stderr
    assert TOKEN not in result.stderr


def test_plain_env_values_give_no_secret_warning(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = submit("train", "--env", "EPOCHS=3", "--env", "TOKENIZERS_PARALLELISM=false", "--dry-run=client")
    assert result.exit_code == 0, result
    assert "looks like a secret" not in result.stderr


def test_the_fix_it_names_runs_a_job_whose_ray_containers_get_the_secret_from_the_secret(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    # The warning's fix, followed: the Secret (made as the hint makes it; here by the test), a cluster
    # file whose Ray containers take HF_TOKEN from it, and the job on that cluster with --cluster.
    emu = ray_emulator()
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "hf-token", "namespace": "default"}}
    emu.cluster.create({**secret, "stringData": {"HF_TOKEN": TOKEN}})
    rendered = invoke("ray", "cluster", "create", "demo", "--dry-run=client", "-o", "yaml")
    [doc] = yamlio.load_all(rendered.stdout, "rendered")
    env = {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "HF_TOKEN"}}}
    for group in [doc["spec"]["headGroupSpec"], *doc["spec"]["workerGroupSpecs"]]:
        group["template"]["spec"]["containers"][0].setdefault("env", []).append(env)
    path = tmp_path / "rc.yaml"
    path.write_text(yamlio.dump(doc))
    assert (
        invoke("ray", "cluster", "create", "demo", "-f", str(path), "-y", "--wait", "--timeout", "20s").exit_code == 0
    )
    [head] = emu.cluster.list("v1", "Pod", "default", label_selector="ray.io/cluster=demo,ray.io/node-type=head")
    assert env in head["spec"]["containers"][0]["env"]
    result = submit("train", "--cluster", "demo")
    assert result.exit_code == 0, result
    assert "looks like a secret" not in result.stderr
    stored = emu.cluster.get("ray.io/v1", "RayJob", "default", "train")
    assert TOKEN not in json.dumps(stored)
