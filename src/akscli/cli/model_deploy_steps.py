"""Steps of ``akscli model deploy`` moved out of cli/model_deploy.py as it neared 600 lines: the
size the pods are pinned to on this cluster, and the namespace the model goes in."""

from typing import TYPE_CHECKING

from akscli import errors, output

if TYPE_CHECKING:
    from akscli.kube.client import Kube
    from akscli.model import cluster_fit
    from akscli.model.cluster_volumes import VolumeReads
    from akscli.model.planning import Plan
    from akscli.model.request import DeployRequest


def fit_to_cluster(
    kube: "Kube",
    req: "DeployRequest",
    the_plan: "Plan",
    volumes: "VolumeReads",
    offered: "cluster_fit.Offered | None" = None,
    network: "tuple[str, str] | None" = None,
) -> None:
    """Pods pinned to a VM size run only where the cluster has nodes of it: take a fitting size
    it has when the user named none, else warn that the pods will wait for a node."""
    from akscli.model import cluster_fit, node_driver

    drivers: dict[str, list[node_driver.Driver]] = {}
    fitted, note = cluster_fit.fit_request(kube, the_plan, req, volumes, offered, network, drivers)
    req.node_drivers = drivers.get(fitted.vm_size, [])
    if fitted is not req.fit:
        req.fit = fitted
        output.info(note or "")
    elif isinstance(note, cluster_fit.OnDemand | cluster_fit.Unread):
        output.info(note)  # node auto-provisioning makes the node, or a read budget ran out: not a warning
    elif note:
        output.warn(note)


def follow_driver(req: "DeployRequest") -> None:
    """A vLLM image the nodes of the size can start: their driver, from GPU feature discovery's labels
    on the nodes the fit read (model/node_driver.py), picks the default image; an --image it cannot
    run is refused."""
    from akscli.model import kinds, node_driver

    given = req.image_given or req.image != kinds.DEFAULT_VLLM_IMAGE
    req.driver_image, note = node_driver.follow(req.image if given else None, req.vm_size, req.node_drivers)
    if note:
        output.info(note)


def ensure_namespace(kube: "Kube", namespace: str, *, create: bool, dry_run: str, fmt: str) -> frozenset[str]:
    """The namespace --create-namespace asks for where it is missing (a server dry run and a real
    run alike): the plan dry-runs its objects as new there, as `apply -f` does for a Namespace in
    its manifest (ApplyOptions.new_namespaces), and a real run creates it after the plan."""
    from akscli.kube import namespaces

    if namespaces.read(kube, namespace) is not None:
        if create and dry_run == "none":
            # A re-run prints what the first run printed, "unchanged" in place of "created", as
            # kubectl apply prints every object it was given (upstream: kubernetes/kubectl
            # dee3483a pkg/cmd/apply/apply.go applyOneObject: a patch of {} prints "unchanged").
            _namespace_line(namespace, "unchanged", fmt)
        elif create and dry_run == "server":
            # The server dry run names it too, so that its -o name lines are the real run's
            # (kubectl apply --dry-run=server prints every object it was given, as a real apply).
            # The table is the plan's: "namespace/NS (cluster): unchanged", before the objects' lines.
            _namespace_line(namespace, "unchanged", fmt, plan=True)
        return frozenset()
    if not create:
        raise errors.NotFoundError(
            f"namespace {namespace} does not exist", hint="add --create-namespace, or pick another with -n"
        )
    if dry_run in ("server", "none"):
        # Nothing is created here. The API server refuses every object, dry run or not, in a namespace
        # that does not exist (upstream: kubernetes/kubernetes
        # staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go
        # Lifecycle.Admit, "refuse to operate on non-existent namespaces": the live GET's
        # NotFound is the answer), so the plan dry-runs each object under a stand-in namespace
        # (apply.dry_run_create_elsewhere), as `apply -f` with the Namespace in its manifest does.
        # A real run creates the namespace once the policy, PodSecurity and the server's dry run
        # have passed (common.apply_objects, _create_namespaces), so that a refused deploy leaves no
        # empty namespace behind; it is created on its own, not as part of the model's stack:
        # deleting or rolling back the model must never delete a namespace.
        if dry_run == "server":
            _namespace_line(namespace, "will be created", fmt, plan=True)
        return frozenset({namespace})
    return frozenset()


def fleet_namespace(kube: "Kube", name: str, default: str) -> str:
    """The hub namespace of a --fleet-hub deploy of ``name`` without -n: the one its placement already
    selects (a deploy made before akscli named the namespace after the deployment went into one named
    after the model), else ``default``, the deployment's name."""
    from akscli.model.live import placed_namespace

    return placed_namespace(kube, name) or default


def check_fleet_namespace(kube: "Kube", namespace: str, name: str) -> None:
    """Refuse a fleet deploy into a hub namespace that holds another model: the placement takes the
    namespace whole, every object in it (kubefleet-dev/kubefleet pkg/controllers/placement/
    resource_selector.go, fetchAllResourcesInOneNamespace), so each model's placement would place
    the other's Workspace on its members too, a GPU node each that nobody asked for. The namespace
    carries the stack label of the model a fleet deploy made it for (model-NAME)."""
    from akscli.kube import namespaces
    from akscli.model import kinds
    from akscli.render import STACK_LABEL

    ns = namespaces.read(kube, namespace)
    held = ((ns or {}).get("metadata", {}).get("labels") or {}).get(STACK_LABEL)
    if not held or held == kinds.stack_of(name) or not str(held).startswith("model-"):
        return
    other = str(held).removeprefix("model-")
    raise errors.ConflictError(
        f"namespace {namespace} on the fleet hub holds model {other}, whose placement places the namespace "
        f"whole: {name} there would be placed with {other} on {other}'s members, and {other} on {name}'s",
        hint=f"deploy {name} into a namespace of its own: add -n {name}",
    )


