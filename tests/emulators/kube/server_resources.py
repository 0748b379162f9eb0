"""The HTTP handler's resource endpoints: CRUD, tables, list and watch streams (part of Handler;
upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers get.go,
watch.go, create.go, patch.go, delete.go)."""

from __future__ import annotations

import json
import random
import time
import urllib.parse
from typing import Any

from tests.emulators.kube import tables
from tests.emulators.kube.apiserver import Ctx
from tests.emulators.kube.control import User
from tests.emulators.kube.resources import ResourceType
from tests.emulators.kube.server_params import (
    _Dropped,
    _int_param,
    _q1,
    _truthy,
    invalid_param,
    list_options_invalid,
    pointer_bool,
    user_agent_manager,
    watch_options_invalid,
)
from tests.emulators.kube.status import ApiError, bad_request


class ResourcesMixin:
    """Handler's resource endpoints: get/create/update/patch/apply/delete, list and watch."""

    # ---- resources -----------------------------------------------------------------------

    def _resource(
        self, group: str, version: str, rest: list[str], query: dict[str, list[str]], body: bytes, user: User, path: str
    ) -> None:
        emu = self.server.emulator
        reg = emu.api.registry
        namespace: str | None = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            cand = reg.by_plural(group, version, rest[2])
            if cand is not None and cand.namespaced:
                namespace = rest[1]
                rest = rest[2:]
        plural = rest[0]
        rt = reg.by_plural(group, version, plural)
        if rt is None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound")
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        tail = "/".join(rest[3:])
        if rt.namespaced and namespace is None and name is not None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound")
        method = self.command
        if (name is None and method in ("PUT", "PATCH")) or (name is not None and method == "POST" and sub is None):
            raise ApiError(
                405,
                "the server does not allow this method on the requested resource",
                "MethodNotAllowed",
                {"group": rt.group, "kind": rt.plural},
            )
        watch = _truthy(_q1(query, "watch"))
        if method in ("GET", "HEAD"):
            verb = ("watch" if watch else "list") if name is None else "get"
        elif method == "POST":
            verb = "create"
        elif method == "PUT":
            verb = "update"
        elif method == "PATCH":
            verb = "patch"
        elif method == "DELETE":
            verb = "deletecollection" if name is None else "delete"
        else:
            raise ApiError(405, f"method {method} is not supported", "MethodNotAllowed")
        if name is not None and len(rest) > 1 and rest[1] == "":
            raise ApiError(404, "the server could not find the requested resource", "NotFound")
        self._verb = verb
        self._fault(path)
        resource_name = f"{rt.plural}/{sub}" if sub else rt.plural
        if not emu.auth.authorize(user.name, user.groups, verb, rt.group, resource_name, namespace, name):
            scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
            what = f'{rt.group_resource} "{name}"' if name else rt.group_resource
            details: dict[str, Any] = {"group": rt.group, "kind": rt.plural}
            if name:
                details["name"] = name
            raise ApiError(
                403,
                f'{what} is forbidden: User "{user.name}" cannot {verb} resource "{resource_name}" '
                f'in API group "{rt.group}" {scope}',
                "Forbidden",
                details,
            )
        if verb not in rt.verbs and not sub:
            raise ApiError(
                405,
                "the server does not allow this method on the requested resource",
                "MethodNotAllowed",
                {"group": rt.group, "kind": rt.plural},
            )
        ctx = Ctx(
            user=user.name,
            groups=user.groups,
            dry_run="All" in query.get("dryRun", []),
            field_manager=_q1(query, "fieldManager")
            or (user_agent_manager(self.headers.get("User-Agent")) if verb in ("create", "update", "patch") else None),
            field_validation=_q1(query, "fieldValidation") or "Warn",
            warnings=self._warnings,
        )
        bad_dry = [d for d in query.get("dryRun", []) if d != "All"]
        if bad_dry:
            raise invalid_param("dryRun", bad_dry[0], '"All"')
        if ctx.field_validation not in ("Ignore", "Warn", "Strict"):
            raise invalid_param("fieldValidation", ctx.field_validation, '"Ignore", "Warn", "Strict"')
        if sub:
            self._subresource(rt, version, namespace, name or "", sub, tail, query, body, ctx)
            return
        if verb == "get":
            self._respond_obj(rt, version, emu.api.get(rt, version, namespace, name or ""))
        elif verb == "list":
            self._list(rt, version, namespace, query)
        elif verb == "watch":
            self._watch(rt, version, namespace, query)
        elif verb == "create":
            obj = self._parse(body)
            out = emu.api.create(rt, version, namespace, obj, ctx)
            self._json(201, out)
        elif verb == "update":
            out = emu.api.update(rt, version, namespace, name or "", self._parse(body), ctx)
            self._json(200, out)
        elif verb == "patch":
            ct = self.headers.get("Content-Type", "")
            if ct.startswith("application/apply-patch") and _q1(query, "fieldManager") is None:
                ctx.field_manager = None
            out = emu.api.patch(rt, version, namespace, name or "", ct, body, ctx, pointer_bool(query, "force"))
            self._json(201 if ctx.created else 200, out)
        elif verb == "delete":
            opts = self._parse(body) if body.strip() else {}
            prop = _q1(query, "propagationPolicy") or opts.get("propagationPolicy")
            orphan = _q1(query, "orphanDependents") or opts.get("orphanDependents")
            if orphan in ("true", True):
                prop = "Orphan"
            elif orphan in ("false", False) and prop is None:
                # an explicit orphanDependents=false is Background (upstream: kubernetes/kubernetes
                # staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go shouldOrphanDependents)
                prop = "Background"
            if "All" in (opts.get("dryRun") or []):
                ctx.dry_run = True
            grace = _q1(query, "gracePeriodSeconds")
            grace_period = opts.get("gracePeriodSeconds") if grace is None else _int_param("gracePeriodSeconds", grace)
            code, out = emu.api.delete(
                rt, version, namespace, name or "", ctx, prop, opts.get("preconditions"), grace_period
            )
            self._json(code, out)
        elif verb == "deletecollection":
            opts = self._parse(body) if body.strip() else {}
            out = emu.api.delete_collection(
                rt,
                version,
                namespace,
                _q1(query, "labelSelector"),
                _q1(query, "fieldSelector"),
                ctx,
                _q1(query, "propagationPolicy") or opts.get("propagationPolicy"),
            )
            self._json(200, out)

    def _parse(self, body: bytes) -> Any:
        ct = self.headers.get("Content-Type", "application/json")
        if "protobuf" in ct:
            from tests.emulators.kube.protobuf import ProtobufError, decode

            try:
                return decode(body)
            except ProtobufError as exc:
                raise ApiError(
                    415,
                    "the body of the request was in an unknown format - accepted media types include: "
                    f"application/json, application/yaml ({exc})",
                    "UnsupportedMediaType",
                ) from None
        try:
            return json.loads(body or b"null")
        except ValueError:
            if "yaml" in ct:
                import yaml

                return yaml.load(body, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            raise bad_request("the body of the request could not be decoded as JSON") from None

    def _wants_table(self) -> bool:
        return "as=Table" in self.headers.get("Accept", "")

    def _respond_obj(self, rt: ResourceType, version: str, obj: dict[str, Any]) -> None:
        if self._wants_table():
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            self._json(
                200,
                tables.table(
                    rt,
                    version,
                    [obj],
                    {"resourceVersion": obj["metadata"].get("resourceVersion", "")},
                    _q1(q, "includeObject") or "Metadata",
                ),
            )
            return
        self._json(200, obj)

    def _list(self, rt: ResourceType, version: str, namespace: str | None, query: dict[str, list[str]]) -> None:
        emu = self.server.emulator
        limit_s = _q1(query, "limit")
        try:
            limit = int(limit_s) if limit_s else 0
        except ValueError:
            raise bad_request(f'invalid limit "{limit_s}"') from None
        if limit < 0:
            limit = 0
        problem = list_options_invalid(query)
        if problem is not None:
            raise problem
        if _q1(query, "resourceVersion") == "0" and not _q1(query, "continue"):
            # resourceVersion=0 is served whole from the watch cache: the limit is ignored, no
            # continue token (upstream: kubernetes/apiserver 24a394e5 pkg/storage/cacher/cacher.go
            # computeListLimit, "the limit is ignored for requests that set RV == 0";
            # pkg/storage/cacher/delegator/interface.go ShouldDelegateList keeps RV=0 in the cache).
            limit = 0
        at: int | None = None
        if _q1(query, "resourceVersionMatch") == "Exact":
            want = _q1(query, "resourceVersion") or ""
            try:
                at = int(want)
            except ValueError:
                raise bad_request(f'invalid resource version "{want}"') from None
        entries, token, remaining, list_rv = emu.api.list_entries(
            rt,
            namespace,
            _q1(query, "labelSelector"),
            _q1(query, "fieldSelector"),
            limit,
            _q1(query, "continue") or None,
            at,
        )
        meta: dict[str, Any] = {"resourceVersion": str(list_rv)}
        if token:
            meta["continue"] = token
            if remaining is not None:
                meta["remainingItemCount"] = remaining
        if self._wants_table():
            objs = [emu.api.serve_obj(rt, version, e.obj()) for e in entries]
            self._json(200, tables.table(rt, version, objs, meta, _q1(query, "includeObject") or "Metadata"))
            return
        if rt.crd:
            items = b",".join(emu.api.serve(rt, version, e) for e in entries)
        else:
            items = b",".join(e.raw for e in entries)
        head = json.dumps(
            {"kind": f"{rt.kind}List", "apiVersion": rt.api_version(version), "metadata": meta}, separators=(",", ":")
        ).encode()
        self._send(200, head[:-1] + b',"items":[' + items + b"]}")

    def _watch(self, rt: ResourceType, version: str, namespace: str | None, query: dict[str, list[str]]) -> None:
        emu = self.server.emulator
        timeout_s = _q1(query, "timeoutSeconds")
        # Without timeoutSeconds the API server ends a watch after min-request-timeout times a random
        # 1-2, so that watches do not all end together (upstream: kubernetes/apiserver v0.35.0
        # pkg/endpoints/handlers/get.go ListResource, minRequestTimeout * (rand.Float64() + 1.0)).
        timeout = float(timeout_s) if timeout_s else emu.watch_default_timeout * (random.random() + 1.0)
        bookmarks = _truthy(_q1(query, "allowWatchBookmarks"))
        # upstream: kubernetes/apiserver pkg/storage/cacher/cacher.go (emulator.py watch_list_ignored)
        send_initial = _truthy(_q1(query, "sendInitialEvents")) and not emu.watch_list_ignored
        rv = _q1(query, "resourceVersion")
        problem = None if emu.watch_list_ignored else watch_options_invalid(query, emu.watch_list)
        if problem is not None:
            raise problem
        fault = self._stream_fault
        if fault is not None and fault.status is not None:
            # an injected error met once the watch is under way (control.Faults.add, in_stream)
            retry = {"retryAfterSeconds": int(fault.retry_after)} if fault.retry_after is not None else None
            self._error_event(ApiError(fault.status, fault.message, None, retry))
            return
        try:
            w = emu.api.watch(
                rt, namespace, _q1(query, "labelSelector"), _q1(query, "fieldSelector"), None if send_initial else rv
            )
        except ApiError as err:
            if err.code != 410:
                raise
            # the real server answers a too-old version inside the stream, as an ERROR event
            self._error_event(err)
            return
        table = self._wants_table()
        try:
            self._start_stream()
            end = time.monotonic() + timeout
            last_sent = time.monotonic()
            if send_initial:
                # initial state is in the queue already; the bookmark marks its end
                initial_left = len(w.queue)
                while initial_left > 0:
                    item = w.next(0)
                    if item is None:
                        break
                    initial_left -= 1
                    self._send_event(rt, version, item[0], item[1], table)
                # The end bookmark only where bookmarks are allowed (upstream: kubernetes/apiserver
                # 24a394e5 pkg/storage/cacher/cacher.go setInitialEventsEndBookmarkIfRequested).
                if bookmarks:
                    self._bookmark(rt, version, str(emu.api.store.rv), initial_end=True)
            if fault is not None and fault.drop_connection:
                raise _Dropped()  # cut before the stream's last chunk (control.Faults.add, in_stream)
            # The last bookmark comes 2 s before the watch's deadline (or at once for a shorter watch),
            # and the deadline ends the stream with nothing more (upstream: kubernetes/apiserver
            # 24a394e5 pkg/storage/cacher/cache_watcher.go nextBookmarkTime, "right before the watcher
            # timeout - for now we simply set it 2s before the deadline"; pkg/endpoints/handlers/watch.go
            # serveWatch returns on timeoutCh).
            pretimeout_sent = False
            while not emu.stopping:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    break
                if bookmarks and not pretimeout_sent and remaining <= 2.0:
                    self._bookmark(rt, version, str(emu.api.store.rv))
                    pretimeout_sent, last_sent = True, time.monotonic()
                item = w.next(min(remaining, emu.bookmark_interval, 0.5))
                if item is None:
                    if bookmarks and time.monotonic() - last_sent >= emu.bookmark_interval:
                        self._bookmark(rt, version, str(emu.api.store.rv))
                        last_sent = time.monotonic()
                    continue
                self._send_event(rt, version, item[0], item[1], table)
                last_sent = time.monotonic()
            self._end_stream()
        finally:
            emu.api.store.unwatch(w)

    def _error_event(self, err: ApiError) -> None:
        """A 200 watch stream of one ERROR event carrying the Status, then its end (upstream:
        kubernetes/apiserver v0.35.0 pkg/endpoints/handlers/watch.go serveWatch)."""
        self._start_stream()
        self._chunk(json.dumps({"type": "ERROR", "object": err.body()}, separators=(",", ":")).encode() + b"\n")
        self._end_stream()

    def _send_event(self, rt: ResourceType, version: str, typ: str, entry: Any, table: bool) -> None:
        emu = self.server.emulator
        if table:
            obj = emu.api.serve_obj(rt, version, entry.obj())
            t = tables.table(
                rt, version, [obj], {"resourceVersion": obj["metadata"].get("resourceVersion", "")}, "Metadata"
            )
            payload = json.dumps(t, separators=(",", ":")).encode()
        else:
            payload = emu.api.serve(rt, version, entry)
        self._chunk(b'{"type":"' + typ.encode() + b'","object":' + payload + b"}\n")

    def _bookmark(self, rt: ResourceType, version: str, rv: str, initial_end: bool = False) -> None:
        md: dict[str, Any] = {"resourceVersion": rv, "creationTimestamp": None}
        if initial_end:
            md["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj = {"kind": rt.kind, "apiVersion": rt.api_version(version), "metadata": md}
        self._chunk(json.dumps({"type": "BOOKMARK", "object": obj}, separators=(",", ":")).encode() + b"\n")
