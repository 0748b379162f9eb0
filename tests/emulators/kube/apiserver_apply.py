"""The API server's server-side apply: an apply patch checked, merged into the live object by
the field manager, or an apply that creates (part of ApiServer; upstream: kubernetes/apiserver
pkg/endpoints/handlers/patch.go applyPatcher, kubernetes-sigs/structured-merge-diff)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.apiserver_common import (
    SERVER_METADATA,
    Ctx,
    clone,
    obj_key,
)
from tests.emulators.kube.apiserver_versions import (  # upstream: kubernetes/apiserver registry/store.go
    version_precondition,
    version_syntax,
)
from tests.emulators.kube.resources import ResourceType
from tests.emulators.kube.ssa import (
    ManagedFields,
    Path,
    conflict_message,
    describe_manager,
    field_set,
    merge_applied,
    path_string,
    remove_at,
)
from tests.emulators.kube.status import ApiError, bad_request, invalid, not_found


class ApplyMixin:
    """ApiServer's server-side apply."""

    def apply(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        applied: Any,
        ctx: Ctx,
        force: bool,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        manager = ctx.field_manager
        if not manager:
            raise invalid(
                "PatchOptions.meta.k8s.io",
                "",
                "meta.k8s.io",
                "PatchOptions",
                [("FieldValueRequired", "fieldManager", "Required value: is required for apply patch")],
            )
        if not isinstance(applied, dict):
            raise bad_request("error decoding YAML: the apply patch must be an object")
        if not applied.get("apiVersion") or not applied.get("kind"):
            raise bad_request(
                "apiVersion and kind must be set in an apply patch"
                if not applied.get("kind")
                else "apiVersion must be set"
            )
        self._check_body_type(rt, version, applied)
        amd = applied.get("metadata") or {}
        if amd.get("managedFields") is not None:
            raise bad_request("metadata.managedFields must be nil")
        if amd.get("name") not in (None, name):
            raise bad_request(f"the name of the object ({amd.get('name')}) does not match the name on the URL ({name})")
        if rt.namespaced and amd.get("namespace") not in (None, "", namespace):
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        applied = self._strip(clone(applied))
        amd = applied.setdefault("metadata", {})
        # A resourceVersion in the applied config is a precondition on an existing object: the
        # merged object carries it into the store's update, which answers 409 Conflict when it is
        # not the stored one. An apply that creates ignores it (etcd3's GuaranteedUpdate drops it in
        # PrepareObjectForStorage). upstream: kubernetes/apiserver pkg/registry/generic/registry/
        # store.go Update (newResourceVersion != existingResourceVersion), pkg/storage/etcd3/store.go.
        expect = amd.get("resourceVersion")
        amd["name"] = name
        if rt.namespaced:
            amd["namespace"] = namespace
        for k in SERVER_METADATA:
            amd.pop(k, None)
        applied, errs = self._typed_patch_errors(rt, version, applied)
        if errs:
            # the typed conversion fails before field validation is consulted, and the API
            # server reports it as an untyped 500 (kubernetes/kubernetes staging/src/k8s.io/
            # apiserver/pkg/endpoints/handlers/fieldmanager/internal/structuredmerge.go)
            text = errs[0] if len(errs) == 1 else "errors:\n  " + "\n  ".join(errs)
            raise ApiError(
                500,
                f"failed to create typed patch object ({namespace or ''}/{name}; "
                f"{rt.group}/{version}, Kind={rt.kind}): {text}",
                "",
            )
        node = self._type_root(rt, version)
        mode = self._status_mode(rt, subresource)
        if mode is False:
            applied.pop("status", None)
        elif mode is True:
            applied = {"metadata": amd, **({"status": applied["status"]} if "status" in applied else {})}
        paths = field_set(applied, node, status=mode)
        sub = subresource or ""
        with self.store.lock:
            entry = self.store.get(rt.key, obj_key(namespace if rt.namespaced else None, name))
            if entry is None:
                if subresource:
                    raise not_found(rt.group_resource, name, rt.group, rt.plural)
                fresh = clone(applied)
                obj_ctx = Ctx(**{**ctx.__dict__, "field_manager": None})
                fresh["metadata"]["managedFields"] = ManagedFields(None).render()
                created = self._create_applied(rt, version, namespace, name, fresh, obj_ctx, paths, manager, expect)
                ctx.warnings.extend(obj_ctx.warnings)
                ctx.created = obj_ctx.created
                return created
            live = entry.obj()
            mf = ManagedFields(live["metadata"].get("managedFields"))
            me = mf.index(manager, "Apply", sub)
            conflicts = mf.conflicts(applied, live, paths, me, node)
            if conflicts and not force:
                raise ApiError(
                    409,
                    conflict_message(conflicts),
                    "Conflict",
                    {
                        "causes": [
                            {
                                "reason": "FieldManagerConflict",
                                "message": f"conflict with {describe_manager(e)}",
                                "field": path_string(p),
                            }
                            for e, p in conflicts
                        ]
                    },
                )
            if conflicts:
                mf.disown({p for _, p in conflicts}, me)
            previously = mf.sets[me] if me is not None else set()
            others: set[Path] = set()
            for i, s in enumerate(mf.sets):
                if i != me:
                    others |= s
            merged = merge_applied(clone(live), applied, node)
            # top down, as kubernetes-sigs/structured-merge-diff typed/remove.go removes an item with all it
            # holds: an item emptied of its fields first would no longer match its key (a port's
            # protocol gone, its key would read the default TCP)
            for p in sorted(previously - paths - others, key=len):
                remove_at(merged, p, node)
            # the commit starts from the ownership left after a forced take-over
            before = clone(live)
            before["metadata"]["managedFields"] = mf.render()
            # the field manager's conflicts come first: fieldManager.Apply runs in the patcher,
            # before the store compares resourceVersions (pkg/endpoints/handlers/patch.go applyPatch)
            given = entry.rv if expect is None else expect
            stored = entry.rv
            return self._commit(
                rt,
                version,
                namespace,
                name,
                before,
                merged,
                ctx,
                subresource,
                "Apply",
                (paths, manager),
                precondition=lambda: version_precondition(rt, name, given, stored, rt.crd),
            )

    def _create_applied(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        obj: dict[str, Any],
        ctx: Ctx,
        paths: set[Path],
        manager: str,
        given_version: Any = None,
    ) -> dict[str, Any]:
        """An apply that creates. The store parses the applied resourceVersion before it creates
        (a non-numeric one is 500) and otherwise ignores it; etcd3 drops it on a real create
        (PrepareObjectForStorage), but a dry run skips the storage, so a dry run answers with it
        (upstream: kubernetes/apiserver 24a394e5 pkg/registry/generic/registry/store.go Update: the
        version is read before the create branch, which wipes and fills only creationTimestamp,
        uid, deletion fields and selfLink; pkg/registry/generic/registry/dryrun.go
        DryRunnableStorage.GuaranteedUpdate copies tryUpdate's object out; pkg/storage/etcd3/
        store.go GuaranteedUpdate)."""
        obj = self._admitted_new(rt, version, obj, ctx, precondition=lambda: version_syntax(given_version))
        md = obj["metadata"]
        mf = ManagedFields(None)
        mf.put(manager, "Apply", "", rt.api_version(version), md["creationTimestamp"], paths)
        md["managedFields"] = mf.render()
        if ctx.dry_run and given_version not in (None, ""):
            md["resourceVersion"] = str(given_version)
        return self._insert(rt, version, namespace, name, obj, ctx)
