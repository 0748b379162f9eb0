"""GPU nodes whose MIG layout the GPU Operator's MIG manager failed to apply, or is applying, as
``akscli doctor`` and ``akscli baremetal doctor`` report them (through akscli.gpu_stack.rules).

upstream: NVIDIA/mig-parted bd7160f pkg/mig/reconfigure/reconfigure.go Run: the manager sets
nvidia.com/mig.config.state to "pending" once the layout named by nvidia.com/mig.config is valid and
not yet applied; it then pauses the node's GPU clients (their nvidia.com/gpu.deploy.* labels to
"paused-for-mig-change", maybeSetPaused), waits up to five minutes for each client pod to go
(waitForPodsToBeDeleted, which returns without another state: the node stays "pending" with its
clients paused), applies the layout (nvidia-mig-parted apply), and sets "success" or "failed"
(setState, which first sets the paused labels back to "true"). A layout not in the manager's config
fails before "pending" (validateMigConfig: mig-parted assert --valid-config). It acts on a change of
the label only (cmd/nvidia-mig-manager/main.go ContinuouslySyncMigConfigChanges: UpdateFunc, or the
pod's start: AddFunc). NVIDIA/gpu-operator a22dbf6 assets/state-mig-manager/0600_daemonset.yaml: the
DaemonSet nvidia-mig-manager, pods labelled app=nvidia-mig-manager; 0400_configmap.yaml and
controllers/object_controls.go MigPartedDefaultConfigMapName: the layouts in ConfigMap
default-mig-parted-config unless ClusterPolicy spec.migManager.config.name names another.
Plain logic: no Typer, no rich.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.gpu_nodes import GpuNodes

PODS = "app=nvidia-mig-manager"


def _named(nodes: GpuNodes, state: str) -> str:
    names = nodes.mig_names.get(state) or []
    more = nodes.mig.get(state, 0) - len(names)
    shown = ", ".join(f"{node} (nvidia.com/mig.config={layout or '<none>'})" for node, layout in names)
    return shown + (f" and {more} more" if more > 0 else "")


def rules(nodes: GpuNodes, ns: str, rule: Callable[..., Any]) -> list[Any]:
    """One rule for the nodes whose MIG layout failed (an error: their GPUs keep the layout they
    had, which is not the one asked for) and one for those pending (a warning: their GPU clients
    are paused until it ends, and one that stays pending stopped waiting); ``rule`` is
    gpu_stack.Rule."""
    out: list[Any] = []
    if not nodes.mig:
        return out
    first = {state: names[0] for state, names in nodes.mig_names.items() if names}
    logs = f"kubectl -n {ns} get pods -l {PODS} -o wide, then kubectl -n {ns} logs <the node's pod>"
    if "failed" in first:
        node, layout = first["failed"]
        out.append(
            rule(
                "gpu-operator",
                "error",
                f"{nodes.mig['failed']} GPU node(s) failed to apply their MIG layout (nvidia.com/mig.config.state="
                f"failed): {_named(nodes, 'failed')}",
                f"the node's MIG manager log says why ({logs}): a layout its config (ConfigMap "
                "default-mig-parted-config, or ClusterPolicy spec.migManager.config.name) does not list fails at "
                "once, GPUs held by a process outside Kubernetes make the apply fail; then set a layout it lists "
                f"(kubectl label node {node} nvidia.com/mig.config=<layout> --overwrite), or, to try "
                f"{layout or 'the same layout'} again, delete the node's nvidia-mig-manager pod (it acts on a "
                "change of the label, or on its start)",
                subject="mig",
            )
        )
    if "pending" in first:
        node, _ = first["pending"]
        out.append(
            rule(
                "gpu-operator",
                "warning",
                f"{nodes.mig['pending']} GPU node(s) are changing their MIG layout (nvidia.com/mig.config.state="
                f"pending), their GPU clients paused (nvidia.com/gpu.deploy.*=paused-for-mig-change): "
                f"{_named(nodes, 'pending')}",
                "a change takes minutes; one that stays pending stopped waiting (five minutes) for a GPU client pod "
                f"to go: find the pods still on {node} (kubectl get pods -A --field-selector spec.nodeName={node}), "
                f"read the MIG manager's log ({logs}), then delete its nvidia-mig-manager pod to start again",
                subject="mig",
            )
        )
    return out
