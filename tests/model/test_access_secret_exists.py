"""--access-secret names a Secret the serving pod reads key HF_TOKEN of (akscli's vLLM Deployment;
KAITO's SetHFToken, kaito-project/kaito v0.12.0 pkg/workspace/inference/preset_inferences.go; every
AI Runway provider, ai-runway/airunway v0.7.0 providers/*/transformer.go, buildEnvVars).
A Secret that is not there, or lacks the key, is refused before anything is applied: the vLLM pod
would sit in CreateContainerConfigError, and KAITO's (an optional key) would start without a token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO
from tests.emulators.kube.profiles import hf_token_secret

from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]


def test_a_missing_access_secret_is_refused_before_anything_is_applied(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--access-secret", "hf-token", "-y")
    assert result.exit_code == 3, result
    assert "--access-secret names Secret default/hf-token, which does not exist" in result.stderr
    assert (
        'read -rs HF_TOKEN && printf %s "$HF_TOKEN" | kubectl create secret generic hf-token -n default '
        "--from-file=HF_TOKEN=/dev/stdin (type the token at the silent prompt)"
    ) in result.stderr
    assert "Traceback" not in result.stderr
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is None


def test_an_access_secret_without_the_hf_token_key_is_refused_naming_its_keys(model_emulator: Start) -> None:
    emu = model_emulator()
    hf_token_secret(emu, key="token")
    result = invoke("model", "deploy", "phi-4", "--access-secret", "hf-token", "-y")
    assert result.exit_code == 3, result
    assert "Secret default/hf-token (--access-secret) has no key HF_TOKEN (its keys: token)" in result.stderr
    assert "aGZfZmFrZQ" not in result.stderr + result.stdout
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None


def test_an_access_secret_with_the_key_is_deployed(model_emulator: Start) -> None:
    emu = model_emulator()
    hf_token_secret(emu)
    result = invoke("model", "deploy", "phi-4", "--access-secret", "hf-token", "-y")
    assert result.exit_code == 0, result
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert ws["inference"]["preset"]["presetOptions"]["modelAccessSecret"] == "hf-token"


@pytest.mark.parametrize("provider", ["vllm", "llmd", "kuberay", "dynamo"])
def test_an_access_secret_without_the_hf_token_key_is_refused_for_every_airunway_provider(
    model_emulator: Start, provider: str
) -> None:
    # vllm, llmd and kuberay set HF_TOKEN from secretKeyRef key HF_TOKEN (buildEnvVars): their pods
    # would stay in CreateContainerConfigError; dynamo's envFromSecret loads only the keys there are.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    hf_token_secret(emu, key="token")
    args = ("--runtime", "airunway", "--provider", provider, "--access-secret", "hf-token", "-y")
    result = invoke("model", "deploy", "phi-4", *args)
    assert result.exit_code == 3, result
    assert "Secret default/hf-token (--access-secret) has no key HF_TOKEN (its keys: token)" in result.stderr
    assert "aGZfZmFrZQ" not in result.stderr + result.stdout
    assert emu.cluster.get("airunway.ai/v1alpha1", "ModelDeployment", "default", "phi-4") is None


def test_an_airunway_access_secret_with_the_key_is_passed_to_the_provider(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    hf_token_secret(emu)
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "--access-secret", "hf-token", "-y"
    )
    assert result.exit_code == 0, result
    md = emu.cluster.get("airunway.ai/v1alpha1", "ModelDeployment", "default", "phi-4")
    assert md["spec"]["secrets"] == {"huggingFaceToken": "hf-token"}
