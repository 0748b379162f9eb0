"""The built-in admission plugins that change a Pod as kube-apiserver's default plugin set (the
one AKS runs) admits it: they run after the Pod is decoded and defaulted, before it is validated.

- DefaultTolerationSeconds (upstream: kubernetes/kubernetes plugin/pkg/admission/
  defaulttolerationseconds/admission.go Admit): on a create or an update of a Pod (not a
  subresource), a Pod with no toleration for node.kubernetes.io/not-ready (resp. unreachable)
  NoExecute gets {key, operator: Exists, effect: NoExecute, tolerationSeconds: 300}; a toleration
  whose key is empty or the taint's, and whose effect is empty or NoExecute, counts as one.
- ServiceAccount (upstream: kubernetes/kubernetes plugin/pkg/admission/serviceaccount/
  admission.go Admit, shouldAutomount, mountServiceAccountToken, TokenVolumeSource): on a create
  only, an empty serviceAccountName becomes "default"; unless automountServiceAccountToken is
  false (the Pod's wins, then the ServiceAccount's), every init container and container without a
  mount at /var/run/secrets/kubernetes.io/serviceaccount gets {name: kube-api-access-XXXXX,
  readOnly: true, mountPath: ...}, and the Pod gets that projected volume (defaultMode 420; the
  token with expirationSeconds 3607 (WarnOnlyBoundTokenExpirationSeconds) at path token; ca.crt
  from the ConfigMap kube-root-ca.crt; the namespace through the downward API) unless it has a
  volume named kube-api-access-* already. A Pod with no ServiceAccount's imagePullSecrets of its
  own gets the ServiceAccount's.
  A Pod whose ServiceAccount does not exist is refused with the plugin's 403: NewForbidden names
  the Pod (its generateName while the name is not yet generated, apiserver pkg/admission/
  errors.go extractResourceName), and getServiceAccount's NotFound names the resource (upstream:
  kubernetes/kubernetes plugin/pkg/admission/serviceaccount/admission.go)
  "serviceaccount": ``pods "p" is forbidden: error looking up service account ns/sa:
  serviceaccount "sa" not found``. The account "default" is looked up until the ServiceAccounts
  controller has made it (namespace_defaults.py). Mirror pods (kubelet static pods) are never
  created here.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.apiserver_common import GENERATE_ALPHABET
from tests.emulators.kube.status import ApiError

NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
DEFAULT_TOLERATION_SECONDS = 300
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_VOLUME_PREFIX = "kube-api-access-"
TOKEN_EXPIRATION_SECONDS = 3607

ServiceAccountLookup = Callable[[str, str], dict[str, Any] | None]


def default_toleration_seconds(spec: dict[str, Any]) -> None:
    """DefaultTolerationSeconds' Admit on a pod spec, in place."""
    tolerations = spec.get("tolerations") or []
    for key in (NOT_READY, UNREACHABLE):
        if not any(
            isinstance(t, dict) and t.get("key") in (key, "", None) and t.get("effect") in ("NoExecute", "", None)
            for t in tolerations
        ):
            tolerations = [
                *tolerations,
                {
                    "key": key,
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": DEFAULT_TOLERATION_SECONDS,
                },
            ]
    if tolerations:
        spec["tolerations"] = tolerations


def token_volume(name: str) -> dict[str, Any]:
    """TokenVolumeSource: the projected kube-api-access volume."""
    return {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": TOKEN_EXPIRATION_SECONDS, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {
                    "downwardAPI": {
                        "items": [
                            {"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}
                        ]
                    }
                },
            ],
        },
    }


def _should_automount(sa: dict[str, Any] | None, spec: dict[str, Any]) -> bool:
    if spec.get("automountServiceAccountToken") is not None:
        return bool(spec["automountServiceAccountToken"])
    if sa is not None and sa.get("automountServiceAccountToken") is not None:
        return bool(sa["automountServiceAccountToken"])
    return True


def _mount_token(spec: dict[str, Any]) -> None:
    volumes = [v for v in spec.get("volumes") or [] if isinstance(v, dict)]
    existing = next((v.get("name") for v in volumes if str(v.get("name", "")).startswith(TOKEN_VOLUME_PREFIX)), None)
    name = existing or TOKEN_VOLUME_PREFIX + "".join(random.choice(GENERATE_ALPHABET) for _ in range(5))
    needs_volume = False
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or []:
            if not isinstance(c, dict):
                continue
            mounts = c.get("volumeMounts") or []
            if any(isinstance(m, dict) and m.get("mountPath") == TOKEN_MOUNT_PATH for m in mounts):
                continue
            c["volumeMounts"] = [*mounts, {"name": name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}]
            needs_volume = True
    if existing is None and needs_volume:
        spec["volumes"] = [*(spec.get("volumes") or []), token_volume(name)]


def missing_service_account(pod_name: str, namespace: str, name: str) -> ApiError:
    """admission.NewForbidden of getServiceAccount's NotFound (apimachinery errors.NewForbidden)."""
    return ApiError(
        403,
        f'pods "{pod_name}" is forbidden: error looking up service account {namespace}/{name}: '
        f'serviceaccount "{name}" not found',
        "Forbidden",
        {"name": pod_name, "kind": "pods"},
    )


def admit(
    pod: dict[str, Any], create: bool, service_account: ServiceAccountLookup, pod_name: str | None = None
) -> None:
    """The plugins' mutations of a Pod being created (``create``) or updated, in place.
    ``pod_name`` is the name admission sees (the generateName of a Pod whose name the server
    generates after admission); ``service_account`` answers None for an account that does not
    exist, and the create is refused."""
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        return
    # Convert_v1_PodSpec_To_core_PodSpec: the deprecated serviceAccount names the account when
    # serviceAccountName is empty; Convert_core_PodSpec_To_v1_PodSpec writes it back as that name.
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if create:
        if not spec.get("serviceAccountName"):
            spec["serviceAccountName"] = "default"
        namespace = str((pod.get("metadata") or {}).get("namespace") or "default")
        sa = service_account(namespace, str(spec["serviceAccountName"]))
        if sa is None:
            md = pod.get("metadata") or {}
            raise missing_service_account(
                pod_name or str(md.get("name") or "Unknown"), namespace, str(spec["serviceAccountName"])
            )
        if _should_automount(sa, spec):
            _mount_token(spec)
        if not spec.get("imagePullSecrets") and sa is not None and sa.get("imagePullSecrets"):
            spec["imagePullSecrets"] = [{"name": s.get("name")} for s in sa["imagePullSecrets"] if isinstance(s, dict)]
    default_toleration_seconds(spec)
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
