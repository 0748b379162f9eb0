"""The offline model commands: catalog, show, plan, and deploy --dry-run=client."""

from __future__ import annotations

import json

import pytest

from akscli import yamlio
from tests.cli import invoke


def test_plan_prints_a_table_with_the_pick_marked_and_the_estimate_labelled() -> None:
    result = invoke("model", "plan", "phi-4", "--max-model-len", "4096")
    assert result.exit_code == 0, result
    picked = [line for line in result.stdout.splitlines() if line.startswith("*")]
    assert len(picked) == 1 and "Standard_NC24ads_A100_v4" in picked[0]
    assert "pick: Standard_NC24ads_A100_v4" in result.stdout
    assert "estimate" in result.stdout


def test_plan_hides_sizes_that_do_not_fit_unless_wide() -> None:
    narrow = invoke("model", "plan", "llama-3.3-70b-instruct", "--runtime", "vllm").stdout
    wide = invoke("model", "plan", "llama-3.3-70b-instruct", "--runtime", "vllm", "-o", "wide").stdout
    assert "Standard_NC4as_T4_v3" not in narrow and "-o wide shows them" in narrow
    assert "Standard_NC4as_T4_v3" in wide and "no RDMA" in wide


def test_plan_json_is_complete() -> None:
    result = invoke("model", "plan", "phi-4", "--runtime", "vllm", "--concurrency", "4", "-o", "json")
    doc = json.loads(result.stdout)
    assert set(doc) == {"model", "inputs", "requirements", "recommended", "billed", "options", "warnings"}
    assert doc["recommended"] == "Standard_NC24ads_A100_v4"
    assert len(doc["options"]) >= 22


def test_plan_of_an_unknown_model_suggests_the_closest_names() -> None:
    result = invoke("model", "plan", "phi4")
    assert result.exit_code == 2
    assert "unknown model 'phi4'" in result.stderr and "phi-4" in result.stderr
    assert "Traceback" not in result.stderr


def test_plan_of_a_context_above_the_limit_fails_with_the_limit() -> None:
    result = invoke("model", "plan", "phi-4", "--max-model-len", "100000")
    assert result.exit_code == 2 and "limit of 16384 tokens" in result.stderr


def test_plan_of_a_size_that_does_not_fit_names_the_shortfall_and_the_next_size() -> None:
    result = invoke("model", "plan", "phi-4", "--runtime", "vllm", "--vm-size", "Standard_NV36ads_A10_v5")
    assert result.exit_code == 2
    assert "short by" in result.stderr and "Standard_NC24ads_A100_v4 fits" in result.stderr


def test_any_hugging_face_model_can_be_planned_from_its_config() -> None:
    result = invoke(
        "model",
        "plan",
        "acme/tiny-7b",
        "--weights-gib",
        "13",
        "--layers",
        "32",
        "--attention-heads",
        "32",
        "--kv-heads",
        "8",
        "--hidden-size",
        "4096",
        "--max-context",
        "8192",
        "-o",
        "json",
    )
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["model"]["kv_bytes_per_token"] == 131072


def test_an_incomplete_model_description_names_the_missing_flags() -> None:
    result = invoke("model", "plan", "acme/tiny-7b", "--weights-gib", "13")
    assert result.exit_code == 2 and "--layers" in result.stderr


def test_plan_warns_about_a_quantisation_the_pick_does_not_run_natively() -> None:
    result = invoke("model", "plan", "gpt-oss-20b")
    assert "mxfp4 is not native" in result.stderr


def test_catalog_searches_and_lists_kaito_presets() -> None:
    result = invoke("model", "catalog", "phi-3", "-o", "name")
    assert result.exit_code == 0
    assert "microsoft/Phi-3-mini-4k-instruct" in result.stdout.splitlines()


def test_show_prints_one_model_as_yaml() -> None:
    doc = yamlio.load(invoke("model", "show", "gpt-oss-20b", "-o", "yaml").stdout)
    assert doc["quantization"] == "mxfp4" and doc["kv_bytes_per_token"] == 24 * 8 * 64 * 4


def test_show_name_is_the_catalog_line_of_the_model() -> None:
    # Asked by its KAITO preset name, the model's -o name is still its catalog id.
    shown = invoke("model", "show", "phi-4", "-o", "name")
    assert shown.exit_code == 0, shown
    assert shown.stdout.split() == ["microsoft/phi-4"]
    assert "microsoft/phi-4" in invoke("model", "catalog", "phi-4", "-o", "name").stdout.split()


