"""The sriov-network-operator's config daemon on GPU nodes, as ``baremetal doctor`` judges it: a GPU
node its selector does not cover, and a node whose SriovNetworkNodeState says its configuration failed
or has been in progress too long. Plain logic: no Typer, no rich.

What the operator does (upstream: k8snetworkplumbingwg/sriov-network-operator 249e2001):
- it reconciles only the SriovOperatorConfig ``default`` (controllers/sriovoperatorconfig_controller.go
  defaultConfigPredicate, pkg/consts/constants.go DefaultConfigName). syncConfigDaemonSet deploys the
  config daemon (bindata/manifests/daemon/daemonset.yaml) with the nodeSelector ``kubernetes.io/os:
  linux`` and ``node-role.kubernetes.io/worker: ""``, replaced by ``spec.configDaemonNodeSelector`` where
  one is set (controllers/helper.go updateDaemonsetNodeSelector); the node policy controller writes a
  SriovNetworkNodeState and the device plugin's config only for the nodes that selector selects
  (controllers/sriovnetworknodepolicy_controller.go Reconcile, client.MatchingLabels). A node outside it
  never gets its virtual functions made, nor an RDMA resource from the operator's device plugin. An AKS
  node carries no ``node-role.kubernetes.io/worker`` label, so without a selector no AKS node is covered;
- the daemon writes the node state's ``status.syncStatus`` (constants.go: ``InProgress``,
  ``Succeeded``, ``Failed``) and ``lastSyncError`` (pkg/daemon/status.go updateSyncState). ``Failed``
  comes with the error (pkg/daemon/daemon.go CheckSystemdStatus and apply; in systemd mode the
  sriov-config service's "<phase>: <error>", cmd/sriov-network-config-daemon/service.go updateResult).
  A plugin's Apply that fails leaves ``InProgress`` while the daemon retries (daemon.go Reconcile
  returns the error), as does a drain that does not finish: the node state's annotations
  ``sriovnetwork.openshift.io/desired-state`` and ``current-state`` (constants.go NodeStateDrainAnnotation,
  NodeStateDrainAnnotationCurrent: Drain_Required, Draining, ...) say so;
- each change of syncStatus is a Normal Event ``SyncStatusChanged`` on the node state, "Status changed
  from: <old> to: <new>" (status.go recordStatusChangeEvent, pkg/daemon/event_recorder.go). Its time is
  when the node went InProgress; events last an hour by default (the API server's --event-ttl,
  kubernetes/kubernetes cmd/kube-apiserver/app/options/options.go NewServerRunOptions EventTTL 1 * time.Hour,
  read through find_string, whose hits name no commit), so a state InProgress with no such event left
  has been so for longer.
  ``STUCK`` is akscli's own threshold: upstream sets none;
- the node policy controller creates a node's SriovNetworkNodeState whenever it syncs
  (sriovnetworknodepolicy_controller.go syncAllSriovNetworkNodeStates, syncSriovNetworkNodeState: every
  node the selector above lists gets one, with or without a policy). It syncs a second after a node is
  created, deleted or relabelled, or a policy changes, once at start, and every ``ResyncPeriod`` (constants.go,
  5 minutes) after a sync that succeeded (SetupWithManager, Reconcile). A covered node older than
  ``RESYNC`` with no state therefore means the operator does not run, runs in another namespace than the
  ``default`` config (it reads only ``vars.Namespace``'s), or its sync fails: it stops at the first node
  it cannot sync ("Fail to sync", "couldn't create SriovNetworkNodeState").

Reads, where a SriovOperatorConfig ``default`` exists: that list (any namespace), one paged list of the
node states in its namespace (only the Failed and InProgress ones are kept), and, where one is
InProgress, one paged list of its SyncStatusChanged events, narrowed on the server
(involvedObject.kind and reason are an Event's selectable fields). Nothing where the CRDs are absent
or cannot be read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from akscli import errors

if TYPE_CHECKING:
    from akscli.baremetal.findings import Collector
    from akscli.kube.client import Kube

API = "sriovnetwork.openshift.io/v1"
DEFAULT_SELECTOR = {"kubernetes.io/os": "linux", "node-role.kubernetes.io/worker": ""}  # helper.go
DESIRED = "sriovnetwork.openshift.io/desired-state"
CURRENT = "sriovnetwork.openshift.io/current-state"
DRAINING = ("Drain_Required", "Draining")  # constants.go DrainRequired, Draining
STUCK = timedelta(minutes=30)
RESYNC = timedelta(minutes=5)  # pkg/consts/constants.go ResyncPeriod
OPERATOR_PODS = "name=sriov-network-operator"  # deployment/sriov-network-operator-chart/templates/operator.yaml
STATUS_EVENTS = "involvedObject.kind=SriovNetworkNodeState,reason=SyncStatusChanged"
# Labels AKS puts on its nodes that a selector can name, the widest first: every GPU node of any pool
# (kubernetes.azure.com/accelerator, akscli.gpu.devices AKS_ACCELERATOR), then the node's pool.
AKS_LABELS = ("kubernetes.azure.com/accelerator", "kubernetes.azure.com/agentpool", "agentpool")
DAEMON_PODS = "app=sriov-network-config-daemon"  # daemonset.yaml's pod label


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class State:
    """A node state that is not Succeeded: its syncStatus, lastSyncError and drain annotations."""

    sync: str
    error: str
    current: str = ""


@dataclass
class SriovConfig:
    """The SriovOperatorConfig ``default`` and the node states worth a finding."""

    namespace: str
    selector: dict[str, str]  # the config daemon's nodeSelector
    explicit: bool  # configDaemonNodeSelector set
    problems: dict[str, State] = field(default_factory=dict)
    went_in_progress: dict[str, datetime] | None = None  # node -> newest "to: InProgress" event; None: unread
    states: set[str] | None = None  # every node state's name; None: not read in full

    def check(self, node: Mapping[str, Any], pool: str, rdma_expected: bool, out: Collector) -> None:
        """Findings for one GPU node: not covered by the config daemon's selector, or its state Failed
        or InProgress for longer than ``STUCK``."""
        meta = node.get("metadata") or {}
        name = str(meta.get("name"))
        labels = meta.get("labels") or {}
        unmet = [f"{k}={v}" for k, v in self.selector.items() if labels.get(k) != v]
        if unmet:
            out.add(
                "sriov-config-daemon",
                "error" if rdma_expected else "warning",
                "node",
                pool,
                "the sriov-network-operator's config daemon does not run on the node, so its SR-IOV virtual "
                "functions are never configured and the operator's device plugin gets no config for it: "
                + self._why(unmet),
                self._cover(labels, unmet),
                name,
            )
            return
        if self.states is not None and name not in self.states and _older_than(meta, RESYNC):
            out.add(
                "sriov-node-state",
                "error" if rdma_expected else "warning",
                "node",
                pool,
                f"the sriov-network-operator wrote no SriovNetworkNodeState for the node, although SriovOperatorConfig "
                f"{self.namespace}/default's selector covers it: the operator writes one at each sync (every "
                f"{int(RESYNC.total_seconds() // 60)} minutes), so it does not run, runs in another namespace, or its "
                "sync fails; until then the node's SR-IOV virtual functions are never configured",
                f"check the operator's pod and log: kubectl -n {self.namespace} get pods -l {OPERATOR_PODS}; "
                f"kubectl -n {self.namespace} logs -l {OPERATOR_PODS} | grep -i SriovNetworkNodeState "
                "('Fail to sync' names the error); no pod there: kubectl get pods -A -l "
                f"{OPERATOR_PODS} (it reads only the SriovOperatorConfig default of its own namespace)",
                name,
            )
            return
        state = self.problems.get(name)
        if state is None:
            return
        where = (
            f"kubectl -n {self.namespace} get sriovnetworknodestate NODE -o yaml; the daemon's log: kubectl -n "
            f"{self.namespace} logs POD, POD from kubectl -n {self.namespace} get pods -l {DAEMON_PODS} -o wide "
            "--field-selector spec.nodeName=NODE"
        )
        if state.sync == "Failed":
            said = f": {state.error}" if state.error else " (no lastSyncError)"
            out.add(
                "sriov-sync",
                "error",
                "node",
                pool,
                "the SR-IOV config daemon failed to configure the node's NICs (SriovNetworkNodeState syncStatus "
                f"Failed){said}",
                f"correct what the error names, then let the daemon apply again ({where})",
                name,
            )
            return
        since = self.went_in_progress.get(name) if self.went_in_progress is not None else _now()
        if since is not None and _now() - since < STUCK:
            return
        how_long = (
            f"over {int(STUCK.total_seconds() // 60)} minutes"
            if since
            else "over an hour (no SyncStatusChanged event is left)"
        )
        if state.current in DRAINING:
            why = f"; it waits for the node's drain (current-state {state.current})"
            fix = "find what keeps pods on the node (kubectl get pdb -A: a PodDisruptionBudget that allows no eviction)"
        else:
            why = f"; its last error: {state.error}" if state.error else ""
            fix = "read why the daemon's configuration does not finish"
        out.add(
            "sriov-sync",
            "warning",
            "node",
            pool,
            f"the SR-IOV config daemon has been configuring the node's NICs for {how_long} (SriovNetworkNodeState "
            f"syncStatus InProgress){why}",
            f"{fix} ({where})",
            name,
        )

    def _why(self, unmet: list[str]) -> str:
        where = f"SriovOperatorConfig {self.namespace}/default"
        if self.explicit:
            return f"{where}'s configDaemonNodeSelector asks for {', '.join(unmet)}, which the node lacks"
        return (
            f"{where} sets no configDaemonNodeSelector, and the default one asks for {', '.join(unmet)}, "
            "which AKS nodes do not carry"
        )

    def _cover(self, labels: Mapping[str, str], unmet: list[str]) -> str:
        patch = f"kubectl -n {self.namespace} patch sriovoperatorconfig default --type merge -p"
        if self.explicit:
            return (
                f"label the node as the selector asks (kubectl label node NODE {' '.join(unmet)}), or change "
                "configDaemonNodeSelector to labels every node with SR-IOV NICs carries "
                f"(kubectl -n {self.namespace} edit sriovoperatorconfig default)"
            )
        key = next((k for k in AKS_LABELS if labels.get(k)), "kubernetes.io/os")
        chosen = {key: labels.get(key, "linux")}
        body = json.dumps({"spec": {"configDaemonNodeSelector": chosen}}, separators=(",", ":"))
        return f"select the GPU nodes by a label they carry: {patch} '{body}'"


def read(kube: Kube, page_size: int = 500) -> SriovConfig | None:
    """The SriovOperatorConfig ``default`` and its namespace's node states (the module docstring);
    None where there is none or it cannot be read."""
    try:
        found = next(
            iter(kube.list(API, "SriovOperatorConfig", all_namespaces=True, field_selector="metadata.name=default")),
            None,
        )
    except errors.AkscliError:
        return None
    if found is None:
        return None
    namespace = str(found["metadata"].get("namespace"))
    chosen = {str(k): str(v) for k, v in ((found.get("spec") or {}).get("configDaemonNodeSelector") or {}).items()}
    config = SriovConfig(namespace, chosen or dict(DEFAULT_SELECTOR), bool(chosen))
    names: set[str] = set()
    try:
        for state in kube.list(API, "SriovNetworkNodeState", namespace=namespace, page_size=page_size):
            names.add(str(state["metadata"]["name"]))
            status = state.get("status") or {}
            sync = str(status.get("syncStatus") or "")
            if sync in ("Failed", "InProgress"):
                current = str(((state.get("metadata") or {}).get("annotations") or {}).get(CURRENT) or "")
                config.problems[state["metadata"]["name"]] = State(
                    sync, str(status.get("lastSyncError") or ""), current
                )
    except errors.AkscliError:
        return config
    config.states = names
    if any(s.sync == "InProgress" for s in config.problems.values()):
        config.went_in_progress = _went_in_progress(kube, namespace, page_size)
    return config


def _older_than(meta: Mapping[str, Any], age: timedelta) -> bool:
    """Whether the object was created more than ``age`` ago (an unreadable time counts as older)."""
    created = str(meta.get("creationTimestamp") or "")
    try:
        return _now() - datetime.fromisoformat(created.replace("Z", "+00:00")) > age
    except ValueError:
        return True


def _went_in_progress(kube: Kube, namespace: str, page_size: int) -> dict[str, datetime] | None:
    from akscli.gpu.plugin import newest_events

    def entered(message: str) -> bool:
        return message.split(". Last Error:")[0].endswith("to: InProgress")

    try:
        return newest_events(kube, namespace, STATUS_EVENTS, page_size, entered)
    except errors.AkscliError:
        return None
