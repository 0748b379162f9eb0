"""KAITO's adapter pullers and the model weights downloader, as the PodSecurity preflight predicts
them (akscli.kube.podsecurity_operators; upstream: kaito-project/kaito v0.12.0 0894eb2b and
056b8280b pkg/workspace/inference/preset_inferences.go SetAdapterPuller, SetModelDownloadInfo;
pkg/workspace/manifests/manifests.go GeneratePullerContainers, GenerateModelPullerContainer;
pkg/workspace/image/puller.go NewPullerContainer; presets/workspace/models/vllm_model.go
GetInferenceParameters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from akscli.kube import podsecurity
from akscli.kube.podsecurity_checks import evaluate
from tests.foundation.test_podsecurity_operator_pods import containers, workspace

SUPPORTED_MODELS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "kaito" / "supported_models.yaml"


def with_adapters(*sources: dict[str, Any]) -> dict[str, Any]:
    obj = workspace("phi-4")
    obj["inference"]["adapters"] = [{"source": s} for s in sources]
    return obj


def test_an_image_adapter_gets_a_puller_init_container_named_after_its_source() -> None:
    ((_, spec),) = podsecurity.pod_specs(with_adapters({"name": "tone", "image": "example.azurecr.io/tone:1"}))
    assert containers(spec) == ["puller-tone", "phi-4"]
    assert {"name": "adapter-volume", "emptyDir": {}} in spec["volumes"]


def test_the_restricted_refusal_names_the_adapter_puller_too() -> None:
    ((_, spec),) = podsecurity.pod_specs(with_adapters({"name": "tone", "image": "example.azurecr.io/tone:1"}))
    assert 'containers "puller-tone", "phi-4" must set' in (evaluate("restricted", None, spec) or "")


def test_an_adapter_with_pull_secrets_gets_a_projected_docker_config_volume_that_baseline_allows() -> None:
    source = {"name": "tone", "image": "example.azurecr.io/tone:1", "imagePullSecrets": ["acr"]}
    ((_, spec),) = podsecurity.pod_specs(with_adapters(source))
    assert "docker-config-tone-inference-adapter" in [v["name"] for v in spec["volumes"]]
    assert evaluate("baseline", None, spec) is None


def test_a_volume_adapter_mounts_its_source_and_a_host_path_one_is_refused_by_baseline() -> None:
    source = {"name": "tone", "volumeSource": {"hostPath": {"path": "/data/adapters/tone"}}}
    ((_, spec),) = podsecurity.pod_specs(with_adapters(source))
    assert containers(spec) == ["phi-4"]  # no puller for a volume adapter
    assert evaluate("baseline", None, spec) == 'hostPath volumes (volume "adapter-volume-tone")'


def test_no_model_weights_downloader_even_for_a_preset_supported_models_yaml_lists_without_download_at_runtime() -> (
    None
):
    # KAITO's vLLMCompatibleModel sets DownloadAtRuntime for every inference preset; the YAML's
    # field is deprecated. phi-4 is one the YAML lists without it.
    listed = yaml.safe_load(SUPPORTED_MODELS.read_text(encoding="utf-8"))["models"]
    phi4 = next(m for m in listed if m["name"] == "phi-4")
    assert not phi4.get("downloadAtRuntime")
    ((_, spec),) = podsecurity.pod_specs(workspace("phi-4"))
    assert "model-weights-downloader" not in containers(spec)
