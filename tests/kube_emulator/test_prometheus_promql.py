"""The lab Prometheus's rate, aggregation and histogram_quantile (prometheus_promql.py) against
upstream's arithmetic (prometheus/prometheus promql/functions.go extrapolatedRate, quantile.go)."""

from __future__ import annotations

import math

from tests.emulators.kube.controllers.prometheus_promql import bucket_quantile, rate
from tests.emulators.kube.controllers.prometheus_server import PrometheusServer
from tests.emulators.kube.controllers.prometheus_tsdb import key_of


def test_rate_extrapolates_to_the_zero_point_and_half_a_gap_past_the_last_sample() -> None:
    # Samples at 100 (0) and 160 (6000), queried at 260 over 300 s: the start goes to the counter's
    # zero point (0 s), the end 100 s away (over 1.1 gaps) by half a gap: 6000 * 90/60 / 300.
    assert rate([(100.0, 0.0), (160.0, 6000.0)], 260.0, 300.0) == 30.0
    # Near both ends: extrapolated all the way; a reset adds the value before it back.
    assert rate([(10.0, 50.0), (40.0, 80.0), (70.0, 20.0)], 80.0, 80.0) == (20 - 50 + 80) * (60 + 10 + 10) / 60 / 80
    assert rate([(1.0, 5.0)], 2.0, 60.0) is None


def test_bucket_quantile_interpolates_in_the_bucket_and_caps_at_the_highest_finite_bound() -> None:
    buckets = [(0.1, 50.0), (0.5, 90.0), (math.inf, 100.0)]
    assert bucket_quantile(0.5, buckets) == 0.1
    assert bucket_quantile(0.7, buckets) == 0.1 + 0.4 * (20 / 40)
    assert bucket_quantile(0.95, buckets) == 0.5
    assert math.isnan(bucket_quantile(0.5, [(0.1, 1.0)]))  # no +Inf bucket
    assert math.isnan(bucket_quantile(0.5, [(0.1, 0.0), (math.inf, 0.0)]))


def test_the_server_answers_a_quantile_of_summed_bucket_rates_per_pod() -> None:
    server = PrometheusServer(kube=None, namespace="monitoring")
    for pod, (fast, all_) in {"a": (90.0, 100.0), "b": (10.0, 100.0)}.items():
        for le, count in (("0.1", fast), ("+Inf", all_)):
            key = key_of({"__name__": "h_bucket", "pod": pod, "le": le, "engine": "0"})
            server.tsdb.append(key, 100.0, 0.0)
            server.tsdb.append(key, 160.0, count)
    per_pod = server.query('histogram_quantile(0.5, sum by (pod, le) (rate(h_bucket{pod=~"a|b"}[5m])))', 260.0)
    assert sorted((labels["pod"], round(v, 4)) for labels, v in per_pod) == [("a", 0.0556), ("b", 0.1)]
    [(labels, pooled)] = server.query("histogram_quantile(0.5, sum by (le) (rate(h_bucket[5m])))", 260.0)
    assert labels == {} and pooled == 0.1
    assert server.query('avg by (pod) ({__name__=~"h_bucket",le="0.1"})', 260.0) == [
        ({"pod": "a"}, 90.0),
        ({"pod": "b"}, 10.0),
    ]
