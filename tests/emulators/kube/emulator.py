"""KubeEmulator: the API server, its HTTP(S) listener on a free loopback port, the test
controls, and the kubeconfig that points at it."""

from __future__ import annotations

import base64
import ssl
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tests.emulators.kube.apiserver import ApiServer, now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.control import Auth, Faults, RequestRecord, tls_material
from tests.emulators.kube.controllers.runner import ControllerManager
from tests.emulators.kube.crds import default_crd_dir, prepared_crds
from tests.emulators.kube.server import EmulatorHTTPServer, ProxyHandler
from tests.emulators.kube.streams import ExecHandler

# Collections that grow with the cluster. A LIST of one is paged as kubectl pages it (upstream:
# kubernetes/kubectl pkg/cmd/get/get.go ChunkSize: cmdutil.DefaultChunkSize, 500, mirror HEAD
# dee3483; kubernetes/client-go tools/pager/pager.go defaultPageSize 500, mirror HEAD 32ce75a):
# read_rule_breaks names a LIST sent without a limit or above that size, a node or pod read by
# name more than once in one log, and more than READS_BY_NAME nodes and pods read by name (a loop
# of GETs where one list would do). A LIST at resourceVersion=0 is unpaged whatever its limit:
# the watch cache serves it whole (upstream: kubernetes/apiserver 24a394e5
# pkg/storage/cacher/cacher.go computeListLimit).
CLUSTER_SIZED = frozenset({"nodes", "pods", "events", "nodeclaims"})
CHUNK_SIZE = 500
READS_BY_NAME = 10


