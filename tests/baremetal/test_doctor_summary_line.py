"""baremetal doctor's last line counts each node once, however many blocking findings name it."""

from __future__ import annotations

from akscli.baremetal.findings import Finding, Report


def _finding(check: str, scope: str, nodes: list[str], count: int = 0) -> Finding:
    return Finding(check, "error", scope, "gpu", "m", "f", count=count or len(nodes), nodes=nodes)


def test_a_node_with_two_blocking_findings_is_one_node_and_a_cluster_finding_no_node() -> None:
    report = Report(
        findings=[
            _finding("gpu-allocatable", "node", ["n1"]),
            _finding("rdma-resource", "node", ["n1"]),
            _finding("rdma-resource", "node", ["n2"]),
            _finding("gpu-operator", "cluster", [], count=1),
            _finding("gpu-count", "node", ["a", "b", "c", "d", "e"], count=9),  # the first five names kept
        ],
        pools=[],
        nodes_seen=20,
        gpu_nodes=12,
        pages=1,
    )
    assert report.blocking_line() == "5 blocking finding(s) on at least 9 node(s) and 1 cluster-wide"
    report.findings.pop()
    assert report.blocking_line() == "4 blocking finding(s) on 2 node(s) and 1 cluster-wide"
