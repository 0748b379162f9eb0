"""``fleet place`` flags render a ClusterResourcePlacement/ResourcePlacement and its overrides."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.fleet.placement import PlacementRequest, build
from tests.golden import assert_golden


def _only(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind]
    assert len(found) == 1
    return found[0]


def test_gpu_placement_with_ranking_spread_and_override_matches_golden() -> None:
    objects = build(
        PlacementRequest(
            name="llm",
            selects=["namespace/llm"],
            pick_n=2,
            gpu_sizes=["Standard_NC24ads_A100_v4=2"],
            require_labels=["env in (prod,staging)"],
            sort_by=["kubernetes-fleet.io/node-count:desc:60"],
            prefer_labels=["region=eastus@30"],
            tolerations=["gpu-maintenance"],
            spread=["region"],
            max_unavailable="25%",
            max_surge="1",
            unavailable_period=30,
            overrides=['env=prod@/metadata/labels/tier="gold"', "env=staging@delete"],
        )
    )
    assert_golden("fleet", "placement-gpu-pickn.yaml", objects)


def test_namespaced_placement_with_external_strategy_matches_golden() -> None:
    objects = build(
        PlacementRequest(
            name="web",
            namespace="team-a",
            selects=["deployment/web", "configmap/web-config"],
            pick_fixed=["member-1", "member-2"],
            external=True,
            overrides=["@/spec/replicas=3"],
        )
    )
    assert_golden("fleet", "resourceplacement-fixed-external.yaml", objects)


def test_defaults_to_pick_all_with_rolling_update() -> None:
    crp = _only(build(PlacementRequest(name="a", selects=["namespace/a"])), "ClusterResourcePlacement")
    assert crp["spec"]["policy"] == {"placementType": "PickAll"}
    assert crp["spec"]["strategy"] == {"type": "RollingUpdate"}


def test_requirements_of_all_flags_land_in_one_term_so_they_all_must_hold() -> None:
    crp = _only(
        build(
            PlacementRequest(
                name="a",
                selects=["namespace/a"],
                require_labels=["env=prod", "tier=gpu"],
                require_properties=["kubernetes-fleet.io/node-count>=3"],
            )
        ),
        "ClusterResourcePlacement",
    )
    terms = crp["spec"]["policy"]["affinity"]["clusterAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "clusterSelectorTerms"
    ]
    assert len(terms) == 1
    assert terms[0]["labelSelector"] == {"matchLabels": {"env": "prod", "tier": "gpu"}}
    assert terms[0]["propertySelector"]["matchExpressions"][0]["operator"] == "Ge"


def test_namespace_only_places_the_namespace_without_its_contents() -> None:
    crp = _only(
        build(PlacementRequest(name="a", selects=["namespace/a"], namespace_only=True)), "ClusterResourcePlacement"
    )
    assert crp["spec"]["resourceSelectors"][0]["selectionScope"] == "NamespaceOnly"


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        ({"pick_all": True, "pick_n": 2}, "choose one"),
        ({"pick_fixed": ["m1"], "require_labels": ["env=prod"]}, "pick-fixed"),
        ({"pick_fixed": ["m1", "m1"]}, "twice"),
        ({"spread": ["region"]}, "--pick-n"),
        ({"sort_by": ["x.io/y"]}, "--pick-n"),
        ({"external": True, "max_surge": "1"}, "--external"),
        ({"max_unavailable": "150%"}, "between 0% and 100%"),
        ({"selects": []}, "--select"),
        ({"override_target": "team-a/deployment/web"}, "--override"),
    ],
)
def test_combinations_kubefleet_would_reject_are_refused_before_anything_is_sent(
    request_kwargs: dict[str, Any], message: str
) -> None:
    kwargs: dict[str, Any] = {"name": "a", "selects": ["namespace/a"], **request_kwargs}
    with pytest.raises(UsageError, match=message):
        build(PlacementRequest(**kwargs))


def test_a_percentage_out_of_range_is_named_as_typed_with_a_percentage_hint() -> None:
    # the hint was "the nearest value accepted is 100": --max-unavailable 100 is 100 clusters
    with pytest.raises(UsageError) as err:
        build(PlacementRequest(name="a", selects=["namespace/a"], max_unavailable="200%"))
    assert str(err.value) == "invalid --max-unavailable '200%': it must be between 0% and 100%"
    assert err.value.hint == "the nearest value accepted is 100%"


def test_a_percentage_is_sent_as_the_crd_pattern_takes_it() -> None:
    # ^((100|[0-9]{1,2})%|[0-9]+)$ (kubefleet config/crd/bases ..._clusterresourceplacements.yaml):
    # "050%" was sent as typed, and the API server refused it
    (placement,) = build(PlacementRequest(name="a", selects=["namespace/a"], max_surge="050%"))
    assert placement["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == "50%"


def test_placement_name_must_be_a_dns_subdomain() -> None:
    with pytest.raises(UsageError, match="placement name"):
        build(PlacementRequest(name="Bad_Name", selects=["namespace/a"]))


@pytest.mark.parametrize("namespace", [None, "team-a"])
def test_placement_name_longer_than_63_is_refused(namespace: str | None) -> None:
    # The hub's placement webhook refuses a longer ClusterResourcePlacement name; any placement's
    # name is a label value (kubefleet-dev/kubefleet pkg/utils/validator/placement.go, commons.go).
    select = "configmap/a" if namespace else "namespace/a"
    with pytest.raises(UsageError, match="64 characters long, at most 63"):
        build(PlacementRequest(name="p" * 64, namespace=namespace, selects=[select]))
    assert build(PlacementRequest(name="p" * 63, namespace=namespace, selects=[select]))


@pytest.mark.parametrize("patch", ["/metadata/name=x", "/status/phase=x", "/kind=x", "spec/replicas=3"])
def test_overrides_of_identity_or_status_or_relative_paths_are_refused(patch: str) -> None:
    with pytest.raises(UsageError, match="override path"):
        build(PlacementRequest(name="a", selects=["namespace/a"], overrides=[f"env=prod@{patch}"]))


def test_override_without_at_sign_explains_the_form() -> None:
    with pytest.raises(UsageError) as info:
        build(PlacementRequest(name="a", selects=["namespace/a"], overrides=["/spec/replicas=3"]))
    assert "SELECTOR@PATH=JSON" in (info.value.hint or "")


def test_override_value_that_is_not_json_is_kept_as_text() -> None:
    cro = _only(
        build(PlacementRequest(name="a", selects=["namespace/a"], overrides=["@/metadata/annotations/owner=team a"])),
        "ClusterResourceOverride",
    )
    patch = cro["spec"]["policy"]["overrideRules"][0]["jsonPatchOverrides"][0]
    assert patch == {"op": "add", "path": "/metadata/annotations/owner", "value": "team a"}


def test_override_removal_has_no_value() -> None:
    cro = _only(
        build(PlacementRequest(name="a", selects=["namespace/a"], overrides=["env=dev@-/metadata/labels/tier"])),
        "ClusterResourceOverride",
    )
    assert cro["spec"]["policy"]["overrideRules"][0]["jsonPatchOverrides"] == [
        {"op": "remove", "path": "/metadata/labels/tier"}
    ]


def test_override_target_makes_a_resource_override_for_one_object_of_a_cluster_placement() -> None:
    ro = _only(
        build(
            PlacementRequest(
                name="a",
                selects=["namespace/team-a"],
                overrides=["@/spec/replicas=1"],
                override_target="team-a/deployment/web",
            )
        ),
        "ResourceOverride",
    )
    assert ro["metadata"] == {"name": "a-override", "namespace": "team-a"}
    assert ro["spec"]["placement"] == {"name": "a", "scope": "Cluster"}
    assert ro["spec"]["resourceSelectors"] == [{"group": "apps", "version": "v1", "kind": "Deployment", "name": "web"}]


def test_resource_override_of_a_namespaced_placement_needs_named_selects() -> None:
    with pytest.raises(UsageError, match="by name"):
        build(PlacementRequest(name="a", namespace="t", selects=["configmap:app=web"], overrides=["@/data/x=1"]))
