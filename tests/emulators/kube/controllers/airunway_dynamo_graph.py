"""The DynamoGraphDeployment AI Runway's dynamo provider makes for a ModelDeployment, aggregated:
ai-runway/airunway v0.7.0 (f5fd48d1; unchanged at b0d3fb77 but for a comment) providers/dynamo/
transformer.go Transform, buildServices, buildEPP, buildEPPPluginsAndProfiles, buildFrontendService,
buildAggregatedWorker, buildFrontendSidecar, buildResourceLimits, buildEngineArgs, engineCommand,
getImage, addSchedulingConfig, sanitizeLabelValue, applyOverrides, deepMerge; providers/dynamo/
config.go DynamoVersion (1.1.1, the runtime images' tag).

Not simulated: disaggregated serving (buildPrefillWorker, buildDecodeWorker: akscli renders
aggregated models only), storage (buildPVCs, addStorageConfig), the mocker backend, spec.env, and
the typed overrides' validation beyond what parseOverrides reads.
"""

from __future__ import annotations

import copy
import re
from typing import Any

DYNAMO_VERSION = "1.1.1"
VLLM_RUNTIME = f"nvcr.io/nvidia/ai-dynamo/vllm-runtime:{DYNAMO_VERSION}"
RUNTIMES = {
    "vllm": VLLM_RUNTIME,
    "sglang": f"nvcr.io/nvidia/ai-dynamo/sglang-runtime:{DYNAMO_VERSION}",
    "trtllm": f"nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:{DYNAMO_VERSION}",
}
FRONTEND_IMAGE = f"nvcr.io/nvidia/ai-dynamo/dynamo-frontend:{DYNAMO_VERSION}"
BLOCKED = ("apiVersion", "kind", "metadata", "status")


class TransformError(Exception):
    """Transform's error: Reconcile sets ResourceCreated False TransformFailed, phase Failed."""


def _label(value: str) -> str:
    """sanitizeLabelValue: 63 characters, others than [A-Za-z0-9-_.] as '-', trimmed of '-_.'."""
    return re.sub(r"[^A-Za-z0-9\-_.]", "-", value[:63]).strip("-_.")


def _deep_merge(dst: dict[str, Any], src: dict[str, Any]) -> dict[str, Any]:
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dst.get(key), dict):
            dst[key] = _deep_merge(dst[key], value)
        else:
            dst[key] = value
    return dst


def _engine_args(spec: dict[str, Any], engine: str) -> list[str]:
    model, eng = spec.get("model") or {}, spec.get("engine") or {}
    args = ["--model-path" if engine in ("sglang", "trtllm") else "--model", str(model.get("id") or "")]
    if model.get("servedName"):
        args += ["--served-model-name", str(model["servedName"])]
    if eng.get("contextLength") is not None and engine in ("vllm", "sglang"):
        args += ["--max-model-len" if engine == "vllm" else "--context-length", str(eng["contextLength"])]
    for field, flag in (
        ("trustRemoteCode", "--trust-remote-code"),
        ("enablePrefixCaching", "--enable-prefix-caching"),
        ("enforceEager", "--enforce-eager"),
    ):
        if eng.get(field) and engine in ("vllm", "sglang"):
            args.append(flag)
    for key in sorted(eng.get("args") or {}):
        if key == "connector" and engine == "vllm":
            continue
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9\-_]*", key):
            raise TransformError(
                f'failed to build services: failed to build aggregated worker: invalid engine arg key "{key}": '
                "must contain only alphanumeric characters, hyphens, and underscores"
            )
        value = str(eng["args"][key])
        args += [f"--{key}", value] if value else [f"--{key}"]
    return args


def _resources(spec: dict[str, Any]) -> dict[str, Any]:
    res = spec.get("resources")
    limits: dict[str, Any] = {}
    requests: dict[str, Any] = {}
    if isinstance(res, dict):
        count = int((res.get("gpu") or {}).get("count") or 0)
        if count > 0:
            limits["gpu"] = requests["gpu"] = str(count)
        if res.get("memory"):
            limits["memory"] = res["memory"]
        if res.get("cpu"):
            limits["cpu"] = res["cpu"]
    return {"limits": limits, "requests": requests}


def _scheduling(service: dict[str, Any], spec: dict[str, Any]) -> None:
    pod = service.setdefault("extraPodSpec", {})
    if spec.get("nodeSelector"):
        pod["nodeSelector"] = dict(spec["nodeSelector"])
    if spec.get("tolerations"):
        keep = ("value", "effect", "tolerationSeconds")
        pod["tolerations"] = [
            {"key": t.get("key", ""), "operator": t.get("operator", ""), **{k: t[k] for k in keep if t.get(k)}}
            for t in spec["tolerations"]
        ]


