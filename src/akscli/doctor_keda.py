"""doctor's rows for KEDA's autoscaling on an Azure Monitor workspace: the checks `model deploy
--autoscale` and `model status` make for one model (akscli.model.monitoring,
akscli.model.autoscaling_status), made here for every ScaledObject whose prometheus trigger queries
a workspace. Nothing when no ScaledObject does: KEDA then needs no Azure identity.

- Workload identity. KEDA's ``azure-workload`` pod identity reads AZURE_CLIENT_ID, AZURE_TENANT_ID
  and AZURE_FEDERATED_TOKEN_FILE once, when the operator starts (kedacore/keda
  pkg/scalers/azure/azure_aad_workload_identity.go init: DefaultClientID, TokenFilePath). The
  workload identity webhook injects them into a pod labelled ``azure.workload.identity/use``, and
  adds AZURE_CLIENT_ID only when the pod's service account carries the
  ``azure.workload.identity/client-id`` annotation (Azure/azure-workload-identity
  pkg/webhook/webhook.go Handle, getClientID, addEnvironmentVariables: "only if desired env contains
  a non-empty value"; pkg/webhook/consts.go ClientIDAnnotation). KEDA's chart sets both only with
  podIdentity.azureWorkload.enabled, off by default (kedacore/charts
  keda/templates/manager/deployment.yaml, the pod's ``azure.workload.identity/use`` label and
  ``serviceAccountName: .Values.serviceAccount.name``; keda/templates/manager/serviceaccount.yaml,
  the client-id annotation from podIdentity.azureWorkload.clientId).
- The ``cluster`` label. Each workspace query is compared with the label the add-on's collector
  stamps now (autoscaling_status.pinned_against, the check `model status` makes; the collector is
  read once, monitoring.collector_label).

- The Monitoring Data Reader role of that identity on each workspace: asked of Azure Resource
  Manager only where doctor is signed in to a subscription (``signed_in``) and the identity row is
  ok (akscli.doctor_keda_role).

Rows are (check, status, detail, fix); all are warnings: a gap here stops autoscaling, not a deploy.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from akscli.doctor_probes import NOT_READY, OK, UNKNOWN
from akscli.errors import AkscliError
from akscli.kube.client import Kube
from akscli.model import autoscaling_status, monitoring
from akscli.model.kinds import KEDA_API

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget

CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id"  # Azure/azure-workload-identity pkg/webhook/consts.go
CLIENT_ID_ENV = "AZURE_CLIENT_ID"
READ_FIX = "grant this user get and list on pods, serviceaccounts, and kube-system deployments and configmaps"

Row = tuple[str, str, str, str]
# The Azure subscription doctor is signed in to, None where none is chosen (read only when needed).
SignedIn = Callable[[], "AzureTarget | None"]


def rows(kube: Kube, signed_in: SignedIn | None = None) -> Iterator[Row]:
    try:
        scaled = list(kube.list(KEDA_API, "ScaledObject", all_namespaces=True))
    except AkscliError as exc:
        yield "workspace triggers", UNKNOWN, f"ScaledObjects cannot be listed: {exc.message}", READ_FIX
        return
    on_workspace = [s for s in scaled if autoscaling_status.workspace_trigger(s) is not None]
    if not on_workspace:
        return
    client_id = yield from _identity(kube)
    yield from _labels(kube, on_workspace)
    if client_id and signed_in is not None and (target := signed_in()) is not None:
        from akscli import doctor_keda_role

        endpoints = [str((autoscaling_status.workspace_trigger(s) or {}).get("serverAddress")) for s in on_workspace]
        yield from doctor_keda_role.rows(target, client_id, endpoints)


def _identity(kube: Kube) -> Generator[Row, None, str]:
    """The workload identity row; returns the client ID KEDA signs in as where the row is ok, else ""."""
    try:
        pods = monitoring.keda_operator_pods(kube)
    except AkscliError as exc:
        yield "workload identity", UNKNOWN, f"KEDA's operator pods cannot be listed: {exc.message}", READ_FIX
        return ""
    if not pods:  # the pods row above says KEDA's operator is missing
        return ""
    if bare := monitoring.without_identity(pods):
        yield "workload identity", NOT_READY, bare[0], bare[1]
        return ""
    pod = next(p for p in pods if monitoring.FEDERATED_TOKEN_ENV in monitoring.pod_env(p))
    md = pod.get("metadata") or {}
    ns, name = str(md.get("namespace", "")), str(md.get("name", ""))
    # An unset serviceAccountName is the namespace's default account (as the webhook reads it).
    account = str((pod.get("spec") or {}).get("serviceAccountName") or "default")
    subject = f"serviceaccount {ns}/{account}"
    try:
        sa = kube.get("v1", "ServiceAccount", account, ns)
    except AkscliError as exc:
        yield "workload identity", UNKNOWN, f"{subject} cannot be read: {exc.message}", READ_FIX
        return ""
    annotated = str((((sa or {}).get("metadata") or {}).get("annotations") or {}).get(CLIENT_ID_ANNOTATION) or "")
    running = monitoring.pod_env(pod).get(CLIENT_ID_ENV, "")
    verdict = _identity_verdict(ns, name, subject, annotated, running)
    yield "workload identity", *verdict
    return running if verdict[0] == OK else ""


def _identity_verdict(ns: str, pod: str, subject: str, annotated: str, running: str) -> tuple[str, str, str]:
    restart = f"kubectl rollout restart deploy keda-operator -n {ns}"
    if not annotated and not running:
        return (
            NOT_READY,
            f"{subject} has no {CLIENT_ID_ANNOTATION} annotation, so the webhook gave pod {ns}/{pod} no "
            f"{CLIENT_ID_ENV}: KEDA's workload identity credential has no client to sign in as",
            f"kubectl annotate serviceaccount {subject.split('/')[-1]} -n {ns} {CLIENT_ID_ANNOTATION}=CLIENT_ID, "
            f"then {restart}",
        )
    if annotated and running != annotated:
        return (
            NOT_READY,
            f"{subject} names client {annotated}, but pod {ns}/{pod} started with "
            f"{running or f'no {CLIENT_ID_ENV}'}: KEDA reads it only when it starts",
            restart,
        )
    return OK, f"pod {ns}/{pod} signs in as client {running} ({subject})", ""


def _labels(kube: Kube, on_workspace: list[dict[str, Any]]) -> Iterator[Row]:
    try:
        label, why = monitoring.collector_label(kube)
    except AkscliError as exc:
        label, why = None, exc.message
    if label is None:
        yield (
            "cluster label",
            UNKNOWN,
            f"{len(on_workspace)} ScaledObject(s) query an Azure Monitor workspace, but the collector's cluster "
            f"label cannot be read ({why}), so whether their queries find this cluster's series is unknown",
            READ_FIX,
        )
        return
    gaps = 0
    for scaled in on_workspace:
        md: Mapping[str, Any] = scaled.get("metadata") or {}
        ns, name = md.get("namespace"), md.get("name")
        check = autoscaling_status.pinned_against(scaled, label)
        if gap := autoscaling_status.workspace_gap(check, f"{name} -n {ns}"):
            gaps += 1
            yield f"scaledobject {ns}/{name}", NOT_READY, gap[0], gap[1]
    if not gaps:
        yield (
            "cluster label",
            OK,
            f"{len(on_workspace)} ScaledObject(s) on an Azure Monitor workspace keep the collector's "
            f"{monitoring.cluster_matcher(label)}",
            "",
        )
