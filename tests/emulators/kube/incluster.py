"""An HTTP client as a pod in the emulated cluster has one: a URL whose host is a Service's cluster
DNS name (``SERVICE.NAMESPACE.svc`` or ``SERVICE.NAMESPACE.svc.cluster.local``, upstream:
kubernetes/dns docs/specification.md, "A/AAAA Records" for Services) reaches that Service, here over
real HTTP through the emulator's service proxy
(``/api/v1/namespaces/NS/services/SCHEME:SERVICE:PORT/proxy/PATH``). A host that names no Service
fails as Go's net/http fails to resolve it (``Get "URL": dial tcp: lookup HOST: no such host``), and
a Service without a ready endpoint refuses the connection (``dial tcp IP:PORT: connect: connection
refused``), as kube-proxy's REJECT rule makes it, where the API server's proxy would answer 503.

Used by the operator simulators that call a Service the way the operator's pod does (KEDA's
prometheus scaler, controllers/keda.py).
"""

from __future__ import annotations

import re
import ssl
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlsplit

CLUSTER_DNS = re.compile(r"([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?")


_NO_ENDPOINTS = b"no endpoints available for service"


class DialError(Exception):
    """The request never reached a server (Go's *url.Error text)."""


class InClusterHttp:
    def __init__(self, kube: Any, timeout: float = 5.0) -> None:
        self.kube = kube
        self.timeout = timeout

    def get(self, url: str) -> tuple[int, bytes]:
        """GET ``url`` from inside the cluster: (status, body), or DialError."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        m = CLUSTER_DNS.fullmatch(host)
        service = self.kube.cluster.get("v1", "Service", m.group(3), m.group(1)) if m else None
        if m is None or service is None:
            raise DialError(f'Get "{url}": dial tcp: lookup {host}: no such host')
        scheme = parts.scheme or "http"
        port = parts.port or (443 if scheme == "https" else 80)
        proxy = (
            f"{self.kube.url}/api/v1/namespaces/{m.group(3)}/services/{scheme}:{m.group(1)}:{port}/proxy"
            f"{quote(parts.path or '/')}{'?' + parts.query if parts.query else ''}"
        )
        request = urllib.request.Request(proxy, headers={"Authorization": f"Bearer {self.kube.token}"})
        context = ssl.create_default_context(cadata=self.kube.ca_pem.decode()) if self.kube.ca_pem else None
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=context) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as exc:
            body = bytes(exc.read())
            if exc.code == 503 and _NO_ENDPOINTS in body:
                # The API server's proxy answers 503 for a Service without a ready endpoint; a pod
                # dialling the Service's cluster IP meets kube-proxy's REJECT rule for a Service
                # with no endpoints instead, and its connect fails (upstream: kubernetes/kubernetes
                # pkg/proxy/iptables/proxier.go syncProxyRules, "If the service has no endpoints
                # then reject packets", comment "%s has no endpoints", -j REJECT).
                ip = (service.get("spec") or {}).get("clusterIP") or host
                raise DialError(f'Get "{url}": dial tcp {ip}:{port}: connect: connection refused') from None
            return int(exc.code), body
        except (urllib.error.URLError, OSError) as exc:
            raise DialError(f'Get "{url}": {getattr(exc, "reason", exc)}') from None
