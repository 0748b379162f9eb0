"""The emulated kubelet's check of a container's env sources: a Secret, ConfigMap or key that
env or envFrom reads and that does not exist keeps the container from being created, waiting
with reason CreateContainerConfigError and the kubelet's own message.

upstream: kubernetes/kubernetes v1.32.0 pkg/kubelet/kubelet_pods.go, makeEnvironmentVariables
(envFrom first, then env in order; an optional source that is missing is skipped; a missing key
is "couldn't find key %v in Secret %v/%v" / "couldn't find key %v in ConfigMap %v/%v"); the
secret and configmap managers answer a missing object with
apierrors.NewNotFound(corev1.Resource("secret"|"configmap"), name), `secret "NAME" not found`
(pkg/kubelet/secret/secret_manager.go, pkg/kubelet/configmap/configmap_manager.go,
pkg/kubelet/util/manager/watch_based_manager.go); kuberuntime_container.go startContainer turns
the error into ErrCreateContainerConfig ("CreateContainerConfigError") and records the event
Failed "Error: <message>"."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.cluster import ClusterState

REASON = "CreateContainerConfigError"

_KINDS = {"Secret": "secret", "ConfigMap": "configmap"}


def config_error(cluster: ClusterState, namespace: str, container: dict[str, Any]) -> str | None:
    """The kubelet's message for the first env source of ``container`` it cannot resolve, or None."""
    for source in container.get("envFrom") or []:
        for field, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
            ref = source.get(field)
            if ref and _read(cluster, kind, namespace, ref) is None and not ref.get("optional"):
                return f'{_KINDS[kind]} "{ref.get("name")}" not found'
    for var in container.get("env") or []:
        source = var.get("valueFrom") or {}
        for field, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
            ref = source.get(field)
            if not ref:
                continue
            obj = _read(cluster, kind, namespace, ref)
            if ref.get("optional"):
                continue
            if obj is None:
                return f'{_KINDS[kind]} "{ref.get("name")}" not found'
            # Only .data: the kubelet reads configMap.Data[key] and secret.Data[key] (the API
            # server has folded a Secret's stringData into data already).
            if ref.get("key") not in (obj.get("data") or {}):
                return f"couldn't find key {ref.get('key')} in {kind} {namespace}/{ref.get('name')}"
    return None


def _read(cluster: ClusterState, kind: str, namespace: str, ref: dict[str, Any]) -> dict[str, Any] | None:
    return cluster.get("v1", kind, namespace, str(ref.get("name") or ""))
