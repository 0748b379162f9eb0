"""What the pod templates of a ``ray cluster create -f`` file name and the namespace must hold:
the ServiceAccount, the ConfigMaps and Secrets mounted as volumes or read into the environment, and
the image pull Secrets. akscli checks the same for its own renders (--service-account,
build.check_service_account); a file is the user's, so each reference is read once from the
cluster before the RayCluster is applied. Plain logic: no Typer, no rich.

Upstream, for what a missing object does to a pod:
- serviceAccountName: the API server refuses the pod (kubernetes/kubernetes
  plugin/pkg/admission/serviceaccount/admission.go), and KubeRay makes none for a name given
  (ray-project/kuberay feeaf72f ray-operator/controllers/ray/raycluster_controller.go,
  reconcileAutoscalerServiceAccount).
- A configMap or secret volume, or a projected source, not marked optional: the kubelet cannot
  mount it and the pod stays ContainerCreating (kubernetes/kubernetes pkg/volume/configmap/
  configmap.go and pkg/volume/secret/secret.go SetUpAt; pkg/volume/projected/projected.go
  collectData).
- env valueFrom configMapKeyRef/secretKeyRef and envFrom, not optional: the container stays in
  CreateContainerConfigError (pkg/kubelet/kubelet_pods.go, makeEnvironmentVariables).
- imagePullSecrets: the kubelet records FailedToRetrieveImagePullSecret and pulls without them
  (pkg/kubelet/kubelet_pods.go, getPullSecretsForPod), so a public image still starts: a warning."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli.errors import AuthError, NotFoundError
from akscli.kube.mount_wait import volume_refs
from akscli.secret_hints import secret_from_stdin

if TYPE_CHECKING:
    from akscli.kube.client import Kube


@dataclass(frozen=True)
class Ref:
    """One object a pod template names: ``kind`` ServiceAccount, ConfigMap or Secret."""

    kind: str
    name: str
    where: str
    required: bool = True


def _groups(spec: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    yield "head", (spec.get("headGroupSpec") or {}).get("template") or {}
    for group in spec.get("workerGroupSpecs") or []:
        yield f"worker group {group.get('groupName')}", group.get("template") or {}


def _optional(source: Mapping[str, Any]) -> bool:
    return bool(source.get("optional"))


def _container_refs(container: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for env in container.get("env") or []:
        value_from = env.get("valueFrom") or {}
        for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
            if isinstance(value_from.get(key), dict) and not _optional(value_from[key]):
                yield kind, str(value_from[key].get("name"))
    for env_from in container.get("envFrom") or []:
        for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            if isinstance(env_from.get(key), dict) and not _optional(env_from[key]):
                yield kind, str(env_from[key].get("name"))


def references(cluster: Mapping[str, Any]) -> list[Ref]:
    """Every object the RayCluster's pod templates name, in file order (one Ref per use)."""
    refs: list[Ref] = []
    for group, template in _groups(cluster.get("spec") or {}):
        pod = template.get("spec") or {}
        if pod.get("serviceAccountName"):
            refs.append(Ref("ServiceAccount", str(pod["serviceAccountName"]), f"{group} serviceAccountName"))
        for volume in pod.get("volumes") or []:
            refs += [Ref(k, n, f"{group} volume {volume.get('name')}") for k, n in volume_refs(volume)]
        for container in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
            where = f"{group} container {container.get('name')} env"
            refs += [Ref(k, n, where) for k, n in _container_refs(container)]
        for secret in pod.get("imagePullSecrets") or []:
            if secret.get("name"):
                refs.append(Ref("Secret", str(secret["name"]), f"{group} imagePullSecrets", required=False))
    return refs


def check(kube: Kube, cluster: Mapping[str, Any], namespace: str, source: str) -> list[str]:
    """Refuse a file whose pods name a ServiceAccount, ConfigMap or Secret the namespace lacks (no
    pod of that group could start); warn for a missing image pull Secret and for what cannot be
    read. Each object is read once."""
    refs = references(cluster)
    found: dict[tuple[str, str], bool | None] = {}
    for ref in refs:
        key = (ref.kind, ref.name)
        if key not in found:
            try:
                found[key] = kube.get("v1", ref.kind, ref.name, namespace=namespace) is not None
            except AuthError:
                found[key] = None
    missing = [r for r in refs if found[(r.kind, r.name)] is False]
    required = [r for r in missing if r.required]
    if required:
        what = "; ".join(f"{r.kind} {r.name} ({r.where})" for r in required)
        first = required[0]
        make = {
            "ServiceAccount": f"kubectl create serviceaccount {first.name} -n {namespace}",
            "ConfigMap": f"kubectl create configmap {first.name} -n {namespace} --from-file=PATH",
            "Secret": secret_from_stdin(first.name, namespace, "KEY", "VALUE"),
        }[first.kind]
        raise NotFoundError(
            f"-f file {source} names what namespace {namespace} does not have: {what}; the Ray pods that need "
            "them would never start",
            hint=f"create each first ({make}), or change the file",
        )
    warnings = [
        f"-f file {source}: Secret {namespace}/{r.name} ({r.where}) does not exist: the kubelet pulls the image "
        "without it, which fails for a private registry"
        for r in dict.fromkeys(missing)
    ]
    unread = sorted({f"{kind} {name}" for (kind, name), ok in found.items() if ok is None})
    if unread:
        warnings.append(
            f"-f file {source}: cannot read {', '.join(unread)} in namespace {namespace}: not checked that they exist"
        )
    return warnings
