"""doctor's rows for KEDA's autoscaling on an Azure Monitor workspace: the checks `model deploy
--autoscale` and `model status` make for one model (akscli.model.monitoring,
akscli.model.autoscaling_status), made here for every ScaledObject whose prometheus trigger queries
a workspace. Nothing when no ScaledObject does: KEDA then needs no Azure identity.

- Workload identity: akscli.model.keda_identity's verdict on KEDA's operator pod (its
  AZURE_FEDERATED_TOKEN_FILE and AZURE_CLIENT_ID, and the service account's client-id annotation).
- The ``cluster`` label. Each workspace query is compared with the label the add-on's collector
  stamps now (autoscaling_status.pinned_against, the check `model status` makes; the collector is
  read once, monitoring.collector_label).

- The target allocator: on an Arc-enabled cluster, the Azure Monitor metrics extension reads
  PodMonitors only while it runs one (monitoring.arc_without_target_allocator).
- The Monitoring Data Reader role of that identity on each workspace: asked of Azure Resource
  Manager only where doctor is signed in to a subscription (``signed_in``) and the identity row is
  ok (akscli.doctor.keda_role).

Rows are (check, status, detail, fix); all are warnings: a gap here stops autoscaling, not a deploy.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from akscli.doctor.probes import NOT_READY, OK, UNKNOWN
from akscli.errors import AkscliError
from akscli.kube.client import Kube
from akscli.model import autoscaling_status, keda_identity, monitoring
from akscli.model.kinds import KEDA_API

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget

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
    found = yield from _identity(kube)
    yield from _labels(kube, on_workspace)
    if gap := monitoring.arc_without_target_allocator(kube):  # an Arc extension that reads no PodMonitor
        yield "target allocator", NOT_READY, gap[0], gap[1]
    if found is not None and found.ready and signed_in is not None and (target := signed_in()) is not None:
        from akscli.doctor import keda_role as doctor_keda_role

        endpoints = [str((autoscaling_status.workspace_trigger(s) or {}).get("serverAddress")) for s in on_workspace]
        yield from doctor_keda_role.rows(target, found.client_id, endpoints, found.account, _cluster_id(kube))


def _identity(kube: Kube) -> Generator[Row, None, keda_identity.Identity | None]:
    """The workload identity row (akscli.model.keda_identity); returns the verdict (None where no
    operator pod is found)."""
    found = keda_identity.verdict(kube)
    if found is None:  # the pods row above says KEDA's operator is missing
        return None
    status = OK if found.ready else NOT_READY if found.ready is False else UNKNOWN
    yield "workload identity", status, found.detail, READ_FIX if found.ready is None else found.fix
    return found


def _cluster_id(kube: Kube) -> str:
    """This cluster's Azure resource ID as Azure Monitor's collector names it, "" where it cannot be read
    (the federated credential row then says so)."""
    try:
        return monitoring.collector_cluster(kube)
    except AkscliError:
        return ""


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
