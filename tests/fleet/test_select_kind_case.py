"""``--select Kind.version.group/NAME`` takes the kind as the API names it: KubeFleet's webhook looks
it up in the hub's REST mapper as written and denies a placement whose kind it cannot map
(upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/placement.go validatePlacement)."""

from __future__ import annotations

from tests.cli import invoke
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"


def test_a_known_kind_written_in_lower_case_is_refused_offline_with_its_kind() -> None:
    result = invoke(
        "fleet", "place", "ws", "-n", "llm", "--select", "workspace.v1beta1.kaito.sh/phi-4", "--dry-run=client"
    )
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        "error: invalid --select 'workspace.v1beta1.kaito.sh/phi-4': the kind is Workspace, not workspace "
        "(KubeFleet matches kinds as written)"
    )
    assert "hint: write Workspace.v1beta1.kaito.sh/phi-4" in result.stderr


def test_a_kind_the_hub_serves_in_another_case_is_refused_before_anything_is_sent(hub: Hub) -> None:
    result = invoke(
        "fleet", "place", "pools", "-n", "llm", "--select", "inferencepool.v1.inference.networking.k8s.io/chat", "-y"
    )
    assert result.exit_code == 2, result
    assert "the hub serves kind InferencePool in inference.networking.k8s.io/v1, not inferencepool" in result.stderr
    assert "hint: write --select InferencePool.v1.inference.networking.k8s.io/NAME" in result.stderr
    assert hub.cluster.get(P1, "ResourcePlacement", "llm", "pools") is None


def test_the_kind_as_the_api_names_it_is_placed(hub: Hub) -> None:
    result = invoke("fleet", "place", "ws", "-n", "llm", "--select", "Workspace.v1beta1.kaito.sh/phi-4", "-y")
    assert result.exit_code == 0, result
    placement = hub.cluster.get(P1, "ResourcePlacement", "llm", "ws")
    assert placement["spec"]["resourceSelectors"][0]["kind"] == "Workspace"
