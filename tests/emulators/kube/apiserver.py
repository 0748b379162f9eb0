"""API semantics independent of HTTP: create/update/patch/apply/delete/list/watch with
resourceVersions, generation, managedFields, CRD schemas, finalizers and garbage collection."""

from __future__ import annotations

import base64
import json
import queue
import threading
from collections.abc import Callable
from typing import Any

from tests.emulators.kube import admission_podsecurity
from tests.emulators.kube.apiserver_apply import ApplyMixin
from tests.emulators.kube.apiserver_common import (
    SYSTEM_NAMESPACES,
    SYSTEM_PRIORITY_CLASSES,
    Ctx,
    Listener,
    clone,
    now_iso,
    obj_key,
)
from tests.emulators.kube.apiserver_common import (
    wait_until as wait_until,  # re-exported: the tests import it from here
)

# The API server's parts, split as kube-apiserver's handlers and generic registry split them
# (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers create.go,
# update.go, patch.go, delete.go; pkg/registry/generic/registry/store.go).
from tests.emulators.kube.apiserver_deletion import DeletionMixin

# the scale subresource (upstream: kubernetes/kubernetes pkg/registry/apps/deployment/storage/storage.go
# ScaleREST; apiserver_scale.py cites the rest)
from tests.emulators.kube.apiserver_scale import ScaleMixin
from tests.emulators.kube.apiserver_validation import ValidationMixin
from tests.emulators.kube.apiserver_writes import WritesMixin
from tests.emulators.kube.control import tls_material
from tests.emulators.kube.namespace_defaults import NamespaceDefaults
from tests.emulators.kube.resources import Registry, ResourceType
from tests.emulators.kube.selectors import parse_field_selector, parse_label_selector, required_value
from tests.emulators.kube.status import (
    ApiError,
    bad_request,
    not_found,
)
from tests.emulators.kube.store import Entry, Gone, Store, Watcher


