"""One reading of an ARM answer's wait, for the retries and for the error (audit 34).

azure-core's RetryPolicy reads Retry-After (seconds or an HTTP-date), else retry-after-ms, else
x-ms-retry-after-ms (Azure/azure-sdk-for-python sdk/core/azure-core azure/core/pipeline/policies/
_utils.py ``get_retry_after``), and akscli's policy gives a 429 back, unretried, when that wait is
longer than it waits (akscli.azure.armretry). Before audit 34 the error read Retry-After alone with
its own parser: a 429 that asked for its wait in milliseconds was given back and the error did not
say how long Azure asked to wait.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from akscli.azure import armretry
from akscli.azure.arm import translate_arm_error

CLUSTER = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1"
BODY = {"error": {"code": "TooManyRequests", "message": "Too many requests; retry later."}}


class _Answer:
    """An HTTP answer as azure-core's HttpResponseError and akscli read it."""

    status_code = 429
    reason = "Too Many Requests"
    content_type = "application/json"

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = {"Content-Type": "application/json", **headers}
        self.request = SimpleNamespace(
            url=f"https://management.azure.com{CLUSTER}?api-version=2026-08-01", method="GET"
        )

    def text(self, encoding: str | None = None) -> str:
        return json.dumps(BODY)

    def json(self) -> Any:
        return BODY

    def body(self) -> bytes:
        return json.dumps(BODY).encode()


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "300"}, 300.0),
        ({"retry-after-ms": "300000"}, 300.0),
        ({"x-ms-retry-after-ms": "300000"}, 300.0),
        ({"Retry-After": "7", "x-ms-retry-after-ms": "300000"}, 7.0),
        ({}, None),
    ],
)
def test_the_wait_is_read_as_azure_core_reads_it(headers: dict[str, str], seconds: float | None) -> None:
    assert armretry.retry_after(_Answer(headers)) == seconds


def test_a_throttled_answer_that_names_its_wait_in_milliseconds_says_how_long_in_the_error() -> None:
    error = translate_arm_error(HttpResponseError(response=_Answer({"x-ms-retry-after-ms": "300000"})))
    assert "throttling" in error.message
    assert "Azure asks to wait 300s, longer than akscli waits" in (error.hint or "")
