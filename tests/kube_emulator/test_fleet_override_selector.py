"""Which members an override's rules select (kubefleet-dev/kubefleet e160c1cd
pkg/utils/overrider/overrider.go IsClusterMatched): no clusterSelector selects no member, no terms
every member, else any term's labelSelector through metav1.LabelSelectorAsSelector (a term
without one, which the hub's webhook refuses, selects none). The emulator's fleet controllers
(their own matcher) and akscli's pacing preview (akscli.kube.label_selector) must agree."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.fleet import pacing_change
from tests.emulators.kube.controllers.fleet_member_status import MemberStatuses

PROD = {"metadata": {"name": "a", "labels": {"env": "prod"}}}

RULES: list[tuple[str, dict[str, Any], bool]] = [
    ("no clusterSelector", {}, False),
    ("no terms", {"clusterSelector": {}}, True),
    ("empty terms", {"clusterSelector": {"clusterSelectorTerms": []}}, True),
    ("a term without a labelSelector", {"clusterSelector": {"clusterSelectorTerms": [{}]}}, False),
    ("an empty labelSelector", {"clusterSelector": {"clusterSelectorTerms": [{"labelSelector": {}}]}}, True),
    (
        "a matching labelSelector",
        {"clusterSelector": {"clusterSelectorTerms": [{"labelSelector": {"matchLabels": {"env": "prod"}}}]}},
        True,
    ),
    (
        "another member's labelSelector",
        {"clusterSelector": {"clusterSelectorTerms": [{"labelSelector": {"matchLabels": {"env": "dev"}}}]}},
        False,
    ),
]


def _override(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"name": "o"},
        "spec": {"placement": {"name": "p"}, "policy": {"overrideRules": [rule]}},
    }


@pytest.mark.parametrize(("rule", "selected"), [(r, s) for _, r, s in RULES], ids=[n for n, _, _ in RULES])
def test_the_emulator_selects_the_members_kubefleet_does(rule: dict[str, Any], selected: bool) -> None:
    assert MemberStatuses._override_applies(_override(rule), "p", PROD) is selected


@pytest.mark.parametrize(("rule", "selected"), [(r, s) for _, r, s in RULES], ids=[n for n, _, _ in RULES])
def test_akscli_previews_the_members_kubefleet_selects(rule: dict[str, Any], selected: bool) -> None:
    assert pacing_change.overridden(_override(rule), PROD) is selected
