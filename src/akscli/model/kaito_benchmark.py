"""What `model status` reads from KAITO's post-load benchmark: the figure KAITO recorded, and
whether an InferenceSet that KAITO holds not ready serves, its members' benchmark having failed.

upstream: kaito-project/kaito v0.12.0 (0894eb2b567d48cd2d66afe579acb1542b226af4)
- api/v1beta1/workspace_types.go Performance, Metric (description, value, unit, config);
  api/v1beta1/inferenceset_types.go InferenceSetStatus.Performance.
- pkg/workspace/controllers/benchmark.go parseBenchmarkResult: a Workspace's
  ``peakTokensPerMinute``, its config the benchmark's durationSec, inputTokens, outputTokens and
  maxConcurrency, and the runtime's engine, engineVersion and quantization.
- pkg/inferenceset/inferenceset_controller.go addOrUpdateInferenceSet: a set's
  ``aggregatedPeakTokensPerMinute``, the sum over its succeeded Workspaces, its config the
  runtime's only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akscli.kube import readiness
from akscli.kube.client import Kube
from akscli.kube.readiness.kaito import SET_LABEL

PEAK = "peakTokensPerMinute"
AGGREGATED_PEAK = "aggregatedPeakTokensPerMinute"


def _metric(obj: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool] | None:
    metrics = (((obj.get("status") or {}).get("performance") or {}).get("metrics")) or {}
    if obj.get("kind") == "Workspace" and isinstance(metrics.get(PEAK), Mapping):
        return metrics[PEAK], False
    if obj.get("kind") == "InferenceSet" and isinstance(metrics.get(AGGREGATED_PEAK), Mapping):
        return metrics[AGGREGATED_PEAK], True
    return None


def figure(obj: Mapping[str, Any]) -> str | None:
    """KAITO's benchmark figure of a Workspace or InferenceSet, in words, e.g. "peak 184320.5
    tokens/min (stress/high-concurrency: 60s, 2048 input and 256 output tokens, 64 concurrent;
    vllm 0.25.1)"; None while KAITO has recorded none (benchmark off, pending or failed)."""
    found = _metric(obj)
    if found is None:
        return None
    metric, aggregated = found
    config = metric.get("config") or {}
    text = f"peak {metric.get('value')} {metric.get('unit') or ''}".rstrip()
    if aggregated:
        text += " over all replicas"
    how = [str(metric.get("description") or "")]
    if all(config.get(k) for k in ("durationSec", "inputTokens", "outputTokens", "maxConcurrency")):
        how[0] += (
            f": {config['durationSec']}s, {config['inputTokens']} input and {config['outputTokens']} output "
            f"tokens, {config['maxConcurrency']} concurrent"
        )
    engine = " ".join(str(config[k]) for k in ("engine", "engineVersion") if config.get(k))
    if engine:
        how.append(engine + (f" {config['quantization']}" if config.get("quantization") else ""))
    details = "; ".join(h for h in how if h)
    return f"{text} ({details})" if details else text


def set_key(obj: Mapping[str, Any]) -> tuple[str, str]:
    """(namespace, set name) of an InferenceSet, or of the set that made a Workspace (its
    ``inferenceset.kaito.sh/created-by`` label; "" for none)."""
    meta = obj.get("metadata") or {}
    name = meta.get("name") if obj.get("kind") == "InferenceSet" else (meta.get("labels") or {}).get(SET_LABEL)
    return str(meta.get("namespace") or ""), str(name or "")


def set_warning(obj: Mapping[str, Any], members: Iterable[Mapping[str, Any]]) -> str | None:
    """The warning of an InferenceSet that serves though KAITO holds it not ready, only its
    members' benchmark having failed (readiness.kaito.set_benchmark_failed); else None."""
    verdict = readiness.check_with_members(obj, members)
    return verdict.warning if verdict.ready and verdict.warning else None


def set_serving(kube: Kube, obj: Mapping[str, Any], members: Iterable[Mapping[str, Any]] | None = None) -> str | None:
    """``set_warning`` from ``members``, the set's Workspaces where the caller has listed them
    already (`model status`: kaito_faults.set_members), else from one paginated list of them by
    label; None, reading nothing, for any other object and for a set KAITO calls ready."""
    source = readiness.members_of(obj) if obj.get("kind") == "InferenceSet" else None
    if source is None or readiness.check(obj).ready:
        return None
    if members is None:
        api_version, kind, selector = source
        namespace = (obj.get("metadata") or {}).get("namespace")
        members = kube.list(api_version, kind, namespace=namespace, label_selector=selector)
    return set_warning(obj, members)
