"""Every field `model deploy` writes is one the upstream controller reads, in the place it reads
it (ai-runway/airunway v0.7.0 providers/*/transformer.go; kaito-project/kaito v0.12.0;
kaito-project/keda-kaito-scaler v0.6.2), and what upstream cannot do is refused in one line."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from akscli import yamlio
from akscli.model import catalog, deploy, planning, skus
from tests.cli import invoke
from tests.emulators.kube.profiles import hf_token_secret

from ._queue import gpu_nodes, scraped_queue, vllm_pods
from .test_render import _request

AIRUNWAY = "airunway.ai/v1alpha1"
KAITO = "kaito.sh/v1beta1"
KEDA = "keda.sh/v1alpha1"
Start = Callable[..., Any]


def _eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def _model_deployment(**kwargs: Any) -> dict[str, Any]:
    return next(o for o in deploy.build(_request(runtime="airunway", **kwargs)) if o["kind"] == "ModelDeployment")


def _dry_run(*args: str) -> Any:
    return invoke("model", "deploy", *args, "--dry-run=client")


# ---- AI Runway, provider kaito ------------------------------------------------------------


def test_airunway_kaito_passes_the_access_secret_as_the_workspaces_preset_option() -> None:
    # providers/kaito/transformer.go reads secrets.huggingFaceToken on the llama.cpp path only;
    # applyOverrides deep-merges overrides into the Workspace, where KAITO's webhook wants it.
    md = _model_deployment(model="llama-3.1-8b-instruct", access_secret="hf-token")
    preset = md["spec"]["provider"]["overrides"]["inference"]["preset"]
    assert preset == {"presetOptions": {"modelAccessSecret": "hf-token"}}
    assert "secrets" not in md["spec"]


def test_airunway_kaito_passes_the_context_through_an_inference_config() -> None:
    objects = deploy.build(_request(runtime="airunway", context=12000))
    config = next(o for o in objects if o["kind"] == "ConfigMap")
    assert yamlio.load(config["data"]["inference_config.yaml"]) == {"vllm": {"max-model-len": 12000}}
    md = next(o for o in objects if o["kind"] == "ModelDeployment")
    assert md["spec"]["provider"]["overrides"]["inference"]["config"] == config["metadata"]["name"]
    assert "contextLength" not in md["spec"]["engine"]


def test_airunway_kaito_keeps_the_served_name_the_gateway_routes_by() -> None:
    # controller/internal/controller/gateway_reconciler.go resolveModelName reads it.
    assert _model_deployment()["spec"]["model"]["servedName"] == "phi-4"


def test_airunway_kaito_refuses_replicas_it_would_turn_into_a_node_count() -> None:
    result = _dry_run("phi-4", "--runtime", "airunway", "--replicas", "3")
    assert result.exit_code == 2, result
    assert "resource.count" in result.stderr and "--runtime kaito --replicas 3" in result.stderr


def test_airunway_autoscale_hint_sends_kaito_users_to_the_inferenceset() -> None:
    result = _dry_run("phi-4", "--runtime", "airunway", "--autoscale", "1:3")
    assert result.exit_code == 2, result
    assert "--runtime kaito --autoscale" in result.stderr and "--replicas N with" not in result.stderr


def test_airunway_kaito_deploys_a_gated_preset_with_its_access_secret(model_emulator: Start) -> None:
    emu = model_emulator(crds=("kaito", "airunway"))
    hf_token_secret(emu)
    result = invoke(
        "model", "deploy", "llama-3.1-8b-instruct", "--name", "llama", "--runtime", "airunway",
        "--access-secret", "hf-token", "--wait", "--timeout", "20s", "-y",
    )  # fmt: skip
    assert result.exit_code == 0, result
    ws = emu.cluster.get(KAITO, "Workspace", "default", "llama")
    assert ws["inference"]["preset"]["presetOptions"]["modelAccessSecret"] == "hf-token"
    assert ws["inference"]["config"] == "llama-inference-config"


def test_a_gated_preset_without_its_secret_is_refused_before_anything_is_sent(model_emulator: Start) -> None:
    # KAITO v0.12.0's webhook admits it (api/v1beta1/workspace_validation.go: DownloadAuthRequired
    # is never set for a catalog preset) and the pod's download then fails at the Hub.
    emu = model_emulator(crds=("kaito", "airunway"))
    result = invoke("model", "deploy", "llama-3.1-8b-instruct", "--name", "llama", "--runtime", "airunway", "-y")
    assert result.exit_code == 2, result
    assert "needs --access-secret NAME" in result.stderr
    assert emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "llama") is None


# ---- AI Runway, other providers -----------------------------------------------------------


def test_airunway_kuberay_writes_no_node_selector_and_says_the_size_is_not_pinned() -> None:
    result = _dry_run("phi-4", "--runtime", "airunway", "--provider", "kuberay")
    assert result.exit_code == 0, result
    assert "nodeSelector" not in result.stdout and "contextLength: 8192" in result.stdout
    assert "kuberay provider pins no VM size" in result.stderr


def test_airunway_kuberay_refuses_a_vm_size_it_cannot_keep() -> None:
    result = _dry_run(
        "phi-4", "--runtime", "airunway", "--provider", "kuberay", "--vm-size", "Standard_NC24ads_A100_v4"
    )
    assert result.exit_code == 2, result
    assert "sets no node selector" in result.stderr and "Traceback" not in result.stderr


def test_airunway_vllm_places_pods_by_node_selector_and_sets_the_context() -> None:
    md = _model_deployment(provider="vllm")
    assert md["spec"]["nodeSelector"] == {"node.kubernetes.io/instance-type": "Standard_NC24ads_A100_v4"}
    assert md["spec"]["engine"]["contextLength"] == 4096 and "overrides" not in md["spec"]["provider"]


# ---- GPU memory utilisation ----------------------------------------------------------------


def test_kaitos_inference_config_leaves_gpu_memory_utilization_to_kaito() -> None:
    # kaito presets/workspace/inference/vllm/inference_api.py: the file's keys win over KAITO's.
    config = next(o for o in deploy.build(_request()) if o["kind"] == "ConfigMap")
    assert "gpu-memory-utilization" not in config["data"]["inference_config.yaml"]


def test_the_kaito_plan_sizes_with_the_utilization_kaitos_vllm_runs_with() -> None:
    # kaito pkg/model/interface.go: 0.82 on an A10, 0.84 elsewhere.
    model = catalog.get("phi-4-mini-instruct")
    a10, a100 = skus.get("Standard_NV36ads_A10_v5"), skus.get("Standard_NC24ads_A100_v4")
    assert a10 is not None and a100 is not None
    on_a10 = planning.kaito_fit(model, a10, context=4096)
    assert on_a10.free_per_gpu_gib == round(a10.gpu_memory_gib * 0.82 - on_a10.memory_per_gpu_gib, 2)
    on_a100 = planning.kaito_fit(model, a100, context=4096)
    assert on_a100.free_per_gpu_gib == round(a100.gpu_memory_gib * 0.84 - on_a100.memory_per_gpu_gib, 2)
    inputs = planning.plan(model, runtime="kaito").to_dict()["inputs"]
    assert inputs["gpu_memory_utilization"] == 0.84


# ---- autoscaling ---------------------------------------------------------------------------


def test_an_autoscaled_deployment_leaves_replicas_to_the_autoscaler() -> None:
    deployment = next(o for o in deploy.build(_request(runtime="vllm", autoscale=(1, 4))) if o["kind"] == "Deployment")
    assert "replicas" not in deployment["spec"]


def test_an_autoscaled_inferenceset_leaves_replicas_to_the_autoscaler() -> None:
    objects = deploy.build(_request(replicas=2, autoscale=(1, 4)))
    assert "replicas" not in next(o for o in objects if o["kind"] == "InferenceSet")["spec"]


def test_a_redeploy_keeps_the_count_the_autoscaler_set(model_emulator: Start) -> None:
    emu = model_emulator(monitoring=True)
    gpu_nodes(emu, 1)  # the first replica is Ready and reports the queue
    args = ("phi-4", "--runtime", "vllm", "--autoscale", "1:4", "-y")
    assert invoke("model", "deploy", *args).exit_code == 0
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"] == 1
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    scraped_queue(emu, 18)
    _eventually(lambda: emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"] == 4)
    assert invoke("model", "deploy", *args, "--image", "vllm/vllm-openai:v0.11.1").exit_code == 0
    assert invoke("model", "rollback", "phi-4", "-y").exit_code == 0
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"] == 4


@pytest.mark.parametrize(
    ("workspace", "cloud"),
    [
        ("https://amw-a1b2.eastus.prometheus.monitor.azure.com", None),
        ("https://amw-a1b2.usgovvirginia.prometheus.monitor.azure.us", "AzureUSGovernmentCloud"),
        ("https://amw-a1b2.chinaeast2.prometheus.monitor.azure.cn", "AzureChinaCloud"),
    ],
)
def test_kedas_trigger_names_the_cloud_of_the_azure_monitor_workspace(workspace: str, cloud: str | None) -> None:
    # kedacore/keda v2.20.2 pkg/scalers/azure/azure_cloud_environment.go ParseEnvironmentProperty:
    # the token's audience is the trigger's cloud's, the public cloud's when none is named.
    managed = {"runtime": "vllm", "autoscale": (1, 3), "monitor_api": "azmonitoring.coreos.com/v1"}
    objects = deploy.build(_request(**managed, prometheus=workspace))
    trigger = next(o for o in objects if o["kind"] == "ScaledObject")["spec"]["triggers"][0]
    assert trigger["metadata"].get("cloud") == cloud


def test_kaitos_scaler_gets_the_metrics_list_only() -> None:
    # keda-kaito-scaler v0.6.2 pkg/constants/constants.go has no metricName or threshold key.
    ann = next(o for o in deploy.build(_request(autoscale=(1, 3))) if o["kind"] == "InferenceSet")["metadata"]
    keys = set(ann["annotations"])
    assert "scaledobject.kaito.sh/metrics" in keys
    assert not keys & {"scaledobject.kaito.sh/metricName", "scaledobject.kaito.sh/threshold"}


def test_kaitos_scaler_provisions_nothing_from_the_old_keys_alone(model_emulator: Start) -> None:
    # keda-kaito-scaler v0.6.2: auto-provision needs the metrics list (pkg/constants/constants.go).
    emu = model_emulator()
    old = {f"scaledobject.kaito.sh/{k}": v for k, v in (("auto-provision", "true"), ("max-replicas", "3"))}
    old |= {"scaledobject.kaito.sh/metricName": "vllm:num_requests_waiting", "scaledobject.kaito.sh/threshold": "5"}
    template = {"resource": {"instanceType": "Standard_NC24ads_A100_v4"}, "inference": {"preset": {"name": "phi-4"}}}
    spec = {"labelSelector": {"matchLabels": {"apps": "old"}}, "template": template}
    meta = {"name": "old", "namespace": "default", "annotations": old}
    emu.cluster.create({"apiVersion": KAITO, "kind": "InferenceSet", "metadata": meta, "spec": spec})
    emu.idle()
    assert emu.cluster.get(KEDA, "ScaledObject", "default", "old") is None
