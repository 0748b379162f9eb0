"""`fleet member join --member-cluster-id ID`: az fleet member create's flag for the member's
cluster is accepted beside akscli's --cluster, with az's rule that it is a resource id
(Azure/azure-cli-extensions src/fleet/azext_fleet/_params.py member_cluster_id; _validators.py
validate_member_cluster_id: "--member-cluster-id is not a valid Azure resource ID")."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.fleet.armworld import ARM, aks_id


def test_join_takes_az_s_member_cluster_id(fleet: Any) -> None:
    cluster = aks_id(fleet, "aks-gpu")
    result = invoke("fleet", "member", "join", "gpu", "--member-cluster-id", cluster, *ARM, "-o", "json")
    assert result.exit_code == 0, result
    puts = [e for e in fleet.request_log if e.method == "PUT" and e.path.endswith("/members/gpu")]
    assert len(puts) == 1
    assert result.stdout.count(cluster) >= 1


def test_member_cluster_id_is_a_resource_id_as_in_az_and_a_name_is_refused_before_any_request(fleet: Any) -> None:
    before = len(fleet.request_log)
    result = invoke("fleet", "member", "join", "gpu", "--member-cluster-id", "aks-gpu", *ARM)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --member-cluster-id is not a valid Azure resource ID: 'aks-gpu'")
    assert "--cluster NAME --cluster-group RG" in result.stderr
    assert not [e for e in fleet.request_log[before:] if "/members/" in e.path]


def test_member_cluster_id_is_shown_in_join_help_as_the_az_name_of_cluster() -> None:
    result = invoke("fleet", "member", "join", "--help")
    assert "-c, --cluster, --member-cluster-id CLUSTER" in result.stdout
