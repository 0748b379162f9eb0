"""akscli model deploy and delete: the commands that change a cluster (history and rollback, the
revisions they record, are cli/model_revisions.py); registered on the model group by
``cli/model.py``."""

from typing import TYPE_CHECKING, Annotated

import typer

from akscli import errors, output, validate
from akscli.cli import azopts, completers, delete_many, flag_types
from akscli.cli import model_deploy_steps as deploy_steps
from akscli.cli import options as opts
from akscli.cli.diff_status import ExitCode, check_exit_code, found, with_exit_code
from akscli.cli.model_common import (
    BudgetOpt,
    ConcurrencyOpt,
    DeploymentName,
    FleetHubOpt,
    HubConfigOpt,
    MaxModelLenOpt,
    ModelName,
    PriceFileOpt,
    RegionOpt,
    TrustRemoteCodeOpt,
    VmSizeOpt,
    early_model,
    hub_checked,
    model_namespace,
    on_cluster,
    with_description_flags,
)
from akscli.cli.model_reuse import reusing_values
from akscli.model import catalog, kinds, plan_view, reuse, skus

if TYPE_CHECKING:
    from akscli.model.planning import Plan
    from akscli.model.request import DeployRequest

# The cluster side (the kubernetes client wrapper, the objects per runtime, revisions, the
# preflight reads, the apply glue) is imported inside the commands that use it: `akscli model
# plan` and `model catalog` load this module too, to register its commands, and need none of it.

# ---- deploy ---------------------------------------------------------------------------------


