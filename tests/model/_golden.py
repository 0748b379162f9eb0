"""Golden files for rendered model manifests and the CRD schema check of rendered custom resources."""

from __future__ import annotations

import copy
import functools
from typing import Any

from tests.golden import assert_golden as shared_assert_golden

from ._shared import crd_dir


def assert_golden(name: str, objects: list[dict[str, Any]]) -> None:
    shared_assert_golden("model", name, objects)


# The CRDs the model templates render, by (apiVersion, kind): reading only these keeps the
# check fast (all of ../shared/crds is several MB of YAML).
CRD_FILES: dict[tuple[str, str], str] = {
    ("kaito.sh/v1beta1", "Workspace"): "kaito/kaito.sh_workspaces.yaml",
    ("kaito.sh/v1beta1", "InferenceSet"): "kaito/kaito.sh_inferencesets.yaml",
    ("keda.sh/v1alpha1", "ScaledObject"): "keda/keda.sh_scaledobjects.yaml",
    ("airunway.ai/v1alpha1", "ModelDeployment"): "airunway/airunway.ai_modeldeployments.yaml",
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): "gateway-api/gateway.networking.k8s.io_httproutes.yaml",
    (
        "inference.networking.k8s.io/v1",
        "InferencePool",
    ): "gateway-api-inference-extension/inference.networking.k8s.io_inferencepools.yaml",
    (
        "placement.kubernetes-fleet.io/v1",
        "ClusterResourcePlacement",
    ): "fleet/placement.kubernetes-fleet.io_clusterresourceplacements.yaml",
    (
        "placement.kubernetes-fleet.io/v1",
        "ClusterStagedUpdateRun",
    ): "fleet/placement.kubernetes-fleet.io_clusterstagedupdateruns.yaml",
}


@functools.cache
def _schema(api_version: str, kind: str) -> dict[str, Any]:
    from ruamel.yaml import YAML

    path = crd_dir() / CRD_FILES[(api_version, kind)]
    crd = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    version = next(v for v in crd["spec"]["versions"] if f"{crd['spec']['group']}/{v['name']}" == api_version)
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


def has_schema(obj: dict[str, Any]) -> bool:
    return (obj["apiVersion"], obj["kind"]) in CRD_FILES


def schema_problems(obj: dict[str, Any]) -> list[str]:
    """What the API server would reject or prune in a custom resource, as readable lines."""
    from tests.emulators.kube import schema

    _, result = schema.process(copy.deepcopy(obj), _schema(obj["apiVersion"], obj["kind"]))
    return [f"{obj['kind']} {field}: {message}" for _, field, message in result.errors] + [
        f"{obj['kind']}: unknown field {path}" for path in result.unknown
    ]
