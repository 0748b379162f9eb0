"""The lab Prometheus's rate, aggregation and histogram_quantile (prometheus_promql.py) against
upstream's arithmetic (prometheus/prometheus promql/functions.go extrapolatedRate, quantile.go)."""

from __future__ import annotations

import json
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


def test_bucket_quantile_makes_counts_monotonic_and_coalesces_one_bound() -> None:
    # prometheus/prometheus d15adb9a promql/promqltest/testdata/histograms.test: nonmonotonic_bucket
    # at 50m (quantile.go ensureMonotonicAndIgnoreSmallDeltas) ...
    counts = [(0.1, 20.0), (1.0, 10.0), (10.0, 50.0), (100.0, 40.0), (1000.0, 90.0), (math.inf, 80.0)]
    assert [round(bucket_quantile(q, counts), 6) for q in (0.01, 0.5, 0.99)] == [0.0045, 8.5, 979.75]
    # ... and mixed_bucket's ins1 and ins2, rates over 10m (coalesceBuckets: le "0.2", "2e-1" and
    # "2.0e-1" are one bound; "+inf" and "+Inf" too, which leaves one bucket: NaN).
    server = PrometheusServer(kube=None, namespace="monitoring")
    for instance, les in {"ins1": ("0.1", "0.2", "2e-1", "2.0e-1"), "ins2": ("+inf",)}.items():
        for le in (*les, "+Inf"):
            key = key_of({"__name__": "mixed_bucket", "instance": instance, "le": le})
            slope = (4.0 if le == "+Inf" else 1.0) if instance == "ins1" else 0.0
            for minute in range(0, 51, 5):
                server.tsdb.append(key, minute * 60.0, slope * minute / 5)
    for q, ins1 in ((0.5, 0.15), (0.75, 0.2)):
        found = dict(
            (labels["instance"], v)
            for labels, v in server.query(f"histogram_quantile({q}, rate(mixed_bucket[10m]))", 3000.0)
        )
        assert round(found["ins1"], 10) == ins1 and math.isnan(found["ins2"])


def test_a_post_s_form_is_read_only_with_its_content_type() -> None:
    # prometheus/prometheus web/api/v1/api.go: /api/v1/query on POST; Go's ParseForm reads the body
    # of an application/x-www-form-urlencoded request only, its values before the URL's.
    server = PrometheusServer(kube=None, namespace="monitoring")
    server.tsdb.append(key_of({"__name__": "up", "pod": "a"}), 100.0, 1.0)
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    status, _, body = server.handle("POST", "/api/v1/query?query=nope", b"query=up&time=110", headers=form)
    assert status == 200 and json.loads(body)["data"]["result"] == [
        {"metric": {"__name__": "up", "pod": "a"}, "value": [110.0, "1"]}
    ]
    status, _, body = server.handle("POST", "/api/v1/query", b"query=up", headers={"Content-Type": "text/plain"})
    assert (status, json.loads(body)["error"]) == (
        400,
        'invalid parameter "query": unknown position: parse error: no expression found in input',
    )