def client_dry_run_namespace(namespace: str, fmt: str) -> None:
    """--create-namespace with --dry-run=client: reads no cluster, so the namespace is named as
    kubectl names what a client dry run would create, without asking whether it exists (upstream:
    kubernetes/kubectl dee3483a pkg/cmd/create/create_namespace.go, `kubectl create namespace NS
    --dry-run=client`: "namespace/NS created (dry run)", with -o name "namespace/NS"; pkg/cmd/apply/
    apply.go applyOneObject prints every object given, so -o name lines are the same in a client
    dry run, a server dry run and a real run). With -o name on stdout, first, as the real run's;
    otherwise on stderr: stdout is the manifest, and the namespace is not part of the model's stack."""
    if fmt == "name":
        output.write(f"namespace/{namespace}")
    else:
        output.info(f"namespace/{namespace} created (dry run)")


def client_dry_run_scraper(req: "DeployRequest") -> str | None:
    """The PodMonitor group a client dry run renders, asking no cluster: none without vLLM's
    --autoscale (client_dry_run_pod_monitor says so); Azure Monitor's where --prometheus names an
    Azure Monitor workspace, whose series on AKS its managed Prometheus scrapes from
    azmonitoring.coreos.com PodMonitors only (MicrosoftDocs/azure-aks-docs
    articles/aks/deploy-postgresql-ha.md), and the trigger then authenticates
    (request.queries_workspace); else the Prometheus Operator's. Returns what the output cannot
    know offline: the workspace's ``cluster`` label (monitoring.workspace_cluster), None otherwise."""
    from akscli.model import kinds, monitoring

    if not (req.autoscale and req.runtime == "vllm"):
        req.monitor_api = None
        return None
    if req.prometheus is None or not monitoring.is_workspace(req.prometheus):
        req.monitor_api = kinds.PROMETHEUS_OPERATOR_API
        return None
    req.monitor_api = kinds.AZURE_MONITOR_API
    return (
        "--dry-run=client asks no cluster, so KEDA's query names no cluster label: a real deploy reads the one "
        f"Azure Monitor's collector stamps ({monitoring.COLLECTOR_NAMESPACE}/{monitoring.COLLECTOR_DEPLOYMENT}) "
        "and pins the query to it, as the workspace holds the series of every cluster that sends to it; "
        "--dry-run=server -o yaml renders the pinned query"
    )


def client_dry_run_pod_monitor(req: "DeployRequest") -> str | None:
    """What --dry-run=client leaves out of its output, said on stderr: a real deploy asks the
    cluster which PodMonitor API it serves (preflight.monitor_api) and adds a PodMonitor for the
    pods that serve vLLM's /metrics; offline nothing is asked, so none is rendered (except for
    --autoscale, which needs one). As ``helm template`` renders a chart's Capabilities-gated
    objects only for the API versions it is given (helm/helm pkg/cmd/template.go
    ``--api-versions``), the manifest is what can be known offline, and the user hears what the
    real run adds and where to get it. None where nothing is left out."""
    if req.monitor_api is not None or not req.serves_vllm_metrics:
        return None
    return (
        f"--dry-run=client asks no cluster, so it renders no PodMonitor: a real deploy also applies "
        f"podmonitor/{req.name} where the cluster serves the PodMonitor API (azmonitoring.coreos.com/v1 "
        "or monitoring.coreos.com/v1); --dry-run=server -o yaml renders the objects this cluster would get"
    )


def _namespace_line(namespace: str, operation: str, fmt: str, *, plan: bool = False) -> None:
    """``namespace/NS created`` (or unchanged) on stdout, ``namespace/NS`` with -o name; with -o
    json/yaml on stderr, stdout being the applied objects' one document. ``plan``: a server dry
    run's table line, as common.print_plan writes each object's (``namespace/NS (cluster): unchanged``)."""
    if output.structured(fmt):
        output.info(f"namespace/{namespace} {operation}")
    elif fmt == "name":
        output.write(f"namespace/{namespace}")
    else:
        output.write(f"namespace/{namespace} (cluster): {operation}" if plan else f"namespace/{namespace} {operation}")


def check_aks_cluster(cluster: str | None, resource_group: str | None, subscription: str | None) -> None:
    """--cluster and -g name the AKS cluster together, read with --subscription (one usage line
    before anything is read)."""
    if cluster is None and resource_group is None:
        return
    from akscli.azure import names

    # each value first, as every other flag is (a bad value is named, not the ones still missing)
    if cluster is not None:
        names.cluster_name(cluster)
    if resource_group is not None:
        names.resource_group(resource_group)
    if cluster is None or resource_group is None or subscription is None:
        missing = "--cluster" if cluster is None else "-g" if resource_group is None else "--subscription"
        raise errors.UsageError(
            f"--cluster, -g and --subscription name the AKS cluster together: {missing} is missing",
            hint="give all three (e.g. --cluster aks-gpu-1 -g rg-ml --subscription SUB), or none",
        )


def aks_network(subscription: str | None, resource_group: str | None, cluster: str | None) -> "tuple[str, str] | None":
    """The AKS cluster's network plugin and mode where --cluster names it (akscli.nap.node_class.cluster_network),
    else None (node auto-provisioning's default maxPods is then taken as Azure CNI Overlay's)."""
    if not (subscription and resource_group and cluster):
        return None
    from akscli.azure import arm
    from akscli.nap import node_class as nap_class

    return nap_class.cluster_network(arm.AzureTarget(subscription).validated(), resource_group, cluster)
