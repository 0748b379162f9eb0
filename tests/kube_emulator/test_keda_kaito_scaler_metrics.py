"""keda-kaito-scaler's GetMetrics as the KEDA simulator reads it (controllers/keda_kaito_scaler.py,
after kaito-project/keda-kaito-scaler v0.6.2 pkg/metricsource/modelpod_source.go,
pkg/aggregator/service_sum_aggregator.go and pkg/scaler/metric_cache.go), over stand-in Services."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube.controllers.keda_kaito_scaler import ExternalScalerError, KaitoScalerMetrics

META = {
    "inferenceSetNamespace": "ml",
    "inferenceSetName": "phi-4",
    "metricName": "vllm:num_requests_waiting",
    "threshold": "5",
}


class Cluster:
    """An InferenceSet ml/phi-4 and the Workspaces it made."""

    def __init__(self, *workspaces: str) -> None:
        self.workspaces = workspaces

    def get(self, api: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return {"metadata": {"name": name}} if (kind, namespace, name) == ("InferenceSet", "ml", "phi-4") else None

    def list(self, api: str, kind: str, namespace: str, selector: str) -> list[dict[str, Any]]:
        assert (kind, namespace, selector) == ("Workspace", "ml", "inferenceset.kaito.sh/created-by=phi-4")
        return [{"metadata": {"name": name}} for name in self.workspaces]


class Services:
    """Each Workspace Service's /metrics: a queue, or an HTTP status that is not 200."""

    def __init__(self, **answers: float | int) -> None:
        self.answers = answers
        self.urls: list[str] = []

    def get(self, url: str) -> tuple[int, bytes]:
        self.urls.append(url)
        name = url.split("//")[1].split(".")[0].replace("-", "_")
        answer = self.answers[name]
        if isinstance(answer, int) and answer >= 300:
            return answer, b""
        text = f'# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting{{engine="0"}} {answer}\n'
        return 200, text.encode()


def read(services: Services, *workspaces: str) -> float:
    return KaitoScalerMetrics(services).get_metrics(Cluster(*workspaces), META)  # type: ignore[arg-type]


def test_each_workspace_service_is_scraped_at_its_cluster_address_on_port_80() -> None:
    services = Services(phi_4_0=1.0)
    read(services, "phi-4-0")
    assert services.urls == ["http://phi-4-0.ml.svc.cluster.local:80/metrics"]


def test_the_queue_is_summed_over_the_sets_services() -> None:
    assert read(Services(phi_4_0=7.0, phi_4_1=5.0), "phi-4-0", "phi-4-1") == 12.0


def test_a_failed_service_counts_the_threshold_when_the_others_are_below_it() -> None:
    # service_sum_aggregator.go: no scale-down on missing data.
    assert read(Services(phi_4_0=2.0, phi_4_1=503), "phi-4-0", "phi-4-1") == 7.0


def test_a_failed_service_counts_nothing_when_the_others_are_above_the_threshold() -> None:
    assert read(Services(phi_4_0=9.0, phi_4_1=503), "phi-4-0", "phi-4-1") == 9.0


def test_no_service_scraped_is_an_internal_error_naming_each() -> None:
    with pytest.raises(ExternalScalerError, match=r"^rpc error: code = Internal desc = failed to resolve metric") as e:
        read(Services(phi_4_0=503), "phi-4-0")
    assert "service ml/phi-4-0: unexpected status code 503 from http://phi-4-0.ml.svc.cluster.local:80/metrics" in str(
        e.value
    )


def test_a_set_with_no_workspace_is_an_error() -> None:
    with pytest.raises(ExternalScalerError, match="no services found for inferenceset ml/phi-4"):
        read(Services())


def test_a_change_is_seen_at_the_caches_next_poll() -> None:
    services = Services(phi_4_0=1.0)
    metrics, cluster = KaitoScalerMetrics(services), Cluster("phi-4-0")  # type: ignore[arg-type]
    assert metrics.get_metrics(cluster, META) == 1.0
    services.answers["phi_4_0"] = 12.0
    assert metrics.get_metrics(cluster, META) == 1.0
    metrics.poll(cluster)
    assert metrics.get_metrics(cluster, META) == 12.0


def test_a_snapshot_older_than_three_polls_is_not_served() -> None:
    metrics, cluster = KaitoScalerMetrics(Services(phi_4_0=1.0)), Cluster("phi-4-0")  # type: ignore[arg-type]
    metrics.get_metrics(cluster, META)
    metrics._cache[("ml", "phi-4")].at -= 46
    with pytest.raises(ExternalScalerError, match=r"code = Unavailable desc = metrics for InferenceSet ml/phi-4 are"):
        metrics.get_metrics(cluster, META)