class ApiServer(ValidationMixin, WritesMixin, ApplyMixin, DeletionMixin, ScaleMixin):
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
        # The PodSecurity plugin's AdmissionConfiguration exemptions (AKS sets none)
        self.pod_security_exemptions = admission_podsecurity.NO_EXEMPTIONS
        # The emulated Hugging Face Hub: each repo's files by lower-cased repo id (hf_hub.repo makes
        # one). KAITO's webhook reads it for a preset outside KAITO's catalog and refuses the
        # Workspace for a repo it lacks, as huggingface.co answers (upstream: kaito-project/kaito
        # presets/workspace/models/vllm_model.go GetModelByName; hf_hub.py, admission_kaito_config.py).
        self.huggingface_hub: dict[str, dict[str, Any]] = {}
        # The HF_TOKEN environment variable of KAITO's workspace controller ("" unset, as its chart
        # leaves it): the token its webhook sends the Hub for a Workspace without modelAccessSecret
        # (upstream: kaito-project/kaito v0.12.0 presets/workspace/generator/generator.go getAuthHeader).
        self.kaito_hf_token = ""
        self.gc_delay = 0.1
        # How long the simulated kubelet takes to stop a deleted pod's containers (capped by the
        # grace period); None: the containers ignore SIGTERM and live the whole grace period.
        self.pod_shutdown_seconds: float | None = 0.1
        self._pending = 0
        self._pending_cond = threading.Condition()
        self.authorizer: Callable[[str, list[str], str, str, str, str | None, str | None], bool] = lambda *a: True
        self._logs: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        # The log of each container's instance before the current one (see restart_logs).
        self._previous_logs: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        self.logs_cond = threading.Condition()
        self._gc_queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._gc_thread = threading.Thread(target=self._gc_loop, name="kube-emulator-gc", daemon=True)
        self._gc_thread.start()
        sys_ctx = Ctx(field_manager="kube-apiserver", keep_status=True)
        ns_rt = self.rt("v1", "Namespace")
        for ns in SYSTEM_NAMESPACES:
            self.create(ns_rt, "v1", None, {"metadata": {"name": ns}}, sys_ctx)
        # The two classes the API server creates on every cluster.
        # upstream: kubernetes/kubernetes v1.34.0 pkg/apis/scheduling/types.go SystemPriorityClasses
        # (SystemCriticalPriority = 2 * HighestUserDefinablePriority) and
        # pkg/registry/scheduling/rest/storage_scheduling.go AddSystemPriorityClasses.
        pc_rt = self.rt("scheduling.k8s.io/v1", "PriorityClass")
        for name, value, description in SYSTEM_PRIORITY_CLASSES:
            pc = {"metadata": {"name": name}, "value": value, "description": description}
            self.create(pc_rt, "v1", None, pc, sys_ctx)
        # kube-controller-manager's ServiceAccounts controller and root CA publisher: every
        # namespace's ServiceAccount "default" and ConfigMap kube-root-ca.crt (the CA is the TLS one)
        self.namespace_defaults = NamespaceDefaults(self, tls_material().ca_pem)

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
                # A ResourceSlice's selectable fields (upstream: kubernetes/kubernetes 02d4c8c3
                # pkg/registry/resource/resourceslice/strategy.go toSelectableFields: spec.nodeName, spec.driver).
                if rt.kind == "ResourceSlice" and e.fields is not None and paths <= {"spec.nodeName", "spec.driver"}:
                    node, driver = e.fields
                    return fmatch({"spec": {"nodeName": node, "driver": driver}})
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
            if list_rv < 0:
                # A token at version -1 continues at the latest version (upstream: kubernetes/apiserver
                # v0.35.0 pkg/storage/interfaces.go ValidateListOptions, "continueRV < 0").
                list_rv = self.store.rv
            elif list_rv < self.store.compacted_rv:
                # etcd compacted the snapshot: 410 Expired whose Status carries a token for the rest
                # at the latest version (upstream: kubernetes/apiserver v0.35.0
                # pkg/storage/etcd3/errors.go interpretListError, handleCompactedErrorForPaging).
                raise ApiError(
                    410,
                    "The provided continue parameter is too old to display a consistent list result. "
                    "You can start a new list without the continue parameter, or use the continue token "
                    "in this response to retrieve the remainder of the results. Continuing with the provided "
                    "token results in an inconsistent list - objects that were created, modified, or "
                    "deleted between the time the first chunk was returned and now may show up in the "
                    "list.",
                    "Expired",
                    list_meta={"continue": _continue_token(-1, after, prefix)},
                )
        if continue_token or at is not None:
            entries, last, remaining = self.store.page_at(rt.key, prefix, after, limit, match, list_rv)
        elif (indexed := self._pods_on_node(rt, prefix, field_selector, limit, match)) is not None:
            entries, last, remaining = indexed
        else:
            entries, last, remaining = self.store.page(rt.key, prefix, after, limit, match)
        token = _continue_token(list_rv, last, prefix) if last is not None else None
        return entries, token, (remaining if token and match is None else None), list_rv

    def _pods_on_node(
        self,
        rt: ResourceType,
        prefix: str,
        field_selector: str | None,
        limit: int,
        match: Callable[[Entry], bool] | None,
    ) -> tuple[list[Entry], str | None, int] | None:
        """A first page of pods whose field selector requires one spec.nodeName, read from the
        pods-by-node index, not by walking every pod: kube-apiserver serves a list without a
        continue token or resourceVersion from its watch cache (upstream: kubernetes/apiserver
        v0.35.0 pkg/storage/cacher/delegator/interface.go ShouldDelegateList, consistent reads;
        pkg/storage/cacher/watch_cache.go waitUntilFreshAndList passes Predicate.MatcherIndex),
        whose pods are indexed by spec.nodeName (kubernetes/kubernetes pkg/registry/core/pod/strategy.go
        MatchPod IndexFields ["spec.nodeName"], Indexers, NodeNameIndexFunc;
        pkg/registry/core/pod/storage/storage.go passes pod.Indexers). A continued list is read at
        its token's version without the index (watch_cache.go: "Don't pass matchValues as they
        don't support continueKey"). None: not such a list (the caller scans)."""
        if rt.crd or rt.group or rt.kind != "Pod":
            return None
        node = required_value(field_selector, "spec.nodeName")
        if node is None:
            return None
        return self.store.page_on_node(rt.key, prefix, node, limit, match)

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

    def restart_logs(self, namespace: str, pod: str, container: str) -> None:
        """A new instance of the container starts: the current one's log becomes the previous
        one's, and the new instance's log starts empty. The kubelet reads a container's log by
        container ID; the last terminated instance's ID is lastState's (upstream:
        kubernetes/kubernetes pkg/kubelet/kubelet_pods.go validateContainerLogStatus)."""
        with self.logs_cond:
            key = (namespace, pod, container)
            self._previous_logs[key] = self._logs.pop(key, [])
            self.logs_cond.notify_all()

    def previous_log_lines(self, namespace: str, pod: str, container: str) -> list[tuple[str, str]]:
        with self.logs_cond:
            return list(self._previous_logs.get((namespace, pod, container), []))

    # ---- reviews -----------------------------------------------------------------------

    def _review(self, rt: ResourceType, version: str, obj: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
        out = clone(obj)
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
        # every add or update is judged by the collector (upstream: kubernetes/kubernetes
        # pkg/controller/garbagecollector/graph_builder.go processGraphChanges)
        self._collect_if_dangling(typ, rt, obj)
        full = self.serve_obj(rt, version, clone(obj))
        for fn in list(self.listeners):
            fn(typ, rt, full, ctx)


def _continue_token(rv: int, start: str, prefix: str) -> str:
    """An opaque continue token: the snapshot's version, the last key served, the key prefix
    (upstream: kubernetes/apiserver v0.35.0 pkg/storage/continue.go EncodeContinue, whose
    version -1 means "at the latest version")."""
    text = json.dumps({"rv": rv, "start": start, "prefix": prefix}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
