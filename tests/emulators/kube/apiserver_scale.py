"""The scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets, StatefulSets and of the
custom resources whose CRD declares ``subresources.scale`` (part of ApiServer). What the HTTP
handler (server_streams.py), the HPA simulator and ``kubectl scale`` read and write.

upstream: kubernetes/kubernetes 030880a5 pkg/registry/apps/deployment/storage/storage.go ScaleREST,
scaleFromDeployment, scaleUpdatedObjectInfo (pkg/registry/apps/statefulset/storage/storage.go
scaleFromStatefulSet the same, read from stored copies; replicaset's taken to match, not read);
staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/etcd.go ScaleREST,
scaleFromCustomResource, scaleUpdatedObjectInfo (as read from a stored copy of that file: the
kubernetes/kubernetes copy in the code index predates it).

* A Scale carries the object's name, namespace, uid, resourceVersion and creationTimestamp, its
  spec.replicas and status.replicas (0 where the path holds nothing), and status.selector: for the
  built-in kinds ``metav1.LabelSelectorAsSelector(spec.selector).String()``; for a custom resource
  the string at ``labelSelectorPath`` (none without one).
* An update reads the object, makes its Scale, lets the request change that Scale (a PUT's body,
  a patch applied to it), then moves spec.replicas and the Scale's resourceVersion into the object
  and updates it through the store: a stale resourceVersion is 409 Conflict; a built-in Scale
  with none is an unconditional update, a custom resource's keeps the stored one. A PUT's
  metadata.uid is the store's precondition (409); a built-in Scale whose patch sets another uid is
  409 on ``deployments/scale``. spec.replicas below 0 is 422 on ``Scale.autoscaling`` (built-in,
  ValidateScale); a custom resource whose specReplicasPath holds nothing and whose new Scale does
  not set it is 400 "the spec replicas field ".spec.replicas" cannot be empty".
* The write is recorded in managedFields as the request's manager with ``subresource: scale``,
  owning the parent's replicas field (the apiserver's managedfields ScaleHandler ToParent), and
  runs no admission webhook: a webhook rule names ``deployments``, which matches no subresource
  (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/predicates/rules/
  rules.go Matcher.resource).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.apiserver_common import Ctx
from tests.emulators.kube.apiserver_versions import uid_precondition
from tests.emulators.kube.resources import ResourceType
from tests.emulators.kube.status import bad_request, conflict, invalid

# scaleUpdatedObjectInfo's "not set before" marker (the smallest int32).
_UNSET = -2147483648
_META = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")


def _path(text: str) -> list[str]:
    """splitReplicasPath: the path split on ".", the leading "." ignored."""
    return text.removeprefix(".").split(".")


def _nested(obj: dict[str, Any], path: list[str]) -> Any:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


def selector_string(selector: Any) -> str:
    """metav1.LabelSelectorAsSelector(selector).String(), the emulator's own reading (not akscli's):
    kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go turns
    matchLabels into `=` and matchExpressions into in/notin/exists/!exists requirements; staging/src/
    k8s.io/apimachinery/pkg/labels/selector.go internalSelector.String sorts them by key and
    Requirement.String writes `k=v`, `k in (a,b)` (values sorted), `k notin (a,b)`, `k`, `!k`, joined
    by ",". Nil and {} give ""."""
    if not isinstance(selector, dict):
        return ""
    reqs: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        reqs.append((str(key), f"{key}={value}"))
    for expr in selector.get("matchExpressions") or []:
        key, op = str(expr.get("key", "")), expr.get("operator")
        values = ",".join(sorted(str(v) for v in expr.get("values") or []))
        text = {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": key}.get(str(op))
        reqs.append((key, text if text is not None else f"!{key}"))
    return ",".join(text for _, text in sorted(reqs, key=lambda r: r[0]))


def scale_of(rt: ResourceType, obj: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The object's Scale, and whether its spec replicas path holds a value."""
    assert rt.scale is not None
    spec = _nested(obj, _path(rt.scale.spec_replicas))
    status = _nested(obj, _path(rt.scale.status_replicas))
    out: dict[str, Any] = {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: obj["metadata"][k] for k in _META if k in obj["metadata"]},
        "spec": {"replicas": int(spec) if isinstance(spec, int) else 0},
        "status": {"replicas": int(status) if isinstance(status, int) else 0},
    }
    if rt.crd:
        path = rt.scale.label_selector
        selector = _nested(obj, _path(path)) if path else None
    else:
        # the built-in kinds' selector (scaleFromDeployment; a Deployment's status has none)
        selector = selector_string((obj.get("spec") or {}).get("selector"))
    if isinstance(selector, str) and selector:
        out["status"]["selector"] = selector
    return out, isinstance(spec, int)


_JSON_TYPES = {str: "string", float: "number", bool: "bool", list: "array", dict: "object"}


def _replicas(scale: dict[str, Any]) -> int:
    """spec.replicas as the Scale decodes it: absent or null is int32's 0, another JSON type is
    400 (encoding/json's UnmarshalTypeError)."""
    value = (scale.get("spec") or {}).get("replicas")
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise bad_request(
        'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal '
        f"{_JSON_TYPES.get(type(value), 'value')} into Go struct field ScaleSpec.spec.replicas of type int32"
    )


