"""The lab Prometheus's HTTP answers read against upstream (audit 28, cite28): prometheus/prometheus
d15adb9a web/api/v1/api.go (query, parseTime, invalidParamError, Register) and the router under it,
julienschmidt/httprouter v1.3.0 router.go (405 with Allow). Plain calls of the handler."""

from __future__ import annotations

import json

import pytest

from tests.emulators.kube.controllers.prometheus_server import PrometheusServer
from tests.emulators.kube.controllers.prometheus_text import _eval_time


def test_a_time_prometheus_cannot_parse_is_400_bad_data_in_its_words() -> None:
    status, headers, body = PrometheusServer(None, "ns").handle("GET", "/api/v1/query?query=up&time=soon", b"")
    assert (status, headers["Content-Type"]) == (400, "application/json")
    assert json.loads(body) == {
        "status": "error",
        "errorType": "bad_data",
        "error": 'invalid parameter "time": invalid time value for \'time\': cannot parse "soon" to a valid timestamp',
    }


def test_a_time_is_taken_to_the_millisecond_and_rfc3339_needs_its_zone() -> None:
    assert _eval_time("1700000000.12345") == 1700000000.123  # parseTime: math.Round of the fraction
    assert _eval_time("2023-11-14T22:13:20.1239Z") == 1700000000.123  # FromTime: whole milliseconds
    with pytest.raises(ValueError, match="invalid time value"):
        _eval_time("2023-11-14T22:13:20")  # time.RFC3339Nano has a zone


def test_options_is_204_and_another_method_405_with_allow() -> None:
    server = PrometheusServer(None, "ns")
    assert server.handle("OPTIONS", "/api/v1/query", b"")[0] == 204  # r.Options("/*path", ...)
    status, headers, body = server.handle("DELETE", "/api/v1/query", b"")
    assert (status, headers["Allow"], body) == (405, "GET, OPTIONS, POST", b"Method Not Allowed\n")
