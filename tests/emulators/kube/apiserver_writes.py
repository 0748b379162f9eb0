"""The API server's writes: create/update/patch/apply with resourceVersions, generation and managedFields
(part of ApiServer)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from typing import Any

from tests.emulators.kube import binding, daemonset_strategy
from tests.emulators.kube.apiserver_common import (
    GENERATE_ALPHABET,
    SERVER_METADATA,
    Ctx,
    _parse_yaml_or_json,
    _same,
    clone,
    now_iso,
    obj_key,
)
from tests.emulators.kube.apiserver_versions import (  # upstream: kubernetes/apiserver registry/store.go
    uid_precondition,
    version_precondition,
    version_set_on_create,
)
from tests.emulators.kube.crds import established_status, resource_type_from_crd
from tests.emulators.kube.patches import json_patch, merge_patch, strategic_merge_patch
from tests.emulators.kube.resources import VIRTUAL_KINDS, ResourceType
from tests.emulators.kube.ssa import (
    ManagedFields,
    Path,
    field_set,
    get_at,
)
from tests.emulators.kube.status import (
    ApiError,
    already_exists,
    bad_request,
    invalid,
    not_found,
)


def check_body_name(rt: ResourceType, namespace: str | None, name: str, md: dict[str, Any]) -> None:
    """A PUT's body names the URL's object (upstream: kubernetes/kubernetes staging/src/k8s.io/
    apiserver/pkg/endpoints/handlers/update.go checkName)."""
    if md.get("name") != name:
        raise bad_request(f"the name of the object ({md.get('name')}) does not match the name on the URL ({name})")
    if rt.namespaced and md.get("namespace") not in (None, "", namespace):
        raise bad_request("the namespace of the provided object does not match the namespace sent on the request")


class WritesMixin:
    """ApiServer's create, update and patch (server-side apply: apiserver_apply.py)."""

    # ---- writes --------------------------------------------------------------------

    def create(
        self, rt: ResourceType, version: str, namespace: str | None, obj: dict[str, Any], ctx: Ctx
    ) -> dict[str, Any]:
        if "create" not in rt.verbs:
            raise ApiError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed")
        if not isinstance(obj, dict):
            raise bad_request("the body of the request could not be decoded as an object")
        self._check_body_type(rt, version, obj)
        # kubernetes/kubernetes pkg/registry/core/pod/storage/storage.go LegacyBindingREST.
        if rt.kind == "Binding":  # the legacy namespaces/NS/bindings (binding.py)
            return binding.legacy_create(self, namespace or "", obj, ctx)  # type: ignore[arg-type]
        if rt.kind in VIRTUAL_KINDS:
            return self._review(rt, version, obj, ctx)
        obj = self._strip(clone(obj))
        md = obj.get("metadata")
        if not isinstance(md, dict):
            md = obj["metadata"] = {}
        given_version = md.get("resourceVersion")
        for k in SERVER_METADATA:
            md.pop(k, None)
        if rt.namespaced:
            body_ns = md.get("namespace")
            if body_ns and namespace and body_ns != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            namespace = namespace or body_ns or "default"
            md["namespace"] = namespace
        else:
            md.pop("namespace", None)
            namespace = None
        if not md.get("name"):
            gen = md.get("generateName")
            if not gen:
                raise invalid(
                    rt.group_kind,
                    "",
                    rt.group,
                    rt.kind,
                    [("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")],
                )
            # SimpleNameGenerator: the base cut to 58 characters, then 5 random ones, so the name
            # stays within 63 (upstream: kubernetes/kubernetes
            # staging/src/k8s.io/apiserver/pkg/storage/names/generate.go MaxGeneratedNameLength).
            md["name"] = gen[:58] + "".join(random.choice(GENERATE_ALPHABET) for _ in range(5))
            ctx.admission_name = gen
        name = md["name"]
        obj = self._admitted_new(rt, version, obj, ctx)
        md = obj["metadata"]
        manager = ctx.field_manager
        if manager:
            mf = ManagedFields(None)
            paths = field_set(obj, self._type_root(rt, version), status=None)
            mf.put(manager, "Update", "", rt.api_version(version), md["creationTimestamp"], paths)
            md["managedFields"] = mf.render()
        return self._insert(rt, version, namespace, name, obj, ctx, given_version)

    def _insert(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        obj: dict[str, Any],
        ctx: Ctx,
        given_version: Any = None,
    ) -> dict[str, Any]:
        """Store a new, admitted object. ``given_version``: the request body's resourceVersion. The
        etcd3 store refuses a numeric, non-zero one with a plain error, so 500 with no reason,
        before it looks for the key; a dry run never reaches etcd3 and answers with the body's
        version instead (upstream: kubernetes/apiserver 24a394e5 pkg/storage/etcd3/store.go
        Create, pkg/storage/errors.go ErrResourceVersionSetOnCreate, pkg/registry/generic/
        registry/dryrun.go DryRunnableStorage.Create; pkg/endpoints/handlers/responsewriters/
        status.go ErrorToAPIStatus)."""
        key = obj_key(namespace, name)
        with self.store.lock:
            if namespace is not None:
                ns = self.store.get("/namespaces", namespace)
                if ns is None:
                    raise not_found("namespaces", namespace, "", "namespaces")
                if b'"deletionTimestamp"' in ns.raw:
                    raise ApiError(
                        403,
                        f'{rt.plural} "{name}" is forbidden: unable to create new content in namespace {namespace} '
                        "because it is being terminated",
                        "Forbidden",
                        {
                            "name": name,
                            "group": rt.group,
                            "kind": rt.plural,
                            "causes": [
                                {
                                    "reason": "NamespaceTerminating",
                                    "message": f"namespace {namespace} is being terminated",
                                    "field": "metadata.namespace",
                                }
                            ],
                        },
                    )
            if not ctx.dry_run and version_set_on_create(given_version):
                raise ApiError(500, "resourceVersion should not be set on objects to be created", "")
            if self.store.get(rt.key, key) is not None:
                raise already_exists(rt.group_resource, name, rt.group, rt.plural)
            ctx.created = True
            if ctx.dry_run:
                if given_version not in (None, ""):
                    obj = {**obj, "metadata": {**obj["metadata"], "resourceVersion": given_version}}
                return self.serve_obj(rt, version, obj)
            if rt.kind == "CustomResourceDefinition":
                self._establish_crd(obj)
            self.store.put(rt.key, key, obj)
        self._notify("ADDED", rt, version, obj, ctx)
        return self.serve_obj(rt, version, obj)

    def _establish_crd(self, obj: dict[str, Any]) -> None:
        try:
            new_rt = resource_type_from_crd(obj)
        except (KeyError, ValueError, TypeError) as exc:
            raise invalid(
                "CustomResourceDefinition.apiextensions.k8s.io",
                obj["metadata"]["name"],
                "apiextensions.k8s.io",
                "CustomResourceDefinition",
                [("FieldValueInvalid", "spec", f"Invalid value: {exc}")],
            ) from exc
        existing = self.registry.by_kind(new_rt.group, new_rt.kind)
        if existing is not None and not existing.crd:
            raise invalid(
                "CustomResourceDefinition.apiextensions.k8s.io",
                obj["metadata"]["name"],
                "apiextensions.k8s.io",
                "CustomResourceDefinition",
                [("FieldValueInvalid", "spec.names.kind", "Invalid value: conflicts with a built-in kind")],
            )
        self.registry.add(new_rt)
        obj["status"] = established_status(obj, new_rt, now_iso())

    def update(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        obj: dict[str, Any],
        ctx: Ctx,
        subresource: str | None = None,
        unconditional: bool = False,
    ) -> dict[str, Any]:
        """A PUT. ``unconditional``: the test-side API's write over whatever is stored (a client
        that reads and writes under the store's lock), never a request's."""
        if not isinstance(obj, dict):
            raise bad_request("the body of the request could not be decoded as an object")
        self._check_body_type(rt, version, obj)
        obj = self._strip(clone(obj))
        md = obj.get("metadata")
        if not isinstance(md, dict):
            raise invalid(
                rt.group_kind,
                name,
                rt.group,
                rt.kind,
                [("FieldValueRequired", "metadata.name", "Required value: name is required")],
            )
        check_body_name(rt, namespace, name, md)
        expect, given_uid = md.get("resourceVersion"), md.get("uid")
        with self.store.lock:
            entry = self.get_entry(rt, namespace, name)
            stored, conditional = entry.rv, rt.crd and not unconditional
            old = entry.obj()
            stored_uid = str(old["metadata"].get("uid") or "")

            def preconditions() -> None:
                if not unconditional:
                    uid_precondition(rt, namespace, name, given_uid, stored_uid)
                version_precondition(rt, name, expect, stored, conditional)

            return self._commit(
                rt,
                version,
                namespace,
                name,
                old,
                obj,
                ctx,
                subresource,
                "Update",
                precondition=preconditions,
            )

    def _merge_subresource(
        self, rt: ResourceType, old: dict[str, Any], new: dict[str, Any], subresource: str | None
    ) -> dict[str, Any]:
        if subresource == "status":
            out = clone(old)
            if "status" in new:
                out["status"] = new["status"]
            else:
                out.pop("status", None)
            return out
        if rt.status:
            new = dict(new)
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)
        return new

    def _commit(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        old: dict[str, Any],
        new: dict[str, Any],
        ctx: Ctx,
        subresource: str | None,
        operation: str,
        applied: tuple[set[Path], str] | None = None,
        precondition: Callable[[], None] | None = None,
    ) -> dict[str, Any]:
        """Write ``new`` over ``old`` (both without apiVersion/kind); caller holds the lock.
        ``precondition``: the resourceVersion check, run after mutating admission and before
        validation (version_precondition)."""
        # read before the status subresource keeps the stored metadata: BeforeUpdate and its uid
        # check run for every update, the status subresource's too (kubernetes/kubernetes
        # staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go Update, rest.BeforeUpdate
        # in staging/src/k8s.io/apiserver/pkg/registry/rest/update.go), which the kubelet's pod status
        # patch relies on as its precondition (kubernetes/kubernetes pkg/util/pod/pod.go
        # preparePatchBytesForPodStatus)
        given_uid = (new.get("metadata") or {}).get("uid")
        new = self._merge_subresource(rt, old, new, subresource)
        md = new.setdefault("metadata", {})
        omd = old["metadata"]
        for k in (
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "namespace",
            "name",
        ):
            if k in omd:
                md[k] = omd[k]
            else:
                md.pop(k, None)
        if subresource == "status":
            for k in ("labels", "annotations", "finalizers", "ownerReferences"):
                if k in omd:
                    md[k] = omd[k]
                else:
                    md.pop(k, None)

        def checks() -> None:
            if precondition is not None:
                precondition()
            # BeforeUpdate keeps the stored uid only where the body has none, and
            # ValidateObjectMetaAccessorUpdate refuses another: a patch has no uid precondition
            # (its UpdatedObjectInfo has no object), so it meets this 422, a PUT its 409 first
            # (upstream: kubernetes/apiserver 24a394e5 pkg/registry/rest/update.go BeforeUpdate,
            # validateCommonFields; kubernetes/apimachinery eed236ce pkg/api/validation/
            # objectmeta.go ValidateImmutableField, FieldImmutableErrorMsg).
            if given_uid and given_uid != omd.get("uid"):
                raise invalid(
                    rt.group_kind,
                    name,
                    rt.group,
                    rt.kind,
                    [
                        (
                            "FieldValueInvalid",
                            "metadata.uid",
                            f"Invalid value: {json.dumps(given_uid)}: field is immutable",
                        )
                    ],
                )
            if "deletionTimestamp" in omd:
                added = set(md.get("finalizers") or []) - set(omd.get("finalizers") or [])
                if added:
                    raise invalid(
                        rt.group_kind,
                        name,
                        rt.group,
                        rt.kind,
                        [
                            (
                                "FieldValueForbidden",
                                "metadata.finalizers",
                                "Forbidden: no new finalizers can be added if the object is being deleted",
                            )
                        ],
                    )

        # No admission webhook nor workload admission plugin on a status or scale write: a rule
        # naming the resource matches no subresource (apiserver_scale.py).
        new = self._admit(
            rt,
            version,
            new,
            ctx,
            create=False,
            old=old,
            webhooks=subresource not in ("status", "scale"),
            precondition=checks,
        )
        if rt.group == "apps" and rt.kind == "DaemonSet":
            # kubernetes/kubernetes pkg/registry/apps/daemonset/strategy.go PrepareForUpdate.
            daemonset_strategy.prepare_for_update(old, new)
        md = new["metadata"]
        # generation follows the desired state only
        skip = {"metadata", "apiVersion", "kind"} | ({"status"} if rt.status else set())
        if rt.generation and {k: v for k, v in old.items() if k not in skip} != {
            k: v for k, v in new.items() if k not in skip
        }:
            md["generation"] = int(omd.get("generation", 1)) + 1
        mf = ManagedFields(omd.get("managedFields"))
        node = self._type_root(rt, version)
        mode = self._status_mode(rt, subresource)
        sub = subresource or ""
        t = now_iso()
        if applied is not None:
            paths, manager = applied
            mf.put(manager, "Apply", sub, rt.api_version(version), t, paths)
        elif ctx.field_manager:
            old_fs = field_set(old, node, status=mode)
            new_fs = field_set(new, node, status=mode)
            changed = {p for p in new_fs if get_at(old, p, node) != get_at(new, p, node)}
            removed = old_fs - new_fs
            if changed or removed:
                av = rt.api_version(version)
                i = mf.index(ctx.field_manager, operation, sub, av)
                mine = (mf.set_of(ctx.field_manager, operation, sub, av) | changed) - removed
                mf.disown(changed | removed, i)
                mf.put(ctx.field_manager, operation, sub, av, t, mine)
        md["managedFields"] = mf.render()
        if not md["managedFields"]:
            del md["managedFields"]
        md["resourceVersion"] = omd.get("resourceVersion")
        if _same(old, new):
            return self.serve_obj(rt, version, old)
        key = obj_key(namespace if rt.namespaced else None, name)
        if ctx.dry_run:
            return self.serve_obj(rt, version, new)
        if md.get("deletionTimestamp") and not md.get("finalizers") and not md.get("deletionGracePeriodSeconds"):
            self.store.remove(rt.key, key, new)
            self._after_removal(rt, version, new, ctx)
            return self.serve_obj(rt, version, new)
        if rt.kind == "CustomResourceDefinition":
            self._establish_crd(new)
        self.store.put(rt.key, key, new)
        self._notify("MODIFIED", rt, version, new, ctx, status_only=subresource == "status")
        return self.serve_obj(rt, version, new)

    def patch(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        content_type: str,
        body: bytes,
        ctx: Ctx,
        force: bool | None = None,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        """A PATCH. ``force``: PatchOptions.force, None where the request does not give it."""
        ct = content_type.split(";")[0].strip()
        if ct == "application/apply-patch+yaml":
            return self.apply(rt, version, namespace, name, _parse_yaml_or_json(body), ctx, bool(force), subresource)
        if ct not in (
            "application/merge-patch+json",
            "application/json-patch+json",
            "application/strategic-merge-patch+json",
        ):
            raise ApiError(
                415,
                "the body of the request was in an unknown format - accepted media types include: "
                "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                + ("" if rt.crd else ", application/strategic-merge-patch+json"),
                "UnsupportedMediaType",
            )
        if ct == "application/strategic-merge-patch+json" and rt.crd:
            raise ApiError(
                415,
                "the body of the request was in an unknown format - accepted media types include: "
                "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                "UnsupportedMediaType",
            )
        if force is not None:
            # any force, false included, is refused on a non-apply patch: the options are
            # validated after the body is read, before it is decoded (upstream: kubernetes/apiserver
            # 24a394e5 pkg/endpoints/handlers/patch.go PatchResource; kubernetes/apimachinery eed236ce
            # pkg/apis/meta/v1/validation/validation.go ValidatePatchOptions, options.Force != nil)
            raise invalid(
                "PatchOptions.meta.k8s.io",
                "",
                "meta.k8s.io",
                "PatchOptions",
                [("FieldValueForbidden", "force", "Forbidden: may not be specified for non-apply patch")],
            )
        try:
            patch = json.loads(body or b"null")
        except ValueError as exc:
            raise bad_request(f"error decoding patch: {exc}") from exc
        with self.store.lock:
            entry = self.get_entry(rt, namespace, name)
            old = entry.obj()
            current = self.serve_obj(rt, version, old)
            if ct == "application/json-patch+json":
                new = json_patch(current, patch)
            elif ct == "application/merge-patch+json":
                if not isinstance(patch, dict):
                    raise bad_request("merge patch must be a JSON object")
                new = merge_patch(current, patch)
            else:
                if not isinstance(patch, dict):
                    raise bad_request("strategic merge patch must be a JSON object")
                new = strategic_merge_patch(current, patch, self._type_root(rt, version))
            if not isinstance(new, dict):
                raise bad_request("patch result is not an object")
            self._check_body_type(rt, version, new)
            new = self._strip(new)
            nmd = new.get("metadata") or {}
            if nmd.get("name") != name:
                raise bad_request("the name of the object does not match the name on the URL")
            given, stored = nmd.get("resourceVersion"), entry.rv
            return self._commit(
                rt,
                version,
                namespace,
                name,
                old,
                new,
                ctx,
                subresource,
                "Update",
                precondition=lambda: version_precondition(rt, name, given, stored, rt.crd),
            )

    def _admitted_new(
        self,
        rt: ResourceType,
        version: str,
        obj: dict[str, Any],
        ctx: Ctx,
        precondition: Callable[[], None] | None = None,
    ) -> dict[str, Any]:
        """A new object, admitted, with the metadata the server fills for every create (a POST and
        an apply that creates alike; upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/
        pkg/registry/rest/create.go BeforeCreate, FillObjectMetaSystemFields)."""
        if rt.status and not ctx.keep_status:
            obj.pop("status", None)
        # The uid comes first (upstream: kubernetes/apiserver 24a394e5 pkg/registry/generic/registry/
        # store.go create), so a Job's generateSelector can label it (kubernetes/kubernetes
        # pkg/registry/batch/job/strategy.go PrepareForCreate; job_selector.py).
        uid = str(uuid.uuid4())
        obj = self._admit(rt, version, obj, ctx, create=True, precondition=precondition, uid=uid)
        if rt.group == "apps" and rt.kind == "DaemonSet":
            # kubernetes/kubernetes pkg/registry/apps/daemonset/strategy.go PrepareForCreate.
            daemonset_strategy.prepare_for_create(obj)
        md = obj["metadata"]
        md["uid"] = uid
        md["creationTimestamp"] = now_iso()
        if rt.generation:
            md["generation"] = 1
        return obj
