"""The HTTP handler's subresources: scale, logs, exec/portforward upgrades and the service/pod proxy
(part of Handler; upstream: kubernetes/kubernetes pkg/registry/core/pod/rest/subresources.go,
staging/src/k8s.io/apimachinery/pkg/util/proxy/upgradeaware.go)."""

from __future__ import annotations

import functools
import json
import urllib.parse
from typing import Any

from tests.emulators.kube import binding, streams, tables
from tests.emulators.kube.apiserver import Ctx
from tests.emulators.kube.apiserver_common import _parse_yaml_or_json
from tests.emulators.kube.apiserver_writes import check_body_name
from tests.emulators.kube.eviction import evict
from tests.emulators.kube.patches import json_patch, merge_patch
from tests.emulators.kube.resources import ResourceType
from tests.emulators.kube.server_params import _Dropped, _q1, _truthy, pointer_bool
from tests.emulators.kube.status import ApiError, bad_request, not_found, not_implemented

MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"


class SubresourcesMixin:
    """Handler's subresources: scale, logs, and the exec/attach/portforward/proxy streams."""

    # ---- subresources ------------------------------------------------------------------

    def _subresource(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        sub: str,
        tail: str,
        query: dict[str, list[str]],
        body: bytes,
        ctx: Ctx,
    ) -> None:
        emu = self.server.emulator
        method = self.command
        if sub == "status" and rt.status:
            if method == "GET":
                self._json(200, emu.api.get(rt, version, namespace, name))
            elif method == "PUT":
                self._json(
                    200, emu.api.update(rt, version, namespace, name, self._parse(body), ctx, subresource="status")
                )
            elif method == "PATCH":
                self._json(
                    200,
                    emu.api.patch(
                        rt,
                        version,
                        namespace,
                        name,
                        self.headers.get("Content-Type", ""),
                        body,
                        ctx,
                        # upstream: kubernetes/apiserver pkg/endpoints/handlers/patch.go: any force
                        pointer_bool(query, "force"),
                        subresource="status",
                    ),
                )
            else:
                raise ApiError(
                    405, "the server does not allow this method on the requested resource", "MethodNotAllowed"
                )
            return
        if sub == "scale" and rt.scale:
            self._scale(rt, version, namespace, name, body, ctx)
            return
        if sub == "log" and rt.kind == "Pod":
            self._logs(namespace or "", name, query)
            return
        if sub == "exec" and rt.kind == "Pod":
            self._exec(namespace or "", name, query)
            return
        if sub == "portforward" and rt.kind == "Pod":
            self._portforward(namespace or "", name)
            return
        if sub == "proxy" and rt.kind in ("Service", "Pod"):
            self._proxy(namespace or "", name, tail, body, rt.kind)
            return
        if sub == "eviction" and rt.kind == "Pod" and method == "POST":
            # upstream: kubernetes/kubernetes pkg/registry/core/pod/storage/eviction.go (EvictionREST.Create)
            self._json(201, evict(emu.cluster, namespace or "", name, self._parse(body), ctx))
            return
        if sub == "binding" and rt.kind == "Pod" and method == "POST":
            # upstream: kubernetes/kubernetes pkg/registry/core/pod/storage/storage.go (BindingREST.Create)
            self._json(201, binding.create(emu.api, namespace or "", name, self._parse(body), ctx))
            return
        if sub == "finalize" and rt.kind == "Namespace" and method == "PUT":
            self._json(200, emu.api.update(rt, version, None, name, self._parse(body), ctx))
            return
        if sub in rt.extra_subresources:
            raise not_implemented(f"the {rt.plural}/{sub} subresource")
        raise ApiError(404, "the server could not find the requested resource", "NotFound")

    def _scale(self, rt: ResourceType, version: str, namespace: str | None, name: str, body: bytes, ctx: Ctx) -> None:
        """GET, PUT and PATCH of ``/scale`` (apiserver_scale.py). A PUT's body is the new Scale, its
        name the URL's (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers/
        update.go checkName); a merge, strategic merge or JSON patch applies to the object's Scale
        (handlers/patch.go; a Scale has no list a strategic merge key would merge)."""
        api = self.server.emulator.api
        if self.command == "GET":
            scale = api.get_scale(rt, version, namespace, name)
            if self._wants_table():
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                include = _q1(query, "includeObject") or "Metadata"
                if rt.crd:
                    # the CRD's scale scope keeps the custom resource's TableConvertor (its
                    # additionalPrinterColumns, or Age), which reads the Scale's fields
                    # (apiextensions-apiserver pkg/apiserver/customresource_handler.go getOrCreateServingInfoFor:
                    # scaleScope is a copy of the request scope, TableConvertor storages[v].CustomResource;
                    # pkg/registry/customresource/tableconvertor/tableconvertor.go ConvertToTable)
                    meta = {"resourceVersion": scale["metadata"].get("resourceVersion", "")}
                    self._json(200, tables.table(rt, version, [scale], meta, include))
                else:
                    self._json(200, tables.scale_table(scale, include))
                return
            self._json(200, scale)
            return
        if self.command == "PUT":
            new = self._parse(body)
            md = new.get("metadata") if isinstance(new, dict) and isinstance(new.get("metadata"), dict) else {}
            check_body_name(rt, namespace, name, md)
            self._json(200, api.update_scale(rt, version, namespace, name, lambda _old: new, ctx, md.get("uid")))
            return
        if self.command != "PATCH":
            raise ApiError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed")
        ct = self.headers.get("Content-Type", "").split(";")[0].strip()
        # installer.go's PATCH route (built-in kinds) and the CRD handler's supportedTypes (no
        # strategic merge patch for a custom resource), in their order (apiserver_scale.py)
        accepted = [JSON_PATCH, MERGE] + ([] if rt.crd else [STRATEGIC]) + [APPLY]
        if ct not in accepted:
            raise ApiError(
                415,
                "the body of the request was in an unknown format - accepted media types include: "
                + ", ".join(accepted),
                "UnsupportedMediaType",
            )
        if ct == APPLY:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            if _q1(query, "fieldManager") is None:
                ctx.field_manager = None
            applied = _parse_yaml_or_json(body)
            self._json(
                200, api.apply_scale(rt, version, namespace, name, applied, ctx, bool(pointer_bool(query, "force")))
            )
            return
        try:
            patch = json.loads(body or b"null")
        except ValueError as exc:
            raise bad_request(f"error decoding patch: {exc}") from None

        def change(old: dict[str, Any]) -> Any:
            return json_patch(old, patch) if ct == JSON_PATCH else merge_patch(old, patch)

        self._json(200, api.update_scale(rt, version, namespace, name, change, ctx))

    def _logs(self, namespace: str, name: str, query: dict[str, list[str]]) -> None:
        emu = self.server.emulator
        api = emu.api
        pod_rt = api.rt("v1", "Pod")
        pod = api.get(pod_rt, "v1", namespace, name)
        containers = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
        container = _q1(query, "container")
        if container is None:
            if len(containers) != 1:
                choices = " ".join(str(c) for c in containers)
                raise bad_request(f"a container name must be specified for pod {name}, choose one of: [{choices}]")
            container = str(containers[0])
        elif container not in containers and container not in [
            c.get("name") for c in (pod.get("spec") or {}).get("initContainers") or []
        ]:
            raise bad_request(f"container {container} is not valid for pod {name}")
        previous = _truthy(_q1(query, "previous"))
        found: dict[str, Any] = {}
        if previous:
            # upstream: kubernetes/kubernetes pkg/kubelet/kubelet_pods.go validateContainerLogStatus:
            # previous names lastState's terminated container, and there is none without one
            statuses = [
                *((pod.get("status") or {}).get("containerStatuses") or []),
                *((pod.get("status") or {}).get("initContainerStatuses") or []),
            ]
            found = next((c for c in statuses if c.get("name") == container), None) or {}
            if not ((found.get("lastState") or {}).get("terminated")):
                raise bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
        for unsupported in ("sinceTime",):
            if _q1(query, unsupported):
                raise not_implemented(f"the pod log option {unsupported}")
        tail = _q1(query, "tailLines")
        since = _q1(query, "sinceSeconds")
        stamps = _truthy(_q1(query, "timestamps"))
        limit_bytes = int(_q1(query, "limitBytes") or 0)
        lines = api.log_lines(namespace, name, container)
        if previous and ((found.get("state") or {}).get("running") or (found.get("state") or {}).get("terminated")):
            # a new instance started since: the last terminated one's log was kept as the previous
            # one's; a container waiting to restart has no newer instance, so its log is the current one
            lines = api.previous_log_lines(namespace, name, container)
        if since:
            import datetime

            cutoff = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=int(since))).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            lines = [ln for ln in lines if ln[0] >= cutoff]
        if tail is not None:
            n = int(tail)
            lines = lines[-n:] if n > 0 else []

        def fmt(ls: list[tuple[str, str]]) -> bytes:
            return "".join(f"{t} {s}\n" if stamps else f"{s}\n" for t, s in ls).encode()

        if previous or not _truthy(_q1(query, "follow")):  # a terminated container's log has no more lines
            data = fmt(lines)
            if limit_bytes:
                data = data[:limit_bytes]
            self._send(200, data, "text/plain")
            return
        self._start_stream("text/plain")
        sent_bytes = 0
        seen = len(api.log_lines(namespace, name, container))
        data = fmt(lines)
        self._chunk(data)
        sent_bytes += len(data)
        fault = self._stream_fault
        if fault is not None and fault.drop_connection:
            # Cut after the lines the log has, before the stream's last chunk (control.Faults.add,
            # in_stream): an API server restarting or a load balancer's cut. kubectl logs -f then
            # reads an unexpected EOF (upstream: kubernetes/kubectl pkg/cmd/logs/logs.go
            # DefaultConsumeRequest returns a read error other than io.EOF).
            raise _Dropped()
        while not emu.stopping:
            with api.logs_cond:
                api.logs_cond.wait(0.2)
            now_lines = api.log_lines(namespace, name, container)
            if len(now_lines) > seen:
                data = fmt(now_lines[seen:])
                seen = len(now_lines)
                self._chunk(data)
                sent_bytes += len(data)
            if limit_bytes and sent_bytes >= limit_bytes:
                break
            entry = api.store.get(pod_rt.key, f"{namespace}/{name}")
            if entry is None:
                break
            phase = (entry.fields or ("", ""))[1]
            if phase in ("Succeeded", "Failed"):
                tail_lines = api.log_lines(namespace, name, container)
                if len(tail_lines) > seen:
                    self._chunk(fmt(tail_lines[seen:]))
                break
        self._end_stream()

    def _upgrade_required(self) -> None:
        if "websocket" not in self.headers.get("Upgrade", "").lower():
            # SPDY (the pre-1.30 transport, kubectl's fallback) is not emulated
            raise ApiError(400, "Upgrade request required", "BadRequest")

    def _running_pod(self, namespace: str, name: str, verb: str) -> dict[str, Any]:
        emu = self.server.emulator
        pod = emu.api.get(emu.api.rt("v1", "Pod"), "v1", namespace, name)
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            raise bad_request(f"cannot {verb} a container in a completed pod; current phase is {phase}")
        if not (pod.get("spec") or {}).get("nodeName"):
            raise bad_request(f"pod {name} does not have a host assigned")
        return pod

    def _upgrade(self, protocols: list[str]) -> streams.WebSocket | None:
        self._upgrade_required()
        ws = streams.WebSocket.accept(self.connection, self.path, list(self.headers.items()), protocols)
        self.close_connection = True
        self._status = 101 if ws is not None else 400
        self._log_request()
        return ws

    def _portforward(self, namespace: str, name: str) -> None:
        """pods/portforward: SPDY/3.1 tunneled over WebSocket (portforward.py)."""
        from tests.emulators.kube import portforward

        pod = self._running_pod(namespace, name, "port-forward to")
        emu = self.server.emulator
        ws = self._upgrade(portforward.PROTOCOLS)
        if ws is not None:
            resolve = functools.partial(emu.find_port_forward, namespace, name)
            portforward.Session(ws, resolve, pod["metadata"].get("uid", "")).serve()

    def _exec(self, namespace: str, name: str, query: dict[str, list[str]]) -> None:
        """pods/exec over WebSocket (streams.py); the pod must be running."""
        emu = self.server.emulator
        pod = self._running_pod(namespace, name, "exec into")
        try:
            container = streams.exec_container(pod, _q1(query, "container"))
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        ws = self._upgrade(streams.EXEC_PROTOCOLS)
        if ws is not None:
            cut = self._stream_fault is not None and self._stream_fault.drop_connection
            streams.run_exec(ws, query, container, emu.find_exec(namespace, name) or streams.default_exec, cut=cut)
            if cut:
                # A test fault, not an upstream behaviour: the output sent, then the connection cut
                # (control.Faults.add, in_stream), as a dropped network would. kubectl's side reads no
                # status then: kubernetes/kubernetes staging/src/k8s.io/client-go/tools/remotecommand/
                # errorstream.go watchErrorStream.
                raise _Dropped()

    def _proxy_websocket(self, messages: Any) -> None:
        """A backend's websocket through the service proxy: the API server carries the upgrade to
        the backend and then copies bytes both ways (kubernetes/kubernetes
        pkg/registry/core/service/proxy.go ProxyREST.Connect: an UpgradeAwareHandler with
        upgradeRequired false, so a plain request and an upgrade both pass; kubernetes/apimachinery
        pkg/util/proxy/upgradeaware.go tryUpgrade). The backend here is a handler's ``websocket``:
        text messages, an empty one meaning "nothing yet" (the proxy then checks that the client is
        still there), ending in a close; ``ConnectionAbortedError`` from it cuts the connection with
        no close frame, as a backend that dies does. A backend that answers without upgrading (a
        404 before ``ws.prepare``) is relayed as that answer (``refused``)."""
        ws = streams.WebSocket.accept(self.connection, self.path, list(self.headers.items()), [])
        self.close_connection = True
        self._status = 101 if ws is not None else 400
        if ws is None:
            return
        try:
            for text in messages:
                if not text:
                    if ws.peer_gone():
                        return
                    continue
                ws.send_text(text)
        except ConnectionAbortedError:
            raise _Dropped() from None
        except ConnectionError:
            return
        ws.close()

    def _proxy(self, namespace: str, spec: str, tail: str, body: bytes, kind: str = "Service") -> None:
        emu = self.server.emulator
        parts = spec.split(":")
        if parts[0] in ("http", "https") and len(parts) >= 2:
            parts = parts[1:]
        svc_name = parts[0]
        port = parts[1] if len(parts) > 1 else ""
        plural = "services" if kind == "Service" else "pods"
        svc_rt = emu.api.rt("v1", kind)
        entry = emu.api.store.get(svc_rt.key, f"{namespace}/{svc_name}")
        if entry is None:
            raise not_found(plural, svc_name, "", plural)
        # pods/proxy reaches one pod's port (a handler registered with register_pod_proxy).
        handler = (emu.find_service_proxy if kind == "Service" else emu.find_pod_proxy)(namespace, svc_name, port)
        if handler is None and kind == "Pod":
            raise ApiError(
                503,
                f"error trying to reach service: dial tcp {svc_name}:{port}: connect: connection refused",
                "ServiceUnavailable",
            )
        if handler is None:
            raise ApiError(503, f'no endpoints available for service "{svc_name}"', "ServiceUnavailable")
        q = urllib.parse.urlsplit(self.path).query
        target = "/" + tail + (f"?{q}" if q else "")
        websocket = getattr(handler, "websocket", None)
        refused = None
        if websocket is not None and "websocket" in self.headers.get("Upgrade", "").lower():
            refused, messages = websocket(target)
            if refused is None:
                self._proxy_websocket(messages)
                return
        # The service proxy passes the request's Host header on (kubernetes/kubernetes
        # pkg/registry/core/service/proxy.go sets no UseLocationHost): the lab's gateway reads it.
        if refused is not None:
            status, headers, out = refused
        elif getattr(handler, "takes_host", False):
            # The other request headers go on; Authorization does not (upstream: kubernetes/apiserver
            # 24a394e5 pkg/endpoints/filters/authentication.go deletes it once authenticated).
            sent = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "authorization")}
            status, headers, out = handler(
                self.command, target, body, host=self.headers.get("Host") or "", headers=sent
            )
        else:
            status, headers, out = handler(self.command, target, body)
        ct = headers.get("Content-Type") or headers.get("content-type") or "application/octet-stream"
        self._send(
            status,
            out,
            ct,
            {
                k: v
                for k, v in headers.items()
                if k.lower() not in ("content-type", "content-length", "transfer-encoding", "connection")
            },
        )
