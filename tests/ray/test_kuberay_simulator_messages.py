"""The KubeRay simulator refuses a RayCluster spec in KubeRay's full words: the reasons
k8s.io/apimachinery gives for a bad group label, and for a rayVersion ParseGeneric cannot read.

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
(validateRayGroupLabels: "..., error: %s" per message, joined with "; "; "RayVersion format is
invalid: %s, %w"); kubernetes/apimachinery v0.36.0 pkg/api/validate/content/kube.go,
pkg/util/version/version.go.
"""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.kuberay.validation import cluster_spec_problem

IMAGE = "rayproject/ray:2.52.0"
KEY_REGEX = "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'"


def spec(labels: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
    group = {
        "groupName": "g",
        "replicas": 1,
        "minReplicas": 0,
        "maxReplicas": 2,
        "rayStartParams": {},
        "labels": labels or {},
        "template": {"spec": {"containers": [{"name": "w", "image": IMAGE}]}},
    }
    head = {"rayStartParams": {}, "template": {"spec": {"containers": [{"name": "ray-head", "image": IMAGE}]}}}
    return {"rayVersion": "2.52.0", "headGroupSpec": head, "workerGroupSpecs": [group]} | fields


def test_a_bad_label_key_names_apimachinerys_reason() -> None:
    assert cluster_spec_problem(spec({"-team": "a"}), {}) == (
        "invalid label key for g group: '-team', error: name part must consist of alphanumeric characters, "
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
        f"or '123-abc', regex used for validation is {KEY_REGEX})"
    )


def test_a_label_value_with_two_faults_gives_one_message_for_each() -> None:
    value = "-" + "a" * 63
    problem = str(cluster_spec_problem(spec({"team": value}), {}))
    parts = problem.split("; ")
    assert parts[0] == f"invalid label value for key 'team' in g group: '{value}', error: must be no more than 63 bytes"
    assert parts[1].startswith(
        f"invalid label value for key 'team' in g group: '{value}', error: a valid label must be an empty string"
    )
    assert len(parts) == 2


def test_an_empty_label_key_prefix_is_named() -> None:
    problem = str(cluster_spec_problem(spec({"/team": "a"}), {}))
    assert problem == "invalid label key for g group: '/team', error: prefix part must be non-empty"


def test_a_ray_version_parse_generic_cannot_read_gives_its_error() -> None:
    problem = cluster_spec_problem(spec(rayVersion="latest", authOptions={"mode": "token"}), {})
    assert problem == (
        "authOptions.mode is 'token' but RayVersion format is invalid: latest, could not parse \"latest\" as version"
    )


def test_a_zero_prefixed_ray_version_gives_parse_generics_error() -> None:
    problem = cluster_spec_problem(spec(rayVersion="02.52.0", authOptions={"mode": "token"}), {})
    assert problem == (
        "authOptions.mode is 'token' but RayVersion format is invalid: 02.52.0, "
        'illegal zero-prefixed version component "02" in "02.52.0"'
    )


def test_a_prioritised_group_on_an_unreadable_ray_version_is_refused_for_the_format() -> None:
    # validateWorkerGroupPriority parses first; the simulator said "minimum Ray version is 2.56.0"
    s = spec(rayVersion="2")
    s["workerGroupSpecs"][0]["priority"] = 1
    assert cluster_spec_problem(s, {}) == (
        'worker group g: priority is set, but RayVersion format is invalid: 2, illegal version string "2"'
    )
