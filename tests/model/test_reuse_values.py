"""`model deploy --reuse-values`: a redeploy starts from the options of the latest revision, the
options given now winning (as helm upgrade --reuse-values); without it, the plan names each
recorded option that goes back to its default. Bad records are refused before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke

KAITO = "kaito.sh/v1beta1"
CONFIG = "phi-4-inference-config"


def context_of(emu: Any) -> str:
    """The max-model-len line of the inference config KAITO's server reads."""
    text = emu.cluster.get("v1", "ConfigMap", "default", CONFIG)["data"]["inference_config.yaml"]
    return next(line.strip() for line in text.splitlines() if "max-model-len" in line)


def latest_options(emu: Any) -> dict[str, Any]:
    records = emu.cluster.list("v1", "ConfigMap", "default")
    revisions = [r for r in records if r["metadata"].get("labels", {}).get("akscli.io/model-revision-of") == "phi-4"]
    latest = max(revisions, key=lambda r: int(r["metadata"]["labels"]["akscli.io/revision"]))
    return dict(json.loads(latest["data"]["params.json"])["options"])


def test_reuse_values_keeps_the_longer_context_of_the_last_deploy(model_emulator: Callable[..., Any]) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "16384", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--reuse-values", "-y")
    assert result.exit_code == 0, result
    assert context_of(emu) == "max-model-len: 16384"
    assert emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4") is not None
    assert latest_options(emu) == {"--max-model-len": 16384, "--replicas": 2}


def test_an_option_given_with_reuse_values_wins_over_the_recorded_one(model_emulator: Callable[..., Any]) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "16384", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--max-model-len", "4096", "--reuse-values", "-y")
    assert result.exit_code == 0, result
    assert context_of(emu) == "max-model-len: 4096"


def test_a_redeploy_without_reuse_values_names_the_option_going_back_to_its_default(
    model_emulator: Callable[..., Any],
) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "16384", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        "warning: revision 1 has --max-model-len 16384, not given now: it goes back to its default "
        "(--reuse-values keeps the latest revision's options)"
    ) in result.stderr
    assert "-   max-model-len: 16384" in result.stdout  # the plan shows the change it warns of


def test_an_option_given_again_with_its_recorded_value_raises_no_warning(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "--runtime", "kaito", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--dry-run=server")  # --runtime's default is kaito
    assert result.exit_code == 0, result
    assert "warning" not in result.stderr


def test_reuse_values_without_a_recorded_revision_is_not_found(model_emulator: Callable[..., Any]) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--reuse-values", "-y")
    assert result.exit_code == 3, result
    assert "error: --reuse-values: phi-4 has no recorded revision in namespace default" in result.stderr
    assert emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4") is None


def test_reuse_values_refuses_a_record_whose_option_is_not_a_value_of_its_flag(
    model_emulator: Callable[..., Any],
) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "16384", "-y").exit_code == 0
    record = next(
        r
        for r in emu.cluster.list("v1", "ConfigMap", "default")
        if r["metadata"].get("labels", {}).get("akscli.io/model-revision-of") == "phi-4"
    )
    params = json.loads(record["data"]["params.json"])
    params["options"]["--max-model-len"] = "a lot"
    record["data"]["params.json"] = json.dumps(params)
    emu.cluster.update(record)
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--reuse-values", "-y")
    assert result.exit_code == 2, result
    assert "records --max-model-len 'a lot', which is not a value of that flag" in result.stderr
    assert emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4") is None


def test_a_reused_option_the_new_runtime_refuses_is_named_as_coming_from_the_revision(
    model_emulator: Callable[..., Any],
) -> None:
    model_emulator()
    deployed = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--storage-class", "managed-csi", "-y")
    assert deployed.exit_code == 0, deployed
    result = invoke("model", "deploy", "phi-4", "--runtime", "kaito", "--reuse-values", "--dry-run=server")
    assert result.exit_code == 2, result
    assert "error: --storage-class does not apply to --runtime kaito" in result.stderr
    assert (
        "--storage-class came from revision 1 (--reuse-values): deploy without --reuse-values to drop it"
        in result.stderr
    )


# A value typed now that is bad on its own, and the start of the deploy's own refusal of it.
BAD_ALONE = [
    ("--replicas=-1", "error: invalid --replicas '-1': it must be between 0 and 1000"),
    ("--hostname=bad_host", "error: invalid --hostname 'bad_host'"),
    ("--vm-size=Standard_Bogus", "error: --vm-size: unknown VM size 'Standard_Bogus'"),
    ("--prometheus=ftp://x", "error: invalid --prometheus 'ftp://x'"),
    ("--member=Bad_", "error: invalid --member 'Bad_'"),
]


@pytest.mark.parametrize(("flag", "refusal"), BAD_ALONE, ids=[f.split("=")[0] for f, _ in BAD_ALONE])
def test_a_bad_value_given_with_reuse_values_is_refused_before_the_cluster_is_read(
    model_emulator: Callable[..., Any], flag: str, refusal: str
) -> None:
    emu = model_emulator()
    emu.request_log.clear()
    result = invoke("model", "deploy", "phi-4", "--reuse-values", flag, "-y")
    assert result.exit_code == 2, result
    assert result.stderr.startswith(refusal)
    assert emu.request_log == []


def test_a_recorded_option_equal_to_the_value_the_plan_works_out_raises_no_warning(
    model_emulator: Callable[..., Any],
) -> None:
    model_emulator()  # phi-4's limit is 16384: the plan's context, not given, is 8192
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "8192", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "warning" not in result.stderr
    assert "configmap/phi-4-inference-config (default): unchanged" in result.stdout


def test_a_recorded_vm_size_equal_to_the_plans_pick_raises_no_warning(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "--vm-size", "Standard_NC24ads_A100_v4", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--dry-run=server")  # the plan's cheapest fit is the same
    assert result.exit_code == 0, result
    assert "plan: Standard_NC24ads_A100_v4" in result.stderr
    assert "warning" not in result.stderr
