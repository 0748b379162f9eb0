"""API semantics independent of HTTP: create/update/patch/apply/delete/list/watch with
resourceVersions, generation, managedFields, CRD schemas, finalizers and garbage collection."""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime
import functools
import json
import queue
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.kube import admission, builtin_schema, cel
from tests.emulators.kube import schema as schemamod
from tests.emulators.kube.crds import established_status, resource_type_from_crd
from tests.emulators.kube.patches import json_patch, merge_patch, strategic_merge_patch
from tests.emulators.kube.resources import VIRTUAL_KINDS, Registry, ResourceType
from tests.emulators.kube.selectors import parse_field_selector, parse_label_selector
from tests.emulators.kube.ssa import (
    ManagedFields,
    Path,
    conflict_message,
    describe_manager,
    field_set,
    get_at,
    merge_applied,
    path_string,
    remove_at,
)
from tests.emulators.kube.status import (
    ApiError,
    already_exists,
    bad_request,
    conflict,
    invalid,
    not_found,
)
from tests.emulators.kube.store import Entry, Gone, Store, Watcher
from tests.emulators.kube.typeinfo import root_node

SERVER_METADATA = (
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
)
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Ctx:
    """Who is asking and how: carried through one request."""

    user: str = "system:admin"
    groups: list[str] = field(default_factory=lambda: ["system:masters", "system:authenticated"])
    dry_run: bool = False
    field_manager: str | None = None
    field_validation: str = "Warn"
    warnings: list[str] = field(default_factory=list)
    # The controller making this write (None for API clients and tests).
    origin: object | None = None
    # Test-side writes keep .status on create (a test seeds nodes with capacity).
    keep_status: bool = False
    # Set when a write created the object (an apply answers 201 then).
    created: bool = False


Listener = Callable[[str, ResourceType, dict[str, Any], Ctx], None]


