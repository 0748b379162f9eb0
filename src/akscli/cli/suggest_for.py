"""The hint of an unknown command that az or kubectl users type: akscli's command for it.

cobra, the command library of kubectl and helm, lets a command name words it is suggested for
without being an alias (spf13/cobra command.go: ``SuggestFor``, "an array of command names for
which this command will be suggested"; ``SuggestionsFor`` offers the command when the typed name
equals one of them, case-insensitively, and kubectl prints it under "Did you mean this?"). akscli
does the same from this one table: the group's path and the word typed, to the words that say
whose verb it is and akscli's command line for it. A close misspelling of akscli's own command
keeps Typer's "Did you mean" (akscli.cli.main LazyGroup.resolve_command); the rows are words no
edit distance would find.
"""

from collections.abc import Sequence

# (group path, word typed) -> the hint: whose command it is and akscli's command line for it.
# Each row names the az or kubectl command users bring the word from:
# Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/commands.py (aks scale,
# get-credentials, get-upgrades, nodepool get-upgrades), Azure/azure-cli-extensions
# src/fleet/azext_fleet/commands.py (fleet member create, delete, get-credentials, updaterun,
# updatestrategy), kubernetes/kubectl pkg/cmd/cmd.go (get, describe, logs, scale).
SUGGEST_FOR: dict[tuple[tuple[str, ...], str], str] = {
    (
        ("cluster",),
        "scale",
    ): "az aks scale scales a node pool: akscli nodepool scale POOL --cluster CLUSTER -g GROUP --count N",
    (("cluster",), "get-credentials"): "az aks get-credentials in akscli: akscli cluster credentials NAME -g GROUP",
    (("cluster",), "get-upgrades"): "az aks get-upgrades in akscli: akscli cluster upgrade NAME -g GROUP --list",
    (("nodepool",), "get-upgrades"): (
        "az aks nodepool get-upgrades in akscli: akscli nodepool upgrade POOL --cluster CLUSTER -g GROUP --list"
    ),
    (("fleet", "member"), "add"): (
        "a cluster joins a fleet with: akscli fleet member join NAME --fleet FLEET -g GROUP --cluster CLUSTER"
    ),
    (("fleet", "member"), "create"): (
        "az fleet member create in akscli: akscli fleet member join NAME --fleet FLEET -g GROUP --cluster CLUSTER"
    ),
    (("fleet", "member"), "delete"): (
        "az fleet member delete in akscli: akscli fleet member remove NAME --fleet FLEET -g GROUP"
    ),
    (("model",), "scale"): (
        "a model scales by a redeploy from its recorded options: akscli model deploy MODEL --replicas N --reuse-values"
    ),
    ((), "get"): "get is kubectl's: kubectl get (akscli's own lists: akscli model list, akscli ray cluster list)",
    ((), "logs"): "a model's logs: akscli model logs MODEL; a Ray job's: akscli ray job logs JOB",
    (("fleet",), "get-credentials"): "az fleet get-credentials in akscli: akscli fleet credentials NAME -g GROUP",
    (("fleet",), "updaterun"): (
        "az fleet updaterun in akscli: "
        "akscli fleet rollout create|start|stop|skip|status|list|delete NAME --fleet FLEET"
    ),
    (("fleet",), "updatestrategy"): (
        "az fleet updatestrategy in akscli: akscli fleet rollout strategy create|show|list|delete NAME --fleet FLEET"
    ),
}

# kubectl's get and describe (kubernetes/kubectl pkg/cmd/cmd.go), typed in a group: the group's
# list, and its view of one object (status where akscli's view reads live state, else show) with the
# flags that view needs.
ONE_OBJECT_VIEW = {
    ("model",): "status NAME",
    ("ray", "cluster"): "status NAME",
    ("ray", "job"): "status NAME",
    ("ray", "service"): "status NAME",
    ("fleet", "placement"): "status NAME",
    ("fleet", "rollout"): "status NAME",
    ("cluster",): "show NAME -g GROUP",
    ("nodepool",): "show POOL --cluster CLUSTER -g GROUP",
    ("fleet",): "show NAME -g GROUP",
    ("fleet", "member"): "show NAME --fleet FLEET -g GROUP",
    ("baremetal", "cluster"): "show NAME -g GROUP",
}
for _group, _view in ONE_OBJECT_VIEW.items():
    _command = " ".join(("akscli", *_group))
    SUGGEST_FOR[(_group, "get")] = f"kubectl get in akscli: {_command} list, or {_command} {_view} for one"
    SUGGEST_FOR[(_group, "describe")] = f"kubectl describe in akscli: {_command} {_view}"


def hint(path: Sequence[str], word: str) -> str | None:
    """The hint for ``word`` typed where group ``path`` (``()`` for the root, ``("fleet",
    "member")``) has no such command; None when the table has no row for it. The word is matched
    case-insensitively, as cobra's SuggestionsFor matches SuggestFor (strings.EqualFold)."""
    return SUGGEST_FOR.get((tuple(path), word.lower()))
