"""akscli model list, status, endpoint, test and logs: reading a deployed model and talking to it;
registered on the model group by ``cli/model.py``."""

from typing import Annotated, Any

import typer

from akscli import output, validate
from akscli.cli import flag_types
from akscli.cli import options as opts
from akscli.cli.common import namespaced_columns
from akscli.cli.model_common import DeploymentName, FleetHubOpt, deployed, on_cluster
from akscli.errors import NotFoundError, NotInstalledError, UsageError
from akscli.output import Column

# ---- list, status, endpoint, test, logs ---------------------------------------------------

LIST_COLUMNS = [
    Column("Name", "name"),
    Column("Namespace", "namespace", wide=True),
    Column("Model", "model"),
    Column("Runtime", "runtime"),
    Column("Ready", lambda r: f"{r['ready']}/{r['desired']}"),
    Column("GPUs", "gpus"),
    Column("VM size", "vm_size"),
    Column("Endpoint", "endpoint"),
    Column("Age", lambda r: output.age(r.get("created"))),
    Column("State", "state"),
    Column("Kind", "kind", wide=True),
]

FLEET_COLUMNS = [
    Column("Name", "name"),
    Column("Cluster", "cluster"),
    Column("State", "state"),
    Column("Message", "message"),
]


def list_cmd(
    namespace: flag_types.Namespace = None,
    all_namespaces: flag_types.AllNamespaces = False,
    selector: flag_types.Selector = None,
    fleet: FleetHubOpt = False,
    kubeconfig: flag_types.Kubeconfig = None,
    kube_context: flag_types.Context = None,
    request_timeout: flag_types.RequestTimeout = None,
    output_fmt: opts.Output = "table",
) -> None:
    """Deployed models: replicas, GPUs, VM size, endpoint and state.

    -l selects by the labels of each model's serving object (Workspace, InferenceSet, RayService,
    Deployment...); with --fleet-hub, of its ClusterResourcePlacement."""
    from akscli.model import live

    fmt = opts.output_format(output_fmt)
    chosen = opts.label_selector(selector)
    kube = opts.KubeFlags(kubeconfig, kube_context, namespace, request_timeout).connect()
    if fleet:
        output.emit(
            live.fleet_placements(kube, chosen),
            fmt,
            FLEET_COLUMNS,
            name=lambda r: f"{r['name']}/{r['cluster']}",
            empty="No model is placed through the fleet.",
        )
        return
    rows = live.deployed_models(kube, namespace=namespace, all_namespaces=all_namespaces, label_selector=chosen)
    columns = namespaced_columns(LIST_COLUMNS, all_namespaces)
    empty = output.no_resources(None if all_namespaces else namespace or kube.namespace)
    output.emit(rows, fmt, columns, name=lambda r: f"model/{r['name']}", empty=empty)


STATUS_FIELDS = ("name", "namespace", "model", "runtime", "kind", "ready", "state", "vm_size", "gpus", "endpoint")
CONDITION_COLUMNS = [
    Column("Type", "type"),
    Column("Status", "status"),
    Column("Reason", "reason"),
    Column("Message", "message"),
]
GATEWAY_COLUMNS = [
    Column("Object", "object"),
    Column("Gateway", "gateway"),
    Column("Type", "type"),
    Column("Status", "status"),
    Column("Reason", "reason"),
    Column("Message", "message"),
]
EVENT_COLUMNS = [
    Column("Last Seen", "time", wide=True),
    Column("Type", "type"),
    Column("Reason", "reason"),
    # kubectl describe's Age: `3m (x2 over 10m)` for a counted event (object_names.event_age)
    Column("Age", lambda r: output.event_age(r.get("time"), r.get("first_time"), int(r.get("count") or 1))),
    Column("Object", "object"),
    Column("Message", "message"),
]


