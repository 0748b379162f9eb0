"""What akscli calls each Azure resource type it writes: the ``kind`` of ``-o name``'s ``kind/NAME``.

kubectl's ``-o name`` prints ``kind.group/name``, the kind lower-cased (upstream: kubernetes/
kubernetes staging/src/k8s.io/cli-runtime/pkg/printers/name.go). An ARM resource has no Kubernetes
kind, so akscli names it by its command's noun where it has one (``cluster``, ``nodepool``,
``fleet``, ...) and otherwise by the ARM resource type, singular and lower-cased as kubectl
lower-cases a kind (``roleassignment``, ``connectedcluster``, ``extension``). This table is the
one place that decides: show and list print ``output.named(kind)`` of a record, and an ARM
``--dry-run -o name`` prints the same for the request's URL (``ref``), so one object prints as
its list prints it, dry run or not.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from akscli import output

CLUSTER = "cluster"
NODEPOOL = "nodepool"
FLEET = "fleet"
MEMBER = "member"
UPDATE_RUN = "updaterun"
STRATEGY = "updatestrategy"
PROFILE = "autoupgradeprofile"
GATE = "gate"
BAREMETAL_CLUSTER = "baremetalcluster"

# ARM resource type (lower case, as ARM compares them) -> kind.
KINDS: dict[str, str] = {
    "microsoft.containerservice/managedclusters": CLUSTER,
    "microsoft.containerservice/managedclusters/agentpools": NODEPOOL,
    "microsoft.containerservice/fleets": FLEET,
    "microsoft.containerservice/fleets/members": MEMBER,
    "microsoft.containerservice/fleets/updateruns": UPDATE_RUN,
    "microsoft.containerservice/fleets/updatestrategies": STRATEGY,
    "microsoft.containerservice/fleets/autoupgradeprofiles": PROFILE,
    "microsoft.containerservice/fleets/gates": GATE,
    # A bare-metal cluster is its connected cluster's provisionedClusterInstances/default: it is
    # named by the connected cluster (``baremetal cluster show NAME``), not by ``default``.
    "microsoft.hybridcontainerservice/provisionedclusterinstances": BAREMETAL_CLUSTER,
    # The other resources ``baremetal cluster create`` writes (akscli has no command of their own).
    "microsoft.kubernetes/connectedclusters": "connectedcluster",
    "microsoft.authorization/roleassignments": "roleassignment",
    "microsoft.kubernetesconfiguration/extensions": "extension",
    "microsoft.azurestackhci/devicepools": "devicepool",
    "microsoft.azurestackhci/logicalnetworks": "logicalnetwork",
}
# Types named by the resource they extend (their own name is a fixed ``default``).
_NAMED_BY_PARENT = {"microsoft.hybridcontainerservice/provisionedclusterinstances"}


def ref(url: str) -> str:
    """``kind/NAME`` of the resource an ARM request (URL or resource id) writes: a PUT, PATCH or
    DELETE of the resource, or a POST of an action on it (``.../managedClusters/ml/start`` is
    ``cluster/ml``). An unknown type keeps its lower-cased type as the kind."""
    path = unquote(urlsplit(url).path).strip("/")
    parent, _, own = path.rpartition("/providers/")
    parts = own.split("/")
    if len(parts) % 2 == 0:  # namespace, type/name pairs, then an action: the action is no resource
        parts = parts[:-1]
    resource_type = "/".join([parts[0], *parts[1::2]]).lower()
    name = parts[-1]
    if resource_type in _NAMED_BY_PARENT and parent:
        name = parent.rsplit("/", 1)[-1]
    kind = KINDS.get(resource_type, resource_type.rsplit("/", 1)[-1].removesuffix("s"))
    return output.named(kind)({"name": name})