def obj_key(namespace: str | None, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


class ApiServer:
    def __init__(self, registry: Registry | None = None, store: Store | None = None) -> None:
        self.registry = registry or Registry()
        self.store = store or Store()
        self.listeners: list[Listener] = []
        self.namespace_deletion_delay = 0.3
        # Garbage collection runs on its own thread a moment after an owner goes, as the
        # garbage collector's informers see it in a real cluster; True restores the old
        # collect-before-the-DELETE-returns behaviour for tests that need a settled state.
        self.synchronous_gc = False
        # KubeRay's validating webhook is opt-in in its chart (KAITO's is always installed)
        self.kuberay_webhook = False
        self.gc_delay = 0.1
        # How long the simulated kubelet takes to stop a deleted pod's containers (capped by the
        # grace period); None: the containers ignore SIGTERM and live the whole grace period.
        self.pod_shutdown_seconds: float | None = 0.1
        self._pending = 0
        self._pending_cond = threading.Condition()
        self.authorizer: Callable[[str, list[str], str, str, str, str | None, str | None], bool] = lambda *a: True
        self._logs: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        self.logs_cond = threading.Condition()
        self._gc_queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._gc_thread = threading.Thread(target=self._gc_loop, name="kube-emulator-gc", daemon=True)
        self._gc_thread.start()
        sys_ctx = Ctx(field_manager="kube-apiserver", keep_status=True)
        ns_rt = self.rt("v1", "Namespace")
        for ns in SYSTEM_NAMESPACES:
            self.create(ns_rt, "v1", None, {"metadata": {"name": ns}}, sys_ctx)

    # ---- lookups -------------------------------------------------------------------

    def rt(self, api_version: str, kind: str) -> ResourceType:
        rt = self.registry.by_api_version_kind(api_version, kind)
        if rt is None:
            raise ApiError(404, f"the server could not find the requested resource ({kind} {api_version})", "NotFound")
        return rt

    def serve(self, rt: ResourceType, version: str, entry: Entry) -> bytes:
        head = f'{{"apiVersion":"{rt.api_version(version)}","kind":"{rt.kind}",'.encode()
        return head + entry.raw[1:]

    def serve_obj(self, rt: ResourceType, version: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {"apiVersion": rt.api_version(version), "kind": rt.kind, **obj}

    def _strip(self, obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}

    def get_entry(self, rt: ResourceType, namespace: str | None, name: str) -> Entry:
        e = self.store.get(rt.key, obj_key(namespace if rt.namespaced else None, name))
        if e is None:
            raise not_found(rt.group_resource, name, rt.group, rt.plural)
        return e

    def get(self, rt: ResourceType, version: str, namespace: str | None, name: str) -> dict[str, Any]:
        return self.serve_obj(rt, version, self.get_entry(rt, namespace, name).obj())

    # ---- validation helpers --------------------------------------------------------

    def _check_body_type(self, rt: ResourceType, version: str, obj: dict[str, Any]) -> None:
        av, kind = obj.get("apiVersion"), obj.get("kind")
        if av is not None and av != rt.api_version(version):
            g, _, v = str(av).rpartition("/")
            if g != rt.group or v not in rt.versions:
                raise bad_request(
                    f"the API version in the data ({av}) does not match the expected API version "
                    f"({rt.api_version(version)})"
                )
        if kind is not None and kind != rt.kind:
            raise bad_request(f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})")

    def _validate_metadata(self, rt: ResourceType, obj: dict[str, Any]) -> list[tuple[str, str, str]]:
        md = obj["metadata"]
        causes: list[tuple[str, str, str]] = []
        name = md.get("name", "")
        if rt.kind in ("Namespace",) and not (DNS_LABEL.match(name) and len(name) <= 63):
            causes.append(
                (
                    "FieldValueInvalid",
                    "metadata.name",
                    f'Invalid value: "{name}": a lowercase RFC 1123 label must consist of lower case '
                    "alphanumeric characters or '-', and must start and end with an alphanumeric character "
                    "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                )
            )
        elif rt.kind == "Service" and not (DNS_1035.match(name) and len(name) <= 63):
            causes.append(
                (
                    "FieldValueInvalid",
                    "metadata.name",
                    f'Invalid value: "{name}": a DNS-1035 label must consist of lower case alphanumeric '
                    "characters or '-', start with an alphabetic character, and end with an alphanumeric "
                    "character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
                    "'[a-z]([-a-z0-9]*[a-z0-9])?')",
                )
            )
        elif (
            not rt.kind.startswith("Self")
            and not (DNS_SUBDOMAIN.match(name) and len(name) <= 253)
            and rt.kind not in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
        ):
            causes.append(
                (
                    "FieldValueInvalid",
                    "metadata.name",
                    f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower '
                    "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
                    "character (e.g. 'example.com', regex used for validation is "
                    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                )
            )
        labels = md.get("labels") or {}
        if not isinstance(labels, dict):
            causes.append(("FieldValueTypeInvalid", "metadata.labels", "Invalid value: must be a map"))
            labels = {}
        for k, v in labels.items():
            prefix, _, nm = str(k).rpartition("/")
            if not LABEL_NAME.match(nm) or len(nm) > 63 or (prefix and not DNS_SUBDOMAIN.match(prefix)):
                causes.append(
                    (
                        "FieldValueInvalid",
                        "metadata.labels",
                        f"Invalid value: \"{k}\": name part must consist of alphanumeric characters, '-', "
                        "'_' or '.', and must start and end with an alphanumeric character",
                    )
                )
            if not isinstance(v, str) or len(v) > 63 or not LABEL_VALUE.match(v):
                causes.append(
                    (
                        "FieldValueInvalid",
                        "metadata.labels",
                        f"Invalid value: {json.dumps(v)}: a valid label must be an empty string or consist "
                        "of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                        "character",
                    )
                )
        ann = md.get("annotations") or {}
        if not isinstance(ann, dict) or any(not isinstance(v, str) for v in ann.values()):
            causes.append(
                ("FieldValueTypeInvalid", "metadata.annotations", "Invalid value: annotation values must be strings")
            )
        return causes

    def _schema(self, rt: ResourceType, version: str) -> dict[str, Any] | None:
        return rt.schemas.get(version) if rt.crd else None

    def _admit(
        self,
        rt: ResourceType,
        version: str,
        obj: dict[str, Any],
        ctx: Ctx,
        create: bool,
        old: dict[str, Any] | None = None,
        webhooks: bool = True,
    ) -> dict[str, Any]:
        """Kind defaults, schema defaulting/pruning/validation; raises 400/422."""
        self._kind_defaults(rt, obj, create)
        causes = self._validate_metadata(rt, obj)
        sch = self._schema(rt, version)
        if sch is not None:
            obj, res = schemamod.process(obj, sch)
            if res.unknown:
                if ctx.field_validation == "Strict":
                    quoted = ", ".join(f'unknown field "{u.lstrip(".")}"' for u in res.unknown)
                    raise bad_request(
                        f'{rt.kind} in version "{version}" cannot be handled as a {rt.kind}: strict decoding '
                        f"error: {quoted}"
                    )
                if ctx.field_validation == "Warn":
                    ctx.warnings.extend(f'unknown field "{u.lstrip(".")}"' for u in res.unknown)
            causes += res.errors
            if not res.errors and cel.has_rules(sch):
                causes += cel.validate(
                    self.serve_obj(rt, version, obj), self.serve_obj(rt, version, old) if old else None, sch
                )
        elif not rt.crd:
            obj = self._check_builtin(rt, version, obj, ctx, causes)
        seen = {c[1] for c in causes}
        causes += [c for c in self._kind_validation(rt, obj) if c[1] not in seen]
        if causes:
            md = obj.get("metadata") or {}
            raise invalid(rt.group_kind, md.get("name", ""), rt.group, rt.kind, causes)
        if webhooks and rt.crd:
            admission.review(rt.group, rt.kind, obj, old, self.kuberay_webhook)
        return obj

    def _check_builtin(
        self, rt: ResourceType, version: str, obj: dict[str, Any], ctx: Ctx, causes: list[tuple[str, str, str]]
    ) -> dict[str, Any]:
        """Decoding of a built-in kind into its Go type (see builtin_schema): 400 for a wrong
        type or (Strict) an unknown field, warnings (Warn), then required fields."""
        node = builtin_schema.root(rt.group, version, rt.kind)
        if node is None:
            return obj
        out, found = builtin_schema.check(obj, node)
        cannot = f'{rt.kind} in version "{version}" cannot be handled as a {rt.kind}'
        if found.decode_error:
            raise bad_request(f"{cannot}: {found.decode_error}")
        if found.unknown:
            if ctx.field_validation == "Strict":
                quoted = ", ".join(f'unknown field "{u}"' for u in found.unknown)
                raise bad_request(f"{cannot}: strict decoding error: {quoted}")
            if ctx.field_validation == "Warn":
                ctx.warnings.extend(f'unknown field "{u}"' for u in found.unknown)
        causes += found.causes
        return out

    def _typed_patch_errors(
        self, rt: ResourceType, version: str, applied: dict[str, Any]
    ) -> tuple[dict[str, Any], list[str]]:
        """structured-merge-diff's conversion of an apply patch: unknown fields and wrong types
        are errors whatever fieldValidation says."""
        sch = self._schema(rt, version)
        if sch is not None:
            res = schemamod.Result()
            applied = schemamod.default_and_prune(applied, sch, res)
            return applied, [f"{u}: field not declared in schema" for u in res.unknown]
        node = None if rt.crd else builtin_schema.root(rt.group, version, rt.kind)
        if node is None:
            return applied, []
        _, found = builtin_schema.check(applied, node, check_required=False)
        errs = [f"{u}: field not declared in schema" for u in found.typed_unknown]
        if found.typed_error:
            errs.append(found.typed_error)
        return applied, errs

    def _kind_defaults(self, rt: ResourceType, obj: dict[str, Any], create: bool) -> None:
        spec = obj.get("spec")
        if rt.kind == "Secret":
            sd = obj.pop("stringData", None)
            if isinstance(sd, dict):
                data = obj.setdefault("data", {})
                for k, v in sd.items():
                    data[k] = base64.b64encode(str(v).encode()).decode()
            if not obj.get("type"):
                obj["type"] = "Opaque"
        elif rt.kind in ("Deployment", "StatefulSet", "ReplicaSet") and isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            spec.setdefault("revisionHistoryLimit", 10)
            if rt.kind == "Deployment":
                spec.setdefault("progressDeadlineSeconds", 600)
                spec.setdefault(
                    "strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
                )
            elif rt.kind == "StatefulSet":
                spec.setdefault("podManagementPolicy", "OrderedReady")
                spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        elif rt.kind == "DaemonSet" and isinstance(spec, dict):
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault(
                "updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}
            )
        elif rt.kind == "Job" and isinstance(spec, dict):
            spec.setdefault("backoffLimit", 6)
            if "completions" not in spec and "parallelism" not in spec:
                spec["completions"] = 1
            spec.setdefault("parallelism", 1)
        elif rt.kind == "Service" and isinstance(spec, dict):
            spec.setdefault("type", "ClusterIP")
            if create and "clusterIP" not in spec and spec.get("type") != "ExternalName":
                n = random.randint(1, 65000)
                spec["clusterIP"] = f"10.0.{n // 250}.{n % 250 + 1}"
                spec["clusterIPs"] = [spec["clusterIP"]]
            for p in spec.get("ports") or []:
                if isinstance(p, dict):
                    p.setdefault("protocol", "TCP")
                    if "port" in p:
                        p.setdefault("targetPort", p["port"])
        elif rt.kind == "Pod" and isinstance(spec, dict):
            spec.setdefault("restartPolicy", "Always")
            for c in spec.get("containers") or []:
                if isinstance(c, dict):
                    for p in c.get("ports") or []:
                        if isinstance(p, dict):
                            p.setdefault("protocol", "TCP")
        elif rt.kind == "Namespace":
            obj.setdefault("status", {}).setdefault("phase", "Active")
        if rt.kind == "Pod" and create:
            obj.setdefault("status", {}).setdefault("phase", "Pending")

    def _kind_validation(self, rt: ResourceType, obj: dict[str, Any]) -> list[tuple[str, str, str]]:
        causes: list[tuple[str, str, str]] = []
        spec = obj.get("spec")
        if rt.kind == "CustomResourceDefinition":
            if not isinstance(spec, dict):
                return [("FieldValueRequired", "spec", "Required value")]
            names = spec.get("names") or {}
            group = spec.get("group", "")
            if not names.get("plural") or not names.get("kind"):
                causes.append(("FieldValueRequired", "spec.names.plural", "Required value"))
            if obj["metadata"].get("name") != f"{names.get('plural')}.{group}":
                causes.append(
                    (
                        "FieldValueInvalid",
                        "metadata.name",
                        f'Invalid value: "{obj["metadata"].get("name")}": must be spec.names.plural+"."+spec.group',
                    )
                )
            if not spec.get("versions"):
                causes.append(
                    (
                        "FieldValueRequired",
                        "spec.versions",
                        "Required value: must have exactly one version marked as storage version",
                    )
                )
            elif sum(1 for v in spec["versions"] if v.get("storage")) != 1:
                causes.append(
                    (
                        "FieldValueInvalid",
                        "spec.versions",
                        "Invalid value: must have exactly one version marked as storage version",
                    )
                )
        elif rt.kind in ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job") and isinstance(spec, dict):
            if rt.kind != "Job":
                sel = spec.get("selector")
                if not isinstance(sel, dict) or not (sel.get("matchLabels") or sel.get("matchExpressions")):
                    causes.append(("FieldValueRequired", "spec.selector", "Required value"))
            tpl = spec.get("template")
            if not isinstance(tpl, dict) or not ((tpl.get("spec") or {}).get("containers")):
                causes.append(("FieldValueRequired", "spec.template.spec.containers", "Required value"))
            reps = spec.get("replicas")
            if reps is not None and (not isinstance(reps, int) or reps < 0):
                causes.append(
                    (
                        "FieldValueInvalid",
                        "spec.replicas",
                        f"Invalid value: {json.dumps(reps)}: must be greater than or equal to 0",
                    )
                )
        elif rt.kind == "Pod" and isinstance(spec, dict):
            if not spec.get("containers"):
                causes.append(("FieldValueRequired", "spec.containers", "Required value"))
            for i, c in enumerate(spec.get("containers") or []):
                if not isinstance(c, dict) or not c.get("image"):
                    causes.append(("FieldValueRequired", f"spec.containers[{i}].image", "Required value"))
        elif rt.kind == "ConfigMap":
            for k in obj.get("data") or {}:
                if not re.match(r"^[-._a-zA-Z0-9]+$", str(k)):
                    causes.append(
                        (
                            "FieldValueInvalid",
                            f"data[{k}]",
                            f'Invalid value: "{k}": a valid config key must consist of alphanumeric characters, '
                            "'-', '_' or '.'",
                        )
                    )
        return causes

    def _status_mode(self, rt: ResourceType, subresource: str | None) -> bool | None:
        if subresource == "status":
            return True
        return False if rt.status else None

    # ---- writes --------------------------------------------------------------------

    def create(
        self, rt: ResourceType, version: str, namespace: str | None, obj: dict[str, Any], ctx: Ctx
    ) -> dict[str, Any]:
        if "create" not in rt.verbs:
            raise ApiError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed")
        if not isinstance(obj, dict):
            raise bad_request("the body of the request could not be decoded as an object")
        self._check_body_type(rt, version, obj)
        if rt.kind in VIRTUAL_KINDS:
            return self._review(rt, version, obj, ctx)
        obj = self._strip(copy.deepcopy(obj))
        md = obj.get("metadata")
        if not isinstance(md, dict):
            md = obj["metadata"] = {}
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
            md["name"] = gen + "".join(random.choice(GENERATE_ALPHABET) for _ in range(5))
        name = md["name"]
        if rt.status and not ctx.keep_status:
            obj.pop("status", None)
        obj = self._admit(rt, version, obj, ctx, create=True)
        md = obj["metadata"]
        md["uid"] = str(uuid.uuid4())
        md["creationTimestamp"] = now_iso()
        if rt.generation:
            md["generation"] = 1
        manager = ctx.field_manager
        if manager:
            mf = ManagedFields(None)
            paths = field_set(obj, root_node(self._schema(rt, version)), status=None)
            mf.put(manager, "Update", "", rt.api_version(version), md["creationTimestamp"], paths)
            md["managedFields"] = mf.render()
        return self._insert(rt, version, namespace, name, obj, ctx)

    def _insert(
        self, rt: ResourceType, version: str, namespace: str | None, name: str, obj: dict[str, Any], ctx: Ctx
    ) -> dict[str, Any]:
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
            if self.store.get(rt.key, key) is not None:
                raise already_exists(rt.group_resource, name, rt.group, rt.plural)
            ctx.created = True
            if ctx.dry_run:
                obj["metadata"].pop("resourceVersion", None)
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
    ) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise bad_request("the body of the request could not be decoded as an object")
        self._check_body_type(rt, version, obj)
        obj = self._strip(copy.deepcopy(obj))
        md = obj.get("metadata")
        if not isinstance(md, dict):
            raise invalid(
                rt.group_kind,
                name,
                rt.group,
                rt.kind,
                [("FieldValueRequired", "metadata.name", "Required value: name is required")],
            )
        if md.get("name") != name:
            raise bad_request(f"the name of the object ({md.get('name')}) does not match the name on the URL ({name})")
        if rt.namespaced and md.get("namespace") not in (None, "", namespace):
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        expect = md.get("resourceVersion")
        with self.store.lock:
            entry = self.get_entry(rt, namespace, name)
            if expect and str(expect) != str(entry.rv):
                raise conflict(
                    rt.group_resource,
                    name,
                    rt.group,
                    rt.plural,
                    "the object has been modified; please apply your changes to the latest version and try again",
                )
            old = entry.obj()
            return self._commit(rt, version, namespace, name, old, obj, ctx, subresource, "Update")

    def _merge_subresource(
        self, rt: ResourceType, old: dict[str, Any], new: dict[str, Any], subresource: str | None
    ) -> dict[str, Any]:
        if subresource == "status":
            out = copy.deepcopy(old)
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
    ) -> dict[str, Any]:
        """Write ``new`` over ``old`` (both without apiVersion/kind); caller holds the lock."""
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
        new = self._admit(rt, version, new, ctx, create=False, old=old, webhooks=subresource != "status")
        md = new["metadata"]
        # generation follows the desired state only
        skip = {"metadata", "apiVersion", "kind"} | ({"status"} if rt.status else set())
        if rt.generation and {k: v for k, v in old.items() if k not in skip} != {
            k: v for k, v in new.items() if k not in skip
        }:
            md["generation"] = int(omd.get("generation", 1)) + 1
        mf = ManagedFields(omd.get("managedFields"))
        node = root_node(self._schema(rt, version))
        mode = self._status_mode(rt, subresource)
        sub = subresource or ""
        t = now_iso()
        if applied is not None:
            paths, manager = applied
            mf.put(manager, "Apply", sub, rt.api_version(version), t, paths)
        elif ctx.field_manager:
            old_fs = field_set(old, node, status=mode)
            new_fs = field_set(new, node, status=mode)
            changed = {p for p in new_fs if get_at(old, p) != get_at(new, p)}
            removed = old_fs - new_fs
            if changed or removed:
                i = mf.index(ctx.field_manager, operation, sub)
                mine = (mf.set_of(ctx.field_manager, operation, sub) | changed) - removed
                mf.disown(changed | removed, i)
                mf.put(ctx.field_manager, operation, sub, rt.api_version(version), t, mine)
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
        force: bool = False,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        ct = content_type.split(";")[0].strip()
        if ct == "application/apply-patch+yaml":
            return self.apply(rt, version, namespace, name, _parse_yaml_or_json(body), ctx, force, subresource)
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
        try:
            patch = json.loads(body or b"null")
        except ValueError as exc:
            raise bad_request(f"error decoding patch: {exc}") from exc
        if force:
            raise bad_request("force=true is only valid for apply patches (application/apply-patch+yaml)")
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
                new = strategic_merge_patch(current, patch, root_node(None))
            if not isinstance(new, dict):
                raise bad_request("patch result is not an object")
            self._check_body_type(rt, version, new)
            new = self._strip(new)
            nmd = new.get("metadata") or {}
            if nmd.get("name") != name:
                raise bad_request("the name of the object does not match the name on the URL")
            expect = nmd.get("resourceVersion")
            if expect and str(expect) != str(entry.rv):
                raise conflict(
                    rt.group_resource,
                    name,
                    rt.group,
                    rt.plural,
                    "the object has been modified; please apply your changes to the latest version and try again",
                )
            return self._commit(rt, version, namespace, name, old, new, ctx, subresource, "Update")

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
        applied = self._strip(copy.deepcopy(applied))
        amd = applied.setdefault("metadata", {})
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
        sch = self._schema(rt, version)
        node = root_node(sch)
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
                fresh = copy.deepcopy(applied)
                obj_ctx = Ctx(**{**ctx.__dict__, "field_manager": None})
                fresh["metadata"]["managedFields"] = ManagedFields(None).render()
                created = self._create_applied(rt, version, namespace, name, fresh, obj_ctx, paths, manager)
                ctx.warnings.extend(obj_ctx.warnings)
                ctx.created = obj_ctx.created
                return created
            live = entry.obj()
            mf = ManagedFields(live["metadata"].get("managedFields"))
            me = mf.index(manager, "Apply", sub)
            conflicts = mf.conflicts(applied, live, paths, me, manager)
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
            merged = merge_applied(copy.deepcopy(live), applied, node)
            for p in sorted(previously - paths - others, key=len, reverse=True):
                remove_at(merged, p)
            # the commit starts from the ownership left after a forced take-over
            before = copy.deepcopy(live)
            before["metadata"]["managedFields"] = mf.render()
            return self._commit(
                rt, version, namespace, name, before, merged, ctx, subresource, "Apply", (paths, manager)
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
    ) -> dict[str, Any]:
        if rt.status and not ctx.keep_status:
            obj.pop("status", None)
        obj = self._admit(rt, version, obj, ctx, create=True)
        md = obj["metadata"]
        md["uid"] = str(uuid.uuid4())
        md["creationTimestamp"] = now_iso()
        if rt.generation:
            md["generation"] = 1
        mf = ManagedFields(None)
        mf.put(manager, "Apply", "", rt.api_version(version), md["creationTimestamp"], paths)
        md["managedFields"] = mf.render()
        return self._insert(rt, version, namespace, name, obj, ctx)

    # ---- deletion --------------------------------------------------------------------

    def delete(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        ctx: Ctx,
        propagation: str | None = None,
        preconditions: dict[str, Any] | None = None,
        grace_period: int | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Returns (http status, body): the object while finalizers or a grace period hold it,
        else Status."""
        propagation = propagation or "Background"
        if propagation not in ("Background", "Foreground", "Orphan"):
            raise invalid(
                "DeleteOptions.meta.k8s.io",
                "",
                "meta.k8s.io",
                "DeleteOptions",
                [
                    (
                        "FieldValueNotSupported",
                        "propagationPolicy",
                        f'Unsupported value: "{propagation}": supported values: "Foreground", "Background", "Orphan"',
                    )
                ],
            )
        with self.store.lock:
            entry = self.get_entry(rt, namespace, name)
            obj = entry.obj()
            md = obj["metadata"]
            pre = preconditions or {}
            if pre.get("uid") and pre["uid"] != md.get("uid"):
                raise conflict(
                    rt.group_resource,
                    name,
                    rt.group,
                    rt.plural,
                    f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {md.get('uid')}",
                )
            if pre.get("resourceVersion") and str(pre["resourceVersion"]) != str(entry.rv):
                raise conflict(
                    rt.group_resource,
                    name,
                    rt.group,
                    rt.plural,
                    f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                    f"ResourceVersion in object meta: {entry.rv}",
                )
            key = obj_key(namespace if rt.namespaced else None, name)
            grace = self._pod_grace(rt, obj, grace_period)
            if grace:
                return 200, self._delete_gracefully(rt, version, key, obj, grace, ctx)
            finalizers = list(md.get("finalizers") or [])
            if (
                propagation == "Foreground"
                and "foregroundDeletion" not in finalizers
                and self.store.dependents_of(md.get("uid", ""))
            ):
                finalizers.append("foregroundDeletion")
            if propagation == "Orphan" and "orphan" not in finalizers:
                finalizers.append("orphan")
            if rt.kind == "Namespace":
                finalizers = [*finalizers, "kubernetes"] if "kubernetes" not in finalizers else finalizers
            if finalizers:
                in_grace = bool(md.get("deletionGracePeriodSeconds"))
                if md.get("deletionTimestamp") and md.get("finalizers") == finalizers and not in_grace:
                    return 200, self.serve_obj(rt, version, obj)
                if in_grace:
                    # the grace period is over (the kubelet's final delete): finalizers alone hold it now
                    md["deletionTimestamp"] = now_iso()
                md.setdefault("deletionTimestamp", now_iso())
                md["deletionGracePeriodSeconds"] = 0
                md["finalizers"] = finalizers
                if rt.kind == "Namespace":
                    obj.setdefault("status", {})["phase"] = "Terminating"
                if ctx.dry_run:
                    return 200, self.serve_obj(rt, version, obj)
                self.store.put(rt.key, key, obj)
                self._notify("MODIFIED", rt, version, obj, ctx)
                answer = self.serve_obj(rt, version, copy.deepcopy(obj))
                finalize = functools.partial(self._finalize_builtin, rt, version, namespace, name)
                if rt.kind == "Namespace":
                    # the namespace controller starts a moment later, as in a real cluster:
                    # deleting objects inside a terminating namespace still works meanwhile
                    self._retry_later(finalize, self.namespace_deletion_delay)
                    return 200, answer
            elif not ctx.dry_run:
                self.store.remove(rt.key, key, obj)
        if finalizers:
            # The server's own finalizers (foregroundDeletion, orphan) are the garbage
            # collector's work, done after the DELETE has answered (at once with synchronous_gc);
            # the answer is the object as the DELETE left it, as a real server returns it.
            if self.synchronous_gc:
                finalize()
            else:
                self._retry_later(finalize, 0.0)
            return 200, answer
        if ctx.dry_run:
            return 200, self._deleted_body(rt, version, obj)
        self._after_removal(rt, version, obj, ctx)
        return 200, self._deleted_body(rt, version, obj)

    def _deleted_body(self, rt: ResourceType, version: str, obj: dict[str, Any]) -> dict[str, Any]:
        if rt.crd or rt.kind in ("Pod", "Service", "Namespace", "CustomResourceDefinition"):
            return self.serve_obj(rt, version, obj)
        md = obj["metadata"]
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {"name": md["name"], "group": rt.group, "kind": rt.plural, "uid": md.get("uid")},
        }

    def _after_removal(self, rt: ResourceType, version: str, obj: dict[str, Any], ctx: Ctx) -> None:
        uid = obj["metadata"].get("uid", "")
        if rt.kind == "CustomResourceDefinition":
            spec = obj.get("spec") or {}
            gone = self.registry.remove(spec.get("group", ""), (spec.get("names") or {}).get("plural", ""))
            if gone is not None:
                with self.store.lock:
                    b = self.store.buckets.get(gone.key)
                    keys = list(b.keys) if b else []
                for k in keys:
                    e = self.store.get(gone.key, k)
                    if e is not None:
                        self.store.remove(gone.key, k, e.obj())
        deps = self.store.dependents_of(uid)
        self._notify("DELETED", rt, version, obj, ctx)
        if deps:
            if self.synchronous_gc:
                self._collect(uid, deps)
            else:
                self._retry_later(lambda: self._collect(uid, self.store.dependents_of(uid)), self.gc_delay)

    def _collect(self, owner_uid: str, deps: list[tuple[str, str]]) -> None:
        """Background garbage collection: delete dependents whose owners are all gone."""
        for bucket, key in deps:
            rt = self._rt_for_bucket(bucket)
            e = self.store.get(bucket, key)
            if rt is None or e is None:
                continue
            obj = e.obj()
            refs = [r for r in obj["metadata"].get("ownerReferences") or [] if r.get("uid") != owner_uid]
            ns = obj["metadata"].get("namespace")
            alive = [r for r in refs if self._owner_exists(r, ns)]
            if alive:
                continue
            try:
                self.delete(
                    rt,
                    rt.storage_version,
                    ns,
                    obj["metadata"]["name"],
                    Ctx(field_manager="garbage-collector"),
                    "Background",
                )
            except ApiError:
                continue

    def _owner_exists(self, ref: dict[str, Any], namespace: str | None) -> bool:
        """Looked up by kind and name, then checked by uid, so no scan of the store."""
        rt = self.registry.by_api_version_kind(str(ref.get("apiVersion", "")), str(ref.get("kind", "")))
        if rt is None:
            return False
        e = self.store.get(rt.key, obj_key(namespace if rt.namespaced else None, str(ref.get("name", ""))))
        return e is not None and e.uid == ref.get("uid")

    def _rt_for_bucket(self, bucket: str) -> ResourceType | None:
        group, _, plural = bucket.partition("/")
        for rt in self.registry.all():
            if rt.group == group and rt.plural == plural:
                return rt
        return None

    def _finalize_builtin(self, rt: ResourceType, version: str, namespace: str | None, name: str) -> None:
        """The server-side finalizers: foregroundDeletion, orphan, and namespace contents."""
        key = obj_key(namespace if rt.namespaced else None, name)
        e = self.store.get(rt.key, key)
        if e is None:
            return
        obj = e.obj()
        md = obj["metadata"]
        fins = list(md.get("finalizers") or [])
        uid = md.get("uid", "")
        ctx = Ctx(field_manager="kube-controller-manager")
        if "orphan" in fins:
            for bucket, dkey in self.store.dependents_of(uid):
                drt = self._rt_for_bucket(bucket)
                de = self.store.get(bucket, dkey)
                if drt is None or de is None:
                    continue
                dobj = de.obj()
                dobj["metadata"]["ownerReferences"] = [
                    r for r in dobj["metadata"].get("ownerReferences") or [] if r.get("uid") != uid
                ]
                if not dobj["metadata"]["ownerReferences"]:
                    del dobj["metadata"]["ownerReferences"]
                with self.store.lock:
                    self.store.put(bucket, dkey, dobj)
            fins.remove("orphan")
        if "foregroundDeletion" in fins:
            deps = self.store.dependents_of(uid)
            if deps:
                for bucket, dkey in deps:
                    drt = self._rt_for_bucket(bucket)
                    de = self.store.get(bucket, dkey)
                    if drt is None or de is None:
                        continue
                    dmd = de.obj()["metadata"]
                    if dmd.get("deletionTimestamp"):
                        continue
                    try:
                        self.delete(drt, drt.storage_version, dmd.get("namespace"), dmd["name"], ctx, "Foreground")
                    except ApiError:
                        continue
            if self.store.dependents_of(uid):
                # a dependent is held by its own finalizers: look again shortly
                self._retry_later(lambda: self._finalize_builtin(rt, version, namespace, name), track=False)
                return
            fins.remove("foregroundDeletion")
        if rt.kind == "Namespace" and "kubernetes" in fins:
            remaining = 0
            for nrt in self.registry.all():
                if not nrt.namespaced or nrt.kind in VIRTUAL_KINDS:
                    continue
                entries, _, _ = self.store.page(nrt.key, f"{name}/", None, 0, None)
                for ent in entries:
                    emd = ent.obj()["metadata"]
                    remaining += 1
                    if emd.get("deletionTimestamp"):
                        continue
                    try:
                        self.delete(nrt, nrt.storage_version, name, emd["name"], ctx, "Background")
                    except ApiError:
                        continue
            if remaining:
                self._retry_later(lambda: self._finalize_builtin(rt, version, namespace, name), track=False)
                return
            fins.remove("kubernetes")
        with self.store.lock:
            e = self.store.get(rt.key, key)
            if e is None:
                return
            obj = e.obj()
            keep = [
                f
                for f in obj["metadata"].get("finalizers") or []
                if f in fins or f not in ("orphan", "foregroundDeletion", "kubernetes")
            ]
            if keep == (obj["metadata"].get("finalizers") or []):
                return
            obj["metadata"]["finalizers"] = keep
            if keep:
                self.store.put(rt.key, key, obj)
                self._notify("MODIFIED", rt, version, obj, ctx)
                return
            del obj["metadata"]["finalizers"]
            self.store.remove(rt.key, key, obj)
        self._after_removal(rt, version, obj, ctx)

    def _retry_later(self, fn: Callable[[], None], after: float = 0.05, track: bool = True) -> None:
        """Run ``fn`` on the collector thread after ``after`` seconds. Tracked work is what
        ``gc_idle`` waits for; polls for an object other finalizers hold are not (they may
        go on for as long as a test keeps the finalizer)."""
        if not track:
            t = threading.Timer(after, lambda: self._gc_queue.put(fn))
            t.daemon = True
            t.start()
            return
        with self._pending_cond:
            self._pending += 1

        def run() -> None:
            try:
                fn()
            finally:
                with self._pending_cond:
                    self._pending -= 1
                    self._pending_cond.notify_all()

        t = threading.Timer(after, lambda: self._gc_queue.put(run))
        t.daemon = True
        t.start()

    def _gc_loop(self) -> None:
        while True:
            fn = self._gc_queue.get()
            if fn is None:
                return
            try:
                fn()
            except Exception:
                continue

    def gc_idle(self, timeout: float = 2.0) -> None:
        """Wait until garbage collection, namespace cleanup and the simulated kubelet's pod
        removals scheduled so far have run (for tests)."""
        end = time.monotonic() + timeout
        with self._pending_cond:
            while self._pending and time.monotonic() < end:
                self._pending_cond.wait(max(0.0, end - time.monotonic()))
        done = threading.Event()
        self._gc_queue.put(done.set)
        done.wait(max(0.0, end - time.monotonic()))

    # ---- graceful deletion -------------------------------------------------------------

    def _pod_grace(self, rt: ResourceType, obj: dict[str, Any], requested: int | None) -> int:
        """The grace period of a pod's deletion, as the pod strategy decides it
        (kubernetes/kubernetes pkg/registry/core/pod/strategy.go CheckGracefulDelete): the
        request's gracePeriodSeconds, else spec.terminationGracePeriodSeconds (default 30);
        0 for a pod never scheduled or already finished. Other kinds have none."""
        if rt.kind != "Pod":
            return 0
        spec = obj.get("spec") or {}
        phase = (obj.get("status") or {}).get("phase")
        if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
            return 0
        grace = requested if requested is not None else spec.get("terminationGracePeriodSeconds", 30)
        return max(int(grace), 0)

    def _delete_gracefully(
        self, rt: ResourceType, version: str, key: str, obj: dict[str, Any], grace: int, ctx: Ctx
    ) -> dict[str, Any]:
        """Mark the pod (deletionTimestamp = now + grace) and let the simulated kubelet remove
        it when its containers have stopped; a later DELETE may only shorten the grace period
        (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go BeforeDelete). Caller holds
        the store lock."""
        md = obj["metadata"]
        current = md.get("deletionGracePeriodSeconds")
        if md.get("deletionTimestamp") and current is not None and current <= grace:
            return self.serve_obj(rt, version, obj)
        when = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=grace)
        md["deletionTimestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        md["deletionGracePeriodSeconds"] = grace
        if ctx.dry_run:
            return self.serve_obj(rt, version, obj)
        self.store.put(rt.key, key, obj)
        self._notify("MODIFIED", rt, version, obj, ctx)
        uid = md.get("uid")
        namespace, name = md.get("namespace"), md["name"]
        stop = grace if self.pod_shutdown_seconds is None else min(float(grace), self.pod_shutdown_seconds)

        def kubelet_confirms() -> None:
            e = self.store.get(rt.key, key)
            if e is None or e.uid != uid:
                return
            with contextlib.suppress(ApiError):
                self.delete(
                    rt, version, namespace, name, Ctx(user="system:node", field_manager="kubelet"), None, None, 0
                )

        self._retry_later(kubelet_confirms, stop)
        return self.serve_obj(rt, version, copy.deepcopy(obj))

    def shutdown(self) -> None:
        self._gc_queue.put(None)
        self.store.close_all_watchers()
        with self.logs_cond:
            self.logs_cond.notify_all()

    def delete_collection(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        label_selector: str | None,
        field_selector: str | None,
        ctx: Ctx,
        propagation: str | None,
    ) -> dict[str, Any]:
        match = self.matcher(rt, label_selector, field_selector)
        prefix = f"{namespace}/" if rt.namespaced and namespace else ""
        entries, _, _ = self.store.page(rt.key, prefix, None, 0, match)
        items = []
        for e in entries:
            md = json.loads(e.raw)["metadata"]
            try:
                _, body = self.delete(rt, version, md.get("namespace"), md["name"], ctx, propagation)
            except ApiError as exc:
                if exc.code == 404:
                    continue
                raise
            items.append(body)
        return {
            "kind": f"{rt.kind}List",
            "apiVersion": rt.api_version(version),
            "metadata": {"resourceVersion": str(self.store.rv)},
            "items": items,
        }

    # ---- reads -----------------------------------------------------------------------

    def matcher(
        self, rt: ResourceType, label_selector: str | None, field_selector: str | None
    ) -> Callable[[Entry], bool] | None:
        lm = parse_label_selector(label_selector)
        fm = parse_field_selector(field_selector, rt.kind, rt.crd)
        if lm is None and fm is None:
            return None
        fast_paths = {"spec.nodeName", "status.phase"}

        def match(e: Entry) -> bool:
            if lm is not None and not lm(e.labels):
                return False
            if fm is not None:
                fmatch, paths = fm
                if (
                    rt.kind == "Pod"
                    and paths <= fast_paths | {"metadata.name", "metadata.namespace"}
                    and not paths & {"metadata.name", "metadata.namespace"}
                ):
                    node, phase = e.fields or ("", "")
                    return fmatch({"spec": {"nodeName": node}, "status": {"phase": phase}})
                return fmatch(json.loads(e.raw))
            return True

        return match

    def list_entries(
        self,
        rt: ResourceType,
        namespace: str | None,
        label_selector: str | None,
        field_selector: str | None,
        limit: int,
        continue_token: str | None,
        at: int | None = None,
    ) -> tuple[list[Entry], str | None, int | None, int]:
        """One page: (entries, next continue token, remainingItemCount, list resourceVersion).
        ``at``: serve the list as it was at that resourceVersion (resourceVersionMatch=Exact)."""
        match = self.matcher(rt, label_selector, field_selector)
        prefix = f"{namespace}/" if rt.namespaced and namespace else ""
        after: str | None = None
        list_rv = self.store.rv if at is None else at
        if at is not None and (at < self.store.compacted_rv or at > self.store.rv):
            raise ApiError(410, f"too old resource version: {at} ({self.store.compacted_rv})", "Expired")
        if continue_token:
            try:
                tok = json.loads(base64.urlsafe_b64decode(continue_token + "=" * (-len(continue_token) % 4)))
                list_rv, after = int(tok["rv"]), str(tok["start"])
                if tok.get("prefix", "") != prefix:
                    raise ValueError("prefix")
            except (ValueError, KeyError, TypeError) as exc:
                raise bad_request(f"continue key is not valid: {exc}") from exc
            if list_rv < self.store.compacted_rv:
                raise ApiError(
                    410,
                    "The provided continue parameter is too old to display a consistent list result. "
                    "You can start a new list without the continue parameter, or use the continue token "
                    "in this response to retrieve the remainder of the results. Continuing with the provided "
                    "token results in an inconsistent list - objects that were created, modified, or "
                    "deleted between the time the first chunk was returned and now may show up in the "
                    "list.",
                    "Expired",
                )
        if continue_token or at is not None:
            entries, last, remaining = self.store.page_at(rt.key, prefix, after, limit, match, list_rv)
        else:
            entries, last, remaining = self.store.page(rt.key, prefix, after, limit, match)
        token = None
        if last is not None:
            token = (
                base64.urlsafe_b64encode(
                    json.dumps({"rv": list_rv, "start": last, "prefix": prefix}, separators=(",", ":")).encode()
                )
                .decode()
                .rstrip("=")
            )
        return entries, token, (remaining if token and match is None else None), list_rv

    def watch(
        self,
        rt: ResourceType,
        namespace: str | None,
        label_selector: str | None,
        field_selector: str | None,
        resource_version: str | None,
    ) -> Watcher:
        match = self.matcher(rt, label_selector, field_selector) or (lambda e: True)
        prefix = f"{namespace}/" if rt.namespaced and namespace else ""
        since: int | None = None
        if resource_version not in (None, "", "0"):
            try:
                since = int(str(resource_version))
            except ValueError as exc:
                raise bad_request(f'invalid resource version "{resource_version}"') from exc

        def initial(w: Watcher) -> None:
            entries, _, _ = self.store.page(rt.key, prefix, None, 0, match)
            for e in entries:
                w._push("ADDED", e, e.rv)

        try:
            return self.store.watch(rt.key, prefix, match, since, initial)
        except Gone as exc:
            raise ApiError(410, f"too old resource version: {since} ({self.store.compacted_rv})", "Expired") from exc

    # ---- pod logs --------------------------------------------------------------------

    def set_logs(self, namespace: str, pod: str, container: str, text: str, append: bool = False) -> None:
        t = now_iso()
        lines = [(t, ln) for ln in text.splitlines()]
        with self.logs_cond:
            key = (namespace, pod, container)
            if append:
                self._logs.setdefault(key, []).extend(lines)
            else:
                self._logs[key] = lines
            self.logs_cond.notify_all()

    def log_lines(self, namespace: str, pod: str, container: str) -> list[tuple[str, str]]:
        with self.logs_cond:
            return list(self._logs.get((namespace, pod, container), []))

    # ---- reviews -----------------------------------------------------------------------

    def _review(self, rt: ResourceType, version: str, obj: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
        out = copy.deepcopy(obj)
        out.setdefault("metadata", {})["creationTimestamp"] = None
        out["apiVersion"] = rt.api_version(version)
        out["kind"] = rt.kind
        if rt.kind == "SelfSubjectReview":
            out["status"] = {"userInfo": {"username": ctx.user, "groups": ctx.groups}}
            return out
        spec = obj.get("spec") or {}
        ra = spec.get("resourceAttributes")
        user = spec.get("user", ctx.user) if rt.kind == "SubjectAccessReview" else ctx.user
        groups = spec.get("groups", ctx.groups) if rt.kind == "SubjectAccessReview" else ctx.groups
        if isinstance(ra, dict):
            allowed = self.authorizer(
                user,
                groups,
                ra.get("verb", ""),
                ra.get("group", ""),
                ra.get("resource", ""),
                ra.get("namespace"),
                ra.get("name"),
            )
        else:
            allowed = self.authorizer(
                user, groups, (spec.get("nonResourceAttributes") or {}).get("verb", "get"), "", "", None, None
            )
        # RBAC denies without a reason, so kubectl prints a bare "no"
        out["status"] = {"allowed": bool(allowed)}
        return out

    # ---- listeners ---------------------------------------------------------------------

    def _notify(
        self, typ: str, rt: ResourceType, version: str, obj: dict[str, Any], ctx: Ctx, status_only: bool = False
    ) -> None:
        if ctx.dry_run:
            return
        if status_only:
            ctx = Ctx(**{**ctx.__dict__, "field_manager": "__status__"})
        full = self.serve_obj(rt, version, copy.deepcopy(obj))
        for fn in list(self.listeners):
            fn(typ, rt, full, ctx)


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    def canon(o: dict[str, Any]) -> dict[str, Any]:
        c = dict(o)
        md = dict(c.get("metadata") or {})
        md.pop("resourceVersion", None)
        mf = md.pop("managedFields", None) or []
        md["managedFields"] = [{k: v for k, v in e.items() if k != "time"} for e in mf]
        c["metadata"] = md
        return c

    return canon(old) == canon(new)


def _parse_yaml_or_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        pass
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(body, Loader=loader)
    except yaml.YAMLError as exc:
        raise bad_request(f"error decoding YAML: {exc}") from exc


def wait_until(pred: Callable[[], bool], timeout: float = 5.0, interval: float = 0.01) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(interval)
    return pred()
