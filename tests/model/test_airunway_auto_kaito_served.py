"""`model deploy --runtime airunway --provider auto` where AI Runway's kaito provider serves the model:
the name the route routes by must be the one the server answers to, and a Hugging Face token the
kaito provider cannot pass on is refused before anything is applied.

Upstream: ai-runway/airunway v0.7.0 (f5fd48d1) providers/kaito/transformer.go buildInference (the
Workspace's preset is spec.model.id; no presetOptions, spec.secrets read on the llama.cpp path only),
controller/internal/controller/gateway_reconciler.go resolveModelName (the route's model is
spec.model.servedName), providers/{vllm,llmd,kuberay,dynamo}/transformer.go (--served-model-name
spec.model.servedName); kaito-project/kaito v0.12.0 pkg/model/interface.go buildVLLMInferenceCommand
and presets/workspace/generator/generator.go NewGenerator (KAITO's vLLM serves the preset under the
lower-cased last part of its id)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import small_cpu_node
from tests.cli import invoke
from tests.emulators.kube import hf_hub
from tests.emulators.kube.profiles import hf_token_secret, ready_pod
from tests.model.test_kaito_hub_gated import LLAMA, SECRET_TOKEN
from tests.model.test_kaito_hub_repo import DESCRIBED, REPO

from ._airunway import MD
from ._bbr import install_bbr
from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]
AUTO = ("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "auto")


def _kaito_provider_with_instance_type(emu: Any) -> None:
    """The kaito provider's pod as one with node auto-provisioning configured writes the Workspace's
    instanceType (providers/kaito/transformer.go buildResource), so KAITO admits it."""
    env = [
        {"name": "AIRUNWAY_KAITO_NODE_AUTO_PROVISIONING", "value": "true"},
        {"name": "AIRUNWAY_KAITO_GPU_INSTANCE_TYPE", "value": "Standard_NC24ads_A100_v4"},
    ]
    labels = {"control-plane": "kaito-provider", "app.kubernetes.io/name": "airunway"}
    ready_pod(emu, "airunway-system", "airunway-kaito-provider-0", labels, env=env)


def test_an_auto_deployment_kaito_serves_answers_through_the_gateway_under_the_name_it_routes_by(
    model_emulator: Start,
) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS, serving=True)
    emu.cluster.create(small_cpu_node())  # BBR's pod is Ready only on a node
    install_bbr(emu, gateway="inference-gateway")
    gpu_nodes(emu, 1)
    _kaito_provider_with_instance_type(emu)
    deployed = invoke(*AUTO, "--expose", "--wait", "--timeout", "5m", "-y")
    assert deployed.exit_code == 0, deployed
    assert "AI Runway selected provider kaito" in deployed.stderr + deployed.stdout
    assert emu.idle()
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 0, result
    assert emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")["spec"]["model"]["servedName"] == "phi-4"


def test_auto_with_a_gated_catalog_model_is_refused_where_the_kaito_provider_would_drop_its_token(
    model_emulator: Start,
) -> None:
    # KAITO admits a catalog model without a modelAccessSecret (DownloadAuthRequired is never set
    # for one: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go), and its pods then
    # download the gated weights without HF_TOKEN: the Hub answers 401.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    _kaito_provider_with_instance_type(emu)
    hf_token_secret(emu)
    result = invoke(
        "model", "deploy", "llama-3.1-8b-instruct", "--runtime", "airunway", "--provider", "auto",
        "--access-secret", "hf-token", "-y",
    )  # fmt: skip
    assert result.exit_code == 2, result
    assert "--access-secret hf-token: with --provider auto AI Runway would pick its kaito provider" in result.stderr
    assert "meta-llama/Llama-3.1-8B-Instruct is gated" in result.stderr
    assert "hint: use --provider vllm (or llmd), or --provider kaito" in result.stderr
    assert emu.cluster.list(MD, "ModelDeployment", "default") == []


def test_auto_with_a_gated_hub_model_is_refused_before_kaitos_webhook_would_refuse_it(model_emulator: Start) -> None:
    # Outside KAITO's catalog the webhook reads config.json from the Hub with no token (the kaito
    # provider writes no presetOptions.modelAccessSecret) and refuses the Workspace: "authentication
    # required" (presets/workspace/generator/generator.go fetchURL; the emulated Hub: hf_hub.py).
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    _kaito_provider_with_instance_type(emu)
    hf_token_secret(emu)
    emu.api.huggingface_hub[REPO] = hf_hub.repo(LLAMA, gated=[SECRET_TOKEN])
    result = invoke(
        "model", "deploy", REPO, *DESCRIBED, "--max-model-len", "4096", "--runtime", "airunway",
        "--provider", "auto", "--access-secret", "hf-token", "--wait", "--timeout", "2m", "-y",
    )  # fmt: skip
    assert result.exit_code == 2, result
    assert "KAITO's webhook reads its config.json from the Hub without one" in result.stderr
    assert emu.cluster.list(MD, "ModelDeployment", "default") == []


def test_auto_renders_kaitos_served_name_and_says_requests_name_it() -> None:
    result = invoke(*AUTO, "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    assert "servedName: phi-4\n" in result.stdout
    assert "served as phi-4 whichever provider AI Runway picks (KAITO serves microsoft/phi-4 so" in result.stderr
