"""akscli model top: per model and replica, vLLM's queue, KV cache, token rates and latency.

Thin: the figures come from ``akscli.model.metrics`` (each pod's /metrics through the API
server's pod proxy, no Prometheus needed); registered on the model group by ``cli/model.py``.
"""

import time
from time import monotonic
from typing import Annotated, Any

import typer

from akscli import errors, output, validate
from akscli.cli import completers, flag_types
from akscli.cli import options as opts
from akscli.cli.common import namespaced_columns
from akscli.cli.model_common import deployment_name
from akscli.output import Column


def _num(key: str, unit: str = "") -> Any:
    def get(row: dict[str, Any]) -> str:
        value = row.get(key)
        return "-" if value is None else f"{value:g}{unit}"

    return get


TOP_COLUMNS = [
    Column("Model", "model"),
    Column("Namespace", "namespace", wide=True),
    # --window adds each model's total: a row without a pod, as kubectl top pod --sum's.
    Column("Pod", lambda r: "(total)" if r["pod"] is None else r["pod"]),
    Column("Running", _num("running")),
    Column("Waiting", _num("waiting")),
    Column("KV cache", _num("kv_cache_percent", "%")),
    Column("Prompt tok/s", _num("prompt_tokens_per_second")),
    Column("Gen tok/s", _num("generation_tokens_per_second")),
    Column("TTFT p50", _num("ttft_p50_ms", "ms")),
    Column("TTFT p95", _num("ttft_p95_ms", "ms")),
    Column("E2E p50", _num("e2e_p50_ms", "ms")),
    Column("E2E p95", _num("e2e_p95_ms", "ms")),
]


def top_cmd(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Deployment name (default: every model); model/NAME as -o name prints it also works.",
            autocompletion=completers.deployed_models,
            callback=deployment_name,
        ),
    ] = None,
    namespace: flag_types.Namespace = None,
    all_namespaces: flag_types.AllNamespaces = False,
    watch: Annotated[bool, typer.Option("-w", "--watch", help="Print new figures every interval.")] = False,
    interval: Annotated[
        str, typer.Option("--interval", help="Time between the two scrapes a rate needs, and between watches.")
    ] = "2s",
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            help="Read the figures from the cluster's Prometheus over this window (rate, histogram_quantile), "
            "e.g. 5m, with each model's total; without it: two scrapes of each pod --interval apart.",
        ),
    ] = None,
    kubeconfig: flag_types.Kubeconfig = None,
    kube_context: flag_types.Context = None,
    request_timeout: flag_types.RequestTimeout = None,
    output_fmt: opts.Output = "table",
) -> None:
    """Requests running and waiting, KV-cache use, tokens/s and TTFT / end-to-end latency p50/p95
    of each serving replica, read from vLLM's /metrics (no Prometheus needed); with --window, what
    the cluster's Prometheus scraped over the window, and each model's total."""
    from akscli.gpu.activity import check_window
    from akscli.model import live, metrics

    fmt = opts.output_format(output_fmt)
    seconds = validate.duration(interval, "--interval")
    if not 0.1 <= seconds <= 3600:
        raise errors.UsageError(f"invalid --interval {interval!r}: between 100ms and 1h", hint="--interval 2s")
    if name is not None:
        validate.name(name, "model deployment name")
    if window is not None:
        check_window(window)
    kube = opts.KubeFlags(kubeconfig, kube_context, namespace, request_timeout).connect()
    if name is not None:
        models = [live.find(kube, name, namespace or live.placed_namespace(kube, name) or kube.namespace)]
    else:
        found = live.deployed_models(kube, namespace=namespace or kube.namespace, all_namespaces=all_namespaces)
        models = [live.find(kube, r["name"], r["namespace"]) for r in found]
    targets = []
    for obj in models:
        if name is None and (problem := live.no_vllm_metrics(obj)) is not None:
            # Listing every model: one without vLLM figures does not hide the others.
            output.warn(
                f"no figures from model {obj['metadata']['namespace']}/{obj['metadata']['name']}: {problem.message}"
            )
            continue
        targets += live.metric_targets(kube, obj)
    # -w: a warning is written once while every refresh brings it (output.Repeats).
    said = output.Repeats()
    # -w with a --request-timeout given ends once it has run out, exit 0, as kubectl get -w does: the
    # figures printed first, then new ones until then (upstream: kubernetes/client-go 32ce75a7
    # rest/transport.go HTTPClientFor, http.Client.Timeout bounding the watch's body; kubernetes/kubectl
    # dee3483a pkg/cmd/get/get.go watch drops the closed watch's error). A round under way is printed.
    bound = kube.request_timeout if watch and kube.request_timeout else None
    ends: float | None = None
    while True:
        if ends is not None and monotonic() >= ends:
            return
        rows = _windowed(kube, targets, window, said) if window is not None and targets else None
        if rows is not None:
            said.round_done()
            _emit(rows, fmt, all_namespaces)
            if not watch:
                return
            ends = ends or (monotonic() + bound if bound else None)
            output.write("")
            time.sleep(seconds if ends is None else max(0.0, min(seconds, ends - monotonic())))
            continue
        figures, failed = metrics.read(kube, targets, seconds)
        if failed and len(failed) == len(targets):
            raise next(iter(failed.values()))  # none answered: the command failed
        for target, error in failed.items():
            # One replica that does not answer does not hide the others: its row shows "-".
            said.warn(f"no figures from pod {target.namespace}/{target.pod}: {error.message}")
        said.round_done()
        _emit([r.to_dict() for r in figures], fmt, all_namespaces)
        if not watch or not targets:
            return
        ends = ends or (monotonic() + bound if bound else None)
        if ends is not None and monotonic() >= ends:
            return
        output.write("")


def _windowed(kube: Any, targets: list[Any], window: str, said: output.Repeats) -> list[dict[str, Any]] | None:
    """The rows from Prometheus, after one line per model it has no series of; None, after one
    line saying why, when it has none at all (the two scrapes are shown then, as without --window)."""
    from akscli.gpu.activity import Unavailable
    from akscli.model import serving_window

    try:
        reading = serving_window.read(kube, targets, window)
    except Unavailable as exc:
        said.warn(f"figures over {window} not shown: {exc}; showing two scrapes of each pod instead")
        return None
    for line in reading.unseen:  # a model without series does not hide the others
        said.warn(line)
    return reading.rows


def _emit(rows: list[dict[str, Any]], fmt: str, all_namespaces: bool) -> None:
    columns = namespaced_columns(TOP_COLUMNS, all_namespaces)
    if fmt == "name":  # a total is no object
        rows = [r for r in rows if r["pod"] is not None]
    # A row is a serving pod: -o name is its kubectl name (pod/NAME), which kubectl logs takes.
    output.emit(rows, fmt, columns, name=lambda r: f"pod/{r['pod']}", empty="No serving pod to read.")