class KubeEmulator:
    def __init__(
        self,
        crd_dirs: Iterable[str | Path] | None = None,
        tls: bool = False,
        auth: bool = True,
        port: int = 0,
        history: int = 20_000,
        record_requests: bool = True,
        synchronous_gc: bool = False,
        kuberay_webhook: bool = False,
    ) -> None:
        self.api = ApiServer()
        self.api.store.history_size = history
        self.api.synchronous_gc = synchronous_gc
        self.api.kuberay_webhook = kuberay_webhook
        self.cluster = ClusterState(self.api)
        self.controllers = ControllerManager(self.api, self.cluster)
        self.auth = Auth(required=auth)
        self.api.authorizer = self.auth.authorize
        self.faults = Faults()
        self.latency_s = 0.0  # added to every request before it is handled (benchmarks)
        # kube-apiserver's --request-timeout, the longest a request that is not long-running may take
        # (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/server/config.go NewConfig,
        # RequestTimeout 60 s; mirrored as kubernetes/apiserver 24a394e5);
        # the latency and a fault's delay count against it (server_params.request_deadline)
        self.request_timeout = 60.0
        self.request_log: list[RequestRecord] = []
        self.record_requests = record_requests
        self._log_lock = threading.Lock()
        self.tls = tls
        self.port = port
        self.stopping = False
        # the API server's --min-request-timeout (upstream: kubernetes/apiserver pkg/server/config.go NewConfig)
        self.watch_default_timeout = 1800.0
        # kube-apiserver sends a watch bookmark about once a minute: defaultBookmarkFrequency =
        # time.Minute in kubernetes/kubernetes, staging/src/k8s.io/apiserver/pkg/storage/cacher/
        # cacher.go. A shorter one here once hid a wait that saw a failure only on a quiet watch's
        # next event.
        self.bookmark_interval = 60.0
        # The API server's WatchList feature gate: a watch with sendInitialEvents=true streams the
        # objects, then a bookmark annotated k8s.io/initial-events-end. On by default in 1.32 and
        # from 1.34, off in 1.33 (upstream: kubernetes/apiserver v0.35.0 pkg/features/kube_features.go
        # WatchList); False answers such a watch 422, as a 1.33 server does.
        self.watch_list = True
        # True: a watch's sendInitialEvents is ignored, the watch served as a plain one (the objects
        # as ADDED, then the changes, no end bookmark), as etcd served a watch with the watch cache
        # off before upstream kubernetes/apiserver 90ba0890 "storage/etcd: the watcher supports the API
        # streaming" (pkg/storage/etcd3/watcher.go, 1.29) on a 1.27 or 1.28 server with WatchList on.
        self.watch_list_ignored = False
        self._proxies: dict[tuple[str, str, str], ProxyHandler] = {}
        # A Service no handler is registered for: asked (namespace, service, port) before the 503
        # the API server gives a service proxy with no endpoint (upstream: kubernetes/kubernetes
        # pkg/registry/core/service/storage/rest.go ResourceLocation, "no endpoints available");
        # the lab's model servers use it (tests.emulators.serving.serve_models, cited there).
        self.service_proxy_fallback: Callable[[str, str, str], ProxyHandler | None] | None = None
        self._pod_proxies: dict[tuple[str, str, str], ProxyHandler] = {}
        # The same for a pod's port (the lab's model pods answer vLLM's /metrics).
        self.pod_proxy_fallback: Callable[[str, str, str], ProxyHandler | None] | None = None
        self._exec_handlers: dict[tuple[str, str], ExecHandler] = {}
        self._port_targets: dict[tuple[str, str, int], tuple[str, int]] = {}
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        for d in crd_dirs or []:
            self.load_crds(Path(d))

    # ---- set-up ------------------------------------------------------------------------

    def load_crds(self, directory: Path | None = None) -> int:
        """Preload every CRD under ``directory`` (default ../shared/crds)."""
        crd_rt = self.api.rt("apiextensions.k8s.io/v1", "CustomResourceDefinition")
        prepared = prepared_crds(directory or default_crd_dir())
        now = now_iso()
        for rt, md, rest in prepared:
            meta = {**md, "uid": str(uuid.uuid4()), "creationTimestamp": now, "generation": 1}
            self.api.registry.add(rt)
            self.api.store.put_spliced(crd_rt.key, meta["name"], meta, rest)
        return len(prepared)

    def start(self) -> KubeEmulator:
        self._server = EmulatorHTTPServer(("127.0.0.1", self.port), self)
        self.port = self._server.server_address[1]
        if self.tls:
            mat = tls_material()
            self._tmp = tempfile.TemporaryDirectory(prefix="kube-emulator-tls-")
            cert = Path(self._tmp.name) / "server.crt"
            key = Path(self._tmp.name) / "server.key"
            cert.write_bytes(mat.cert_pem)
            key.write_bytes(mat.key_pem)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            self._server.ssl_context = ctx
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="kube-emulator-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping = True
        self.controllers.stop()
        self.api.shutdown()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> KubeEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return self.auth.admin_token

    @property
    def ca_pem(self) -> bytes | None:
        return tls_material().ca_pem if self.tls else None

    def kubeconfig_dict(
        self, context: str = "emulator", namespace: str = "default", token: str | None = None
    ) -> dict[str, Any]:
        cluster: dict[str, Any] = {"server": self.url}
        if self.tls:
            cluster["certificate-authority-data"] = base64.b64encode(tls_material().ca_pem).decode()
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": cluster}],
            "users": [{"name": f"{context}-user", "user": {"token": token or self.token}}],
            "contexts": [
                {"name": context, "context": {"cluster": context, "user": f"{context}-user", "namespace": namespace}}
            ],
            "current-context": context,
            "preferences": {},
        }

    def write_kubeconfig(
        self, path: str | Path, context: str = "emulator", namespace: str = "default", token: str | None = None
    ) -> Path:
        import json

        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        # JSON is YAML: every kubeconfig reader accepts it
        p.write_text(json.dumps(self.kubeconfig_dict(context, namespace, token), indent=2), encoding="utf-8")
        p.chmod(0o600)
        return p

    # ---- controls ----------------------------------------------------------------------

    def record(self, rec: RequestRecord) -> None:
        if self.record_requests:
            with self._log_lock:
                self.request_log.append(rec)

    def requests(
        self, method: str | None = None, path: str | None = None, verb: str | None = None
    ) -> list[RequestRecord]:
        """Recorded requests filtered by HTTP method, path substring and Kubernetes verb."""
        with self._log_lock:
            return [
                r
                for r in self.request_log
                if (method is None or r.method == method)
                and (path is None or path in r.path)
                and (verb is None or r.verb == verb)
            ]

    def read_rule_breaks(self) -> list[str]:
        """The recorded requests that break the cluster-read rules (see CLUSTER_SIZED), one line
        each: clear ``request_log`` before the command whose requests are judged."""
        breaks: list[str] = []
        seen: set[str] = set()
        for r in self.requests(method="GET"):
            parts = r.path.strip("/").split("/")
            if r.verb == "list" and parts[-1] in CLUSTER_SIZED:
                limit = (r.query.get("limit") or [""])[0]
                if not limit.isdigit() or not 0 < int(limit) <= CHUNK_SIZE:
                    breaks.append(f"LIST {r.path} without a limit of at most {CHUNK_SIZE}: limit={limit or None}")
                elif (r.query.get("resourceVersion") or [""])[0] == "0" and "continue" not in r.query:
                    breaks.append(f"LIST {r.path} at resourceVersion=0: the watch cache ignores its limit")
            elif r.verb == "get" and len(parts) >= 2 and parts[-2] in ("nodes", "pods"):
                if r.path in seen:
                    breaks.append(f"GET {r.path} again")
                seen.add(r.path)
        if len(seen) > READS_BY_NAME:
            breaks.append(f"{len(seen)} nodes or pods read one by one (a read per object, not a list)")
        return breaks

    def register_exec(self, namespace: str, pod: str, handler: ExecHandler) -> None:
        """What ``kubectl exec`` into this pod runs: handler(container, command, stdin) ->
        (exit code, stdout, stderr)."""
        self._exec_handlers[(namespace, pod)] = handler

    def find_exec(self, namespace: str, pod: str) -> ExecHandler | None:
        return self._exec_handlers.get((namespace, pod))

    def register_port_forward(self, namespace: str, pod: str, port: int, target: tuple[str, int]) -> None:
        """``kubectl port-forward`` to this pod's ``port`` reaches ``target`` (host, port)."""
        self._port_targets[(namespace, pod, int(port))] = target

    def find_port_forward(self, namespace: str, pod: str, port: int) -> tuple[str, int] | None:
        return self._port_targets.get((namespace, pod, int(port)))

    def register_service_proxy(self, namespace: str, service: str, port: int | str, handler: ProxyHandler) -> None:
        self._proxies[(namespace, service, str(port))] = handler

    def register_pod_proxy(self, namespace: str, pod: str, port: int | str, handler: ProxyHandler) -> None:
        """Answer pods/proxy requests to one pod's port (e.g. vLLM's /metrics)."""
        self._pod_proxies[(namespace, pod, str(port))] = handler

    def find_pod_proxy(self, namespace: str, pod: str, port: str) -> ProxyHandler | None:
        h = self._pod_proxies.get((namespace, pod, port))
        if h is None and self.pod_proxy_fallback is not None:
            h = self.pod_proxy_fallback(namespace, pod, port)
        return h

    def find_service_proxy(self, namespace: str, service: str, port: str) -> ProxyHandler | None:
        h = self._proxies.get((namespace, service, port))
        for alias in self._port_aliases(namespace, service, port) if h is None else ():
            h = h or self._proxies.get((namespace, service, alias))
        if h is None and port == "":
            h = next((v for (ns, s, _), v in self._proxies.items() if ns == namespace and s == service), None)
        # A simulated operator whose pods serve behind a Service answers it (the KubeRay simulator's
        # Ray dashboards: kuberay/job_api.py): a controller's ``service_proxy``; the API server's proxy
        # picks a ready endpoint of the Service (kubernetes/kubernetes
        # pkg/registry/core/service/storage/rest.go ResourceLocation).
        for controller in list(self.controllers.controllers) if h is None else ():
            serve = getattr(controller, "service_proxy", None)
            h = serve(namespace, service, port) if serve is not None else None
            if h is not None:
                break
        if h is None and self.service_proxy_fallback is not None:
            h = self.service_proxy_fallback(namespace, service, port)
        return h

    def _port_aliases(self, namespace: str, service: str, port: str) -> list[str]:
        """The other spelling of the Service port ``port`` names, its number or its name: the API
        server's proxy takes either (kubernetes/kubernetes pkg/registry/core/service/storage/
        storage.go ResourceLocation maps a number to its port's name), and a handler is registered
        under one of them."""
        svc = self.cluster.get("v1", "Service", namespace, service) if port else None
        for p in ((svc or {}).get("spec") or {}).get("ports") or []:
            spellings = [str(p.get("port")), str(p.get("name") or "")]
            if port in spellings:
                return [s for s in spellings if s and s != port]
        return []

    def compact(self) -> None:
        """Expire all continue tokens and watch resourceVersions issued so far (410)."""
        self.api.store.compact()

    def generate_cluster(
        self,
        nodes: int = 10,
        pods: int = 0,
        gpu_fraction: float = 0.2,
        seed: int = 7,
        variety: bool = True,
        dra_fraction: float = 0.0,
    ) -> None:
        from tests.emulators.kube.generate import generate_cluster

        generate_cluster(
            self.api,
            nodes=nodes,
            pods=pods,
            gpu_fraction=gpu_fraction,
            seed=seed,
            variety=variety,
            dra_fraction=dra_fraction,
        )

    def idle(self, timeout: float = 5.0) -> bool:
        """Wait until controllers and garbage collection have nothing due."""
        self.api.gc_idle(timeout)
        return self.controllers.idle(timeout)
