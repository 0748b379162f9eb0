"""akscli.ray.kuberay_rules: KubeRay v1.7.0's RayCluster spec rules, checked on a user's file.

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
ValidateRayClusterSpec, ValidateRayClusterUpgradeOptions.
"""

from __future__ import annotations

from typing import Any

from akscli.ray.kuberay_rules import cluster_spec_problem, upgrade_problem

IMAGE = "rayproject/ray:2.52.0"


def spec(**fields: Any) -> dict[str, Any]:
    group = {"groupName": "g", "replicas": 1, "rayStartParams": {}, "template": {"spec": {"containers": [{}]}}}
    head = {"rayStartParams": {}, "template": {"spec": {"containers": [{"name": "ray-head", "image": IMAGE}]}}}
    return {"rayVersion": "2.52.0", "headGroupSpec": head, "workerGroupSpecs": [group]} | fields


def test_a_spec_without_min_and_max_passes_as_the_crd_defaults_them() -> None:
    assert cluster_spec_problem(spec(), {}) is None


def test_an_idle_timeout_needs_autoscaler_v2() -> None:
    s = spec()
    s["workerGroupSpecs"][0]["idleTimeoutSeconds"] = 60
    assert str(cluster_spec_problem(s, {})).startswith(
        "worker group g: idleTimeoutSeconds is set, but autoscaler v2 is not enabled"
    )
    s |= {"enableInTreeAutoscaling": True, "autoscalerOptions": {"version": "v2"}}
    assert cluster_spec_problem(s, {}) is None


def test_autoscaler_v2_needs_pods_that_never_restart() -> None:
    s = spec(enableInTreeAutoscaling=True, autoscalerOptions={"version": "v2"})
    s["workerGroupSpecs"][0]["template"]["spec"]["restartPolicy"] = "Always"
    assert cluster_spec_problem(s, {}) == (
        "restartPolicy for worker group g should be Never or unset when using autoscaler V2"
    )


def test_the_ft_annotation_and_gcs_ft_options_are_one_or_the_other() -> None:
    s = spec(gcsFaultToleranceOptions={"redisAddress": "redis:6379"})
    assert str(cluster_spec_problem(s, {"ray.io/ft-enabled": "true"})).startswith(
        "ray.io/ft-enabled annotation and GcsFaultToleranceOptions are both set"
    )


def test_an_invalid_group_label_key_is_named_with_apimachinerys_reason() -> None:
    s = spec()
    s["workerGroupSpecs"][0]["labels"] = {"bad key": "x"}
    assert cluster_spec_problem(s, {}) == (
        "invalid label key for g group: 'bad key', error: name part must consist of alphanumeric characters, "
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
        "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    )


def test_each_of_a_label_values_errors_is_given_as_upstream_joins_them() -> None:
    s = spec()
    s["headGroupSpec"]["labels"] = {"team": "-" * 64}
    problem = str(cluster_spec_problem(s, {}))
    assert problem.startswith(
        f"invalid label value for key 'team' in Head group: '{'-' * 64}', error: must be no more than 63 bytes; "
        f"invalid label value for key 'team' in Head group: '{'-' * 64}', error: a valid label must be an empty "
    )


def test_only_recreate_and_none_are_upgrade_strategies() -> None:
    assert upgrade_problem({"spec": {"upgradeStrategy": {"type": "Recreate"}}}) is None
    assert str(upgrade_problem({"spec": {"upgradeStrategy": {"type": "Rolling"}}})).endswith(
        "valid options are Recreate or None"
    )


def test_a_ray_version_with_leading_white_space_parses_as_kubernetes_parse_generic_reads_it() -> None:
    auth = {"mode": "token"}
    assert cluster_spec_problem(spec(rayVersion=" 2.52.0", authOptions=auth), {}) is None


def test_a_zero_prefixed_ray_version_is_refused_as_kubernetes_parse_generic_refuses_it() -> None:
    problem = cluster_spec_problem(spec(rayVersion="02.52.0", authOptions={"mode": "token"}), {})
    assert problem == (
        "authOptions.mode is 'token' but RayVersion format is invalid: 02.52.0, "
        'illegal zero-prefixed version component "02" in "02.52.0"'
    )


def test_a_ray_version_that_is_no_version_is_refused_with_parse_generics_reason() -> None:
    # ValidateRayClusterSpec: "RayVersion format is invalid: %s, %w", %w being ParseGeneric's error
    problem = cluster_spec_problem(spec(rayVersion="latest", authOptions={"mode": "token"}), {})
    assert (
        problem
        == "authOptions.mode is 'token' but RayVersion format is invalid: latest, could not parse \"latest\" as version"
    )


def test_a_one_component_ray_version_is_an_illegal_version_string() -> None:
    problem = cluster_spec_problem(spec(rayVersion="2", authOptions={"mode": "token"}), {})
    assert problem == "authOptions.mode is 'token' but RayVersion format is invalid: 2, illegal version string \"2\""


def test_a_ray_version_component_past_uint64_is_refused_as_parse_uint_refuses_it() -> None:
    big = "18446744073709551616"
    problem = cluster_spec_problem(spec(rayVersion=f"2.{big}", authOptions={"mode": "token"}), {})
    assert problem == (
        f"authOptions.mode is 'token' but RayVersion format is invalid: 2.{big}, illegal non-numeric version "
        f'component "{big}" in "2.{big}": strconv.ParseUint: parsing "{big}": value out of range'
    )


def test_the_ray_version_in_parse_generics_error_is_quoted_as_go_quotes_it() -> None:
    # Go's %q: a tab and a quote are escaped
    problem = cluster_spec_problem(spec(rayVersion='x\t"y', authOptions={"mode": "token"}), {})
    assert problem is not None and problem.endswith('could not parse "x\\t\\"y" as version')


def test_a_bad_ray_version_of_a_prioritised_group_gives_parse_generics_reason() -> None:
    group = {**spec()["workerGroupSpecs"][0], "priority": 1}
    problem = cluster_spec_problem(spec(rayVersion="2.x", workerGroupSpecs=[group]), {})
    assert problem == (
        f"worker group {group['groupName']}: priority is set, but RayVersion format is invalid: 2.x, "
        'illegal version string "2.x"'
    )


def test_a_ray_version_is_compared_over_all_its_components() -> None:
    auth = {"mode": "token"}
    assert cluster_spec_problem(spec(rayVersion="2.52", authOptions=auth), {}) is None
    assert cluster_spec_problem(spec(rayVersion="2.51.9.9", authOptions=auth), {}) == (
        "authOptions.mode is 'token' but minimum Ray version is 2.52.0, got 2.51.9.9"
    )
