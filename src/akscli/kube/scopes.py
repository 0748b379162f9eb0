"""Whether a kind is namespaced, known without asking the cluster: what a client dry run of
``apply -f`` needs to put the namespace on an object that names none, as kubectl apply
--dry-run=client -o yaml prints it. kubectl asks the cluster's discovery for it (k8s.io/cli-runtime
pkg/resource/builder.go ``NamespaceParam(ns).DefaultNamespace()``, then pkg/resource/visitor.go
``SetNamespace`` on each object whose mapping is namespaced); akscli renders offline, so the
kinds whose scope is published are listed here, and another kind is left to the cluster's
discovery when one answers (akscli.cli.common). Plain data: no I/O, no kubernetes import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

# The API groups the Kubernetes API server serves itself (kubernetes/kubernetes
# pkg/registry/<group>/rest/storage_<group>.go, one REST storage provider each), with
# kube-aggregator's apiregistration.k8s.io and apiextensions-apiserver's apiextensions.k8s.io.
# A kind of these groups not in CLUSTER_SCOPED is namespaced.
BUILTIN_GROUPS = frozenset(
    {
        "",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "internal.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
        "storagemigration.k8s.io",
    }
)

# The built-in kinds whose REST strategy says ``NamespaceScoped() bool { return false }``
# (kubernetes/kubernetes pkg/registry/<group>/<resource>/strategy.go, e.g.
# pkg/registry/core/namespace/strategy.go, pkg/registry/networking/ipaddress/strategy.go;
# apiextensions-apiserver pkg/registry/customresourcedefinition/strategy.go; kube-aggregator
# pkg/registry/apiservice/strategy.go).
CLUSTER_SCOPED = frozenset(
    {
        ("", "ComponentStatus"),
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("authentication.k8s.io", "SelfSubjectReview"),
        ("authentication.k8s.io", "TokenReview"),
        ("authorization.k8s.io", "SelfSubjectAccessReview"),
        ("authorization.k8s.io", "SelfSubjectRulesReview"),
        ("authorization.k8s.io", "SubjectAccessReview"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("certificates.k8s.io", "ClusterTrustBundle"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        ("internal.apiserver.k8s.io", "StorageVersion"),
        ("networking.k8s.io", "IPAddress"),
        ("networking.k8s.io", "IngressClass"),
        ("networking.k8s.io", "ServiceCIDR"),
        ("node.k8s.io", "RuntimeClass"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("resource.k8s.io", "DeviceClass"),
        ("resource.k8s.io", "ResourceSlice"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("storage.k8s.io", "VolumeAttributesClass"),
        ("storagemigration.k8s.io", "StorageVersionMigration"),
    }
)

# The operators' kinds akscli works with, each CRD's spec.scope (True: Namespaced), as the
# copies in shared/crds hold them, SOURCES-*.md naming each file: kaito-project/kaito
# config/crd/bases/, kedacore/keda config/crd/bases/, ray-project/kuberay
# ray-operator/config/crd/bases/, kubefleet-dev/kubefleet config/crd/bases/,
# Azure/karpenter-provider-azure pkg/apis/crds/, NVIDIA/gpu-operator
# deployments/gpu-operator/crds/, kubernetes-sigs/gateway-api config/crd/standard/,
# kubernetes-sigs/gateway-api-inference-extension config/crd/bases/, ai-runway/airunway
# controller/config/crd/bases/.
CRD_NAMESPACED: Mapping[tuple[str, str], bool] = {
    ("airunway.ai", "InferenceProviderConfig"): False,
    ("airunway.ai", "ModelDeployment"): True,
    ("cluster.kubernetes-fleet.io", "MemberCluster"): False,
    ("gateway.networking.k8s.io", "Gateway"): True,
    ("gateway.networking.k8s.io", "GatewayClass"): False,
    ("gateway.networking.k8s.io", "HTTPRoute"): True,
    ("inference.networking.k8s.io", "InferencePool"): True,
    ("kaito.sh", "InferenceSet"): True,
    ("kaito.sh", "ModelMirror"): False,
    ("kaito.sh", "MultiRoleInference"): True,
    ("kaito.sh", "RAGEngine"): True,
    ("kaito.sh", "Workspace"): True,
    ("karpenter.azure.com", "AKSNodeClass"): False,
    ("karpenter.sh", "NodeClaim"): False,
    ("karpenter.sh", "NodeOverlay"): False,
    ("karpenter.sh", "NodePool"): False,
    ("keda.sh", "ClusterTriggerAuthentication"): False,
    ("keda.sh", "ScaledObject"): True,
    ("keda.sh", "TriggerAuthentication"): True,
    ("nvidia.com", "ClusterPolicy"): False,
    ("nvidia.com", "NVIDIADriver"): False,
    ("placement.kubernetes-fleet.io", "ApprovalRequest"): True,
    ("placement.kubernetes-fleet.io", "ClusterApprovalRequest"): False,
    ("placement.kubernetes-fleet.io", "ClusterResourceOverride"): False,
    ("placement.kubernetes-fleet.io", "ClusterResourcePlacement"): False,
    ("placement.kubernetes-fleet.io", "ClusterResourcePlacementDisruptionBudget"): False,
    ("placement.kubernetes-fleet.io", "ClusterResourcePlacementEviction"): False,
    ("placement.kubernetes-fleet.io", "ClusterStagedUpdateRun"): False,
    ("placement.kubernetes-fleet.io", "ClusterStagedUpdateStrategy"): False,
    ("placement.kubernetes-fleet.io", "ResourceOverride"): True,
    ("placement.kubernetes-fleet.io", "ResourcePlacement"): True,
    ("placement.kubernetes-fleet.io", "StagedUpdateRun"): True,
    ("placement.kubernetes-fleet.io", "StagedUpdateStrategy"): True,
    ("ray.io", "RayCluster"): True,
    ("ray.io", "RayJob"): True,
    ("ray.io", "RayService"): True,
}


def namespaced(api_version: str, kind: str, objects: Iterable[Mapping[str, Any]] = ()) -> bool | None:
    """Whether ``kind`` of ``api_version`` is namespaced; None where no published scope is known
    here (the cluster's discovery tells). A CustomResourceDefinition among ``objects`` declares
    its kind's scope (``spec.scope``, apiextensions.k8s.io/v1: Namespaced or Cluster)."""
    group = api_version.rpartition("/")[0]
    for obj in objects:
        spec = obj.get("spec") or {}
        if (
            obj.get("kind") == "CustomResourceDefinition"
            and spec.get("group") == group
            and (spec.get("names") or {}).get("kind") == kind
            and spec.get("scope") in ("Namespaced", "Cluster")
        ):
            return bool(spec["scope"] == "Namespaced")
    if (group, kind) in CRD_NAMESPACED:
        return CRD_NAMESPACED[(group, kind)]
    if group in BUILTIN_GROUPS:
        return (group, kind) not in CLUSTER_SCOPED
    return None


def place(
    objects: list[dict[str, Any]],
    namespace: str,
    required: str | None,
    discover: Callable[[str, str], bool | None],
) -> list[dict[str, Any]]:
    """Put ``namespace`` on each namespaced object that names none and take it off a cluster-scoped
    one, as kubectl's builder does before its client dry run prints (cli-runtime visitor.go
    ``SetNamespace``: only where the mapping is namespaced; kubectl 1.32 prints a ClusterRole
    without the namespace its file gave it). ``required`` (an explicit -n) refuses a namespaced
    object that names another (visitor.go ``RequireNamespace``), not a cluster-scoped one.
    ``discover`` answers for a kind not known here (the cluster's discovery; None where no cluster
    answers). Returns the objects whose scope is still unknown: left as written, -n checked."""
    from akscli.kube.apply import check_namespace

    unknown = []
    for obj in objects:
        scope = namespaced(obj["apiVersion"], obj["kind"], objects)
        if scope is None:
            scope = discover(obj["apiVersion"], obj["kind"])
        meta = obj.setdefault("metadata", {})
        if scope is None:
            unknown.append(obj)
        if scope is not False and required:
            check_namespace(obj, required)
        if scope and not meta.get("namespace"):
            # after the name, where kubectl's printer (keys in order) and a manifest put it
            named = list(meta.items())
            at = next((i + 1 for i, (key, _) in enumerate(named) if key == "name"), 0)
            meta.clear()
            meta.update([*named[:at], ("namespace", namespace), *named[at:]])
        elif scope is False:
            meta.pop("namespace", None)
    return unknown
