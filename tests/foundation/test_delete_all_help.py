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


# Every delete's --all in kubectl delete's words, "Delete all resources, in the namespace of the
# specified resource types.", with its own kind for "resources" and where it deletes.
ALL_HELP = {
    "ray cluster delete": "Delete all RayClusters, in the namespace; with -A, in every namespace",
    "ray job delete": "Delete all RayJobs, in the namespace; with -A, in every namespace",
    "ray service delete": "Delete all RayServices, in the namespace; with -A, in every namespace",
    "fleet placement delete": "Delete all ClusterResourcePlacements, or with -n all ResourcePlacements, in that"
    " namespace; with -A, both, in every namespace",
    "fleet rollout delete": "Delete all ClusterStagedUpdateRuns, or with -n all StagedUpdateRuns, in that"
    " namespace; with -A, both, in every namespace",
    "fleet rollout strategy delete": "Delete all ClusterStagedUpdateStrategies, or with -n all"
    " StagedUpdateStrategies, in that namespace; with -A, both, in every namespace",
    "nodepool delete": "Delete all NodePools (with --auto-provision), in no namespace: NodePools are cluster-scoped",
}


@pytest.mark.parametrize("path", sorted(ALL_HELP))
def test_all_is_kubectls_wording_with_the_commands_kind_and_where(path: str) -> None:
    assert _help(path, "--all") == f"{ALL_HELP[path]} (kubectl delete --all)."


def test_every_delete_that_takes_all_is_in_the_table() -> None:
    taking = {
        path for path, command in COMMANDS.items() if any("--all" in getattr(p, "opts", ()) for p in command.params)
    }
    assert taking == set(ALL_HELP)


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
