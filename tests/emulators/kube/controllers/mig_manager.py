"""The GPU Operator's MIG manager (nvidia-mig-manager, one pod per MIG-capable node): applies the
layout a node's ``nvidia.com/mig.config`` label names and reports it in ``nvidia.com/mig.config.state``.

upstream: NVIDIA/mig-parted bd7160f cmd/nvidia-mig-manager/main.go: ContinuouslySyncMigConfigChanges
hands the label's value to the loop on the pod's start (AddFunc) and on each change of it
(UpdateFunc); the loop runs migReconfigure and, on an error, waits for the next change.
pkg/mig/reconfigure/reconfigure.go Run, step by step:

- validateMigConfig (mig-parted assert --valid-config): a layout the config does not list sets
  "failed" (setState), no "pending" before it;
- isConfigAlreadyApplied: the layout the GPUs have sets "success";
- else "pending" (setNodeLabel), then shutdownKubernetesGPUClients: the deploy labels of the device
  plugin, GFD, dcgm-exporter, dcgm and nvsm set to "paused-for-mig-change" unless "false"
  (maybeSetPaused), gpu.deploy.client too where set;
- waitForPodsToBeDeleted: in the operator's namespace, on this node, up to five minutes each, in
  order: app=nvidia-device-plugin-daemonset, app=gpu-feature-discovery, app=nvidia-dcgm-exporter,
  app=nvidia-dcgm. One that stays returns an error with no state written: the node stays "pending"
  and its clients paused until the label changes or the pod restarts;
- applyMigConfig (mig-parted apply); an error sets "failed"; then setState("success"); setState first
  sets the deploy labels back (maybeSetTrue of the values read at the start: "false" kept, any other
  "true").

The manager patches the node with client-go's default user agent, "nvidia-mig-manager/..." (the
DaemonSet's entrypoint execs nvidia-mig-manager: NVIDIA/gpu-operator a22dbf6
assets/state-mig-manager/0420_configmap.yaml; kubernetes/client-go rest/config.go
DefaultKubernetesUserAgent), so its writes are the managedFields entry of manager
"nvidia-mig-manager", operation Update (kubernetes/apiserver create.go managerOrUserAgent), whose
time is its last write. Not modelled: rebooting (WithReboot), host GPU clients, CDI, the validator
pods, the device plugin's MIG resources after a change; the apply takes no time unless a test
holds it (``hold``) and fails where a test says the GPUs are in use (``busy``). The waits run on
this simulator's clock (``advance(seconds)``).
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller, PassHeld

MIG_CONFIG, MIG_STATE = "nvidia.com/mig.config", "nvidia.com/mig.config.state"
MANAGER = "nvidia-mig-manager"
PAUSED = "paused-for-mig-change"
CLIENT_LABELS = tuple(
    f"nvidia.com/gpu.deploy.{name}"
    for name in ("device-plugin", "gpu-feature-discovery", "dcgm-exporter", "dcgm", "nvsm")
)
OPTIONAL_CLIENT = "nvidia.com/gpu.deploy.client"
CLIENT_PODS = (
    "app=nvidia-device-plugin-daemonset",
    "app=gpu-feature-discovery",
    "app=nvidia-dcgm-exporter",
    "app=nvidia-dcgm",
)
WAIT = 300.0  # waitForPodsToBeDeleted's timeout, each
# Layouts of the operator's default config (NVIDIA/gpu-operator a22dbf6
# assets/state-mig-manager/0400_configmap.yaml, default-mig-parted-config): a few of its names.
LAYOUTS = frozenset(
    {"all-disabled", "all-enabled", "all-1g.10gb", "all-2g.20gb", "all-3g.40gb", "all-7g.80gb", "all-balanced"}
)


class MigManager(Controller):
    """One MIG manager per node with the label (the module docstring)."""

    # nvidia-mig-manager (MANAGER: NVIDIA/mig-parted cmd/nvidia-mig-manager/main.go, the binary the
    # module docstring cites; client-go's default user agent names it)
    field_manager: ClassVar[str | None] = MANAGER

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "Node")]

    def __init__(self, namespace: str = "gpu-operator", delay: float = 0.01) -> None:
        super().__init__(delay)
        self.namespace = namespace
        self.layouts = set(LAYOUTS)
        self.applied: dict[str, str] = {}  # node -> the layout its GPUs have (all-disabled at first)
        self.hold: set[str] = set()  # nodes whose apply has not finished (a test releases it)
        self.busy: set[str] = set()  # nodes whose GPUs a process outside Kubernetes holds: apply fails
        # NVIDIA/mig-parted (upstream) reads wall time; here a test moves it instead.
        self._clock = PassHeld()  # what a test moved the clock on (advance)
        self._lock = threading.Lock()
        self._seen: dict[str, str] = {}  # node -> the label value last handed to the loop
        self._run: dict[str, dict[str, Any]] = {}  # node -> the run under way: step, layout, deployed, since

    @property
    def offset(self) -> float:
        return self._clock.read()

    def clocks(self) -> tuple[PassHeld, ...]:
        return (*super().clocks(), self._clock)

    def now(self) -> float:
        return self._clock.monotonic()

    def advance(self, seconds: float) -> None:
        """Move the clock on and look at every run under way (a wait may end)."""
        self._clock.move(seconds)
        self._poke_all()

    def release(self, node: str) -> None:
        """The apply on ``node`` ends."""
        self.hold.discard(node)
        self._poke_all()

    def _poke_all(self) -> None:
        if self._manager is None:
            return
        for node in list(self._run):
            found = self._manager.cluster.get("v1", "Node", None, node)
            if found is not None:
                self._manager.schedule(self, found, 0.0)

    def attach(self, manager: Any) -> None:
        def on_event(typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
            node = (obj.get("spec") or {}).get("nodeName")
            if typ == "DELETED" and rt.group == "" and rt.kind == "Pod" and node in self._run:
                found = manager.cluster.get("v1", "Node", None, node)
                if found is not None:
                    manager.schedule(self, found, self.delay)

        manager.api.listeners.append(on_event)

    def _label(self, cluster: Any, node: str, labels: dict[str, str]) -> None:
        cluster.patch("v1", "Node", None, node, {"metadata": {"labels": labels}}, manager=MANAGER)

    def _set_state(self, cluster: Any, node: str, state: str, deployed: dict[str, str]) -> None:
        """setState: the deploy labels back (maybeSetTrue), then the state."""
        restored = {k: "false" if v == "false" else "true" for k, v in deployed.items()}
        self._label(cluster, node, restored)
        self._label(cluster, node, {MIG_STATE: state})

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        if obj.get("kind") == "ClusterPolicy":  # watched by the lab's PolicyMigManager only
            for node in cluster.list("v1", "Node"):
                if MIG_CONFIG in (node["metadata"].get("labels") or {}):
                    self.reconcile(cluster, node)
            return
        if not self.deployed(cluster):
            return
        name = obj["metadata"]["name"]
        node = cluster.get("v1", "Node", None, name)
        labels = ((node or {}).get("metadata") or {}).get("labels") or {}
        want = labels.get(MIG_CONFIG)
        if node is None or want is None:
            return
        with self._lock:
            changed = self._seen.get(name) != want
            self._seen[name] = want
        if changed:
            self._start(cluster, name, want, labels)
        elif name in self._run:
            self._step(cluster, name)

    def deployed(self, cluster: Any) -> bool:
        """Whether the manager's pods run: always here (tests add it as the operator's DaemonSet)."""
        del cluster
        return True

    def _start(self, cluster: Any, node: str, want: str, labels: dict[str, str]) -> None:
        deployed = {k: labels.get(k, "") for k in CLIENT_LABELS}
        if labels.get(OPTIONAL_CLIENT):
            deployed[OPTIONAL_CLIENT] = labels[OPTIONAL_CLIENT]
        self._run.pop(node, None)
        if want not in self.layouts:
            self._set_state(cluster, node, "failed", deployed)
            return
        if self.applied.get(node, "all-disabled") == want:
            self._set_state(cluster, node, "success", deployed)
            return
        self._label(cluster, node, {MIG_STATE: "pending"})
        self._label(cluster, node, {k: "false" if v == "false" else PAUSED for k, v in deployed.items()})
        self._run[node] = {"step": 0, "layout": want, "deployed": deployed, "since": self.now()}
        self._step(cluster, node)

    def _step(self, cluster: Any, node: str) -> None:
        """waitForPodsToBeDeleted, one selector after another, then the apply."""
        run = self._run[node]
        while run["step"] < len(CLIENT_PODS):
            pods = [
                p
                for p in cluster.list("v1", "Pod", namespace=self.namespace, label_selector=CLIENT_PODS[run["step"]])
                if (p.get("spec") or {}).get("nodeName") == node
            ]
            if not pods:
                run["step"] += 1
                run["since"] = self.now()
                continue
            if self.now() - run["since"] > WAIT:
                del self._run[node]  # Run returns the error: no state written, the clients stay paused
            return
        if node in self.hold:
            return
        del self._run[node]
        if node in self.busy:
            self._set_state(cluster, node, "failed", run["deployed"])
            return
        self.applied[node] = run["layout"]
        self._set_state(cluster, node, "success", run["deployed"])


class PolicyMigManager(MigManager):
    """The MIG manager as the GPU Operator deploys it, for the lab: its pods run only while the
    ClusterPolicy the operator acts on (the oldest) enables it, and a pod that starts reads the
    label the node already has (upstream: NVIDIA/gpu-operator a22dbf6 controllers/state_manager.go
    isStateEnabled "state-mig-manager"; api/nvidia/v1/clusterpolicy_types.go MIGManagerSpec.IsEnabled:
    unset is enabled; NVIDIA/mig-parted bd7160f cmd/nvidia-mig-manager/main.go AddFunc)."""

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "Node"), ("nvidia.com/v1", "ClusterPolicy")]

    def deployed(self, cluster: Any) -> bool:
        policies = cluster.list("nvidia.com/v1", "ClusterPolicy")
        if not policies:
            return False
        oldest = min(policies, key=lambda p: (p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"]))
        return ((oldest.get("spec") or {}).get("migManager") or {}).get("enabled") is not False
