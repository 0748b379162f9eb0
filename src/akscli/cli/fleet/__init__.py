"""``akscli fleet``: Azure Kubernetes Fleet Manager (ARM) and its hub (KubeFleet placement APIs).

One module per noun, as kubectl-ray keeps one file per noun: ``fleet`` (the fleets themselves),
``member``, ``place`` (place + placement), ``rollout`` (runs) and ``strategy``, ``approve``
(approve + gates), ``autoupgrade``. Commands that take ``--fleet`` talk to ARM; the others talk to
the hub cluster through the current kubeconfig context (get it with ``akscli fleet credentials``).
"""

from akscli.cli.fleet import approve, autoupgrade, member, place, rollout
from akscli.cli.fleet.fleet import app

app.add_typer(member.app, name="member")
app.command("place")(place.place)
app.add_typer(place.placement_app, name="placement")
app.add_typer(rollout.app, name="rollout")
app.command("approve")(approve.approve)
app.command("gates")(approve.gates_list)
app.add_typer(autoupgrade.app, name="autoupgrade")

__all__ = ["app"]
