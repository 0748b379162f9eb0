"""Flag values of ``fleet place`` become the exact KubeFleet API structures."""

from __future__ import annotations

import pytest

from akscli.errors import UsageError
from akscli.fleet import selectors


def test_equality_and_set_requirements_become_match_labels_and_expressions() -> None:
    # sorted by key, each set's values sorted, as apimachinery's ParseToLabelSelector makes them
    assert selectors.label_selector("env=prod,tier in (b,a),!legacy,gpu") == {
        "matchLabels": {"env": "prod"},
        "matchExpressions": [
            {"key": "gpu", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"},
            {"key": "tier", "operator": "In", "values": ["a", "b"]},
        ],
    }


def test_an_empty_set_is_the_empty_value_as_upstream_reads_it() -> None:
    # apimachinery pkg/labels/selector.go parseValues: "()" is the set {""}
    assert selectors.label_selector("env in ()") == {
        "matchExpressions": [{"key": "env", "operator": "In", "values": [""]}]
    }


def test_greater_than_is_refused_as_parse_to_label_selector_refuses_it() -> None:
    with pytest.raises(UsageError, match="'gt' isn't supported in label selectors"):
        selectors.label_selector("gpus>1")


def test_inequality_becomes_not_in() -> None:
    assert selectors.label_selector("env!=dev") == {
        "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]
    }


@pytest.mark.parametrize("bad", ["=prod", "env in (a", "!env=prod", "a b c", "env=pr od"])
def test_malformed_label_selectors_are_refused(bad: str) -> None:
    with pytest.raises(UsageError):
        selectors.label_selector(bad)


@pytest.mark.parametrize(
    ("text", "operator"), [(">=", "Ge"), ("<=", "Le"), (">", "Gt"), ("<", "Lt"), ("==", "Eq"), ("!=", "Ne")]
)
def test_property_operators_map_to_kubefleet_names(text: str, operator: str) -> None:
    result = selectors.property_requirement(f"kubernetes-fleet.io/node-count{text}3")
    assert result == {"name": "kubernetes-fleet.io/node-count", "operator": operator, "values": ["3"]}


def test_property_value_must_be_a_quantity() -> None:
    with pytest.raises(UsageError, match="quantity"):
        selectors.property_requirement("resources.kubernetes-fleet.io/available-cpu>=lots")


def test_gpu_size_reaches_clusters_with_that_many_nodes_of_the_size() -> None:
    assert selectors.gpu_size_requirement("Standard_NC24ads_A100_v4=2") == {
        "name": "kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count",
        "operator": "Ge",
        "values": ["2"],
    }


def test_gpu_size_defaults_to_one_node() -> None:
    assert selectors.gpu_size_requirement("Standard_ND96asr_v4")["values"] == ["1"]


def test_gpu_size_rejects_what_is_not_an_azure_vm_size() -> None:
    with pytest.raises(UsageError, match="VM size"):
        selectors.gpu_size_requirement("a100")


def test_property_sorter_is_descending_with_weight_100_by_default() -> None:
    assert selectors.property_sorter("kubernetes-fleet.io/node-count") == (
        {"name": "kubernetes-fleet.io/node-count", "sortOrder": "Descending"},
        100,
    )


def test_property_sorter_reads_order_and_weight() -> None:
    assert selectors.property_sorter("x.io/cost:asc:40") == ({"name": "x.io/cost", "sortOrder": "Ascending"}, 40)


def test_toleration_without_value_tolerates_any_value() -> None:
    assert selectors.toleration("maintenance") == {"key": "maintenance", "effect": "NoSchedule", "operator": "Exists"}


def test_toleration_refuses_effects_fleet_taints_do_not_have() -> None:
    with pytest.raises(UsageError, match="NoSchedule"):
        selectors.toleration("maintenance=true:NoExecute")


def test_spread_constraint_defaults() -> None:
    assert selectors.spread_constraint("topology.kubernetes.io/region:2:ScheduleAnyway") == {
        "topologyKey": "topology.kubernetes.io/region",
        "maxSkew": 2,
        "whenUnsatisfiable": "ScheduleAnyway",
    }


def test_known_kind_with_name_needs_no_group_or_version() -> None:
    assert selectors.resource_selector("namespace/team-a", namespaced=False) == {
        "group": "",
        "version": "v1",
        "kind": "Namespace",
        "name": "team-a",
    }


def test_kind_with_label_selector() -> None:
    assert selectors.resource_selector("configmap:app=web", namespaced=True) == {
        "group": "",
        "version": "v1",
        "kind": "ConfigMap",
        "labelSelector": {"matchLabels": {"app": "web"}},
    }


def test_other_kinds_are_written_kind_version_group() -> None:
    assert selectors.resource_selector("Widget.v1alpha1.example.com/w1", namespaced=True) == {
        "group": "example.com",
        "version": "v1alpha1",
        "kind": "Widget",
        "name": "w1",
    }


def test_cluster_placement_refuses_a_namespaced_kind_and_says_what_to_do() -> None:
    with pytest.raises(UsageError) as info:
        selectors.resource_selector("deployment/web", namespaced=False)
    assert "-n" in (info.value.hint or "")


def test_namespaced_placement_refuses_a_cluster_scoped_kind() -> None:
    with pytest.raises(UsageError, match="cluster-scoped"):
        selectors.resource_selector("namespace/team-a", namespaced=True)


@pytest.mark.parametrize("text", ["workspace.kaito.sh/chat", "workspaces.kaito.sh/chat", "Workspace.kaito.sh/chat"])
def test_a_known_kind_written_type_dot_group_as_o_name_prints_it_is_taken(text: str) -> None:
    """``model deploy`` prints ``workspace.kaito.sh/chat created``, kubectl's -o name form
    (kubernetes/cli-runtime pkg/printers/name.go): pasted back, it selects that Workspace at the
    version the table serves it."""
    assert selectors.resource_selector(text, namespaced=True) == {
        "group": "kaito.sh",
        "version": "v1beta1",
        "kind": "Workspace",
        "name": "chat",
    }


@pytest.mark.parametrize("text", ["deployment.apps/web", "Deployment.v1.apps/web"])
def test_a_cluster_placement_refuses_a_namespaced_kind_written_with_its_group(text: str) -> None:
    with pytest.raises(UsageError, match="Deployment lives in a namespace"):
        selectors.resource_selector(text, namespaced=False)


def test_a_known_kind_name_with_another_group_is_still_unknown() -> None:
    with pytest.raises(UsageError, match=r"unknown kind 'workspace\.example\.com'"):
        selectors.resource_selector("workspace.example.com/w1", namespaced=True)


def test_unknown_short_kind_is_refused_with_the_accepted_forms() -> None:
    with pytest.raises(UsageError) as info:
        selectors.resource_selector("widget/w1", namespaced=True)
    assert "Kind.version.group" in (info.value.hint or "")


# Property names and requirement sets the placement webhook refuses (kubefleet-dev/kubefleet
# e160c1cd pkg/utils/validator/placement.go validateName, validateRequirementsConsistency).


@pytest.mark.parametrize(
    "name",
    ["resources.kubernetes-fleet.io/free-cpu", "resources.kubernetes-fleet.io/cpu"],
)
def test_resource_property_name_needs_a_known_capacity_type(name: str) -> None:
    with pytest.raises(UsageError, match="CAPACITY one of allocatable, available, total"):
        selectors.property_requirement(f"{name}>=1")


@pytest.mark.parametrize(
    "name",
    [
        "resources.kubernetes-fleet.io/available-cpu",
        "resources.kubernetes-fleet.io/total-memory",
        "kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count",
        "Foo/bar",
    ],
)
def test_property_names_the_webhook_accepts_pass(name: str) -> None:
    assert selectors.property_requirement(f"{name}>=1")["name"] == name


@pytest.mark.parametrize("name", ["a//b", "x" * 64, "kubernetes.azure.com/" + "y" * 64])
def test_property_name_with_an_empty_or_overlong_segment_is_refused(name: str) -> None:
    with pytest.raises(UsageError, match="each '/'-separated part must be at most 63"):
        selectors.property_requirement(f"{name}>=1")


@pytest.mark.parametrize(
    ("texts", "why"),
    [
        (["p==1", "p==2"], "it cannot equal both 1 and 2"),
        (["p==1", "p!=1"], "it cannot both equal and not equal 1"),
        (["p>5", "p<5"], "the lower bound 5 and the upper bound 5 exclude every value"),
        (["p>=10", "p<=2"], "the lower bound 10 and the upper bound 2 exclude every value"),
        (["p==1", "p>=2"], "1 is below the lower bound 2"),
        (["p==3", "p<3"], "3 is above the upper bound 3"),
    ],
)
def test_property_requirements_no_value_satisfies_are_refused(texts: list[str], why: str) -> None:
    reqs = [selectors.property_requirement(t) for t in texts]
    with pytest.raises(UsageError, match=f"requirements on p match no value: {why}"):
        selectors.check_property_requirements(reqs)


def test_property_requirements_that_some_value_satisfies_pass() -> None:
    reqs = [selectors.property_requirement(t) for t in ["p>=1", "p<=1", "p!=2", "q==1", "q>=1"]]
    selectors.check_property_requirements(reqs)


def test_a_namespace_name_with_a_dot_is_refused_as_no_namespace_can_have_it() -> None:
    # A Namespace's name is a DNS-1123 label (apimachinery IsDNS1123Label), not a subdomain.
    with pytest.raises(UsageError) as info:
        selectors.resource_selector("namespace/a.b", namespaced=False)
    assert "invalid --select 'namespace/a.b': the namespace name 'a.b'" in str(info.value)
    assert "for example: a-b" in (info.value.hint or "")
    assert selectors.resource_selector("configmap/a.b", namespaced=True)["name"] == "a.b"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("namespace/", "invalid --select 'namespace/': the name after '/' is empty"),
        ("configmap/", "invalid --select 'configmap/': the name after '/' is empty"),
        ("namespace:", "invalid --select 'namespace:': the label selector after ':' is empty"),
    ],
)
def test_an_empty_part_of_a_select_value_is_one_line_naming_the_value_once(text: str, line: str) -> None:
    with pytest.raises(UsageError) as info:
        selectors.resource_selector(text, namespaced=text.startswith("configmap"))
    assert str(info.value) == line
    assert str(info.value).count(text) == 1


def test_a_bad_part_of_a_select_value_names_the_value_then_the_part() -> None:
    with pytest.raises(UsageError) as info:
        selectors.resource_selector("namespace:a b", namespaced=False)
    assert str(info.value).startswith("invalid --select 'namespace:a b': the label selector 'a b': ")
