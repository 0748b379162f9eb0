"""The probes KubeRay gives the Ray container of every head and worker pod it builds, as
ray-project/kuberay feeaf72f ray-operator/controllers/ray/common/pod.go BuildPod does (with
ENABLE_PROBES_INJECTION unset, getEnableProbesInjection's default): initLivenessAndReadinessProbe
sets each of the Ray container's (utils.RayContainerIndex 0) livenessProbe and readinessProbe that
is nil, and nothing on any other container (the autoscaler, a sidecar).

- The check (initLivenessAndReadinessProbe): for Ray 2.53.0 and later (supportsUnifiedHealthCheck,
  version.ParseGeneric: a version it cannot parse is older) an httpGet on ``/api/healthz``
  (ray-project/kuberay ray-operator/controllers/ray/utils/constant.go RayNodeHealthPath) at the dashboard agent's
  port; before it, an exec
  ``bash -c`` of BaseWgetHealthCommand (``wget --tries 1 -T %d -q -O- http://localhost:%d/%s | grep
  success``) for the raylet (api/local_raylet_healthz on the agent port, -T
  DefaultReadinessProbeTimeoutSeconds) and, on the head, the GCS (api/gcs_healthz on the dashboard
  port, -T DefaultReadinessProbeFailureThreshold), joined by `` && ``. The ports are rayStartParams'
  ``dashboard-agent-listen-port`` (52365) and ``dashboard-port`` (8265) where they parse as int32.
- The numbers (ray-project/kuberay ray-operator/controllers/ray/utils/constant.go): liveness 30 s initial delay, 5 s
  period, 1 success, 120 failures;
  readiness 10 s, 5 s, 1, 10; timeout 5 s on the head, 2 s on a worker.
- A RayService's worker (the RayCluster's ray.io/originated-from-crd label, getCreatorCRDType):
  readiness with failureThreshold 1 (ServeReadinessProbeFailureThreshold) and always exec, the serve
  proxy's ``-/healthz`` (-T 10, the port named ``serve`` or 8000: utils.FindContainerPort) added.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_WGET = "wget --tries 1 -T {} -q -O- http://localhost:{}/{} | grep success"
_INT32 = re.compile(r"^[+-]?\d+$")


def _port(params: Mapping[str, Any], key: str, default: int) -> int:
    value = str(params.get(key, ""))
    if _INT32.match(value) and -(2**31) <= int(value) < 2**31:
        return int(value)
    return default


def _unified(ray_version: str) -> bool:
    """supportsUnifiedHealthCheck: version.ParseGeneric(rayVersion) at least 2.53.0."""
    match = re.match(r"^v?(\d+)\.(\d+)(?:\.(\d+))?", ray_version.strip())
    if match is None:
        return False
    parts = tuple(int(p or 0) for p in match.groups())
    return parts >= (2, 53, 0)


def with_probes(
    pod_spec: dict[str, Any], node_type: str, params: Mapping[str, Any], ray_version: str, service: bool
) -> None:
    containers = pod_spec.get("containers") or []
    if not containers:
        return
    ray = containers[0]
    head = node_type == "head"
    agent = _port(params, "dashboard-agent-listen-port", 52365)
    commands = [_WGET.format(2, agent, "api/local_raylet_healthz")]
    if head:
        commands.append(_WGET.format(10, _port(params, "dashboard-port", 8265), "api/gcs_healthz"))
    unified = _unified(ray_version)
    timeout = 5 if head else 2

    def action(cmds: list[str]) -> dict[str, Any]:
        if unified:
            return {"httpGet": {"path": "/api/healthz", "port": agent}}
        return {"exec": {"command": ["bash", "-c", " && ".join(cmds)]}}

    if ray.get("livenessProbe") is None:
        ray["livenessProbe"] = {
            "initialDelaySeconds": 30,
            "timeoutSeconds": timeout,
            "periodSeconds": 5,
            "successThreshold": 1,
            "failureThreshold": 120,
            **action(commands),
        }
    if ray.get("readinessProbe") is None:
        readiness = {
            "initialDelaySeconds": 10,
            "timeoutSeconds": timeout,
            "periodSeconds": 5,
            "successThreshold": 1,
            "failureThreshold": 10,
            **action(commands),
        }
        if service and not head:
            ports = ray.get("ports") or []
            serve = next((int(p["containerPort"]) for p in ports if p.get("name") == "serve"), 8000)
            readiness.pop("httpGet", None)
            readiness["failureThreshold"] = 1
            readiness["exec"] = {
                "command": ["bash", "-c", " && ".join([*commands, _WGET.format(10, serve, "-/healthz")])]
            }
        ray["readinessProbe"] = readiness
