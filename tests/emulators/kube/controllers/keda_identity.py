"""KEDA's own Azure identity, as its operator process has it: a prometheus trigger whose
TriggerAuthentication names ``podIdentity.provider: azure-workload`` gets a scaler only when the
operator can build an Azure credential, and that credential is made from the environment the
operator pod started with.

Upstream (kedacore/keda 8b4f083c, v2.20.x; azidentity v1.14.0 in its go.mod):

* pkg/scalers/prometheus_scaler.go NewPrometheusScaler: with no ``authModes`` the scaler asks
  azure.TryAndGetAzureManagedPrometheusHTTPRoundTripper, and returns its error as it is.
* pkg/scalers/azure/azure_managed_prometheus_http_round_tripper.go: for provider azure-workload it
  calls NewChainedCredential (pkg/scalers/azure/azure_azidentity_chain.go). That chain holds the
  Azure CLI credential only where ``/bin/sh`` exists (KEDA's image is distroless, Dockerfile
  ``FROM gcr.io/distroless/static:nonroot``: never), and the workload identity credential only
  when azidentity.NewWorkloadIdentityCredential succeeds (azure_aad_workload_identity.go
  NewADWorkloadIdentityCredential: the TriggerAuthentication's ``identityId`` and
  ``identityTenantId`` override the environment). That constructor needs AZURE_CLIENT_ID,
  AZURE_FEDERATED_TOKEN_FILE and AZURE_TENANT_ID (Azure/azure-sdk-for-go
  sdk/azidentity/workload_identity.go NewWorkloadIdentityCredential, os.LookupEnv of each); a
  failure is only logged, so the chain is empty and azidentity.NewChainedTokenCredential answers
  "sources must contain at least one TokenCredential" (sdk/azidentity/chained_token_credential.go;
  the text KEDA users quote in kedacore/keda#5006 for this scaler).
* pkg/scaling/scalers_builder.go buildScalers: the failure is a Warning Event KEDAScalerFailed on
  the ScaledObject with the error's text, and the build fails. controllers/keda/hpa.go
  newHPAForScaledObject needs the scalers' metric specs (getScaledObjectMetricSpecs), so no HPA is
  made or updated; controllers/keda/scaledobject_controller.go Reconcile sets Ready False
  ``ScaledObjectCheckFailed`` "failed to ensure HPA is correctly created for ScaledObject: <error>",
  Active Unknown ``UnknownState`` "ScaledObject check failed", and emits a Warning Event
  ScaledObjectCheckFailed with that message. The metrics server's read fails the same way
  (pkg/scaling/scale_handler.go GetScaledObjectMetrics: "error getting scalers <error>").

The operator reads the variables once, when it starts (kedacore/keda
pkg/scalers/azure/azure_aad_workload_identity.go init), so the
lab takes them from the running operator pod (labelled as kedacore/charts
keda/templates/manager/deployment.yaml labels it; profiles.keda_operator_pod), the first by
namespace and name. A lab with no operator pod is KEDA as its chart installs it by default:
podIdentity.azureWorkload.enabled false, so no variables. The webhook that injects them is
Azure/azure-workload-identity pkg/webhook/webhook.go (profiles.keda_operator_pod stands for it).
Whether Entra accepts the federated token (the identity's federated credential) is not modelled:
with the variables, the token is taken as granted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.keda_prometheus import metadata_error

KEDA = "keda.sh/v1alpha1"
OPERATOR_LABEL = "app.kubernetes.io/name=keda-operator"
# Azure/azure-sdk-for-go sdk/azidentity/chained_token_credential.go NewChainedTokenCredential (azidentity v1.x).
NO_CREDENTIAL = "sources must contain at least one TokenCredential"
# kedacore/keda controllers/keda/scaledobject_controller.go reconcileScaledObject's message for
# ensureHPAForScaledObjectExists.
HPA_CHECK_FAILED = "failed to ensure HPA is correctly created for ScaledObject"


def operator_env(cluster: Any) -> dict[str, str]:
    """The environment of KEDA's running operator pod (every container's literal variables)."""
    pods = [
        p
        for p in cluster.list("v1", "Pod", None, OPERATOR_LABEL)
        if (p.get("status") or {}).get("phase") == "Running" and not (p.get("metadata") or {}).get("deletionTimestamp")
    ]
    if not pods:
        return {}
    pod = min(pods, key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]))
    containers = (pod.get("spec") or {}).get("containers") or []
    return {str(e.get("name")): str(e.get("value") or "") for c in containers for e in c.get("env") or []}


def pod_identity(cluster: Any, namespace: str, trigger: Mapping[str, Any]) -> Mapping[str, Any]:
    """The trigger's TriggerAuthentication's podIdentity ({} without one; kind ClusterTriggerAuthentication
    is not read: akscli writes a namespaced one)."""
    ref = (trigger.get("authenticationRef") or {}).get("name")
    auth = cluster.get(KEDA, "TriggerAuthentication", namespace, ref) if ref else None
    return ((auth or {}).get("spec") or {}).get("podIdentity") or {}


def build_error(cluster: Any, obj: Mapping[str, Any]) -> str | None:
    """Why KEDA cannot build the ScaledObject's scalers (the first trigger that fails), or None.
    NewPrometheusScaler parses the metadata before it asks for a credential (kedacore/keda
    pkg/scalers/prometheus_scaler.go; keda_prometheus.py)."""
    namespace = obj["metadata"]["namespace"]
    env: dict[str, str] | None = None
    for trigger in (obj.get("spec") or {}).get("triggers") or []:
        unparsed = metadata_error(trigger)
        if unparsed is not None:
            return unparsed
        meta = trigger.get("metadata") or {}
        if trigger.get("type") != "prometheus" or meta.get("authModes"):
            continue
        identity = pod_identity(cluster, namespace, trigger)
        if identity.get("provider") != "azure-workload":
            continue
        env = operator_env(cluster) if env is None else env
        have = {
            "AZURE_CLIENT_ID": bool(identity.get("identityId")) or "AZURE_CLIENT_ID" in env,
            "AZURE_FEDERATED_TOKEN_FILE": "AZURE_FEDERATED_TOKEN_FILE" in env,
            "AZURE_TENANT_ID": bool(identity.get("identityTenantId")) or "AZURE_TENANT_ID" in env,
        }
        if not all(have.values()):
            return NO_CREDENTIAL
    return None


def check_failed(cluster: Any, obj: dict[str, Any], error: str) -> None:
    """What KEDA writes when the scalers cannot be built: both Warning Events and the conditions."""
    from tests.emulators.kube.controllers.keda_fallback import write_conditions

    md = obj["metadata"]
    full = f"{HPA_CHECK_FAILED}: {error}"
    cluster.add_event(obj, "KEDAScalerFailed", error, type="Warning", component="scale-handler")
    cluster.add_event(obj, "ScaledObjectCheckFailed", full, type="Warning", component="keda-operator")
    conds = {
        "Ready": ("False", "ScaledObjectCheckFailed", full),
        "Active": ("Unknown", "UnknownState", "ScaledObject check failed"),
    }
    write_conditions(cluster, md["namespace"], md["name"], conds)
