"""gpu usage --prometheus URL (akscli.gpu.prometheus_source): which URL goes through the API server's
service proxy, which straight to an Azure Monitor workspace with which token scope, and the
Azure Monitor hint without the flag."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import AkscliError, AuthError, UsageError
from akscli.gpu import activity as ga
from akscli.gpu import prometheus_source as ps

EMPTY = b'{"status": "success", "data": {"resultType": "vector", "result": []}}'


AM = "prometheus.monitor.azure"
SVC = "prometheus-operated"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"http://{SVC}.monitoring.svc.cluster.local:9090", ps.InCluster("monitoring", SVC, 9090, "http", "")),
        ("http://prom.obs.svc:9090/prometheus/", ps.InCluster("obs", "prom", 9090, "http", "/prometheus")),
        ("https://thanos.obs.svc", ps.InCluster("obs", "thanos", 443, "https", "")),
        (f"https://ws-a1.eastus.{AM}.com", ps.Direct(f"https://ws-a1.eastus.{AM}.com", f"https://{AM}.com/.default")),
        (
            f"https://ws.usgovvirginia.{AM}.us/",
            ps.Direct(f"https://ws.usgovvirginia.{AM}.us", f"https://{AM}.us/.default"),
        ),
        (f"https://ws.chinanorth3.{AM}.cn", ps.Direct(f"https://ws.chinanorth3.{AM}.cn", f"https://{AM}.cn/.default")),
        ("http://localhost:9090", ps.Direct("http://localhost:9090", None)),
    ],
)
def test_a_url_is_a_service_behind_the_proxy_or_one_queried_directly(url: str, expected: ps.Source) -> None:
    assert ps.classify(url) == expected


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("prometheus-operated:9090", "expected an http(s) URL"),  # model deploy --prometheus's check
        ("http://ws.eastus.prometheus.monitor.azure.com", "query endpoint is https"),  # no token in clear
        ("http://prom.obs.svc:9090/?query=up", "without ?query"),
    ],
)
def test_a_url_that_cannot_be_queried_is_refused(url: str, words: str) -> None:
    with pytest.raises(UsageError) as err:
        ps.classify(url)
    assert words in err.value.message and err.value.exit_code == 2


class _Kube:
    def __init__(self, served: set[str]) -> None:
        self.served, self.paths = served, []  # type: list[str]
        self.refusal: Exception | None = None

    def has_api(self, api: str, kind: str) -> bool:
        return f"{api}/{kind}" in self.served

    def list(self, *args: Any, **kw: Any) -> list[Any]:
        return []

    def get(self, api: str, kind: str, name: str, namespace: str | None = None) -> Any:
        if self.refusal is not None:
            raise self.refusal
        return None

    def proxy(
        self, namespace: str, service: str, port: int, path: str, *, scheme: str | None = None, **kw: Any
    ) -> tuple[int, bytes]:
        self.paths.append(f"{kw['method']} {scheme or 'http'}:{namespace}/{service}:{port}{path} {kw['body']}")
        assert kw["content_type"] == ps.FORM and kw["writes"] is False  # a query is no change
        return 200, EMPTY


def test_an_in_cluster_url_is_asked_through_the_service_proxy_under_its_route_prefix() -> None:
    kube = _Kube(set())
    data: dict[str, list[dict[str, object]]] = {"pools": [], "namespaces": []}
    line = ga.add(kube, None, data, "1h", ps.classify("http://prom.obs.svc:9090/prom"))  # type: ignore[arg-type]
    assert kube.paths[0].startswith("POST http:obs/prom:9090/prom/api/v1/query query=avg_over_time")
    assert line is not None and "Prometheus obs/prom:9090/prom has no DCGM_FI_DEV_GPU_UTIL series" in line


def test_without_the_flag_azure_monitor_managed_prometheus_says_which_flag_to_add() -> None:
    kube = _Kube({"azmonitoring.coreos.com/v1/PodMonitor"})
    line = ga.add(kube, None, {"pools": [], "namespaces": []}, "1h")  # type: ignore[arg-type]
    assert line is not None and "Azure Monitor managed Prometheus" in line
    assert "--prometheus https://WORKSPACE-HASH.REGION.prometheus.monitor.azure.com" in line
    assert "--query metrics.prometheusQueryEndpoint -o tsv" in line
    plain = ga.add(_Kube(set()), None, {"pools": [], "namespaces": []}, "1h")  # type: ignore[arg-type]
    assert plain is not None and "Azure Monitor" not in plain and "dcgm-exporter" in plain


def test_the_workspace_is_asked_with_a_token_for_its_clouds_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str | None]] = []
    sent: list[dict[str, str]] = []

    def token(scope: str, auth: str | None, tenant: str | None) -> str:
        asked.append((scope, auth))
        return "secret-token-value"

    class Pool:
        def __init__(self, **kw: Any) -> None:
            pass

        def request(self, method: str, url: str, headers: dict[str, str], **kw: Any) -> Any:
            sent.append({**headers, "method": method, "url": url, "body": kw["body"]})
            return type("A", (), {"status": 403, "data": b"", "headers": {}})()

    import urllib3

    monkeypatch.setattr(ps, "_token", token)
    monkeypatch.setattr(urllib3, "PoolManager", Pool)
    source = ps.classify("https://ws.usgovvirginia.prometheus.monitor.azure.us")
    line = ga.add(_Kube(set()), None, {"pools": [], "namespaces": []}, "1h", source, auth="azurecli")  # type: ignore[arg-type]
    assert asked == [("https://prometheus.monitor.azure.us/.default", "azurecli")]
    assert sent[0]["Authorization"] == "Bearer secret-token-value"
    # The POST's 403 sends the query again as a GET (client_golang DoGetFallback); Azure Monitor's
    # 403 (no role) stands, and the reading stops there.
    assert [s["method"] for s in sent] == ["POST", "GET"]
    assert sent[0]["Content-Type"] == ps.FORM and sent[0]["body"].startswith("query=avg_over_time")
    assert sent[1]["url"].endswith("/api/v1/query?query=avg_over_time%28DCGM_FI_DEV_GPU_UTIL%5B1h%5D%29")
    assert line is not None and "Monitoring Data Reader" in line and "secret-token-value" not in line


def test_a_query_is_a_posted_form_and_a_get_once_a_post_is_refused() -> None:
    """client_golang api/prometheus/v1/api.go DoGetFallback: POST the form; on 403, 405 or 501
    the same query as a GET (and, here, every later one of the reading at once)."""
    for refused in sorted(ps.GET_FALLBACK):
        sent: list[tuple[str, str, str | None]] = []
        answers = iter([(refused, b""), (200, EMPTY), (200, EMPTY)])

        def send(
            method: str, path: str, form: str | None, sent: list[Any] = sent, answers: Any = answers
        ) -> tuple[int, bytes]:
            sent.append((method, path, form))
            return next(answers)  # type: ignore[no-any-return]

        ask = ps.Querier(send)
        assert ask('up{pod=~"a b|c"}') == (200, EMPTY) and ask("up") == (200, EMPTY)
        assert sent == [
            ("POST", "/api/v1/query", "query=up%7Bpod%3D~%22a%20b%7Cc%22%7D"),
            ("GET", "/api/v1/query?query=up%7Bpod%3D~%22a%20b%7Cc%22%7D", None),
            ("GET", "/api/v1/query?query=up", None),
        ]
    posted: list[str] = []
    bad = ps.Querier(lambda method, path, form: posted.append(method) or (400, b"{}"))
    assert bad("up(") == (400, b"{}") and posted == ["POST"]  # Prometheus's own answer: no GET


@pytest.mark.parametrize(
    "refusal", [None, AuthError("deployments.apps is forbidden"), AkscliError("the server failed")]
)
def test_a_workspace_whose_collector_cannot_be_read_is_asked_without_the_cluster_label(
    monkeypatch: pytest.MonkeyPatch, refusal: Exception | None
) -> None:
    # No ama-metrics Deployment, or reading it refused: the query stays unpinned (this cluster's
    # node names still pick its GPUs, gpu_activity.fold), and nothing fails.
    bodies: list[str] = []

    class Pool:
        def __init__(self, **kw: Any) -> None:
            pass

        def request(self, method: str, url: str, headers: dict[str, str], **kw: Any) -> Any:
            bodies.append(kw["body"])
            return type("A", (), {"status": 200, "data": EMPTY, "headers": {}})()

    import urllib3

    monkeypatch.setattr(ps, "_token", lambda *a: "t")
    monkeypatch.setattr(urllib3, "PoolManager", Pool)
    kube = _Kube(set())
    kube.refusal = refusal
    warned: list[str] = []
    source = ps.classify(f"https://ws.eastus.{AM}.com")
    line = ga.add(kube, None, {"pools": [], "namespaces": []}, "1h", source, warn=warned.append)  # type: ignore[arg-type]
    assert bodies[0] == "query=avg_over_time%28DCGM_FI_DEV_GPU_UTIL%5B1h%5D%29"
    assert line is not None and "has no DCGM_FI_DEV_GPU_UTIL series over" in line
    # ... and said once, with why, beside the figures (stderr: cli/ops.py passes output.warn).
    [said] = warned
    why = str(refusal) if refusal is not None else "no Deployment kube-system/ama-metrics"
    assert said.startswith("GPU utilization is not pinned to this cluster's series of") and why in said


def test_an_empty_answer_from_a_pinned_workspace_names_the_cluster_label_it_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A cluster_alias changed since the data was written reads as "no series": the line names the
    # label asked for, so the mismatch can be seen.
    import urllib3

    from tests.emulators.kube.controllers.azure_monitor_collector import collector_deployment

    class Pool:
        def __init__(self, **kw: Any) -> None:
            pass

        def request(self, method: str, url: str, headers: dict[str, str], **kw: Any) -> Any:
            return type("A", (), {"status": 200, "data": EMPTY, "headers": {}})()

    class Kube(_Kube):
        def get(self, api: str, kind: str, name: str, namespace: str | None = None) -> Any:
            return (
                collector_deployment("/subscriptions/0/resourceGroups/rg/providers/x/managedClusters/aks-ml")
                if (kind == "Deployment")
                else None
            )

    monkeypatch.setattr(ps, "_token", lambda *a: "t")
    monkeypatch.setattr(urllib3, "PoolManager", Pool)
    warned: list[str] = []
    source = ps.classify(f"https://ws.eastus.{AM}.com")
    line = ga.add(Kube(set()), None, {"pools": [], "namespaces": []}, "1h", source, warn=warned.append)  # type: ignore[arg-type]
    assert line is not None and 'has no DCGM_FI_DEV_GPU_UTIL series with cluster="aks-ml" over the last 1h' in line
    assert warned == []


def test_only_an_azure_monitor_workspace_query_names_the_cluster() -> None:
    from akscli.model.monitoring import cluster_matcher

    assert ga.queries("1h")[ga.UTIL] == "avg_over_time(DCGM_FI_DEV_GPU_UTIL[1h])"
    assert (
        ga.queries("1h", "aks-ml")[ga.UTIL] == f"avg_over_time(DCGM_FI_DEV_GPU_UTIL{{{cluster_matcher('aks-ml')}}}[1h])"
    )
    assert ga.workspace_cluster(_Kube(set()), ps.classify("http://localhost:9090")) == (None, None)  # type: ignore[arg-type]
