"""The lab's Prometheus scrapes each target on its interval and an instant query reads the newest
sample within the lookback delta, never a stale one (controllers/prometheus_server.py and
prometheus_tsdb.py, after prometheus/prometheus scrape/scrape.go and promql/engine.go, and
prometheus-operator pkg/prometheus/promcfg.go for the intervals; the first scrape's offset and the
end-of-run staleness markers after scrape/target.go and scrape.go, prometheus_offset.py). Times
are given to ``scrape`` and to the query, so nothing here waits but the scrape loop's own test.
``scrape(T, every=True)`` is a first scrape at T: a test's way to start without the offset."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

import pytest

from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.prometheus_offset import NANO, fnv64a, offset_seed, target_hash, xxhash64
from tests.emulators.kube.controllers.prometheus_server import PrometheusServer
from tests.emulators.kube.controllers.prometheus_tsdb import STALE_NAN, Tsdb, is_stale, key_of, parse_duration
from tests.emulators.kube.controllers.vllm import VllmMetrics
from tests.emulators.kube.profiles import install_podmonitor_api

MONITORING = "monitoring.coreos.com/v1"
QUERY = 'sum(vllm:num_requests_waiting{job="default/phi-4"})'
PROMETHEUS = "kube-prometheus-stack-prometheus"
# The scrapes are given their time (no scrape loop runs): any time will do, a day ahead is one.
T0 = float(int(time.time()) + 86400)


class Model:
    """One vLLM pod, its PodMonitor (``interval`` unless None) and kube-prometheus-stack's
    Prometheus (``scrape_interval`` unless None)."""

    def __init__(
        self,
        factory: Callable[..., Any],
        interval: str | None = "15s",
        scrape_interval: str | None = None,
        scrape_loop: bool = False,
    ):
        self.emu = factory(crd_dirs=[], tls=False, builtin_controllers=False)
        install_podmonitor_api(self.emu, scrape_loop=scrape_loop)
        self.server = self.emu.prometheus_servers["monitoring"]
        if scrape_interval is not None:
            prom = {"spec": {"scrapeInterval": scrape_interval}}
            self.emu.cluster.patch(MONITORING, "Prometheus", "monitoring", "kube-prometheus-stack-prometheus", prom)
        self.emu.cluster.create(_pod())
        self.emu.cluster.patch_status("v1", "Pod", "default", "phi-4-0", {"phase": "Running", "podIP": "10.0.0.7"})
        endpoint: dict[str, Any] = {"port": "http", "path": "/metrics"}
        if interval is not None:
            endpoint["interval"] = interval
        self.monitor = {
            "apiVersion": MONITORING,
            "kind": "PodMonitor",
            "metadata": {"name": "phi-4", "namespace": "default", "labels": {"release": "kube-prometheus-stack"}},
            "spec": {"selector": {"matchLabels": {"app": "phi-4"}}, "podMetricsEndpoints": [endpoint]},
        }
        self.emu.cluster.create(self.monitor)
        self.figures = VllmMetrics("phi-4")
        self.emu.register_pod_proxy("default", "phi-4-0", 8000, self.figures.handler())

    def waiting(self, at: float) -> list[str]:
        """The query's answer at ``at``, over the server's HTTP handler: its values."""
        status, _, body = self.server.handle("GET", f"/api/v1/query?query={quote_plus(QUERY)}&time={at}", b"")
        assert status == 200, body
        return [sample["value"][1] for sample in json.loads(body)["data"]["result"]]


def _pod() -> dict[str, Any]:
    port = {"name": "http", "containerPort": 8000}
    container = {"name": "vllm", "image": "vllm/vllm-openai:v0.11.0", "ports": [port]}
    meta = {"name": "phi-4-0", "namespace": "default", "labels": {"app": "phi-4"}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {"containers": [container]}}


@pytest.fixture
def model(kube_emulator_factory: Callable[..., Any]) -> Model:
    return Model(kube_emulator_factory)


def test_a_query_before_the_first_scrape_sees_no_sample(model: Model) -> None:
    model.figures.waiting = 4
    model.server.scrape(T0, every=True)
    assert model.waiting(T0 - 1) == []
    assert model.waiting(T0) == ["4"]


def test_a_change_on_the_pod_is_seen_only_after_the_next_scrape(model: Model) -> None:
    model.figures.waiting = 4
    model.server.scrape(T0, every=True)
    model.figures.waiting = 9
    assert model.waiting(T0 + 5) == ["4"]


def _scraped_again_after(model: Model, seconds: float) -> None:
    """After a scrape at its tick, the target is scraped again ``seconds`` later, not sooner."""
    model.server.scrape(T0, every=True)
    tick = model.server.next_scrape("phi-4-0")
    model.server.scrape(tick)
    model.figures.waiting = 9
    model.server.scrape(tick + seconds - 1)
    assert model.waiting(tick + seconds - 1) == ["0"]
    model.server.scrape(tick + seconds)
    assert model.waiting(tick + seconds) == ["9"]


def test_a_target_is_scraped_again_only_when_the_podmonitors_interval_has_passed(model: Model) -> None:
    _scraped_again_after(model, 15)  # the PodMonitor's 15s


def test_without_an_endpoint_interval_the_prometheus_scrape_interval_applies(kube_emulator_factory: Any) -> None:
    _scraped_again_after(Model(kube_emulator_factory, interval=None, scrape_interval="1m"), 60)


def test_the_default_scrape_interval_is_30s(kube_emulator_factory: Any) -> None:
    # prometheus-operator pkg/apis/monitoring/v1/prometheus_types.go: +kubebuilder:default:="30s".
    _scraped_again_after(Model(kube_emulator_factory, interval=None), 30)


def test_a_new_target_is_not_scraped_at_the_first_look_but_at_its_offset(model: Model) -> None:
    # scrape/target.go offset: the first scrape waits for the target's offset within the interval.
    model.server.scrape(T0)
    assert model.waiting(T0) == []
    first = model.server.next_scrape("phi-4-0")
    assert T0 < first <= T0 + 15
    model.server.scrape(first - 0.5)
    assert model.waiting(first - 0.5) == []
    model.server.scrape(first)
    assert model.waiting(first) == ["0"]
    assert model.server.next_scrape("phi-4-0") == first + 15


def test_the_offset_is_pinned_to_absolute_time_whenever_the_target_appears(kube_emulator_factory: Any) -> None:
    # The same target (labels, URL) of the same server gets the same second of the minute.
    phases = []
    for appears in (T0, T0 + 7, T0 + 3600 + 11):
        model = Model(kube_emulator_factory)
        model.server.scrape(appears)
        phases.append(round(model.server.next_scrape("phi-4-0") % 15, 6))
    assert len(set(phases)) == 1


def test_the_offset_is_the_targets_hash_xor_the_servers_seed_modulo_the_interval(model: Model) -> None:
    model.server.scrape(T0)
    [target] = model.server._targets(model.emu.cluster.get(MONITORING, "Prometheus", "monitoring", PROMETHEUS))
    seed = offset_seed("monitoring", PROMETHEUS)
    offset = (target_hash(target.hashed, target.url) ^ seed) % (15 * NANO)
    assert model.server.next_scrape("phi-4-0") % 15 == pytest.approx(offset / NANO, abs=1e-5)  # float seconds


def test_the_last_sample_is_read_for_five_minutes_and_not_after(model: Model) -> None:
    # Nothing scrapes after T0 (no stale marker either): the lookback delta bounds the read.
    model.server.scrape(T0, every=True)
    assert model.waiting(T0 + 299) == ["0"]
    assert model.waiting(T0 + 300) == []


def test_a_target_that_goes_away_is_stale_from_its_next_tick_once_the_markers_are_written(model: Model) -> None:
    # scrape/scrape.go endOfRunStaleness: the markers are stamped at the loop's next tick (by T0 + 15)
    # and written a tick and a tenth of an interval after it (about 2.1 intervals after the last scrape).
    model.server.scrape(T0, every=True)
    tick = model.server.next_scrape(
        "phi-4-0"
    )  # where the markers are stamped: T0 is the wall clock's, so anywhere in the interval
    model.emu.cluster.delete(MONITORING, "PodMonitor", "default", "phi-4")
    model.server.scrape(T0 + 1)
    model.server.scrape(T0 + 16)
    assert model.waiting(T0 + 15) == ["0"]  # not written yet
    model.server.scrape(T0 + 31.5)  # the tick + 16.5 s has passed, wherever the tick was
    assert model.waiting(max(T0, tick - 0.5)) == ["0"]  # before the stamp: the last sample
    assert model.waiting(tick) == []
    assert model.waiting(T0 + 15) == []


def test_a_failed_scrape_leaves_up_zero_and_the_series_stale(model: Model) -> None:
    model.server.scrape(T0, every=True)
    model.emu.register_pod_proxy("default", "phi-4-0", 8000, lambda method, path, body: (503, {}, b""))
    tick = model.server.next_scrape("phi-4-0")
    model.server.scrape(tick)
    assert model.waiting(tick) == []
    [up] = model.server.query('up{job="default/phi-4"}', tick)
    assert up[1] == 0.0


def test_a_scrape_of_every_target_lets_the_interval_pass(model: Model) -> None:
    model.server.scrape(T0, every=True)
    model.figures.waiting = 9
    model.server.scrape(T0 + 1, every=True)
    assert model.waiting(T0 + 1) == ["9"]


def test_the_scrape_loop_scrapes_new_targets_on_its_own(kube_emulator_factory: Any) -> None:
    # ScrapeLoop: a look at the targets when it starts, at every change of a Prometheus, every 5 s,
    # and when a target's scrape is due (at its offset within the PodMonitor's 1s here).
    model = Model(kube_emulator_factory, interval="1s", scrape_loop=True)
    model.figures.waiting = 4
    relabel = {"metadata": {"labels": {"team": "ml"}}}
    model.emu.cluster.patch(MONITORING, "Prometheus", "monitoring", "kube-prometheus-stack-prometheus", relabel)
    assert wait_until(lambda: model.server.query(QUERY) == [({}, 4.0)])


def test_avg_over_time_is_each_series_mean_over_a_left_open_range_without_stale_markers() -> None:
    # promql/engine.go matrixIterSlice (t > mint; stale markers skipped), functions.go funcAvgOverTime
    # (the metric name dropped); samples older than the lookback are kept for the range.
    server = PrometheusServer(None, "monitoring")
    key = key_of({"__name__": "DCGM_FI_DEV_GPU_UTIL", "gpu": "0"})
    for at, value in ((T0, 10.0), (T0 + 30, 20.0), (T0 + 60, 60.0)):
        server.tsdb.append(key, at, value)
    server.tsdb.mark_stale([key], T0 + 900)
    assert server.query('avg_over_time(DCGM_FI_DEV_GPU_UTIL{gpu="0"}[90s])', T0 + 60) == [({"gpu": "0"}, 30.0)]
    assert server.query("avg_over_time(DCGM_FI_DEV_GPU_UTIL[1m])", T0 + 60) == [({"gpu": "0"}, 40.0)]
    assert server.query("avg_over_time(DCGM_FI_DEV_GPU_UTIL[1h])", T0 + 900) == [({"gpu": "0"}, 30.0)]
    assert server.query("avg_over_time(DCGM_FI_DEV_GPU_UTIL[1m])", T0 + 900) == []


def test_the_staleness_marker_is_prometheus_stale_nan() -> None:
    # prometheus/prometheus model/value/value.go StaleNaN = 0x7ff0000000000002.
    assert is_stale(STALE_NAN) and not is_stale(float("nan"))
    db = Tsdb()
    db.append((("__name__", "x"),), T0, 1.0)
    db.mark_stale([(("__name__", "x"),)], T0 + 1)
    assert db.instant(T0) == [({"__name__": "x"}, 1.0)] and db.instant(T0 + 1) == []


@pytest.mark.parametrize(("text", "seconds"), [("15s", 15.0), ("1m30s", 90.0), ("5m", 300.0), ("500ms", 0.5)])
def test_durations_are_read_as_prometheus_writes_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("data", "digest"),
    [
        (b"", 0xEF46DB3751D8E999),
        (b"a", 0xD24EC4F1A98C6E5B),
        (b"abc", 0x44BC2CF5AD770999),
        (b"Nobody inspects the spammish repetition", 0xFBCEA83C8A378BF1),
    ],
)
def test_xxhash64_gives_the_reference_digests(data: bytes, digest: int) -> None:
    # The label set's hash (model/labels Labels.Hash, cespare/xxhash Sum64): the published vectors.
    assert xxhash64(data) == digest


def test_fnv64a_gives_the_reference_digests() -> None:
    assert (fnv64a(b""), fnv64a(b"a")) == (0xCBF29CE484222325, 0xAF63DC4C8601EC8C)
