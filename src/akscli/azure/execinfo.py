"""KUBERNETES_EXEC_INFO, the ExecCredential kubectl hands the exec plugin, read as kubelogin reads it.

kubelogin unmarshals the value into client-go's internal ``clientauthentication.ExecCredential``
(upstream: Azure/kubelogin pkg/internal/token/execCredentialWriter.go
``getAPIVersionFromExecInfoEnv``, commit 66784961ef44a34236a651d9b08bcdf0aa07b836). That type has
no json tags but TypeMeta's (upstream: kubernetes/client-go pkg/apis/clientauthentication/types.go,
commit 32ce75a7d6bc6960fd048d3d1e3b34185418d8c8; kubernetes/apimachinery pkg/apis/meta/v1/types.go
``TypeMeta``), so Go's encoding/json matches each key to a field name without case (``Spec``,
``Interactive``, ``Cluster``, ``Server``...): ``SPEC`` is ``spec``, while the v1 names with dashes
that kubectl writes for some cluster fields (``certificate-authority-data``, ``tls-server-name``:
client-go pkg/apis/clientauthentication/v1/types.go) match no field and are ignored. A key given
twice, in any case, is decoded each time and the last value stays; JSON null leaves a field as it
was. Standard library only: ``akscli token``'s cached path imports this on every kubectl call.
"""

from __future__ import annotations

import json
import os
from typing import Any

from akscli.errors import UsageError

EXEC_API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
DEFAULT_EXEC_API = "client.authentication.k8s.io/v1beta1"

# The internal ExecCredential's fields, by Go's folded name: a Go type, or the fields of a struct.
_CLUSTER = {
    "server": "string",
    "tlsservername": "string",
    "insecureskiptlsverify": "boolean",
    "certificateauthoritydata": "bytes",
    "proxyurl": "string",
    "disablecompression": "boolean",
    # Go's runtime.Object (an interface) here: kubelogin refuses any value but null. client-go's own
    # v1 Cluster.Config is a runtime.RawExtension (any JSON), which kubectl writes from the cluster's
    # client.authentication.k8s.io/exec extension; akscli reads nothing of it and takes any value.
    "config": "any",
}
_STATUS = {
    "expirationtimestamp": "time",
    "token": "string",
    "clientcertificatedata": "string",
    "clientkeydata": "string",
}
_SPEC = {"interactive": "boolean", "cluster": _CLUSTER}
_EXEC_CREDENTIAL = {"kind": "string", "apiversion": "string", "spec": _SPEC, "status": _STATUS}
# metav1.Time's UnmarshalJSON: time.Parse(time.RFC3339, s) (kubernetes/apimachinery pkg/apis/meta/v1/time.go).
_RFC3339 = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z"


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its keys and values in order, duplicates kept (Go decodes each)."""


def exec_api_version() -> str:
    """The ExecCredential version kubectl asked for in KUBERNETES_EXEC_INFO.

    As kubelogin: unset or empty, or an empty ``apiVersion``, is v1beta1; a value that is no
    ExecCredential in JSON is refused ("cannot unmarshal %q to ExecCredential"), here before
    signing in. The value is not quoted back: with provideClusterInfo it carries the cluster's
    configuration."""
    raw = os.environ.get("KUBERNETES_EXEC_INFO")
    if not raw:
        return DEFAULT_EXEC_API
    try:
        info = json.loads(raw, object_pairs_hook=_Pairs, parse_constant=_no_constant)
    except ValueError as exc:
        problem: str | None = str(exc)
    else:
        problem = _not_an_exec_credential(info)
    if problem is not None:
        raise UsageError(
            f"cannot unmarshal KUBERNETES_EXEC_INFO to ExecCredential: {problem}",
            hint="kubectl sets it to an ExecCredential in JSON; unset it when you run the plugin by hand",
        )
    version = _last_string(info, "apiversion") or DEFAULT_EXEC_API
    if version not in EXEC_API_VERSIONS:
        raise UsageError(
            f"kubectl asked for ExecCredential {version}, which akscli does not speak",
            hint="use client.authentication.k8s.io/v1 or v1beta1 in the kubeconfig's exec block",
        )
    return version


def _no_constant(name: str) -> Any:
    # Python reads NaN and Infinity; Go's encoding/json, like JSON, does not.
    raise ValueError(f"invalid character {name[0]!r} looking for beginning of value")


def _fold(key: str) -> str:
    """Go's case folding of a key (encoding/json ``foldName``, Unicode simple folding): here the
    lower case, and the long s (U+017F) that folds to s; the Kelvin sign lowers to k already."""
    return key.lower().replace("\u017f", "s")


def _last_string(info: Any, field: str) -> str:
    """The value Go keeps for a string field: the last non-null one under any case of its name."""
    value = ""
    for key, item in info if isinstance(info, _Pairs) else ():
        if _fold(key) == field and item is not None:
            value = item
    return value


def _not_an_exec_credential(info: Any) -> str | None:
    """What keeps ``info`` from unmarshalling to the internal ExecCredential; None when it does."""
    if info is None:
        return None
    if not isinstance(info, _Pairs):
        return f"the value is a JSON {_json_kind(info)}, not an object"
    return _struct(info, _EXEC_CREDENTIAL, "")


def _struct(pairs: _Pairs, fields: dict[str, Any], path: str) -> str | None:
    for key, value in pairs:
        kind = fields.get(_fold(key))
        if kind is None or value is None:
            continue  # a key of no field is ignored; null leaves the field as it was
        problem = _value(value, kind, path + key)
        if problem is not None:
            return problem
    return None


def _value(value: Any, kind: Any, where: str) -> str | None:
    if isinstance(kind, dict):
        if not isinstance(value, _Pairs):
            return f"{where} is a JSON {_json_kind(value)}, not an object"
        return _struct(value, kind, where + ".")
    if kind == "any":
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{where} is a JSON {_json_kind(value)}, not a boolean"
    if kind == "bytes" and isinstance(value, list):  # Go decodes an array into []byte too, a byte each
        ok = all(isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= 255 for b in value)
        return None if ok else f"{where} is an array, not of bytes"
    if not isinstance(value, str):
        return f"{where} is a JSON {_json_kind(value)}, not a string"
    if kind == "bytes":  # []byte: standard base64, padded; Go's decoder skips \r and \n
        import base64  # here, not on every kubectl call: kubectl never sends a field of this name
        import binascii

        try:
            base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
        except (binascii.Error, ValueError):
            return f"{where} is not base64"
    if kind == "time":
        import re

        if not re.match(_RFC3339, value):
            return f"{where} is not an RFC 3339 time"
    return None


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, _Pairs) else "array"
