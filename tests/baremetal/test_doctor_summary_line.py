"""baremetal doctor's last line counts each node once, however many blocking findings name it."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.baremetal.findings import Finding, Report
from tests.cli import invoke


def _finding(check: str, scope: str, nodes: list[str], count: int = 0) -> Finding:
    return Finding(check, "error", scope, "gpu", "m", "f", count=count or len(nodes), nodes=nodes)


def _doctor(monkeypatch: pytest.MonkeyPatch, findings: list[Finding]) -> str:
    """The last stderr line of ``baremetal doctor`` given the report (no cluster: diagnose is replaced)."""
    from akscli.baremetal import doctor
    from akscli.cli.options import KubeFlags

    report = Report(findings=findings, pools=[], nodes_seen=20, gpu_nodes=12, pages=1)

    def diagnose(*_args: Any, **_kwargs: Any) -> Report:
        return report

    monkeypatch.setattr(KubeFlags, "connect", lambda _self: None)
    monkeypatch.setattr(doctor, "diagnose", diagnose)
    result = invoke("baremetal", "doctor")
    assert result.exit_code == 9, result
    return next(line for line in result.stderr.splitlines() if line.startswith("error: "))


def test_a_node_with_two_blocking_findings_is_one_node_and_a_cluster_finding_no_node(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The old line summed the findings' counts: "across 13 node(s) or component(s)", then 4.
    findings = [
        _finding("gpu-allocatable", "node", ["n1"]),
        _finding("rdma-resource", "node", ["n1"]),
        _finding("rdma-resource", "node", ["n2"]),
        _finding("gpu-operator", "cluster", [], count=1),
        _finding("gpu-count", "node", ["a", "b", "c", "d", "e"], count=9),  # the first five names kept
    ]
    line = _doctor(monkeypatch, findings)
    assert line == "error: 5 blocking finding(s) on at least 9 node(s) and 1 cluster-wide"
    assert _doctor(monkeypatch, findings[:-1]) == "error: 4 blocking finding(s) on 2 node(s) and 1 cluster-wide"


def test_only_cluster_wide_blocking_findings_say_all_cluster_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    # An empty cluster (no nodes, the GPU Operator's pod unscheduled) printed "on 2 cluster-wide".
    findings = [_finding("gpu-operator", "cluster", [], count=1), _finding("nodes", "cluster", [], count=1)]
    assert _doctor(monkeypatch, findings) == "error: 2 blocking finding(s), all cluster-wide"
