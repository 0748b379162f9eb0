"""Every vLLM series akscli reads or scales on is one the vLLM it runs by default writes
(tests/model/_vllm_metrics.py records them from vllm-project/vllm v0.24.0's source): `model top`
and `model status` (model/metrics.py), `model top --window` (model/serving_window.py), KEDA's
query for --autoscale (model/deploy.py) and keda-kaito-scaler's metric (model/runtime_values.py),
the reference check of every rendered deploy (_refcheck.py) and the lab's vLLM server."""

from __future__ import annotations

import re

from akscli.model import kinds, metrics, serving_window
from akscli.model.metrics import Target
from tests.emulators.kube.controllers.vllm import VllmMetrics

from . import _refcheck as refcheck
from . import _vllm_metrics as vllm

_NAME = re.compile(r"vllm:[a-z0-9_]+")


def test_the_recorded_series_are_those_of_the_default_images_release() -> None:
    for image in (kinds.DEFAULT_VLLM_IMAGE, kinds.DEFAULT_VLLM_IMAGE_CUDA12):
        assert image.rpartition(":")[2].removesuffix("-cu129") == vllm.RELEASE


def test_every_series_model_top_reads_is_written_by_the_default_image() -> None:
    read = {
        metrics.RUNNING, metrics.WAITING, metrics.PROMPT_TOKENS, metrics.GENERATION_TOKENS,
        f"{metrics.TTFT}_bucket", f"{metrics.E2E}_bucket",
    }  # fmt: skip
    assert read <= vllm.SERIES
    # The KV cache: v0.24.0's name first; the older one only for an older --image.
    assert metrics.KV_CACHE[0] in vllm.SERIES and metrics.KV_CACHE[1] not in vllm.SERIES


def test_every_series_a_window_queries_is_written_by_the_default_image() -> None:
    sent = serving_window.queries([Target("phi-4", "default", "phi-4-0", 8000)], "5m")
    names = {n for q in sent.values() for n in _NAME.findall(q)}
    assert names - {"vllm:gpu_cache_usage_perc"} <= vllm.SERIES


def test_the_autoscalers_queue_series_is_written_by_the_default_image() -> None:
    assert kinds.QUEUE_METRIC in vllm.SERIES


def test_the_reference_check_knows_only_series_the_default_image_writes() -> None:
    assert refcheck.VLLM_METRICS <= vllm.SERIES
    assert refcheck.VLLM_METRIC_LABELS == vllm.LABELS


def test_the_labs_vllm_server_writes_only_series_the_default_image_writes() -> None:
    text = VllmMetrics("phi-4", running=1, ttft=[0.1], e2e=[1.0]).text()
    samples = [line for line in text.splitlines() if not line.startswith("#")]
    names = {line.split("{", 1)[0] for line in samples}
    labels = {k for line in samples for k in re.findall(r'(\w+)="', line)}
    assert names <= vllm.SERIES | vllm.CREATED
    assert labels == vllm.LABELS | {"le"}


def test_the_labs_vllm_server_writes_the_default_images_latency_buckets() -> None:
    scrape = metrics.parse(VllmMetrics("phi-4").text(), at=0.0)
    assert sorted(scrape.buckets[metrics.TTFT]) == [*vllm.TTFT_BUCKETS, float("inf")]
    assert sorted(scrape.buckets[metrics.E2E]) == [*vllm.E2E_BUCKETS, float("inf")]