def _epp(over: dict[str, Any]) -> dict[str, Any]:
    """buildEPP and buildEPPPluginsAndProfiles, aggregated."""
    epp = over.get("epp") or {}
    decode_filter = {
        "name": "decode-filter",
        "type": "label-filter",
        "parameters": {
            "label": "nvidia.com/dynamo-sub-component-type",
            "validValues": ["decode"],
            "allowsNoLabel": True,
        },
    }
    profile = [{"pluginRef": ref, "weight": 1} for ref in ("decode-filter", "dyn-decode", "picker")]
    return {
        "componentType": "epp",
        "replicas": int(epp.get("replicas") or 1),
        "extraPodSpec": {
            "mainContainer": {
                "image": str(epp.get("image") or FRONTEND_IMAGE),
                "env": [
                    {"name": "DYN_DECODE_FALLBACK", "value": "true"},
                    {"name": "DYN_ENFORCE_DISAGG", "value": "false"},
                ],
            }
        },
        "eppConfig": {
            "config": {
                "plugins": [
                    {"type": "disagg-profile-handler"},
                    decode_filter,
                    {"name": "picker", "type": "max-score-picker"},
                    {"name": "dyn-decode", "type": "dyn-decode-scorer"},
                ],
                "schedulingProfiles": [{"name": "decode", "plugins": profile}],
            }
        },
    }


def _frontend(spec: dict[str, Any], over: dict[str, Any], image: str, secret: str) -> dict[str, Any]:
    """buildFrontendService (gateway disabled)."""
    front = over.get("frontend") or {}
    res = front.get("resources") or {}
    frontend: dict[str, Any] = {
        "componentType": "frontend",
        "replicas": int(front["replicas"]) if front.get("replicas") is not None else 1,
        "resources": {"requests": {"cpu": res.get("cpu") or "2", "memory": res.get("memory") or "4Gi"}},
        "extraPodSpec": {
            "mainContainer": {
                "image": image,
                "env": [{"name": "DYN_ROUTER_MODE", "value": str(over.get("routerMode") or "round-robin")}],
            }
        },
    }
    if secret:
        frontend["envFromSecret"] = secret
    return frontend


def graph(md: dict[str, Any]) -> dict[str, Any]:
    """Transform of an aggregated ModelDeployment (its status.engine read for the engine type)."""
    meta, spec = md["metadata"], md.get("spec") or {}
    engine = str(
        (spec.get("engine") or {}).get("type") or ((md.get("status") or {}).get("engine") or {}).get("type") or ""
    )
    raw = (spec.get("provider") or {}).get("overrides") or {}
    over = raw if isinstance(raw, dict) else {}
    image = str((spec.get("engine") or {}).get("image") or spec.get("image") or RUNTIMES.get(engine, VLLM_RUNTIME))
    secret = str((spec.get("secrets") or {}).get("huggingFaceToken") or "")
    gateway = (spec.get("gateway") or {}).get("enabled") is not False
    worker: dict[str, Any] = {
        "componentType": "worker",
        "replicas": int((spec.get("scaling") or {}).get("replicas") or 0) or 1,
        "resources": _resources(spec),
        "extraPodSpec": {
            "mainContainer": {
                "image": image,
                "command": ["python3", "-m", f"dynamo.{engine}"],
                "args": _engine_args(spec, engine),
            }
        },
    }
    if gateway:
        sidecar: dict[str, Any] = {"image": VLLM_RUNTIME, "args": ["-m", "dynamo.frontend", "--router-mode", "direct"]}
        if secret:
            sidecar["envFromSecret"] = secret
        worker["frontendSidecar"] = sidecar
    if secret:
        worker["envFromSecret"] = secret
    _scheduling(worker, spec)
    services = {"Epp": _epp(over)} if gateway else {"Frontend": _frontend(spec, over, image, secret)}
    body: dict[str, Any] = {
        "apiVersion": "nvidia.com/v1alpha1",
        "kind": "DynamoGraphDeployment",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "labels": {
                "airunway.ai/managed-by": "airunway",
                "airunway.ai/model-deployment": meta["name"],
                "airunway.ai/model-id": _label(str((spec.get("model") or {}).get("id") or "")),
                "airunway.ai/engine-type": engine,
            },
            "ownerReferences": [
                {
                    "apiVersion": "airunway.ai/v1alpha1",
                    "kind": "ModelDeployment",
                    "name": meta["name"],
                    "uid": meta.get("uid"),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {"backendFramework": engine, "services": {**services, "VllmWorker": worker}},
    }
    blocked = next((k for k in BLOCKED if k in over), None)
    if blocked is not None:
        raise TransformError(f'failed to apply provider overrides: overriding "{blocked}" is not allowed')
    return _deep_merge(body, copy.deepcopy(over))
