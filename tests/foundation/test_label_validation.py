"""The one check of label keys and values (akscli.kube.label_validation): apimachinery's
IsQualifiedName and IsValidLabelValue, in the words of the Kubernetes minor a caller names.
kubernetes/apimachinery v0.32.0 pkg/util/validation/validation.go says "characters" and "a
qualified name"; from v0.35.0 pkg/api/validate/content (3d653663) says "bytes" and "a valid label
key", and accepts and refuses the same keys and values."""

from __future__ import annotations

import pytest

from akscli import validate
from akscli.errors import UsageError
from akscli.kube import selectors
from akscli.kube.label_validation import label_key_errors, label_value_errors
from akscli.ray.kuberay_rules import cluster_spec_problem

LONG = "x" * 64
VERSIONS = ("1.32", "1.34", "1.35", "1.36")


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1.32", "name part must be no more than 63 characters"),
        ("1.34", "name part must be no more than 63 characters"),
        ("1.35", "name part must be no more than 63 bytes"),
        ("1.36", "name part must be no more than 63 bytes"),
    ],
)
def test_a_long_key_name_is_measured_in_the_versions_words(version: str, message: str) -> None:
    assert label_key_errors(LONG, version) == (message,)


@pytest.mark.parametrize(("version", "unit"), [("1.32", "characters"), ("1.36", "bytes")])
def test_a_long_key_prefix_and_a_long_value_are_measured_in_the_versions_words(version: str, unit: str) -> None:
    assert label_key_errors(f"{'a' * 254}/team", version)[0] == f"prefix part must be no more than 253 {unit}"
    assert label_value_errors(LONG, version) == (f"must be no more than 63 {unit}",)


@pytest.mark.parametrize(("version", "name"), [("1.32", "a qualified name"), ("1.36", "a valid label key")])
def test_a_key_with_two_slashes_is_named_in_the_versions_words(version: str, name: str) -> None:
    (error,) = label_key_errors("a/b/c", version)
    assert error.startswith(f"{name} must consist of alphanumeric characters")
    assert error.endswith("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")


@pytest.mark.parametrize("key", ["team", "example.com/team", "/team", "Example.com/team", "a/b/c", "-x", LONG, ""])
def test_every_version_accepts_and_refuses_the_same_keys(key: str) -> None:
    assert len({bool(label_key_errors(key, v)) for v in VERSIONS}) == 1


def test_a_selector_gives_the_words_of_the_oldest_supported_version() -> None:
    with pytest.raises(selectors.SelectorError, match="a qualified name must consist"):
        selectors.parse_labels("a/b/c=x")


def test_a_kuberay_group_label_gives_the_words_of_kuberays_apimachinery() -> None:
    spec = {
        "headGroupSpec": {"labels": {"a/b/c": "x"}, "template": {"spec": {"containers": [{"name": "ray-head"}]}}},
        "workerGroupSpecs": [],
    }
    assert str(cluster_spec_problem(spec, {})).startswith(
        "invalid label key for Head group: 'a/b/c', error: a valid label key must consist"
    )


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("a/b/c", "its prefix must be a DNS subdomain"),
        ("/team", "its prefix must be a DNS subdomain"),
        ("Example.com/bad key", "its prefix must be a DNS subdomain"),
        ("example.com/-team", "its name must be at most 63"),
        (LONG, "its name must be at most 63"),
    ],
)
def test_a_flags_label_key_names_the_part_that_is_wrong(key: str, problem: str) -> None:
    with pytest.raises(UsageError, match=problem):
        validate.label_key(key)