@with_exit_code  # outermost: an error the other decorators raise (--reuse-values reads the cluster) too
@with_description_flags
@on_cluster
@reusing_values
def deploy_cmd(
    model_name: ModelName,
    name: Annotated[
        str | None, typer.Option("--name", help="Name of the deployment (default: from the model).", show_default=False)
    ] = None,
    runtime: Annotated[
        str,
        typer.Option(
            "--runtime",
            help="kaito (Workspace / InferenceSet), vllm (Deployment) or airunway (AI Runway ModelDeployment).",
            autocompletion=completers.runtimes,
        ),
    ] = "kaito",
    provider: Annotated[
        str,
        typer.Option(
            "--provider",
            help="With --runtime airunway: kaito, vllm, kuberay, dynamo or llmd; auto leaves it to AI Runway "
            "(the ready InferenceProviderConfigs' selection rules).",
        ),
    ] = "kaito",
    replicas: Annotated[
        int | None,
        typer.Option(
            "--replicas",
            help="Replicas; with kaito, makes an InferenceSet. With airunway, scaling.replicas: servers, except "
            "to its kaito provider (GPU nodes of one server), so 1 there.",
            show_default=False,
        ),
    ] = None,
    access_secret: Annotated[
        str | None,
        typer.Option(
            "--access-secret",
            help="Secret (key HF_TOKEN) with the model access token; referenced, never read.",
            show_default=False,
        ),
    ] = None,
    autoscale: Annotated[
        str | None,
        typer.Option(
            "--autoscale", help="MIN:MAX replicas through KEDA on vllm:num_requests_waiting.", show_default=False
        ),
    ] = None,
    prometheus: Annotated[
        str | None,
        typer.Option(
            "--prometheus",
            help="Prometheus address KEDA queries (default: the in-cluster Prometheus that scrapes the model); "
            "with Azure Monitor managed Prometheus, the workspace's query endpoint (required).",
            show_default=False,
        ),
    ] = None,
    queue_threshold: Annotated[
        int, typer.Option("--queue-threshold", help="Waiting requests per replica before KEDA adds one.")
    ] = kinds.DEFAULT_QUEUE_THRESHOLD,
    expose: Annotated[bool, typer.Option("--expose", help="Add a Gateway API HTTPRoute.")] = False,
    gateway: Annotated[
        str | None,
        typer.Option(
            "--gateway",
            help=f"Gateway for --expose: NAME or NAMESPACE/NAME (default {kinds.DEFAULT_GATEWAY}; with "
            "--runtime airunway, AI Runway picks it).",
            show_default=False,
        ),
    ] = None,
    hostname: Annotated[
        str | None, typer.Option("--hostname", help="Hostname of the route.", show_default=False)
    ] = None,
    route_timeout: Annotated[
        str | None,
        typer.Option(
            "--route-timeout",
            metavar="DURATION",
            help=f"With --expose: the route's request timeout, a Gateway API duration (default "
            f"{kinds.DEFAULT_ROUTE_TIMEOUT}; 0s: no timeout), or {kinds.NO_ROUTE_TIMEOUT}: no timeouts field "
            "(Gateway API CRDs before v1.2.0). Envoy-based gateways cut requests at 15s without one.",
            show_default=False,
        ),
    ] = None,
    inference_pool: Annotated[
        bool, typer.Option("--inference-pool", help="Route through an InferencePool (Gateway API inference extension).")
    ] = False,
    endpoint_picker: Annotated[
        str | None,
        typer.Option(
            "--endpoint-picker",
            help="Endpoint picker Service of the pool (default NAME-epp, NAME cut to 40 characters as "
            "llm-d-router's chart does).",
            show_default=False,
        ),
    ] = None,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            help=f"vLLM server image (runtime vllm; airunway providers vllm and llmd; default "
            f"{kinds.DEFAULT_VLLM_IMAGE}, or {kinds.DEFAULT_VLLM_IMAGE_CUDA12} on A10 sizes, whose AKS driver "
            f"{kinds.AKS_GRID_DRIVER} predates CUDA 13; where nodes of the size exist, the driver GPU feature "
            "discovery labels them with decides, and an image it cannot run is refused).",
            show_default=False,
        ),
    ] = None,
    storage_class: Annotated[
        str | None,
        typer.Option(
            "--storage-class",
            help=f"Storage class for the weights (runtime vllm; default {kinds.DEFAULT_STORAGE_CLASS}).",
            show_default=False,
        ),
    ] = None,
    trust_remote_code: TrustRemoteCodeOpt = False,
    recreate: Annotated[
        bool,
        typer.Option(
            "--recreate",
            help="Delete and create objects whose immutable fields change (preset, instance type): downtime.",
        ),
    ] = False,
    create_namespace: Annotated[
        bool, typer.Option("--create-namespace", help="Create the namespace when it does not exist.")
    ] = False,
    fleet: FleetHubOpt = False,
    member: Annotated[
        list[str] | None,
        typer.Option(
            "--member", help="With --fleet-hub: place on these member clusters only (repeatable).", show_default=False
        ),
    ] = None,
    clusters: Annotated[
        int | None,
        typer.Option("--clusters", help="With --fleet-hub: place on N capable members (PickN).", show_default=False),
    ] = None,
    staged_strategy: Annotated[
        str | None,
        typer.Option(
            "--staged-strategy",
            help="With --fleet-hub: roll out through a staged update run of this ClusterStagedUpdateStrategy.",
            show_default=False,
        ),
    ] = None,
    vm_size: VmSizeOpt = None,
    context: MaxModelLenOpt = None,
    concurrency: ConcurrencyOpt = 1,
    region: RegionOpt = skus.DEFAULT_REGION,
    budget: BudgetOpt = None,
    price_file: PriceFileOpt = None,
    described: catalog.Description = catalog.Description(),
    hub_config: HubConfigOpt = False,
    subscription: Annotated[
        str | None,
        typer.Option(
            "--subscription",
            help="Check first that this subscription can get the GPU nodes in --region (size offered, vCPU "
            "quota free); for clusters that create nodes on demand (KAITO, node auto-provisioning).",
            show_default=False,
        ),
    ] = None,
    aks_cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            "-c",
            help="With -g and --subscription: the AKS cluster of --context; its network plugin gives node "
            "auto-provisioning's default maxPods (not given: 250, Azure CNI Overlay's).",
            show_default=False,
        ),
    ] = None,
    resource_group: azopts.ResourceGroup = None,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    dry_run: flag_types.DryRun = "none",
    wait: flag_types.Wait = False,
    timeout: flag_types.Timeout = "30m",
    yes: flag_types.Yes = False,
    force_conflicts: flag_types.ForceConflicts = False,
    output_fmt: flag_types.ApplyOutput = "table",
    exit_code: ExitCode = False,
    options: reuse.DeployOptions = reuse.DeployOptions(),
) -> None:
    """Deploy a model through KAITO (default) or vLLM, sized by the plan.

    Every deploy records a revision in the cluster (model history, model rollback), with the
    options given; --reuse-values starts from those of the latest revision.
    """
    from akscli.cli import common
    from akscli.kube.connecting import connect
    from akscli.model import deploy, deploy_flags, flag_checks, preflight, request

    mode = opts.dry_run_mode(dry_run)
    check_exit_code(exit_code, mode)
    validate.duration(timeout, "--timeout")
    early = early_model(model_name, described, hub_config)
    deploy_flags.check_fleet_flags(fleet, member or [], clusters, staged_strategy)
    flag_checks.runtime(runtime)
    flag_checks.provider(provider)  # with any --runtime: before the cluster is read
    if image is not None:
        flag_checks.deploy_image(image, runtime, provider)  # before the Hub is read, as model plan --image
    if trust_remote_code:
        flag_checks.trust_remote_code(runtime, provider)  # before the Hub is read
    deploy_steps.check_aks_cluster(aks_cluster, resource_group, subscription)
    # --image is the serving image only for akscli's vLLM and AI Runway's vllm and llmd providers
    # (request.DeployRequest.runs_vllm_image, which refuses it elsewhere); AI Runway's kuberay and
    # dynamo providers run a Ray or Dynamo image whose vLLM akscli does not know ("")
    if runtime == "vllm" or (runtime == "airunway" and provider in kinds.AIRUNWAY_VLLM_IMAGE_PROVIDERS):
        serving: str | None = image
    else:
        serving = "" if runtime == "airunway" and provider != "kaito" else None
    # the remote-code judgement: every vLLM but KAITO's (which passes the flag itself); AI Runway's providers
    # get it through spec.engine.trustRemoteCode (model/airunway.py values)
    planned = deploy.plan_runtime(runtime, provider)
    trusted = trust_remote_code if planned == "vllm" else None
    kaito_flag = "--provider kaito" if runtime == "airunway" else "--runtime kaito"
    model = hub_checked(early, model_name, described, hub_config, planned, serving, trusted, kaito_flag)
    the_plan = plan_view.plan_from_flags(
        model,
        runtime=planned,
        context=context,
        concurrency=concurrency,
        region=region,
        budget=budget,
        price_file=price_file,
        context_flag="--max-model-len",
    )
    fit = plan_view.fit_to_deploy(the_plan, vm_size)
    deployment = validate.name(name, "--name", 50) if name else deploy_flags.default_name(model)
    # On a fleet hub the model gets a namespace of its own, named as the deployment (the handle every
    # other model command takes): the placement takes the whole namespace.
    namespace = cluster.namespace or (deployment if fleet else None)
    gateway_name, gateway_namespace = flag_checks.gateway(gateway or kinds.DEFAULT_GATEWAY)
    req = request.DeployRequest(
        name=deployment,
        namespace=namespace or "default",
        model=model,
        runtime=runtime,
        provider=provider,
        fit=fit,
        context=the_plan.context,
        replicas=replicas,
        access_secret=access_secret,
        autoscale=flag_checks.autoscale(autoscale) if autoscale else None,
        vm_size_given=vm_size is not None,
        prometheus=prometheus,
        queue_threshold=queue_threshold,
        expose=expose,
        gateway=gateway_name,
        gateway_namespace=gateway_namespace,
        gateway_given=gateway is not None,
        inference_pool=inference_pool,
        endpoint_picker=endpoint_picker,
        hostname=hostname,
        route_timeout=route_timeout,
        image=image or kinds.DEFAULT_VLLM_IMAGE,
        storage_class=storage_class or kinds.DEFAULT_STORAGE_CLASS,
        image_given=image is not None,
        storage_class_given=storage_class is not None,
        trust_remote_code=trust_remote_code,
        fleet=fleet,
        fleet_clusters=list(member or []),
        fleet_count=clusters,
        staged_strategy=staged_strategy,
        options=options.recorded(),
    )
    req.check()
    target = cluster._replace(namespace=namespace).target()
    kube = None
    volumes = None  # the classes and claims read, once each, by the fit check and the preflight
    if mode != "client" and req.pins_vm_size and not fleet:
        # The size the pods are pinned to depends on the cluster's nodes: ask before the quota.
        from akscli.model.cluster_volumes import VolumeReads

        kube = connect(target)
        volumes = VolumeReads(kube)
        offered = None
        if subscription:
            # With a subscription, the region's Resource SKUs say which zones offer a size: a NodePool
            # whose zones offer none makes no node of it (read only where a NodePool has zones).
            from akscli.azure import arm
            from akscli.nap import zones as nap_zones

            offered = nap_zones.offered_reader(arm.AzureTarget(subscription).validated(), region)
        network = deploy_steps.aks_network(subscription, resource_group, aks_cluster)
        deploy_steps.fit_to_cluster(kube, req, the_plan, volumes, offered, network)
    if subscription and mode != "client":
        # Nodes created on demand fail minutes later on quota; ask Azure before anything is applied,
        # once every flag is checked (a bad flag sends nothing).
        from akscli.azure import arm, capacity

        nodes = max(req.fit.nodes, 1) * (replicas or 1)
        azure_target = arm.AzureTarget(subscription).validated()
        capacity.check(azure_target, f"deploy {model.id}", region, req.fit.vm_size, nodes)
    if kube is None and mode != "client":
        kube = connect(target)
    if kube is not None:
        req.namespace = namespace or kube.namespace
        if fleet and not cluster.namespace:
            req.namespace = deploy_steps.fleet_namespace(kube, req.name, req.namespace)
        preflight.prepare(kube, req)
        if req.runs_vllm_image:
            deploy_steps.follow_driver(req)
    else:
        # A client dry run renders into -n, else the kubeconfig context's namespace (options.client_namespace)
        req.namespace = namespace or cluster.client_namespace()
        # Nothing to ask offline: render the PodMonitor of the scraper --prometheus implies, with
        # akscli's labels only (KEDA querying kinds.DEFAULT_PROMETHEUS without it; docs/model.md).
        req.monitor_warning = deploy_steps.client_dry_run_scraper(req)
    objects = deploy.build(req)
    _announce(req, the_plan)
    if kube is None:
        if req.monitor_warning:
            output.warn(req.monitor_warning)
        if create_namespace and not fleet:
            deploy_steps.client_dry_run_namespace(req.namespace, output_fmt)
        if (unrendered := deploy_steps.client_dry_run_pod_monitor(req)) is not None:
            output.warn(unrendered)
        common.apply_objects(
            objects, stack=kinds.stack_of(req.name), target=target, dry_run=mode, yes=yes, output_format=output_fmt
        )
        return
    for warning in preflight.check(kube, req, objects, wait=wait, volumes=volumes):
        output.warn(warning)
    if fleet:
        from akscli.fleet.matching import check_placements
        from akscli.fleet.runchecks import check_runs, check_stages_before_placing

        deploy_steps.check_fleet_namespace(kube, req.namespace, req.name)
        check_placements(kube, objects)
        check_runs(kube, objects)
        check_stages_before_placing(kube, objects)
    new_namespaces: frozenset[str] = frozenset()
    if not fleet:
        new_namespaces = deploy_steps.ensure_namespace(
            kube, req.namespace, create=create_namespace, dry_run=mode, fmt=output_fmt
        )
    from akscli.cli.model_rollout import Rollout
    from akscli.model import revisions

    history = revisions.revisions(kube, req.name, req.namespace)
    # An option whose default is worked out: a recorded value equal to it changes nothing.
    resolved = {"context": req.context, "vm_size": req.vm_size, "route_timeout": req.route_request_timeout}
    if dropped := reuse.going_back(history, options, resolved):
        output.warn(dropped)
    rollout = Rollout(
        kube, target, mode, yes, output_fmt, recreate, force_conflicts, "model deploy", new_namespaces=new_namespaces
    )
    # KAITO's webhook asks the Hub for a model outside its catalog: its refusal gets the token's fix.
    from akscli.model import kaito_names

    with kaito_names.hub_refusals(req.model.id if req.runs_on_kaito else None, req.namespace, req.access_secret):
        rev = rollout.apply(
            objects,
            name=req.name,
            namespace=req.namespace,
            params=req.params(),
            note="deploy",
            dropped="the last deploy made and this one does not",
            history=history,
        )
    if rev is None:
        found(exit_code and rollout.changed)
        return
    if rollout.unchanged:
        output.info(f"no change since revision {rev} of {req.name}: nothing recorded")
    else:
        output.info(f"recorded revision {rev} of {req.name}")
    if wait:
        rollout.wait(objects, timeout, fleet=fleet, name=req.name, namespace=req.namespace, revision=rev)
        if req.runtime == "airunway" and req.provider == kinds.AIRUNWAY_AUTO_PROVIDER and not fleet:
            from akscli.model import airunway

            picked = airunway.selected_report(kube, req.name, req.namespace)
            if picked:
                output.info(picked)


