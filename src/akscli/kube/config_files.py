"""Checks on kubeconfig files before the ``kubernetes`` loader reads them."""

from __future__ import annotations

import os

from akscli import errors, yamlio

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
