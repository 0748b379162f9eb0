"""``akscli apply -f`` of an override whose cluster selector KubeFleet's webhook refuses: refused in one
line before anything is sent (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/utils/validator/resourceoverride.go validateOverridePolicy)."""

from __future__ import annotations

from pathlib import Path

from tests.cli import invoke
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"

CRO = """\
apiVersion: placement.kubernetes-fleet.io/v1
kind: ClusterResourceOverride
metadata:
  name: llm-override
spec:
  clusterResourceSelectors:
  - {group: "", version: v1, kind: Namespace, name: llm}
  policy:
    overrideRules:
    - clusterSelector:
        clusterSelectorTerms:
        - TERM
      jsonPatchOverrides:
      - {op: add, path: /metadata/labels/tier, value: gold}
"""


def _apply(tmp_path: Path, term: str, *args: str) -> object:
    path = tmp_path / "cro.yaml"
    path.write_text(CRO.replace("TERM", term))
    return invoke("apply", "-f", str(path), "-y", *args)


def test_an_override_term_without_a_label_selector_is_refused_before_anything_is_sent(hub: Hub, tmp_path: Path) -> None:
    result = _apply(tmp_path, "{}")
    assert result.exit_code == 2, result  # type: ignore[attr-defined]
    first = result.stderr.splitlines()[0]  # type: ignore[attr-defined]
    assert first == (
        "error: clusterresourceoverride/llm-override: "
        "spec.policy.overrideRules[0].clusterSelector.clusterSelectorTerms[0]: labelSelector is required "
        "(KubeFleet's webhook refuses a term without one: kubefleet pkg/utils/validator/resourceoverride.go)"
    )
    assert "clusterSelectorTerms: []" in result.stderr  # type: ignore[attr-defined]
    assert hub.cluster.get(P1, "ClusterResourceOverride", None, "llm-override") is None


def test_an_override_term_with_a_property_selector_is_refused_too(hub: Hub, tmp_path: Path) -> None:
    term = "{labelSelector: {}, propertySelector: {matchExpressions: []}}"
    result = _apply(tmp_path, term, "--dry-run=server")
    assert result.exit_code == 2, result  # type: ignore[attr-defined]
    assert "only labelSelector is supported in an override" in result.stderr  # type: ignore[attr-defined]


def test_an_override_term_with_a_label_selector_is_applied(hub: Hub, tmp_path: Path) -> None:
    result = _apply(tmp_path, "{labelSelector: {matchLabels: {env: prod}}}")
    assert result.exit_code == 0, result  # type: ignore[attr-defined]
    assert hub.cluster.get(P1, "ClusterResourceOverride", None, "llm-override") is not None