def _announce(req: "DeployRequest", the_plan: "Plan") -> None:
    """The size the plan chose (and what Azure bills for it), and what will stop the model from starting."""
    from akscli.model import catalog, kaito_names

    fit = req.fit
    output.info(
        f"plan: {fit.vm_size} x {fit.nodes} node(s), {fit.gpus} GPU(s), tensor parallel "
        f"{fit.tensor_parallel}, {plan_view.usd(fit.price_per_month)}/month per replica"
    )
    if billed := plan_view.billed_note(the_plan, fit):
        output.info(billed)
    for warning in fit.warnings:
        output.warn(warning)
    # What KAITO's webhook reads from the Hub at admission, or vLLM from config.json at start: out of akscli's reach.
    limit_notes = (
        kaito_names.hub_note(req.model, req.context)
        if req.runs_on_kaito
        else catalog.vllm_limit_note(req.model, req.context)
    )
    for note in limit_notes:
        output.warn(note)
    if req.placement_warning:
        output.warn(req.placement_warning)
    if req.runtime == "airunway" and req.provider == kinds.AIRUNWAY_AUTO_PROVIDER:
        from akscli.model import airunway

        output.info(airunway.AUTO_PROVIDER_NOTE)
        output.info(airunway.auto_served_note(req.model.id))


