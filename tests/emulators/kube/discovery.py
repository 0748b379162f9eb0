"""Discovery (legacy and aggregated v2), /version, and the OpenAPI v3 documents kubectl
reads to learn that the server validates fields and supports dry-run."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.emulators.kube.resources import Registry, ResourceType

# The emulator models 1.32 (builtin_schema's v1.32 definitions, the kubelet and pod behaviours
# cited at v1.32.0, kubectl 1.32 as its oracle) and serves resource.k8s.io/v1, which only 1.34
# serves (upstream: kubernetes/api v0.34.0 ae6c3b91 resource/v1; v0.33.0 has v1beta2 at most): a graft, so
# akscli's DRA reads have an API to talk to. It keeps reporting 1.32: reporting 1.34 would claim
# the 1.33 and 1.34 changes of every other kind, and put the kubectl here (1.32) past its +/-1
# skew (upstream: kubernetes/kubectl dee3483a pkg/cmd/version/skew_warning.go: `kubectl version` warns, other
# commands work). akscli reads /version once (akscli.gpu.dra_classes.maps_every_implicit_name, upstream's rule: below
# 1.35 is 1.34's rule), so 1.32 and 1.34 read alike; a test that needs another server version
# sets VERSION_INFO (tests/model/test_deploy_cluster_dra_classes.py).
VERSION_INFO = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0-akscli-emulator",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.23.4",
    "compiler": "gc",
    "platform": "linux/amd64",
}

SUBRESOURCE_VERBS = {
    "status": ["get", "patch", "update"],
    "scale": ["get", "patch", "update"],
    "log": ["get"],
    "proxy": ["create", "delete", "get", "patch", "update"],
    "exec": ["create", "get"],
    "attach": ["create", "get"],
    "portforward": ["create", "get"],
    "eviction": ["create"],
    "binding": ["create"],
    "token": ["create"],
}


def _subresources(rt: ResourceType) -> list[str]:
    subs = []
    if rt.status:
        subs.append("status")
    if rt.scale:
        subs.append("scale")
    subs += rt.extra_subresources
    return subs


def _sub_kind(rt: ResourceType, sub: str, version: str) -> dict[str, str]:
    if sub == "scale":
        return {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    if sub in ("status",):
        return {"group": rt.group, "version": version, "kind": rt.kind}
    if sub == "eviction":
        return {"group": "policy", "version": "v1", "kind": "Eviction"}
    if sub == "token":
        return {"group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"}
    return {"group": "", "version": "v1", "kind": "Pod" if rt.kind == "Pod" else rt.kind}


def resource_list(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    rts = [rt for rt in registry.all() if rt.group == group and version in rt.versions]
    if not rts:
        return None
    resources: list[dict[str, Any]] = []
    for rt in sorted(rts, key=lambda r: r.plural):
        r: dict[str, Any] = {
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": rt.verbs,
        }
        if rt.short_names:
            r["shortNames"] = rt.short_names
        if rt.categories:
            r["categories"] = rt.categories
        r["storageVersionHash"] = hashlib.sha256(rt.key.encode()).hexdigest()[:11]
        resources.append(r)
        for sub in _subresources(rt):
            k = _sub_kind(rt, sub, version)
            sr: dict[str, Any] = {
                "name": f"{rt.plural}/{sub}",
                "singularName": "",
                "namespaced": rt.namespaced,
                "kind": k["kind"],
                "verbs": SUBRESOURCE_VERBS.get(sub, ["get"]),
            }
            if k["group"] != rt.group:
                sr["group"] = k["group"]
                sr["version"] = k["version"]
            resources.append(sr)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": resources,
    }


def api_versions(host: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
    }


def api_group(registry: Registry, group: str) -> dict[str, Any] | None:
    versions = registry.group_versions().get(group)
    if not versions:
        return None
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
        "preferredVersion": {"groupVersion": f"{group}/{versions[0]}", "version": versions[0]},
    }


def api_group_list(registry: Registry) -> dict[str, Any]:
    groups = []
    for g in sorted(registry.group_versions()):
        if g == "":
            continue
        ag = api_group(registry, g)
        if ag:
            groups.append({k: v for k, v in ag.items() if k not in ("kind", "apiVersion")})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def aggregated(registry: Registry, core: bool, version: str = "v2") -> dict[str, Any]:
    """APIGroupDiscoveryList for /api (core=True) or /apis."""
    items = []
    for g, versions in sorted(registry.group_versions().items()):
        if (g == "") != core:
            continue
        vlist = []
        for v in versions:
            res = []
            for rt in sorted((r for r in registry.all() if r.group == g and v in r.versions), key=lambda r: r.plural):
                entry: dict[str, Any] = {
                    "resource": rt.plural,
                    "responseKind": {"group": rt.group, "version": v, "kind": rt.kind},
                    "scope": "Namespaced" if rt.namespaced else "Cluster",
                    "singularResource": rt.singular,
                    "verbs": rt.verbs,
                }
                if rt.short_names:
                    entry["shortNames"] = rt.short_names
                if rt.categories:
                    entry["categories"] = rt.categories
                subs = [
                    {"subresource": s, "responseKind": _sub_kind(rt, s, v), "verbs": SUBRESOURCE_VERBS.get(s, ["get"])}
                    for s in _subresources(rt)
                ]
                if subs:
                    entry["subresources"] = subs
                res.append(entry)
            vlist.append({"version": v, "resources": res, "freshness": "Current"})
        items.append({"metadata": {"name": g, "creationTimestamp": None}, "versions": vlist})
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{version}",
        "metadata": {},
        "items": items,
    }


def openapi_v3_root(registry: Registry) -> dict[str, Any]:
    paths = {}
    for g, versions in registry.group_versions().items():
        for v in versions:
            gv = f"api/{v}" if g == "" else f"apis/{g}/{v}"
            h = (
                hashlib.sha256(json.dumps(openapi_v3_gv(registry, g, v), sort_keys=True).encode())
                .hexdigest()[:32]
                .upper()
            )
            paths[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash={h}"}
    return {"paths": paths}


_PARAMS = [
    {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
    {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
    {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
    {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": True}},
]


def openapi_v3_gv(registry: Registry, group: str, version: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    prefix = f"/api/{version}" if group == "" else f"/apis/{group}/{version}"
    for rt in registry.all():
        if rt.group != group or version not in rt.versions:
            continue
        gvk = [{"group": rt.group, "version": version, "kind": rt.kind}]
        base = f"{prefix}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{prefix}/{rt.plural}"
        item = {
            "get": {
                "operationId": f"read{rt.kind}",
                "x-kubernetes-action": "get",
                "x-kubernetes-group-version-kind": gvk[0],
            },
            "put": {
                "operationId": f"replace{rt.kind}",
                "x-kubernetes-action": "put",
                "x-kubernetes-group-version-kind": gvk[0],
                "parameters": [p for p in _PARAMS if p["name"] != "force"],
            },
            "patch": {
                "operationId": f"patch{rt.kind}",
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": gvk[0],
                "parameters": _PARAMS,
            },
            "delete": {
                "operationId": f"delete{rt.kind}",
                "x-kubernetes-action": "delete",
                "x-kubernetes-group-version-kind": gvk[0],
                "parameters": [_PARAMS[0]],
            },
        }
        if "create" in rt.verbs and rt.verbs != ["create"]:
            paths[f"{base}/{{name}}"] = item
        paths[base] = {
            "post": {
                "operationId": f"create{rt.kind}",
                "x-kubernetes-action": "post",
                "x-kubernetes-group-version-kind": gvk[0],
                "parameters": [p for p in _PARAMS if p["name"] != "force"],
            }
        }
        sch = rt.schemas.get(version)
        name = f"{'.'.join(reversed(rt.group.split('.'))) if rt.group else 'io.k8s.api.core'}.{version}.{rt.kind}"
        if sch is not None:
            schemas[name] = {**sch, "x-kubernetes-group-version-kind": gvk}
        else:
            schemas[name] = {
                "type": "object",
                "x-kubernetes-group-version-kind": gvk,
                "x-kubernetes-preserve-unknown-fields": True,
            }
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": VERSION_INFO["gitVersion"]},
        "paths": paths,
        "components": {"schemas": schemas},
    }
