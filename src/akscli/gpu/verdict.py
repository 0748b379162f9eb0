"""What the GPU driver stack's rules (akscli.gpu.stack) give and read: one verdict (Rule), and
which GPU software the cluster has (Installed), found by its own labels and CRDs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from akscli.kube import pod_problems


@dataclass(frozen=True)
class Rule:
    """One verdict: ``error`` blocks GPU work, ``warning`` is worth fixing, ``info`` is context."""

    check: str
    severity: str
    message: str
    fix: str = ""
    node: str | None = None  # the node a pod-level verdict is about
    subject: str = "operator"  # what it is about, as doctor names its check rows


@dataclass
class Installed:
    """Which GPU software is present, found by its own labels and CRDs."""

    operator_crd: bool = False
    operator_pods: int = 0
    operator_ready: int = 0
    operator_namespace: str | None = None
    operator_problem: pod_problems.Problem | None = None  # why the first operator pod not ready is not
    operator_ready_names: list[str] = field(default_factory=list)  # the ready operator pods
    # (namespace, name) of the Deployments that own the operator pods (akscli.doctor.rollout.owner)
    operator_deployments: list[tuple[str, str]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    nfd_pod: bool = False  # a pod of Node Feature Discovery exists (one is read: its workers are one a node)
    nfd_namespace: str | None = None

    @property
    def operator(self) -> bool:
        """Installed: its pod runs, or a ClusterPolicy asks for it. CRDs alone are what
        ``helm uninstall`` leaves behind (Helm never deletes CRDs), so they do not count."""
        return self.operator_pods > 0 or bool(self.policies)
