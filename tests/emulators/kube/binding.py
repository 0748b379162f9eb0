"""The pods/binding subresource (v1 Binding), as kube-apiserver v1.32 serves it.

upstream: kubernetes/kubernetes pkg/registry/core/pod/storage/storage.go (BindingREST.Create,
assignPod, setPodHostAndAnnotations; read at sanposhiho/kubernetes 059ce4e8, a fork at the v1.32
line), pkg/apis/core/validation/validation.go ValidatePodBinding, pkg/api/pod/util.go
UpdatePodCondition, and kubernetes/apiserver pkg/storage/interfaces.go Preconditions.Check with
pkg/storage/errors.go (a failed precondition is a StorageError of code 4, invalid object, that
storage/errors InterpretUpdateError turns into a Conflict on "pods").

The write goes through the storage layer's GuaranteedUpdate, below admission of the pod and the
handlers that record field managers, so the pod gets no managedFields entry. The legacy POST
namespaces/NS/bindings (what `kubectl create -f binding.yaml` sends) is the same create with the
Binding's own name (pkg/registry/core/pod/storage/storage.go LegacyBindingREST.Create;
pkg/registry/core/rest/storage_core.go serves it as "bindings"). Not modelled: admission of the
Binding itself (webhooks on pods/binding; PodTopologyLabels, alpha from 1.33, which is why v1.32
copies no labels from a Binding).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.emulators.kube.apiserver_common import Ctx, clone, now_iso, obj_key
from tests.emulators.kube.status import ApiError, bad_request, conflict

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver import ApiServer


def _validate(binding: dict[str, Any]) -> None:
    """ValidatePodBinding. Its ErrorList comes back as errs.ToAggregate(), an error that is no
    APIStatus: kubernetes/apiserver pkg/endpoints/handlers/responsewriters/status.go ErrorToAPIStatus
    answers it 500 with reason "" and the aggregate's text (one error alone, several in brackets:
    kubernetes/apimachinery pkg/util/errors/errors.go aggregate.Error)."""
    target = binding.get("target") if isinstance(binding.get("target"), dict) else {}
    errors = []
    kind = str(target.get("kind") or "")
    if kind and kind != "Node":
        errors.append(f'target.kind: Unsupported value: "{kind}": supported values: "Node", "<empty>"')
    if not target.get("name"):
        errors.append("target.name: Required value")
    if errors:
        raise ApiError(500, errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]", "")


def create(api: ApiServer, namespace: str, name: str, binding: Any, ctx: Ctx) -> dict[str, Any]:
    """Create on pods/NAME/binding: the Status of Success (201, as kubernetes/apiserver
    pkg/endpoints/handlers/create.go answers a Status without a code), or raises the ApiError. The
    body's uid and resourceVersion are preconditions (BindingREST
    PreserveRequestObjectMetaSystemFieldsOnSubresourceCreate keeps them)."""
    if not isinstance(binding, dict):
        raise bad_request("the body of the request could not be decoded as a Binding")
    md = binding.get("metadata") if isinstance(binding.get("metadata"), dict) else {}
    if (md.get("name") or "") != name:
        raise bad_request("name in URL does not match name in Binding object")
    _validate(binding)
    assign(
        api,
        namespace,
        name,
        str(binding["target"]["name"]),
        dict(md.get("annotations") or {}),
        str(md.get("uid") or ""),
        str(md.get("resourceVersion") or ""),
        ctx,
    )
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def legacy_create(api: ApiServer, namespace: str, binding: Any, ctx: Ctx) -> dict[str, Any]:
    """Create on namespaces/NS/bindings: LegacyBindingREST.Create passes the Binding's own name as
    the pod's, so the URL-name check cannot fail."""
    md = binding.get("metadata") if isinstance(binding, dict) and isinstance(binding.get("metadata"), dict) else {}
    return create(api, namespace, str(md.get("name") or ""), binding, ctx)


def assign(
    api: ApiServer,
    namespace: str,
    name: str,
    node: str,
    annotations: dict[str, str],
    uid: str,
    resource_version: str,
    ctx: Ctx,
) -> dict[str, Any]:
    """assignPod: the bound pod. kube-scheduler's DefaultBinder sends the pod's uid
    (kubernetes/kubernetes pkg/scheduler/framework/plugins/defaultbinder/default_binder.go Bind)."""
    rt = api.rt("v1", "Pod")
    with api.store.lock:
        old = api.get_entry(rt, namespace, name).obj()  # InterpretGetError: pods "NAME" not found
        omd = old["metadata"]
        # Preconditions.Check on the etcd key (the apiserver's /registry prefix and the pod store's key)
        key = f"/registry/pods/{namespace}/{name}"
        failed = None
        if uid and uid != omd.get("uid"):
            failed = f"UID in precondition: {uid}, UID in object meta: {omd.get('uid')}"
        elif resource_version and resource_version != omd.get("resourceVersion"):
            failed = (
                f"ResourceVersion in precondition: {resource_version}, "
                f"ResourceVersion in object meta: {omd.get('resourceVersion')}"
            )
        if failed:
            detail = (
                f"StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, "
                f"AdditionalErrorMsg: Precondition failed: {failed}"
            )
            raise conflict("pods", name, "", "pods", detail)
        spec = old.get("spec") or {}
        # setPodHostAndAnnotations' own refusals: plain errors that assignPod makes a Conflict on
        # "pods/binding"
        why = None
        if omd.get("deletionTimestamp"):
            why = f"pod {name} is being deleted, cannot be assigned to a host"
        elif spec.get("nodeName"):
            why = f"pod {name} is already assigned to node {_go_quote(str(spec['nodeName']))}"
        elif spec.get("schedulingGates"):
            why = f"pod {name} has non-empty .spec.schedulingGates"
        if why:
            raise conflict("pods/binding", name, "", "pods/binding", why)
        new = clone(old)
        new.setdefault("spec", {})["nodeName"] = node
        if annotations:
            new["metadata"]["annotations"] = {**(omd.get("annotations") or {}), **annotations}
        status = new.setdefault("status", {})
        status["conditions"] = _scheduled(list(status.get("conditions") or []))
        if ctx.dry_run:
            return api.serve_obj(rt, "v1", new)
        api.store.put(rt.key, obj_key(namespace, name), new)
        api._notify("MODIFIED", rt, "v1", new, ctx)
        return api.serve_obj(rt, "v1", new)


def _scheduled(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """UpdatePodCondition with {PodScheduled, True}: the condition replaced whole (no reason or
    message left from the scheduler's False), lastTransitionTime now unless it was True already,
    lastProbeTime the zero time (null); appended where the pod had none."""
    for i, old in enumerate(conditions):
        if old.get("type") == "PodScheduled":
            at = old.get("lastTransitionTime") if old.get("status") == "True" else now_iso()
            conditions[i] = _true(at)
            return conditions
    return [*conditions, _true(now_iso())]


def _true(at: Any) -> dict[str, Any]:
    return {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": at}


def _go_quote(s: str) -> str:
    """Go's %q of a node name (a DNS subdomain: nothing to escape but quotes and backslashes)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
