"""How a line names an akscli command for the user to run, when kubectl runs akscli as its plugin.

kubectl runs the plugin as ``kubectl-akscli``, and an ``akscli`` script need not be on PATH where
only the plugin is installed, so `akscli COMMAND` reads `kubectl akscli COMMAND` there, as click's
usage line names `kubectl akscli` (kubernetes/kubectl pkg/cmd/plugin: a plugin is found as
``kubectl-NAME`` and run with that name). Only ``re``: the help fast path (cli/entry) uses it.
"""

import re

PLUGIN_PROGRAM = "kubectl-akscli"
# A command to run (`list them with: akscli model list`): the top-level commands but `token`,
# which kubeconfigs run as `akscli token` whatever runs akscli.
_RUN_AKSCLI = re.compile(
    r"(?<![\w./-])(?<!kubectl )akscli(?= (?:apply|audit|baremetal|cluster|completion|diff|doctor|fleet|gpu|model"
    r"|nodepool|policy|ray|render|version)\b)"
)


def as_plugin(text: str) -> str:
    """``text`` with each `akscli COMMAND` spelled `kubectl akscli COMMAND`."""
    return _RUN_AKSCLI.sub("kubectl akscli", text)
