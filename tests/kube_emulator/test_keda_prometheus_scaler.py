"""KEDA's prometheus scaler as the KEDA simulator reads a query over HTTP (controllers/keda.py
execute_prom_query, after kedacore/keda v2.20.2 pkg/scalers/prometheus_scaler.go ExecutePromQuery),
and the answers of the lab's Prometheus server (controllers/prometheus_server.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulators.kube.controllers.keda import ScalerError, execute_prom_query
from tests.emulators.kube.controllers.prometheus_server import PrometheusServer
from tests.emulators.kube.controllers.prometheus_text import format_value, parse_exposition
from tests.emulators.kube.incluster import DialError

ADDRESS = "http://prometheus-operated.monitoring.svc:9090"


class Answers:
    """A Prometheus that answers every query with ``result`` (or ``status`` with no body)."""

    def __init__(self, result: list[Any] | None = None, status: int = 200) -> None:
        self.result = result or []
        self.status = status
        self.urls: list[str] = []

    def get(self, url: str) -> tuple[int, bytes]:
        self.urls.append(url)
        body = {"status": "success", "data": {"resultType": "vector", "result": self.result}}
        return self.status, json.dumps(body).encode()


def meta(**extra: str) -> dict[str, str]:
    return {"serverAddress": ADDRESS, "query": 'sum(vllm:num_requests_waiting{model_name="m"})', **extra}


def test_the_scaler_asks_the_instant_query_api_with_the_escaped_query_and_the_time() -> None:
    prom = Answers([{"metric": {}, "value": [1, "3"]}])
    assert execute_prom_query(prom, meta()) == 3.0  # type: ignore[arg-type]
    [url] = prom.urls
    escaped = "sum%28vllm%3Anum_requests_waiting%7Bmodel_name%3D%22m%22%7D%29"
    assert url.startswith(f"{ADDRESS}/api/v1/query?query={escaped}&time=")


def test_an_empty_result_reads_zero_unless_ignore_null_values_is_false() -> None:
    assert execute_prom_query(Answers([]), meta()) == 0.0  # type: ignore[arg-type]
    with pytest.raises(ScalerError, match=r"^prometheus metrics 'prometheus' target may be lost, the result is empty$"):
        execute_prom_query(Answers([]), meta(ignoreNullValues="false"))  # type: ignore[arg-type]


def test_more_than_one_element_is_an_error() -> None:
    two = Answers([{"metric": {"pod": "a"}, "value": [1, "1"]}, {"metric": {"pod": "b"}, "value": [1, "2"]}])
    with pytest.raises(ScalerError, match=r"returned multiple elements$"):
        execute_prom_query(two, meta())  # type: ignore[arg-type]


def test_a_non_2xx_answer_is_an_error_with_its_status() -> None:
    with pytest.raises(ScalerError, match=r"^prometheus query api returned error\. status: 503$"):
        execute_prom_query(Answers(status=503), meta())  # type: ignore[arg-type]


def test_nan_reads_zero_unless_ignore_null_values_is_false() -> None:
    nan = [{"metric": {}, "value": [1, "NaN"]}]
    assert execute_prom_query(Answers(nan), meta()) == 0.0  # type: ignore[arg-type]
    with pytest.raises(ScalerError, match=r"^prometheus query returns NaN$"):
        execute_prom_query(Answers(nan), meta(ignoreNullValues="false"))  # type: ignore[arg-type]


def test_an_address_no_service_answers_is_the_dial_error() -> None:
    class Nowhere:
        def get(self, url: str) -> tuple[int, bytes]:
            raise DialError(f'Get "{url}": dial tcp: lookup nowhere: no such host')

    with pytest.raises(ScalerError, match=r"no such host$"):
        execute_prom_query(Nowhere(), meta())  # type: ignore[arg-type]


class Scraped(PrometheusServer):
    """The server's query evaluation over fixed samples (no cluster)."""

    def __init__(self, text: str) -> None:
        self.samples = [({**labels, "namespace": "ns"}, v) for labels, v in parse_exposition(text)]

    def samples_at(self, at: float) -> list[tuple[dict[str, str], float]]:
        return self.samples


VLLM = """# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="a"} 4.0
vllm:num_requests_waiting{engine="0",model_name="a"} 3.0
vllm:num_requests_waiting{engine="0",model_name="b"} 9.0
"""


def test_sum_over_the_selected_series_drops_every_label() -> None:
    assert Scraped(VLLM).query('sum(vllm:num_requests_waiting{namespace="ns",model_name="a"})') == [({}, 7.0)]


def test_sum_over_no_series_is_an_empty_vector_not_zero() -> None:
    assert Scraped(VLLM).query('sum(vllm:num_requests_waiting{model_name="c"})') == []


def test_a_query_shape_akscli_does_not_render_is_a_bad_data_error() -> None:
    status, _, body = Scraped(VLLM).handle("GET", "/api/v1/query?query=irate%28x%5B5m%5D%29", b"")
    assert status == 400
    assert json.loads(body)["errorType"] == "bad_data"


@pytest.mark.parametrize(("value", "text"), [(12.0, "12"), (0.5, "0.5"), (1e-7, "1e-07"), (float("nan"), "NaN")])
def test_sample_values_are_written_as_prometheus_marshals_them(value: float, text: str) -> None:
    assert format_value(value) == text
