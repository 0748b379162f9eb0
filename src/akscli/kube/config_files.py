"""Checks on kubeconfig files before the ``kubernetes`` loader reads them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from akscli import errors, yamlio
from akscli.printable import visible

# A file whose first line starts with one of these has a mapping at the top.
MAPPING_STARTS = ("{", "apiVersion:", "kind:", "clusters:", "contexts:", "users:", "current-context:", "preferences:")


def check_kubeconfig_files(paths: list[str]) -> list[str]:
    """Each kubeconfig file is bounded text with a mapping at the top; returns the paths of the
    files that exist and hold something.

    The kubernetes loader fails on anything else with a Python error ("'str' object does not
    support item assignment"); this names the file and what is wrong instead. An empty file
    (``touch ~/.kube/config``, or only comments) is no configuration, as kubectl reads it
    (upstream: kubernetes/client-go tools/clientcmd/loader.go ``Load``: "if there's no data in a
    file, return the default object"), where the kubernetes loader refuses it ("Invalid
    kube-config ... file is empty"): it is left out.
    """
    present = []
    for raw in paths:
        path = os.path.expanduser(raw)
        if not os.path.exists(path):
            continue
        source = f"kubeconfig {raw}"
        text = yamlio.read_text(path, source)
        yamlio.check_bounds(text, source)
        first = next((line for line in text.splitlines() if line.strip() and not line.startswith(("#", "---"))), "")
        if first.startswith(MAPPING_STARTS) and "*" not in text:
            present.append(raw)
            continue  # the common case: no full parse needed
        doc = yamlio.load(text, source)
        if doc is None:
            continue
        if not isinstance(doc, dict):
            found = "a string" if isinstance(doc, str) else "a list" if isinstance(doc, list) else type(doc).__name__
            raise errors.UsageError(
                f"{source} is not a kubeconfig: expected a mapping with clusters, contexts and users, found {found}",
                "fix the file, or pass --kubeconfig with another one",
            )
        present.append(raw)
    return present


# The kubeconfig fields that hold bytes: kubectl's loader decodes each as standard base64, padded,
# and refuses the whole file when one is not ("error loading config file \"PATH\": illegal base64
# data at input byte N"; upstream: kubernetes/client-go tools/clientcmd/api/v1/types.go, commit
# 32ce75a7d6bc6960fd048d3d1e3b34185418d8c8, CertificateAuthorityData, ClientCertificateData and
# ClientKeyData are []byte; tools/clientcmd/loader.go LoadFromFile and ClientConfigLoadingRules.Load).
# The official Python client decodes only the chosen context's, late, and fails with "Incorrect
# padding" (kubernetes-client/python 37.0.2 kubernetes/config/kube_config.py FileOrData._write_file).
_DATA_FIELDS = (
    ("clusters", "cluster", ("certificate-authority-data",)),
    ("users", "user", ("client-certificate-data", "client-key-data")),
)


def check_data_fields(files: Mapping[str, Any]) -> None:
    """Each base64 field of each cluster and user of each file (its name as given: its parsed
    content) is base64, as kubectl requires of every entry, used or not. The error names the file,
    the entry and the field, never the value."""
    for source, config in files.items():
        if not isinstance(config, Mapping):
            continue
        for section, inner, fields in _DATA_FIELDS:
            entries = config.get(section)
            for entry in entries if isinstance(entries, list) else []:
                body = entry.get(inner) if isinstance(entry, Mapping) else None
                if not isinstance(body, Mapping):
                    continue
                for field in fields:
                    value = body.get(field)
                    if value is None or value == "" or _is_base64(value):
                        continue
                    name = visible(str(entry.get("name") or ""))
                    raise errors.UsageError(
                        f"cannot read kubeconfig {source}: {inner} {name!r}: {field} is not base64",
                        "put the PEM data there base64-encoded (base64 -w0 FILE), or get credentials again"
                        " with 'akscli cluster credentials NAME -g GROUP'",
                    )


def _is_base64(value: Any) -> bool:
    """Standard base64 with its padding, as Go's encoding/json decodes a []byte (base64.StdEncoding:
    a line break, \\r or \\n, is skipped; nothing else outside the alphabet is)."""
    if not isinstance(value, str):
        return False
    import base64
    import binascii

    try:
        base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
