"""The sriov-network-operator's config daemon: on each node where its pod (DaemonSet
``sriov-network-config-daemon``, rendered by sriov_operator.py) is ready, it writes the status of the
node's SriovNetworkNodeState. Upstream: k8snetworkplumbingwg/sriov-network-operator 249e2001.

- pkg/daemon/daemon.go Reconcile: a state it has not applied yet (a new generation) goes to
  ``syncStatus: InProgress`` first, keeping ``lastSyncError`` ("set sync state to inProgress, but we
  don't clear the failed status"); apply then writes ``Succeeded`` with no ``lastSyncError``. In
  systemd mode (SriovOperatorConfig spec.configurationMode ``systemd``) apply writes the sriov-config
  service's result instead, ``Failed`` with the error of the phase that failed
  (cmd/sriov-network-config-daemon/service.go updateResult: ``"<phase>: <error>"``): the knob ``failed``.
  Where a plugin's Apply returns an error, Reconcile returns it and writes nothing more, so the state
  stays ``InProgress`` while controller-runtime retries: the knob ``stuck``.
- pkg/daemon/status.go updateSyncState: a merge patch of the status (``lastSyncError`` omitempty, so
  an empty one is removed); updateStatusFromHost writes ``status.interfaces`` from the host's SR-IOV
  devices (DiscoverSriovDevices): here the knob ``interfaces``, none unless a test sets them.
  recordStatusChangeEvent: on a change, a Normal Event ``SyncStatusChanged``, "Status changed from:
  <old> to: <new>" (an empty status is ``Unknown``), with ". Last Error: <error>" where there is one,
  on the SriovNetworkNodeState, from source ``config-daemon`` (pkg/daemon/event_recorder.go).
- The annotations ``sriovnetwork.openshift.io/desired-state`` and ``current-state``
  (pkg/consts/constants.go NodeStateDrainAnnotation*): the daemon asks for a drain by the first and the
  drain controller (controllers/drain_controller.go) answers in the second; the knob ``draining``
  leaves a node at ``Drain_Required`` / ``Draining`` and ``InProgress`` (a drain that does not finish,
  e.g. a PodDisruptionBudget that allows no eviction). Otherwise both read ``Idle``.

Not simulated: the host work itself (VFs, firmware, reboots), the drain controller's eviction, and
the daemon's wait for the drain controller's first annotations.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.rdma_plugin import ready
from tests.emulators.kube.controllers.sriov_operator import API, CONFIG_DAEMON

# upstream k8snetworkplumbingwg/sriov-network-operator pkg/consts/constants.go:
DESIRED = "sriovnetwork.openshift.io/desired-state"  # constants.go NodeStateDrainAnnotation
CURRENT = "sriovnetwork.openshift.io/current-state"  # constants.go NodeStateDrainAnnotationCurrent


class SriovConfigDaemon(Controller):
    """Writes each node's SriovNetworkNodeState status where the config daemon runs (the module docstring)."""

    # k8snetworkplumbingwg/sriov-network-operator Dockerfile.sriov-network-config-daemon: the daemon
    # binary runs as /usr/bin/sriov-network-config-daemon and sets no UserAgent, so its writes carry
    # client-go's default manager, the program name (kubernetes/kubernetes
    # staging/src/k8s.io/client-go/rest/config.go DefaultKubernetesUserAgent).
    field_manager: ClassVar[str | None] = "sriov-network-config-daemon"

    watches: ClassVar[list[tuple[str, str]]] = [(API, "SriovNetworkNodeState"), ("v1", "Pod")]

    def __init__(self, delay: float = 0.05, namespace: str = "sriov-network-operator") -> None:
        super().__init__(delay)
        self.namespace = namespace
        self.failed: dict[str, str] = {}  # node -> the systemd service's "<phase>: <error>"
        self.stuck: set[str] = set()  # nodes whose plugin Apply keeps failing
        self.draining: set[str] = set()  # nodes whose drain does not finish
        self.interfaces: dict[str, list[dict[str, Any]]] = {}  # node -> status.interfaces

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        if obj.get("kind") == "Pod":
            labels = (obj.get("metadata") or {}).get("labels") or {}
            if labels.get("app") != CONFIG_DAEMON or obj["metadata"].get("namespace") != self.namespace:
                return
            node = str((obj.get("spec") or {}).get("nodeName") or "")
        else:
            node = obj["metadata"]["name"]
        state = cluster.get(API, "SriovNetworkNodeState", self.namespace, node) if node else None
        if state is None or not self._runs_on(cluster, node):
            return
        self._sync(cluster, state, node)

    def _runs_on(self, cluster: Any, node: str) -> bool:
        pods = cluster.list("v1", "Pod", self.namespace, label_selector=f"app={CONFIG_DAEMON}")
        return any((p.get("spec") or {}).get("nodeName") == node and ready(p) for p in pods)

    def _sync(self, cluster: Any, state: dict[str, Any], node: str) -> None:
        status = state.get("status") or {}
        held = node in self.stuck or node in self.draining
        final, error = ("InProgress", status.get("lastSyncError", "")) if held else ("Succeeded", "")
        if node in self.failed and not held:
            final, error = "Failed", self.failed[node]
        drain = ("Drain_Required", "Draining") if node in self.draining else ("Idle", "Idle")
        annotations = (state["metadata"].get("annotations") or {}) | {DESIRED: drain[0], CURRENT: drain[1]}
        if annotations != state["metadata"].get("annotations"):
            cluster.patch(
                API, "SriovNetworkNodeState", self.namespace, node, {"metadata": {"annotations": annotations}}
            )
        interfaces = self.interfaces.get(node) or None
        if (status.get("syncStatus"), status.get("lastSyncError", "")) == (final, error):
            return
        if status.get("syncStatus") != "InProgress":
            self._write(cluster, state, "InProgress", str(status.get("lastSyncError") or ""), interfaces)
        if final != "InProgress":
            self._write(cluster, state, final, error, interfaces)

    def _write(self, cluster: Any, state: dict[str, Any], sync: str, error: str, interfaces: Any) -> None:
        """updateSyncState, then recordStatusChangeEvent (the module docstring)."""
        name = state["metadata"]["name"]
        old = (cluster.get(API, "SriovNetworkNodeState", self.namespace, name) or {}).get("status") or {}
        patch = {"syncStatus": sync, "lastSyncError": error or None, "interfaces": interfaces}
        cluster.patch_status(API, "SriovNetworkNodeState", self.namespace, name, patch)
        before = str(old.get("syncStatus") or "Unknown")
        if before != sync:
            message = f"Status changed from: {before} to: {sync}" + (f". Last Error: {error}" if error else "")
            cluster.add_event(state, "SyncStatusChanged", message, component="config-daemon")
