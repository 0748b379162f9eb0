"""Whether KEDA itself can sign in to an Azure Monitor workspace: the workload identity of its
operator pod, which a prometheus trigger with ``podIdentity.provider: azure-workload`` needs. One
verdict for `model deploy --autoscale` (a warning before the trigger is applied), `model status`
(a warning beside the ScaledObject's state) and `doctor` (its ``workload identity`` row).

What KEDA does (kedacore/keda 8b4f083c, v2.20.x):

- It reads AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE once, when the
  operator starts (pkg/scalers/azure/azure_aad_workload_identity.go init: DefaultClientID,
  TokenFilePath), so a pod that started without them keeps failing until it is restarted.
- The prometheus scaler's round tripper builds a chained credential whose only member in KEDA's
  distroless image is azidentity's workload identity credential
  (pkg/scalers/azure/azure_managed_prometheus_http_round_tripper.go, azure_azidentity_chain.go
  NewChainedCredential); without those variables it is left out, and the chain fails with
  "sources must contain at least one TokenCredential" (Azure/azure-sdk-for-go
  sdk/azidentity/chained_token_credential.go). The scaler is not built: a Warning Event
  KEDAScalerFailed (pkg/scaling/scalers_builder.go buildScalers), no HPA, and Ready False
  ScaledObjectCheckFailed (controllers/keda/scaledobject_controller.go Reconcile).

Who puts the variables there: the workload identity webhook, into a pod labelled
``azure.workload.identity/use: "true"``, adding AZURE_CLIENT_ID only when the pod's service
account carries ``azure.workload.identity/client-id`` (Azure/azure-workload-identity
pkg/webhook/webhook.go Handle, getClientID, addEnvironmentVariables: "only if desired env contains
a non-empty value"; pkg/webhook/consts.go). KEDA's chart sets that label and annotation only with
``podIdentity.azureWorkload.enabled=true`` and ``podIdentity.azureWorkload.clientId``, off by
default (kedacore/charts keda/templates/manager/deployment.yaml, keda/templates/manager/
serviceaccount.yaml, keda/values.yaml); the AKS KEDA add-on has no such value, so its service
account is annotated by hand and the operator restarted (MicrosoftDocs/azure-aks-docs
articles/aks/keda-workload-identity.md).

Plain logic: no Typer, no rich; nothing is printed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli.errors import AkscliError
from akscli.kube.client import Kube

# The label KEDA's chart and the AKS add-on give the operator's pods (kedacore/charts
# keda/templates/manager/deployment.yaml; MicrosoftDocs/azure-aks-docs articles/aks/keda-workload-identity.md).
OPERATOR_SELECTOR = "app.kubernetes.io/name=keda-operator"
FEDERATED_TOKEN_ENV = "AZURE_FEDERATED_TOKEN_FILE"  # Azure/azure-workload-identity pkg/webhook/consts.go
CLIENT_ID_ENV = "AZURE_CLIENT_ID"
CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id"  # Azure/azure-workload-identity pkg/webhook/consts.go
# What KEDA's Event says when the credential cannot be made (module docstring).
KEDA_ERROR = "sources must contain at least one TokenCredential"
HELM_FIX = (
    "helm upgrade keda kedacore/keda -n {ns} --reuse-values --set podIdentity.azureWorkload.enabled=true "
    "--set podIdentity.azureWorkload.clientId=CLIENT_ID (KEDA's chart; on the AKS KEDA add-on: "
    f"kubectl annotate serviceaccount keda-operator -n {{ns}} {CLIENT_ID_ANNOTATION}=CLIENT_ID and "
    "kubectl rollout restart deploy keda-operator -n {ns}), with a federated credential for "
    "system:serviceaccount:{ns}:keda-operator on that identity"
)


@dataclass(frozen=True)
class Identity:
    """The verdict: ``ready`` True (``client_id`` is who KEDA signs in as), False (``detail`` says
    why, ``fix`` what to run) or None (it could not be read: ``detail`` says why)."""

    ready: bool | None
    detail: str
    fix: str = ""
    client_id: str = ""
    # The service account KEDA's token is for, NAMESPACE/NAME (set with ``ready`` True): the subject
    # of its federated credential is system:serviceaccount:NAMESPACE:NAME.
    account: str = ""


def operator_pods(kube: Kube) -> list[dict[str, Any]]:
    """KEDA's operator pods, in every namespace; AkscliError when refused."""
    return list(kube.list("v1", "Pod", all_namespaces=True, label_selector=OPERATOR_SELECTOR))