@on_cluster
def status_cmd(
    name: DeploymentName,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """Conditions and recent events of one deployed model."""
    from akscli.model import airunway, autoscaling_status, exposure, live

    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    kube, obj = deployed(cluster, name)
    doc = live.status_report(kube, obj)
    doc["serving"] = live.serving_figures(kube, obj)
    # The provider and engine AI Runway's core controller recorded (or why it has not yet).
    if (selected := airunway.selection(obj)) is not None:
        doc["selected"] = selected
    # What the autoscaler does now: KEDA's ScaledObject and its HPA, one GET each.
    doc["autoscaling"] = autoscaling_status.report(kube, name, obj["metadata"]["namespace"])
    if doc["warning"]:
        output.warn(doc["warning"])
    # AI Runway's kaito provider counts GPU nodes of one server as its replicas.
    if note := airunway.kaito_count_note(obj):
        output.warn(note)
    # KEDA's workspace query against the collector's cluster label now (a changed cluster_alias).
    if doc["autoscaling"] and (stale := autoscaling_status.workspace_warning(doc["autoscaling"], name)):
        output.warn(stale)
    # KEDA's own sign-in to that workspace (its operator's workload identity).
    if doc["autoscaling"] and (unsigned := autoscaling_status.identity_warning(doc["autoscaling"])):
        output.warn(unsigned)
    # The route through the gateway (--expose), as the gateway's controller reports it.
    exposed = exposure.read(kube, name, obj["metadata"]["namespace"])
    if exposed is not None:
        doc["gateway"] = exposed.summary()
        if not exposed.served:
            output.warn(exposed.line())
    if fmt not in ("table", "wide"):
        output.emit_object(doc, fmt, name=lambda _: f"model/{name}")  # as model list names it
        return
    # -o wide is the report with more in it (its creation time, each event's), as kubectl's wide
    # printers add columns to the default ones rather than print another view.
    shown = {**doc, "ready": f"{doc['ready']}/{doc['desired']}"}
    wide = ("created",) if fmt == "wide" else ()
    fields = [(k, shown[k]) for k in (*STATUS_FIELDS, *wide, "serving")]
    if "selected" in doc:
        fields.insert(STATUS_FIELDS.index("kind") + 1, ("selected", airunway.selection_line(doc["selected"])))
    if doc["benchmark"]:
        fields.append(("benchmark", doc["benchmark"]))  # KAITO's recorded figure
    if doc["autoscaling"]:
        fields.append(("autoscaling", autoscaling_status.line(doc["autoscaling"])))
    if doc["nodeclaim"]:
        fields.append(("nodeclaim", doc["nodeclaim"]))  # a KAITO node not Ready yet (kaito_claims)
    if doc["pods"]:
        fields.append(("pods", doc["pods"]))
    sections = [("Conditions", doc["conditions"], CONDITION_COLUMNS)]
    if exposed is not None:
        gateways = ", ".join(exposed.summary()["gateways"])
        served = "served" if exposed.served else "not served"
        fields.append(("route", f"{served} through Gateway {gateways}"))
        fields.append(("route_timeout", exposure.timeout_shown(exposed.route)))
        sections.append(("Gateway", exposed.rows, GATEWAY_COLUMNS))
    sections.append(("Events", doc["events"], EVENT_COLUMNS))
    output.emit_object(doc, "table", fields=fields)
    for title, rows, columns in sections:
        # An empty section says so on stdout, in the report, as kubectl describe's
        # "Events:  <none>" (upstream: kubernetes/kubectl v0.34.0 pkg/describe/describe.go DescribeEvents).
        output.write(f"\n{title}:" + ("" if rows else "  <none>"))
        if rows:
            output.emit(rows, fmt, columns)


@on_cluster
def endpoint_cmd(
    name: DeploymentName,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """A model's in-cluster URL and model id (/v1/models); with --expose, its gateway URL.

    The gateway URL is given once the gateway accepted the route and resolved its backends."""
    from akscli.model import exposure, live, openai_calls

    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    kube, obj = deployed(cluster, name)
    doc: dict[str, Any] = {
        "name": name,
        "url": f"{live.endpoint_of(obj)}/v1",
        "models": openai_calls.served_models(kube, obj),
    }
    fields = [("url", doc["url"]), ("models", doc["models"])]
    exposed = exposure.read(kube, name, obj["metadata"]["namespace"])
    if exposed is not None:
        # Only a route the gateway serves has an endpoint; else the one line that says why.
        gateway_url, why = exposure.url(kube, exposed) if exposed.served else (None, exposed.line())
        doc["gateway_url"] = gateway_url
        if gateway_url is None:
            output.warn(why)
        fields.append(("gateway_url", doc["gateway_url"] or "-"))
        # How long a request through the gateway may take (--route-timeout).
        doc["route_timeout"] = exposure.request_timeout(exposed.route)
        fields.append(("route_timeout", exposure.timeout_shown(exposed.route)))
    output.emit_object(doc, fmt, fields=fields, name=lambda _: f"model/{name}")  # as model list names it


VIA_CHOICES = ("auto", "gateway", "service")


@on_cluster
def test_cmd(
    name: DeploymentName,
    prompt: Annotated[str, typer.Option("--prompt", help="The user message.")] = "Say hello in five words.",
    max_tokens: Annotated[int, typer.Option("--max-tokens", help="Longest reply.")] = 64,
    via: Annotated[
        str,
        typer.Option(
            "--via",
            help="auto: through the gateway when it serves the model's HTTPRoute, else the Service; "
            "gateway: only through the gateway; service: only the model's Service.",
        ),
    ] = "auto",
    model_id: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="The model id the request names, e.g. a LoRA adapter; default: the one the model's route "
            "routes by, else the first the server lists.",
            show_default=False,
        ),
    ] = None,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """One chat completion through the model's gateway or Service: the reply and its latency.

    A model exposed with --expose is tested through its gateway, as its clients reach it: the
    request goes to the Gateway's Service, on its listener's port, with the route's hostname as
    Host, and the gateway routes it. Until the gateway serves the route, the Service answers, with
    a warning (--via gateway refuses instead)."""
    from akscli.model import exposure, gateway_via, openai_calls
    from akscli.model.body_router import SERVICE_HINT

    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    text = validate.text(prompt, "--prompt", 8000, multiline=True)
    limit = validate.integer(max_tokens, "--max-tokens", 1, 32_768)
    path = validate.choice(via, VIA_CHOICES, "--via value")
    asked = validate.text(model_id, "--model", 256) if model_id is not None else None
    if asked is not None and not asked.strip():
        raise UsageError("--model is empty", hint="name a model id the server serves, e.g. a LoRA adapter's")
    kube, obj = deployed(cluster, name)
    through = None
    if path != "service":
        exposed = exposure.read(kube, name, obj["metadata"]["namespace"])
        if exposed is not None and exposed.served:
            try:
                through = gateway_via.via_gateway(kube, exposed, name, asked)
            except NotInstalledError as exc:
                # What the gateway path lacks (a body-based router; a listener the service proxy's
                # TLS cannot reach): auto says so with its fix and tests the Service.
                if path == "gateway":
                    raise
                fix = (exc.hint or "").removesuffix(f"; or {SERVICE_HINT}")
                output.warn(
                    f"testing through the Service, not the gateway: {exc.message}" + (f"; {fix}" if fix else "")
                )
        elif path == "gateway":
            raise NotFoundError(
                f"model {name} is not served through a gateway: "
                + (exposed.line() if exposed is not None else "it has no HTTPRoute (deploy it with --expose)"),
                hint="test it through its Service: --via service",
            )
        elif exposed is not None:
            # Said before the request, so in the tense of what is about to happen: a request that
            # fails has no reply to speak of (review8's finding on route6's wording).
            output.warn(f"testing through the Service, not the gateway, which does not serve it: {exposed.line()}")
    answer = openai_calls.chat(kube, obj, text, limit, through, asked)
    if fmt != "table":
        output.emit_object(answer.to_dict(), fmt)
        return
    output.write(answer.reply)
    usage = answer.usage or {}
    tokens = f", {usage['completion_tokens']} tokens" if "completion_tokens" in usage else ""
    output.info(f"{answer.model}: {answer.latency_seconds * 1000:,.0f} ms{tokens}, through {answer.via}")


@on_cluster
def logs_cmd(
    name: DeploymentName,
    follow: Annotated[bool, typer.Option("-f", "--follow", help="Stream new lines.")] = False,
    tail: Annotated[
        int | None,
        typer.Option(
            "--tail", help="Last N lines of each pod (-1: every line, as kubectl logs --tail=-1).", show_default=False
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only lines newer than this, e.g. 5s, 2m or 3h.", show_default=False),
    ] = None,
    timestamps: Annotated[bool, typer.Option("--timestamps", help="Begin each line with its time.")] = False,
    previous: Annotated[
        bool, typer.Option("-p", "--previous", help="The logs of each pod's previous, terminated server.")
    ] = False,
    container: Annotated[
        str | None,
        typer.Option(
            "-c",
            "--container",
            help=(
                "The logs of this container of each pod (kubectl logs -c); default: the one the pod's "
                "kubectl.kubernetes.io/default-container annotation names, else its first."
            ),
            show_default=False,
        ),
    ] = None,
    cluster: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Logs of the model's server pods (the first pod when following)."""
    from akscli.model import live

    tail_lines = validate.tail(tail)
    since_seconds = _since_seconds(since) if since is not None else None
    if container is not None:
        validate.name(container, "container name")  # a DNS-1123 label, as the API server's pod validation
    kube, obj = deployed(cluster, name)
    namespace = obj["metadata"]["namespace"]
    pods = live.server_pods(kube, obj)
    shown = pods[:1] if follow else pods
    command = f"akscli model logs {name} -n {namespace}"
    containers = _containers(kube, namespace, shown, container, command)
    for pod in shown:
        prefix = f"[{pod}] " if len(shown) > 1 else ""
        for line in kube.logs(
            namespace,
            pod,
            container=containers.get(pod),
            follow=follow,
            tail_lines=tail_lines,
            previous=previous,
            since_seconds=since_seconds,
            timestamps=timestamps,
        ):
            output.write(prefix + line.rstrip("\n"), raw=True)  # as kubectl logs: the bytes as they came


def _containers(kube: Any, namespace: str, pods: list[str], container: str | None, command: str) -> dict[str, str]:
    """The container to read of each pod shown, chosen before any line is printed as kubectl logs
    chooses (kube.pod_containers): ``container`` when every pod has it, else kubectl's refusal; with
    none, each pod's default, its notice on stderr as kubectl writes it for each pod of a selector
    (kubernetes/kubectl dee3483a pkg/polymorphichelpers/logsforobject.go, a PodList with allPods
    false). A pod gone since the list is left to the log request's NotFound."""
    from akscli.kube import pod_containers

    chosen: dict[str, str] = {}
    for pod_name in pods:
        pod = kube.get("v1", "Pod", pod_name, namespace)
        if pod is None:
            continue
        if container is not None:
            pod_containers.check(pod, container, command)
            chosen[pod_name] = container
            continue
        chosen[pod_name], notices = pod_containers.default(pod)
        for notice in notices:
            output.info(notice)
    return chosen


def _since_seconds(since: str) -> int:
    """kubectl logs' --since: a duration sent as whole seconds, rounded (upstream: kubernetes/kubectl
    dee3483a pkg/cmd/logs/logs.go ToLogOptions, SinceSeconds.Round(time.Second)); the API server
    refuses less than one (kubernetes/kubernetes pkg/apis/core/validation ValidatePodLogOptions)."""
    seconds = int(validate.duration(since, "--since") + 0.5)
    if seconds < 1:
        raise UsageError(f"--since {since}: the server counts whole seconds", hint="use 1s or more")
    return seconds
