"""A NAME with -A is refused, as kubectl refuses `kubectl get pod web -A` (upstream: kubernetes/
kubernetes staging/src/k8s.io/cli-runtime/pkg/resource/builder.go visitByName: "a resource cannot
be retrieved by name across all namespaces"). Every command that takes a NAME argument and -A
gets it from one check, after parsing (cli/options.py name_across_namespaces); before, `model
top phi-4 -A` read phi-4 in the current namespace as if -A had not been given."""

from __future__ import annotations

import pytest

from tests.cli import invoke
from tests.foundation.test_bad_input import leaves

# Every command with a NAME (or CLUSTER) argument and -A/--all-namespaces.
NAMED_WITH_ALL_NAMESPACES = [
    ("model", "top", "phi-4"),
    ("ray", "cluster", "nodes", "rc"),
    ("ray", "workergroup", "list", "rc"),
]
# The deletes that take NAME... and -A (with -l or --all: kubectl delete -A, kubernetes/kubectl
# pkg/cmd/delete/delete_flags.go).
DELETES_WITH_ALL_NAMESPACES = [
    ("ray", "cluster", "delete", "rc"),
    ("ray", "job", "delete", "job"),
    ("ray", "service", "delete", "svc"),
    ("fleet", "placement", "delete", "p"),
    ("fleet", "rollout", "delete", "run-1"),
    ("fleet", "rollout", "strategy", "delete", "safe"),
]
# The deletes of a cluster-scoped kind, which take -A with names and ignore it, as kubectl does
# (kubernetes/cli-runtime pkg/resource/builder.go visitByName: a mapping that is not namespaced
# never reaches the refusal): tests/model/test_nap_pool_delete_all_namespaces.py.
CLUSTER_SCOPED_DELETES = [("nodepool", "delete", "gpu-a")]


@pytest.mark.parametrize("command", NAMED_WITH_ALL_NAMESPACES, ids=lambda c: " ".join(c[:-1]))
def test_a_name_with_all_namespaces_is_refused_with_kubectls_words(command: tuple[str, ...]) -> None:
    result = invoke(*command, "-A", "--kubeconfig", "/nonexistent/kubeconfig")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: a resource cannot be retrieved by name across all namespaces (")
    path = "akscli " + " ".join(command[:-1])
    assert f"hint: {path} {command[-1]} -n NAMESPACE reads it in one namespace; {path} -A reads every" in result.stderr


def test_all_namespaces_spelled_long_with_a_value_is_refused_with_a_name_too() -> None:
    result = invoke("model", "top", "phi-4", "--all-namespaces=true", "--kubeconfig", "/nonexistent/kubeconfig")
    assert result.exit_code == 2, result
    assert "cannot be retrieved by name across all namespaces" in result.stderr


def test_a_name_with_all_namespaces_turned_off_is_not_refused() -> None:
    result = invoke("model", "top", "phi-4", "-A=false", "--kubeconfig", "/nonexistent/kubeconfig")
    assert "across all namespaces" not in result.stderr
    assert "no kubeconfig found" in result.stderr


def test_every_command_that_takes_a_name_and_all_namespaces_is_listed_here() -> None:
    found = [
        tuple(path)
        for path, command in leaves()
        if any("--all-namespaces" in getattr(p, "opts", ()) for p in command.params)
        and any(p.param_type_name == "argument" for p in command.params)
    ]
    listed = NAMED_WITH_ALL_NAMESPACES + DELETES_WITH_ALL_NAMESPACES + CLUSTER_SCOPED_DELETES
    assert sorted(found) == sorted(c[:-1] for c in listed)


@pytest.mark.parametrize("command", DELETES_WITH_ALL_NAMESPACES, ids=lambda c: " ".join(c[:-1]))
def test_names_to_delete_with_all_namespaces_are_refused_pointing_to_a_selector(command: tuple[str, ...]) -> None:
    result = invoke(*command, "other", "-A", "-y", "--kubeconfig", "/nonexistent/kubeconfig")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: a resource cannot be retrieved by name across all namespaces (")
    path = "akscli " + " ".join(command[:-1])
    assert f"hint: {path} {command[-1]} other -n NAMESPACE deletes them in one namespace; {path} -l SELECTOR -A" in (
        result.stderr
    )
