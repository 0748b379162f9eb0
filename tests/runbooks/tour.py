"""The README's "A short tour" as a runbook: its lines, one step each, less those that need what
the lab lacks (LAB_LACKS, each with the runbook line that runs the same command instead).
``python -m tests.runbooks --tour`` runs it; tests/runbooks/test_readme_tour.py tests it."""

from __future__ import annotations

import re

from tests.runbooks import REPO

README = REPO / "README.md"
_TOUR = re.compile(r"^## A short tour\n.*?^```bash[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)

# tour line -> (what the lab lacks, the runbook, that runbook's line that runs the same command)
LAB_LACKS = {
    "akscli cluster credentials ml -g rg-ml": (
        "the lab's AKS clusters have no API server of their own; the lab's Kubernetes API is the current context",
        "nap-gpu-pool",
        "akscli cluster credentials nap -g rg-ml --kubeconfig ./nap.kubeconfig",
    ),
    "akscli baremetal doctor": (
        "the lab's GPU Operator has no ClusterPolicy until 'baremetal prepare': doctor exits 9",
        "bare-metal-gpu-nodes",
        "akscli baremetal doctor",
    ),
}


def lines() -> list[str]:
    """Every line of the tour, as the README has it (comments and all)."""
    match = _TOUR.search(README.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError("README.md has no bash block under '## A short tour'")
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


def command(line: str) -> str:
    """A tour line without its comment."""
    return re.sub(r"\s+#.*$", "", line)


def steps() -> list[str]:
    """The tour lines the lab runs."""
    return [line for line in lines() if command(line) not in LAB_LACKS]