# ---- delete --------------------------------------------------------------------------------


if TYPE_CHECKING:
    DeploymentNames = list[str] | None
else:
    DeploymentNames = delete_many.names_argument(DeploymentName, selectable=False)


# A model is every object its deploy made, of fifteen kinds (kinds.STACK_KINDS), found by the
# labels akscli sets (akscli.io/stack, the model label), not one object: a user's -l would pick
# single objects, and deleting part of a model leaves a broken deploy, so a model is chosen by NAME.
@on_cluster
@opts.chooses_by_name(
    "a model is every object its deploy made, found by akscli's own labels, so it is chosen by NAME "
    "(a label selector picks single objects, not models)",
    "deleting a model removes every object its deploy made, so each is named: 'akscli model list' shows them",
)
@flag_types.on_delete(("dry_run", "yes", "output_", "ignore_not_found", "wait", "timeout"))
def delete_cmd(
    names: DeploymentNames = None,
    keep_history: Annotated[bool, typer.Option("--keep-history", help="Keep the revision records.")] = False,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    delete: opts.DeleteFlags = opts.DeleteFlags(),
) -> None:
    """Delete deployed models (one or more NAMEs) and everything deploy created for each."""
    from akscli.cli import common
    from akscli.model import model_objects

    mode = opts.dry_run_mode(delete.dry_run)
    # A model is several objects found by its labels, not one object: NAMEs only (no -l or --all).
    delete_many.check_choice(names or [], None, False, "model deployment name", selectable=False)
    wait_s = delete.wait_seconds("5m")
    output_ = delete.output
    kube = cluster.connect()
    with errors.absent_is_done(delete.ignore_not_found):

        def stack(
            name: str, _where: str | None, _listed: object
        ) -> tuple[str, str, list[tuple[str, str, str, str | None]]]:
            ns = model_namespace(kube, cluster, name)
            return name, ns, model_objects.stack_refs(kube, name, ns, keep_history=keep_history)

        stacks, missing = delete_many.chosen(kube, "", "", None, names or [], None, stack)
        refs = [ref for _, _, refs in stacks for ref in refs]
        if refs and mode == "client":
            # Nothing is sent: say what a real delete would remove.
            for api_version, kind, obj_name, obj_ns in refs:
                output.deleted(api_version, kind, obj_name, obj_ns, mode, output_)
        elif refs:
            # KAITO's webhook needs an InferenceSet's ConfigMap to let the set go (model_objects.held_configmaps).
            held = model_objects.held_configmaps(kube, refs) if mode == "none" else []
            common.delete_objects(
                kube,
                [r for r in refs if r not in held],
                yes=delete.yes,
                what="model " + ", ".join(name for name, _, _ in stacks),
                action="model delete",
                dry_run=mode,
                fmt=output_,
                wait=wait_s,
                # The Workspace or Deployment AI Runway's provider made is owned by the
                # ModelDeployment, not labelled by akscli: a deploy of the same name before it is
                # gone fails with ResourceConflict (ai-runway/airunway v0.7.0
                # providers/kaito/controller.go verifyOwnerReference), so --wait covers it, and
                # a timeout names those still there: the provider's objects and, with --expose,
                # the endpoint picker, InferencePool and HTTPRoute (kinds.AIRUNWAY_DEPENDENTS).
                foreground={"ModelDeployment": kinds.AIRUNWAY_DEPENDENTS},
            )
            if held and wait_s is None:
                for _, _, cm, cm_ns in held:
                    output.info(
                        f"configmap/{cm} kept: KAITO needs it until the InferenceSet is gone; then delete it "
                        f"with: kubectl delete configmap {cm} -n {cm_ns}"
                    )
            elif held:
                common.delete_objects(
                    kube, held, yes=True, what="", action="model delete", dry_run=mode, fmt=output_, wait=wait_s
                )
        for _, ns, stack_refs in stacks:
            placed = any(kind == "ClusterResourcePlacement" for _, kind, _, _ in stack_refs)
            if placed and any(obj_ns == ns for _, _, _, obj_ns in stack_refs):
                # The placed namespace (model deploy --fleet-hub created it, but it may hold objects of
                # the user's: a model never deletes a namespace); the members' copies go with the
                # placement: its bindings, then their
                # Works, then each member's AppliedWork, the owner of what it applied (upstream:
                # kubefleet-dev/kubefleet e160c1cd pkg/scheduler/scheduler.go cleanUpAllBindingsFor,
                # pkg/controllers/workgenerator/controller.go handleDelete,
                # pkg/controllers/workapplier/controller.go garbageCollectAppliedWork).
                output.info(
                    f"namespace/{ns} kept on the hub: a model never deletes a namespace "
                    f"(delete it with: kubectl delete namespace {ns})"
                )
        delete_many.raise_missing(missing, delete.ignore_not_found)