def _check_replicas(rt: ResourceType, name: str, replicas: int) -> None:
    """A built-in Scale's ValidateScale (kubernetes/kubernetes pkg/apis/autoscaling/validation):
    spec.replicas not below 0 (422)."""
    if not rt.crd and replicas < 0:
        raise invalid(
            "Scale.autoscaling",
            name,
            "autoscaling",
            "Scale",
            [("FieldValueInvalid", "spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0")],
        )


class ScaleMixin:
    """ApiServer's ``/scale``: get_scale, update_scale and apply_scale."""

    def apply_scale(
        self, rt: ResourceType, version: str, namespace: str | None, name: str, applied: Any, ctx: Ctx, force: bool
    ) -> dict[str, Any]:
        """Server-side apply of a Scale (application/apply-patch+yaml on ``/scale``): its
        spec.replicas applied to the parent on subresource scale; the Scale after it."""
        assert rt.scale is not None
        if not isinstance(applied, dict):
            raise bad_request("error decoding YAML: the apply patch must be an object")
        av, kind = applied.get("apiVersion"), applied.get("kind")
        if not av or not kind:  # the wording of the parent's apply (apiserver_apply.py)
            raise bad_request(
                "apiVersion and kind must be set in an apply patch" if not kind else "apiVersion must be set"
            )
        if av != "autoscaling/v1":  # the Scale scope's kind (autoscaling/v1 Scale), as _check_body_type words it
            raise bad_request(
                f"the API version in the data ({av}) does not match the expected API version (autoscaling/v1)"
            )
        if kind != "Scale":
            raise bad_request(f"the kind in the data ({kind}) does not match the expected kind (Scale)")
        meta = applied.get("metadata") if isinstance(applied.get("metadata"), dict) else {}
        parent: dict[str, Any] = {
            "apiVersion": rt.api_version(version),
            "kind": rt.kind,
            "metadata": {k: meta[k] for k in ("name", "namespace", "resourceVersion") if k in meta},
        }
        spec = applied.get("spec") if isinstance(applied.get("spec"), dict) else {}
        if "replicas" in spec:
            replicas = _replicas(applied)
            _check_replicas(rt, name, replicas)
            cur = parent
            path = _path(rt.scale.spec_replicas)
            for key in path[:-1]:
                cur = cur.setdefault(key, {})
            cur[path[-1]] = replicas
        api: Any = self
        return scale_of(rt, api.apply(rt, version, namespace, name, parent, ctx, force, subresource="scale"))[0]

    def get_scale(self, rt: ResourceType, version: str, namespace: str | None, name: str) -> dict[str, Any]:
        """ScaleREST.Get: the stored object's Scale (404 as the object's)."""
        return scale_of(rt, self.get(rt, version, namespace, name))[0]  # type: ignore[attr-defined]

    def update_scale(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        change: Callable[[dict[str, Any]], Any],
        ctx: Ctx,
        uid: Any = None,
    ) -> dict[str, Any]:
        """ScaleREST.Update: ``change`` makes the new Scale from the object's (a PUT returns its body,
        a patch applies itself); ``uid`` is a PUT body's metadata.uid (the store's precondition).
        Read and write happen under the store's lock, as the store's GuaranteedUpdate computes the
        update from the object it is about to replace."""
        api: Any = self
        with api.store.lock:
            obj = api.get(rt, version, namespace, name)
            uid_precondition(rt, namespace, name, uid, str(obj["metadata"].get("uid") or ""))
            old, found = scale_of(rt, obj)
            if rt.crd and not found:
                old["spec"]["replicas"] = _UNSET
            new = change(old)
            if not isinstance(new, dict):
                raise bad_request(f"wrong object passed to Scale update: {json.dumps(new)}")
            replicas = _replicas(new)
            meta = new.get("metadata") if isinstance(new.get("metadata"), dict) else {}
            if rt.crd and replicas == _UNSET:
                raise bad_request(f'the spec replicas field "{rt.scale.spec_replicas}" cannot be empty')  # type: ignore[union-attr]
            if not rt.crd:
                _check_replicas(rt, name, replicas)  # autoscaling validation ValidateScale
                given = meta.get("uid")
                if given and given != obj["metadata"].get("uid"):
                    raise conflict(
                        f"{rt.plural}/scale.{rt.group}" if rt.group else f"{rt.plural}/scale",
                        name,
                        rt.group,
                        f"{rt.plural}/scale",
                        f"Precondition failed: UID in precondition: {given}, UID in object meta: "
                        f"{obj['metadata'].get('uid')}",
                    )
            parent = json.loads(json.dumps(obj))
            path = _path(rt.scale.spec_replicas)  # type: ignore[union-attr]
            cur = parent
            for key in path[:-1]:
                nxt = cur.get(key)
                if not isinstance(nxt, dict):
                    nxt = cur[key] = {}
                cur = nxt
            cur[path[-1]] = replicas
            given_version = meta.get("resourceVersion")
            if given_version or not rt.crd:
                # built-in: deployment.ResourceVersion = scale.ResourceVersion (empty: unconditional);
                # custom resource: only a given one is the precondition
                parent["metadata"]["resourceVersion"] = given_version or ""
            updated = api.update(rt, version, namespace, name, parent, ctx, subresource="scale")
            return scale_of(rt, updated)[0]