def test_deploy_dry_run_client_renders_without_a_cluster() -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--dry-run=client")
    assert result.exit_code == 0, result
    kinds = [d["kind"] for d in yamlio.load_all(result.stdout)]
    assert kinds == ["Deployment", "Service"]
    assert "plan: Standard_NC24ads_A100_v4" in result.stderr


def test_deploy_rejects_a_bad_autoscale_range_before_rendering() -> None:
    result = invoke("model", "deploy", "phi-4", "--autoscale", "5:2", "--dry-run=client")
    assert result.exit_code == 2 and "MIN <= MAX" in result.stderr


def test_fleet_flags_need_fleet() -> None:
    result = invoke("model", "deploy", "phi-4", "--clusters", "2", "--dry-run=client")
    assert result.exit_code == 2 and "--fleet" in result.stderr


def test_plan_imports_neither_kubernetes_nor_azure() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from akscli.cli.main import run; run(['model', 'plan', 'phi-4', '-o', 'json']); "
        "print([m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'azure')], file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("flags", "downloader"),
    [
        ((), "KAITO"),
        (("--replicas", "2"), "KAITO"),
        (("--runtime", "airunway"), "KAITO"),
        (("--runtime", "vllm"), "vLLM"),
        (("--runtime", "airunway", "--provider", "vllm"), "AI Runway vllm"),
    ],
)
def test_deploying_a_gated_model_without_a_token_secret_is_refused_before_rendering(
    flags: tuple[str, ...], downloader: str
) -> None:
    result = invoke("model", "deploy", "llama-3.1-8b-instruct", *flags, "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 2, result
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert (
        "meta-llama/Llama-3.1-8B-Instruct is gated on Hugging Face and needs --access-secret NAME "
        f"(a Secret with key HF_TOKEN): {downloader} downloads it from Hugging Face at start"
    ) in result.stderr


def test_the_gated_model_hint_creates_the_token_secret_in_the_models_namespace() -> None:
    # A pod reads only Secrets of its own namespace: a Secret made in default would not help -n ml.
    result = invoke("model", "deploy", "llama-3.1-8b-instruct", "-n", "ml", "--dry-run=client")
    assert result.exit_code == 2, result
    assert (
        'hint: read -rs HF_TOKEN && printf %s "$HF_TOKEN" | kubectl create secret generic hf-token -n ml '
        "--from-file=HF_TOKEN=/dev/stdin"
    ) in result.stderr


def test_gemma_3_is_gated_on_hugging_face_as_kaitos_proposal_says() -> None:
    result = invoke("model", "deploy", "gemma-3-4b-instruct", "--dry-run=client")
    assert result.exit_code == 2 and "google/gemma-3-4b-it is gated on Hugging Face" in result.stderr


def test_kaito_preset_deploys_with_an_access_secret_kaito_sets_as_hf_token() -> None:
    # KAITO v0.12.0 downloads every preset at start and admits a secret with any
    # (api/v1beta1/workspace_validation.go); it sets HF_TOKEN from it (SetHFToken).
    result = invoke("model", "deploy", "phi-4", "--access-secret", "hf-token", "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    assert "modelAccessSecret: hf-token" in result.stdout


def test_plan_separates_its_headline_from_the_table_by_a_blank_line() -> None:
    lines = invoke("model", "plan", "phi-4").stdout.splitlines()
    assert lines[2] == "" and "VM SIZE" in lines[3]


def test_plan_rejects_a_region_that_is_not_an_azure_region_name() -> None:
    result = invoke("model", "plan", "phi-4", "--region", "east us")
    assert result.exit_code == 2
    assert "invalid --region 'east us'" in result.stderr and "--region eastus" in result.stderr


def test_a_model_description_without_head_dim_or_hidden_size_names_them_with_the_rest() -> None:
    result = invoke("model", "plan", "acme/tiny-7b", "--weights-gib", "13")
    assert result.exit_code == 2
    assert "--max-context" in result.stderr and "--head-dim (or --hidden-size)" in result.stderr


def test_deploy_refuses_zero_fleet_clusters_instead_of_placing_on_all() -> None:
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "--clusters", "0", "--dry-run=client")
    assert result.exit_code == 2 and "--clusters" in result.stderr


def test_plan_and_deploy_list_the_model_description_flags_in_their_help() -> None:
    for command in ("plan", "deploy"):
        text = invoke("model", command, "--help").stdout
        assert "--weights-gib" in text and "--params-b" in text, command


def test_plan_hides_fitting_sizes_whose_gpus_vllm_does_not_run_on_unless_wide() -> None:
    narrow = invoke("model", "plan", "llama-3.1-8b-instruct", "--runtime", "vllm").stdout
    wide = invoke("model", "plan", "llama-3.1-8b-instruct", "--runtime", "vllm", "-o", "wide").stdout
    assert "Standard_NV48s_v3" not in narrow and "GPUs vLLM does not run on" in narrow
    assert "Standard_NV48s_v3" in wide and "not supported by vLLM" in wide


def test_deploy_takes_a_described_model_and_the_cluster_flags_together() -> None:
    description = ["--weights-gib", "13", "--layers", "32", "--attention-heads", "32", "--head-dim", "128"]
    result = invoke(
        "model", "deploy", "acme/tiny-7b", *description, "--max-context", "8192", "--runtime", "vllm",
        "-n", "ml", "--dry-run=client",
    )  # fmt: skip
    assert result.exit_code == 0, result
    deployment = next(d for d in yamlio.load_all(result.stdout) if d["kind"] == "Deployment")
    assert deployment["metadata"]["namespace"] == "ml"
    assert "acme/tiny-7b" in deployment["spec"]["template"]["spec"]["containers"][0]["args"]


def test_a_plan_where_nothing_fits_prints_the_table_and_exits_9() -> None:
    result = invoke(
        "model", "plan", "deepseek-r1-0528", "--runtime", "vllm", "--max-model-len", "163840", "--concurrency", "4096"
    )
    assert result.exit_code == 9, result
    assert "size(s) do not fit" in result.stdout
    assert "error: no VM size fits deepseek-ai/DeepSeek-R1-0528" in result.stderr
    assert "does not fit any known VM size" not in result.stderr  # the error says it
    assert "--concurrency" in result.stderr


def test_a_plan_over_budget_exits_9_with_the_budget_hint_and_no_warning_that_repeats_it() -> None:
    result = invoke("model", "plan", "phi-4", "--budget", "1")
    assert result.exit_code == 9, result
    # journeys20: a warning said "no size fits within $1/month" above the error that says it too.
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["error", "hint"]
    assert "--budget" in result.stderr


def test_a_plan_over_budget_says_the_budget_and_the_cheapest_size_in_its_error() -> None:
    result = invoke("model", "plan", "phi-4", "--budget", "500")
    assert result.exit_code == 9, result
    error = next(line for line in result.stderr.splitlines() if line.startswith("error: "))
    assert error == (
        "error: no VM size that fits microsoft/phi-4 at context 8,192 and concurrency 1 is within --budget "
        "$500/month: the cheapest, Standard_NC24ads_A100_v4, is $2,681/month"
    )
    assert "hint: raise --budget to 2682 or more" in result.stderr


def test_a_deploy_over_budget_says_the_same_as_the_plan() -> None:
    result = invoke("model", "deploy", "phi-4", "--budget", "500", "--dry-run=client")
    assert result.exit_code == 2, result
    assert "is within --budget $500/month: the cheapest, Standard_NC24ads_A100_v4" in result.stderr


@pytest.mark.parametrize(
    ("flags", "refused"),
    [
        (("--image", "example.com/vllm:1"), "--image does not apply to --runtime kaito"),
        (("--runtime", "airunway", "--provider", "kuberay", "--image", "example.com/vllm:1"), "--provider kuberay"),
        (("--storage-class", "premium"), "--storage-class does not apply to --runtime kaito"),
        (("--runtime", "airunway", "--provider", "vllm", "--storage-class", "premium"), "--storage-class"),
    ],
)
def test_deploy_refuses_a_flag_its_runtime_would_drop(flags: tuple[str, ...], refused: str) -> None:
    result = invoke("model", "deploy", "phi-4", *flags, "--dry-run=client")
    assert result.exit_code == 2, result
    assert refused in result.stderr and "hint: drop --" in result.stderr
    assert result.stdout == ""


def test_deploy_takes_image_and_storage_class_where_vllm_runs() -> None:
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "vllm", "--image", "example.com/vllm:1",
        "--storage-class", "premium", "--dry-run=client", "-o", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result
    assert "example.com/vllm:1" in result.stdout and '"premium"' in result.stdout


def test_client_dry_run_says_it_renders_no_pod_monitor_a_real_deploy_adds() -> None:
    # Offline nothing says which PodMonitor API the cluster serves: the manifest has none and
    # stderr names what the real deploy adds (with --autoscale one is rendered, and nothing is said).
    plain = invoke("model", "deploy", "phi-4", "--dry-run=client")
    assert plain.exit_code == 0, plain
    assert "PodMonitor" not in plain.stdout
    assert "renders no PodMonitor: a real deploy also applies podmonitor/phi-4" in plain.stderr
    scaled = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:3", "--dry-run=client")
    assert "kind: PodMonitor" in scaled.stdout and "renders no PodMonitor" not in scaled.stderr