def pod_env(pod: Mapping[str, Any]) -> dict[str, str]:
    """The literal environment variables of a pod's containers (the webhook's are literal values)."""
    containers = ((pod.get("spec") or {}).get("containers")) or []
    return {str(e.get("name")): str(e.get("value") or "") for c in containers for e in c.get("env") or []}


def verdict(kube: Kube) -> Identity | None:
    """KEDA's workload identity now; None where no operator pod is found (doctor's pods row, and
    `doctor --for model`, say whether KEDA runs)."""
    try:
        pods = operator_pods(kube)
    except AkscliError as exc:
        return Identity(None, f"KEDA's operator pods cannot be listed: {exc.message}")
    if not pods:
        return None
    federated = [p for p in pods if FEDERATED_TOKEN_ENV in pod_env(p)]
    if not federated:
        md = pods[0].get("metadata") or {}
        ns = str(md.get("namespace", ""))
        return Identity(
            False,
            f"KEDA's operator pod {ns}/{md.get('name')} has no workload identity (no {FEDERATED_TOKEN_ENV} in its "
            "environment), so KEDA cannot make its Azure credential and every workspace query fails "
            f'("{KEDA_ERROR}" in its KEDAScalerFailed Event)',
            HELM_FIX.format(ns=ns),
        )
    pod = federated[0]
    md = pod.get("metadata") or {}
    ns, name = str(md.get("namespace", "")), str(md.get("name", ""))
    # An unset serviceAccountName is the namespace's default account (as the webhook reads it).
    account = str((pod.get("spec") or {}).get("serviceAccountName") or "default")
    subject = f"serviceaccount {ns}/{account}"
    try:
        sa = kube.get("v1", "ServiceAccount", account, ns)
    except AkscliError as exc:
        return Identity(None, f"{subject} cannot be read: {exc.message}")
    annotated = str((((sa or {}).get("metadata") or {}).get("annotations") or {}).get(CLIENT_ID_ANNOTATION) or "")
    running = pod_env(pod).get(CLIENT_ID_ENV, "")
    restart = f"kubectl rollout restart deploy keda-operator -n {ns}"
    if not annotated and not running:
        return Identity(
            False,
            f"{subject} has no {CLIENT_ID_ANNOTATION} annotation, so the webhook gave pod {ns}/{name} no "
            f"{CLIENT_ID_ENV}: KEDA's workload identity credential has no client to sign in as",
            f"kubectl annotate serviceaccount {account} -n {ns} {CLIENT_ID_ANNOTATION}=CLIENT_ID, then {restart}",
        )
    if annotated and running != annotated:
        return Identity(
            False,
            f"{subject} names client {annotated}, but pod {ns}/{name} started with "
            f"{running or f'no {CLIENT_ID_ENV}'}: KEDA reads it only when it starts",
            restart,
        )
    return Identity(
        True, f"pod {ns}/{name} signs in as client {running} ({subject})", client_id=running, account=f"{ns}/{account}"
    )


def warnings(kube: Kube) -> list[str]:
    """The deploy's line when KEDA cannot sign in (nothing when it can, or when that cannot be told)."""
    found = verdict(kube)
    return [f"{found.detail}; {found.fix}"] if found is not None and found.ready is False else []
