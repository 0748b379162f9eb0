"""KUBERNETES_EXEC_INFO, the ExecCredential kubectl hands the exec plugin, read as kubelogin reads it.

Standard library only: ``akscli token``'s cached path imports this on every kubectl call.
"""

from __future__ import annotations

import json
import os
from typing import Any

from akscli.errors import UsageError

EXEC_API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
DEFAULT_EXEC_API = "client.authentication.k8s.io/v1beta1"


def exec_api_version() -> str:
    """The ExecCredential version kubectl asked for in KUBERNETES_EXEC_INFO.

    As kubelogin: unset or empty, or an empty ``apiVersion``, is v1beta1; a value that is no
    ExecCredential in JSON is refused (upstream: Azure/kubelogin
    pkg/internal/token/execCredentialWriter.go ``getAPIVersionFromExecInfoEnv``, commit
    66784961ef44a34236a651d9b08bcdf0aa07b836: "cannot unmarshal %q to ExecCredential"), here before
    signing in. The value is not quoted back: with provideClusterInfo it carries the cluster's
    configuration."""
    raw = os.environ.get("KUBERNETES_EXEC_INFO")
    if not raw:
        return DEFAULT_EXEC_API
    problem = None
    try:
        info = json.loads(raw)
    except ValueError as exc:
        problem = str(exc)
    else:
        problem = _not_an_exec_credential(info)
    if problem is not None:
        raise UsageError(
            f"cannot unmarshal KUBERNETES_EXEC_INFO to ExecCredential: {problem}",
            hint="kubectl sets it to an ExecCredential in JSON; unset it when you run the plugin by hand",
        )
    version = str((info or {}).get("apiVersion") or DEFAULT_EXEC_API)
    if version not in EXEC_API_VERSIONS:
        raise UsageError(
            f"kubectl asked for ExecCredential {version}, which akscli does not speak",
            hint="use client.authentication.k8s.io/v1 or v1beta1 in the kubeconfig's exec block",
        )
    return version


def _not_an_exec_credential(info: Any) -> str | None:
    """What keeps ``info`` from unmarshalling to client-go's ExecCredential (upstream:
    kubernetes/client-go pkg/apis/clientauthentication/types.go: TypeMeta's strings, ``spec``
    with the boolean ``interactive``; JSON null leaves a field unset, as in Go)."""
    if info is None:
        return None
    if not isinstance(info, dict):
        return f"the value is a JSON {_json_kind(info)}, not an object"
    for key in ("apiVersion", "kind"):
        if info.get(key) is not None and not isinstance(info[key], str):
            return f"{key} is a JSON {_json_kind(info[key])}, not a string"
    spec = info.get("spec")
    if spec is not None and not isinstance(spec, dict):
        return f"spec is a JSON {_json_kind(spec)}, not an object"
    interactive = (spec or {}).get("interactive")
    if interactive is not None and not isinstance(interactive, bool):
        return f"spec.interactive is a JSON {_json_kind(interactive)}, not a boolean"
    return None


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
