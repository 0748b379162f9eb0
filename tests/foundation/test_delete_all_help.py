"""--all's help says where each delete deletes every one. kubectl's "Delete all resources, in the
namespace of the specified resource types." (kubernetes/kubectl pkg/cmd/delete/delete_flags.go
AddFlags) holds for a namespaced kind only: a cluster-scoped kind's selector lists with no namespace
(kubernetes/cli-runtime pkg/resource/builder.go visitBySelector). And where a delete takes -l or
--all, --ignore-not-found's help says it is on there unless given =false, as kubectl's says
'Defaults to "true" when --all is specified.' (delete.go Complete: `!f.Changed`)."""

from __future__ import annotations

import pytest

from akscli.cli import grammar

COMMANDS = {" ".join(path): command for path, command in grammar.leaf_commands()}


def _help(path: str, flag: str) -> str:
    option = next(p for p in COMMANDS[path].params if flag in getattr(p, "opts", ()))
    return " ".join(str(option.help).split())


@pytest.mark.parametrize("path", ["ray cluster delete", "ray job delete", "ray service delete"])
def test_all_of_a_namespaced_kind_says_the_namespace(path: str) -> None:
    assert _help(path, "--all").startswith("Delete every one in the namespace; with -A in every namespace")


@pytest.mark.parametrize("path", ["fleet placement delete", "fleet rollout delete", "fleet rollout strategy delete"])
def test_all_of_a_fleet_pair_says_which_kind_n_picks(path: str) -> None:
    assert _help(path, "--all").startswith(
        "Delete every one of the cluster-scoped kind, or with -n every one of the namespaced kind"
    )


def test_all_of_nodepools_names_no_namespace() -> None:
    text = _help("nodepool delete", "--all")
    assert text.startswith("With --auto-provision: delete every NodePool; NodePools are in no namespace")
    assert "in the namespace" not in text


@pytest.mark.parametrize(
    "path",
    [
        "ray cluster delete",
        "ray job delete",
        "ray service delete",
        "fleet placement delete",
        "fleet rollout delete",
        "fleet rollout strategy delete",
        "nodepool delete",
    ],
)
def test_ignore_not_found_says_it_is_on_with_a_selector(path: str) -> None:
    assert _help(path, "--ignore-not-found").endswith("With -l or --all it is on unless given =false, as in kubectl.")


def test_ignore_not_found_of_a_delete_by_name_only_says_nothing_of_selectors() -> None:
    assert "-l" not in _help("model delete", "--ignore-not-found")
