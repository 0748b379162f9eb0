"""Which operator serves which API group, and how to install it.

Used to turn "the server does not know kaito.sh/v1beta1 Workspace" into a message that names
the operator and the command that installs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from akscli.errors import NotInstalledError


@dataclass(frozen=True)
class Operator:
    name: str
    install: str


OPERATORS: dict[str, Operator] = {
    "kaito.sh": Operator(
        "KAITO",
        "enable the AI toolchain operator: akscli cluster create --enable-kaito "
        "(or az aks update --enable-ai-toolchain-operator)",
    ),
    "ray.io": Operator(
        "KubeRay",
        "helm install kuberay-operator kuberay/kuberay-operator --namespace kuberay-system --create-namespace",
    ),
    "keda.sh": Operator(
        "KEDA",
        "enable the AKS KEDA add-on: az aks update --enable-keda "
        "(or helm install keda kedacore/keda -n keda --create-namespace)",
    ),
    "gateway.networking.k8s.io": Operator(
        "Gateway API",
        "install the Gateway API CRDs: kubectl apply --server-side -f "
        "https://github.com/kubernetes-sigs/gateway-api/releases/latest/download/standard-install.yaml",
    ),
    "inference.networking.k8s.io": Operator(
        "the Gateway API inference extension",
        "install its CRDs: kubectl apply -f "
        "https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/latest/download/manifests.yaml",
    ),
    "placement.kubernetes-fleet.io": Operator(
        "Azure Kubernetes Fleet Manager (hub)", "point --context at a fleet hub: akscli fleet credentials NAME -g GROUP"
    ),
    "cluster.kubernetes-fleet.io": Operator(
        "Azure Kubernetes Fleet Manager (hub)", "point --context at a fleet hub: akscli fleet credentials NAME -g GROUP"
    ),
    "nvidia.com": Operator(
        "the NVIDIA GPU Operator",
        "helm install gpu-operator nvidia/gpu-operator -n gpu-operator --create-namespace, "
        "then akscli baremetal prepare",
    ),
    "nfd.k8s-sigs.io": Operator(
        "Node Feature Discovery's CRDs",
        "helm install nfd nfd/node-feature-discovery -n node-feature-discovery --create-namespace",
    ),
    "karpenter.sh": Operator("node auto-provisioning (Karpenter)", "akscli cluster create --node-provisioning auto"),
    "karpenter.azure.com": Operator(
        "node auto-provisioning (Karpenter)", "akscli cluster create --node-provisioning auto"
    ),
    "airunway.ai": Operator(
        "AI Runway",
        "install AI Runway's controller and a provider (ai-runway/airunway: controller/ and providers/, "
        "e.g. kubectl apply -k controller/config/default)",
    ),
    "monitoring.coreos.com": Operator(
        "Prometheus Operator", "enable Azure Managed Prometheus: az aks update --enable-azure-monitor-metrics"
    ),
}


# KAITO's workspace controller: the Helm chart labels it app.kubernetes.io/name=workspace
# (kaito-project/kaito charts/kaito/workspace), the AKS add-on's pod app=ai-toolchain-operator.
KAITO_PODS = ("app.kubernetes.io/name=workspace", "app=ai-toolchain-operator")
# InferenceSet is served (kaito.sh/v1beta1) from KAITO v0.11 (kaito-project/kaito config/crd/bases).
INFERENCESET_SINCE = "v0.11"


def kaito_version(kube: Any) -> str | None:
    """The KAITO release the cluster runs, from its controller's image tag (None when unknown)."""
    for selector in KAITO_PODS:
        for pod in kube.list("v1", "Pod", all_namespaces=True, label_selector=selector, page_size=10):
            for container in (pod.get("spec") or {}).get("containers") or []:
                image = str(container.get("image", ""))
                tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
                if tag:
                    return tag
    return None


def kaito_without_inferenceset(kube: Any) -> NotInstalledError:
    """KAITO is installed (the AKS add-on, typically) but older than InferenceSet."""
    version = kaito_version(kube)
    found = f"KAITO {version}" if version else "the installed KAITO"
    return NotInstalledError(
        f"{found} does not serve kaito.sh/v1beta1 InferenceSet (KAITO {INFERENCESET_SINCE} and later do): "
        "--replicas and --autoscale need it",
        hint="deploy one replica (drop --replicas/--autoscale), or replace the AI toolchain operator add-on with "
        f"KAITO {INFERENCESET_SINCE}+ from its Helm chart (kaito-project/kaito charts/kaito/workspace)",
    )


# The InferencePool of the inference extension before v1.0, in its experimental group: its releases
# up to v0.5.1 install only this one (kubernetes-sigs/gateway-api-inference-extension v0.5.1
# config/crd/bases/inference.networking.x-k8s.io_inferencepools.yaml), v1.0.0 to v1.4.0 both, and
# v1.5.0 on only inference.networking.k8s.io/v1 (v1.5.0 config/crd/bases).
ALPHA_POOL_API = "inference.networking.x-k8s.io/v1alpha2"


def pool_api_missing(kube: Any, api_version: str) -> NotInstalledError:
    """``api_version`` InferencePool is not served: the inference extension is not installed, or
    only its pre-v1.0 CRDs are, which serve the pool as ALPHA_POOL_API only (and the gateways and
    endpoint pickers that read v1 never see such a pool)."""
    if not kube.has_api(ALPHA_POOL_API, "InferencePool"):
        return not_installed(api_version, kind="InferencePool", group_served=False)
    operator = OPERATORS["inference.networking.k8s.io"]
    return NotInstalledError(
        f"the cluster serves InferencePool only as {ALPHA_POOL_API}, the Gateway API inference extension before "
        f"v1.0; akscli writes {api_version} InferencePool, which the cluster does not serve",
        hint=f"upgrade the inference extension's CRDs ({operator.install.removeprefix('install its CRDs: ')}); "
        f"InferencePools of {ALPHA_POOL_API} are left as they are",
    )


def operator_for(api_version: str) -> Operator | None:
    group = api_version.split("/")[0] if "/" in api_version else ""
    return OPERATORS.get(group)


def not_installed(api_version: str, kind: str, *, group_served: bool) -> NotInstalledError:
    operator = operator_for(api_version)
    served = "" if not group_served else " (the group is served, but not this kind)"
    if operator:
        return NotInstalledError(
            f"{operator.name} is not installed on this cluster: {api_version} {kind} is unknown{served}",
            hint=operator.install,
        )
    return NotInstalledError(
        f"the cluster does not serve {api_version} {kind}{served}",
        hint="check the API version, or install the component that provides it",
    )
