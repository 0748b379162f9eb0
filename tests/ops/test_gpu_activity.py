"""gpu usage --utilization's plain logic (akscli.gpu.activity): the PromQL sent, the Prometheus
answer read, and dcgm-exporter's series folded per pool and per namespace by node, GPU and pod."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from akscli.errors import AuthError, UsageError
from akscli.gpu import activity as ga

H100 = "NVIDIA H100 80GB HBM3"


def series(
    node: str, gpu: int, pod: str = "", ns: str = "", *, exported: bool = True, host: str = "Hostname"
) -> dict[str, str]:
    """dcgm-exporter's labels (render_metrics.go) as a Prometheus keeps them: the pod labels
    renamed exported_* without honor_labels, the exporter pod's own in namespace/pod."""
    labels = {"gpu": str(gpu), "UUID": f"GPU-{node}-{gpu}", "modelName": H100, host: node}
    if exported:
        labels |= {"namespace": "gpu-operator", "pod": f"nvidia-dcgm-exporter-{node}"}
        if pod:
            labels |= {"exported_namespace": ns, "exported_pod": pod, "exported_container": "c"}
    elif pod:
        labels |= {"namespace": ns, "pod": pod, "container": "c"}
    return labels


def test_one_instant_query_per_metric_averages_each_series_over_the_window() -> None:
    assert ga.queries("90m") == {
        "DCGM_FI_DEV_GPU_UTIL": "avg_over_time(DCGM_FI_DEV_GPU_UTIL[90m])",
        "DCGM_FI_DEV_FB_USED": "avg_over_time(DCGM_FI_DEV_FB_USED[90m])",
        "DCGM_FI_DEV_FB_FREE": "avg_over_time(DCGM_FI_DEV_FB_FREE[90m])",
    }


@pytest.mark.parametrize("bad", ["1", "1x", "0s", "0h0m", "-1h", "1h ", ""])
def test_window_must_be_a_nonzero_prometheus_duration(bad: str) -> None:
    with pytest.raises(UsageError, match="--window"):
        ga.check_window(bad)


def test_window_takes_compound_durations() -> None:
    assert ga.check_window("1d12h") == "1d12h"


def test_pools_average_their_gpus_and_namespaces_the_gpus_their_pods_held() -> None:
    # a-0 (pool 0): GPU 0 ran two pods in the window (90 then 50: that GPU's mean is 70), GPU 1 none.
    # b-0 (pool 1): scraped with honor_labels (pod labels as they are), hostname in lower case (main).
    util = [
        (series("a-0", 0, "llm-0", "serving"), 90.0),
        (series("a-0", 0, "llm-1", "serving"), 50.0),
        (series("a-0", 1), 0.0),
        (series("b-0", 0, "train-0", "research", exported=False, host="hostname"), 20.0),
        (series("gone-0", 0, "x", "serving"), 100.0),  # a node no longer in the cluster
    ]
    used = [(labels, 40000.0 if value else 0.0) for labels, value in util]
    free = [(labels, 40000.0 if value else 80000.0) for labels, value in util]
    pools, namespaces = ga.fold(util, used, free, {"a-0": 0, "b-0": 1})
    assert pools == {0: ga.Figures(35.0, 25.0, 2), 1: ga.Figures(20.0, 50.0, 1)}
    # The unattributed GPU carries the exporter pod's own namespace: a namespace that requests no
    # GPU, so no row of the namespace table takes it (gpu_activity.add joins on the rows).
    assert namespaces == {
        "serving": ga.Figures(70.0, 50.0, 1),
        "research": ga.Figures(20.0, 50.0, 1),
        "gpu-operator": ga.Figures(0.0, 0.0, 1),
    }
    assert pools[0].as_fields() == {"gpu_util_percent": 35.0, "gpu_memory_used_percent": 25.0, "gpus_measured": 2}


def _answer(doc: object) -> bytes:
    return json.dumps(doc).encode()


