"""Which operator serves which API group, and how to install it.

Used to turn "the server does not know kaito.sh/v1beta1 Workspace" into a message that names
the operator and the command that installs it.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    "monitoring.coreos.com": Operator(
        "Prometheus Operator", "enable Azure Managed Prometheus: az aks update --enable-azure-monitor-metrics"
    ),
}


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