def test_a_vector_answer_is_read_and_nan_left_out() -> None:
    body = _answer(
        {
            "status": "success",
            "data": {
                "resultType": "vector",
                "result": [
                    {"metric": {"gpu": "0"}, "value": [1.7e9, "12.5"]},
                    {"metric": {"gpu": "1"}, "value": [1.7e9, "NaN"]},
                ],
            },
        }
    )
    assert ga.read_vector(body, "Prometheus m/p") == [({"gpu": "0"}, 12.5)]


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"status": "error", "errorType": "bad_data", "error": "parse error"}, "answered bad_data: parse error"),
        ({"status": "success", "data": {"resultType": "matrix", "result": []}}, "not a vector"),
        ("<html>", "did not answer the Prometheus HTTP API"),
    ],
)
def test_an_error_answer_says_what_prometheus_said(doc: object, words: str) -> None:
    body = doc.encode() if isinstance(doc, str) else _answer(doc)
    with pytest.raises(ga.Unavailable, match=words):
        ga.read_vector(body, "Prometheus m/p")


def test_the_summary_names_namespaces_whose_gpus_did_next_to_nothing() -> None:
    data = {
        "pools": [
            {"gpu_util_percent": 50.0, "gpus_measured": 3},
            {"gpu_util_percent": None, "gpus_measured": 0},
            {"gpu_util_percent": 10.0, "gpus_measured": 1},
        ],
        "namespaces": [
            {"namespace": "serving", "gpu_util_percent": 80.0, "gpus_measured": 2},
            {"namespace": "research", "gpu_util_percent": 4.9, "gpus_measured": 1},
            {"namespace": "batch", "gpu_util_percent": None, "gpus_measured": 0},
        ],
    }
    assert ga.summary(data, "1h") == (
        "GPU utilization over 1h: 40% mean over 4 GPUs; requested and under 5% busy: research (4.9% on 1 GPU(s))"
    )
    assert ga.summary({"pools": [data["pools"][1]], "namespaces": []}, "1h") is None


class _Kube:
    """What gpu_activity asks of the cluster: one Prometheus, and the service proxy's answer."""

    def __init__(self, answer: tuple[int, bytes] | Exception, listing: Exception | None = None) -> None:
        self.answer, self.listing, self.paths = answer, listing, []

    def has_api(self, api: str, kind: str) -> bool:
        return True

    def list(self, api: str, kind: str, all_namespaces: bool = False) -> list[dict[str, object]]:
        if self.listing:
            raise self.listing
        return [
            {"metadata": {"namespace": "monitoring", "name": "k-p-s"}},
            {"metadata": {"namespace": "a", "name": "z"}},
        ]

    def proxy(self, namespace: str, service: str, port: int, path: str, **kw: Any) -> tuple[int, bytes]:
        self.paths.append(f"{kw['method']} {namespace}/{service}:{port}{path} {kw['body']}")
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_the_query_goes_to_the_first_prometheus_through_the_service_proxy() -> None:
    kube = _Kube((200, _answer({"status": "success", "data": {"resultType": "vector", "result": []}})))
    namespace = ga.find_prometheus(kube)  # type: ignore[arg-type]
    assert ga.query(kube, namespace, "avg_over_time(DCGM_FI_DEV_GPU_UTIL[1h])") == []  # type: ignore[arg-type]
    assert kube.paths == [
        "POST a/prometheus-operated:9090/api/v1/query query=avg_over_time%28DCGM_FI_DEV_GPU_UTIL%5B1h%5D%29"
    ]


@pytest.mark.parametrize(
    ("kube", "words"),
    [
        (_Kube((503, b"")), "is not serving \\(HTTP 503"),
        (_Kube(AuthError("services/proxy is forbidden")), "could not be queried: services/proxy is forbidden"),
        (_Kube((200, b""), AuthError("prometheuses is forbidden")), "could not be listed: prometheuses is forbidden"),
    ],
)
def test_a_prometheus_out_of_reach_is_a_reason_not_a_failure(kube: _Kube, words: str) -> None:
    data: dict[str, list[dict[str, object]]] = {"pools": [{"pool": "a"}], "namespaces": []}
    line = ga.add(kube, None, data, "1h")  # type: ignore[arg-type]
    assert line is not None and line.startswith("GPU utilization not shown: ")
    assert re.search(words, line)
    assert data["pools"] == [
        {"pool": "a", "gpu_util_percent": None, "gpu_memory_used_percent": None, "gpus_measured": 0}
    ]


def test_a_zero_window_is_said_to_be_not_positive() -> None:
    with pytest.raises(UsageError, match="invalid --window '0s': it must be positive"):
        ga.check_window("0s")


def _managed_usage(managed: frozenset[str]) -> Any:
    from akscli.gpu.usage import PoolUsage, Usage

    pool = PoolUsage("gpunp", "Standard_NC4as_T4_v3", "eastus")
    return Usage([pool], [], 1, 1, [], node_pools={"aks-gpunp-0": pool}, managed_nodes=managed)


@pytest.mark.parametrize(("managed", "said"), [(frozenset({"aks-gpunp-0"}), True), (frozenset(), False)])
def test_a_managed_gpu_nodes_podless_series_are_said_to_leave_namespaces_out(managed: frozenset, said: bool) -> None:
    # AKS's own dcgm-exporter (no --kubernetes) scraped from the node: no pod, no namespace label.
    util = {"metric": {"gpu": "0", "UUID": "GPU-1", "Hostname": "aks-gpunp-0"}, "value": [0, "60"]}
    kube = _Kube((200, _answer({"status": "success", "data": {"resultType": "vector", "result": [util]}})))
    data: dict[str, Any] = {"pools": [{"pool": "gpunp"}], "namespaces": [{"namespace": "serving"}]}
    line = ga.add(kube, _managed_usage(managed), data, "1h")  # type: ignore[arg-type]
    assert data["pools"][0]["gpu_util_percent"] == 60.0 and data["namespaces"][0]["gpu_util_percent"] is None
    assert (line is not None and "leaves out 1 AKS managed GPU node(s)" in line and "aks-gpunp-0" in line) is said
    assert said or line is None


def mig_series(node: str, gpu: int, instance: int, pod: str = "", ns: str = "") -> dict[str, str]:
    """A MIG device's series: its parent GPU's labels and the GPU instance (render_metrics.go
    gpuMetricsFormat: GPU_I_PROFILE, GPU_I_ID)."""
    return series(node, gpu, pod, ns) | {"GPU_I_PROFILE": "1g.10gb", "GPU_I_ID": str(instance)}


def test_with_a_mig_pool_the_graphics_engine_activity_is_asked_for_too() -> None:
    assert ga.queries("1h", mig=True)["DCGM_FI_PROF_GR_ENGINE_ACTIVE"] == (
        "avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE[1h])"
    )
    assert "DCGM_FI_PROF_GR_ENGINE_ACTIVE" not in ga.queries("1h")


def test_a_mig_device_is_measured_by_graphics_engine_activity_not_by_gpu_util() -> None:
    # dcgm-exporter's GPU_UTIL for a MIG device reads 0 (NVIDIA/dcgm-exporter issue 216); the
    # device was in fact 60% busy by DCGM_FI_PROF_GR_ENGINE_ACTIVE, a ratio. A whole GPU on another
    # node keeps GPU_UTIL, and its engine series is not read.
    util = [
        (mig_series("m-0", 0, 7, "llm-0", "serving"), 0.0),
        (mig_series("m-0", 0, 8), 0.0),
        (series("a-0", 0), 30.0),
    ]
    engine = [
        (mig_series("m-0", 0, 7, "llm-0", "serving"), 0.6),
        (mig_series("m-0", 0, 8), 0.2),
        (series("a-0", 0), 0.9),
    ]
    pools, namespaces = ga.fold(util, [], [], {"m-0": 0, "a-0": 1}, engine)
    assert pools == {0: ga.Figures(40.0, None, 2), 1: ga.Figures(30.0, None, 1)}
    assert namespaces["serving"] == ga.Figures(60.0, None, 1)


def test_mig_devices_without_graphics_engine_series_are_named() -> None:
    used = [(mig_series("m-0", 0, 7), 100.0), (mig_series("m-0", 0, 8), 100.0), (series("a-0", 0), 1.0)]
    engine = [(mig_series("m-0", 0, 8), 0.5)]
    assert ga.mig_unmeasured([], used, engine, {"m-0": 0, "a-0": 1}) == {"m-0 GPU-m-0-0/7"}
