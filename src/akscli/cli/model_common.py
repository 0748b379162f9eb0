"""Flags, arguments and helpers that the ``akscli model`` command modules share."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import validate
from akscli.cli import completers
from akscli.cli import options as opts
from akscli.cli.model_resolve import early_model as early_model
from akscli.cli.model_resolve import hub_checked as hub_checked
from akscli.cli.model_resolve import resolve_model as resolve_model
from akscli.cli.model_resolve import served_checked as served_checked
from akscli.model import catalog

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# ---- flags shared by plan and deploy --------------------------------------------------------

# vLLM's and KAITO's own name for the tokens per sequence (--context is the kubeconfig context).
MaxModelLenOpt = Annotated[
    int | None,
    typer.Option(
        "--max-model-len",
        metavar="TOKENS",
        help="Tokens per sequence (vLLM's max-model-len). Default: the model's limit, at most 8192.",
        show_default=False,
    ),
]
FleetHubOpt = Annotated[
    bool,
    typer.Option(
        "--fleet-hub",
        help="--context is a Fleet hub: the model is placed (ClusterResourcePlacement) onto GPU-capable members.",
    ),
]
ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", help="Sequences in flight at full context that the KV cache must hold.")
]
RegionOpt = Annotated[str, typer.Option("--region", help="Azure region for prices.")]
BudgetOpt = Annotated[
    float | None,
    typer.Option(
        "--budget", help="Monthly budget in USD per replica; sizes above it are not picked.", show_default=False
    ),
]
PriceFileOpt = Annotated[
    str | None,
    typer.Option(
        "--price-file", help="Your own prices: CSV (vm_size,region,price_usd_per_hour) or YAML.", show_default=False
    ),
]
RuntimeOpt = Annotated[
    str,
    typer.Option(
        "--runtime",
        help="kaito (Workspace / InferenceSet: KAITO's sizes and node count) or vllm (Deployment).",
        autocompletion=completers.runtimes,
    ),
]
VmSizeOpt = Annotated[
    str | None,
    typer.Option(
        "--vm-size",
        help="Use this VM size instead of the plan's pick (checked to fit).",
        show_default=False,
        autocompletion=completers.vm_sizes,
    ),
]


def _describing(flag: str, help_text: str, kind: type) -> Any:
    return Annotated[kind | None, typer.Option(flag, help=f"Model not in the catalog: {help_text}", show_default=False)]


# The flags that describe a model the catalog lacks (catalog.Description), in help order.
DESCRIPTION_OPTIONS: dict[str, Any] = {
    "weights_gib": _describing("--weights-gib", "total size of its weight files (GiB).", float),
    "layers": _describing("--layers", "num_hidden_layers.", int),
    "attention_heads": _describing("--attention-heads", "num_attention_heads.", int),
    "kv_heads": _describing("--kv-heads", "num_key_value_heads (default: attention heads).", int),
    "head_dim": _describing("--head-dim", "head_dim (default hidden_size/attention heads).", int),
    "hidden_size": _describing("--hidden-size", "hidden_size.", int),
    "max_context": _describing("--max-context", "max_position_embeddings.", int),
    "quantization": _describing("--quantization", "bf16, fp8, mxfp4, awq, gptq ...", str),
    "params_b": _describing("--params-b", "parameters in billions.", float),
}

# Read a described model's config.json from the Hub (akscli.model.hub_config): opt-in, because
# `model plan` and a client dry run of `model deploy` otherwise send nothing.
TrustRemoteCodeOpt = Annotated[
    bool,
    typer.Option(
        "--trust-remote-code",
        help="Pass vLLM --trust-remote-code (runtime vllm; AI Runway's vllm, llmd, kuberay and dynamo providers): "
        "it runs Python code from the model's Hugging Face repository in the pod; only for a repository you "
        "trust. Needed where config.json names code of its own.",
    ),
]
HubConfigOpt = Annotated[
    bool,
    typer.Option(
        "--hub-config",
        help="Model not in the catalog: read its config.json and file list from Hugging Face (HF_ENDPOINT; token "
        "from HF_TOKEN or the Hub's token file) for the description flags not given, and check --max-context.",
    ),
]


Command = Callable[..., None]


def deployed(cluster: opts.KubeFlags, name: str) -> "tuple[Kube, dict[str, Any]]":
    """The connection and the object serving the deployed model ``name``."""
    from akscli.model import live

    validate.name(name, "model deployment name")
    kube, namespace = connect_model(cluster, name)
    return kube, live.find(kube, name, namespace)


def connect_model(cluster: opts.KubeFlags, name: str) -> "tuple[Kube, str]":
    """The connection and the namespace of the model ``name``: -n, else the namespace its fleet
    placement selects (a --fleet-hub deploy put it there), else the context's."""
    kube = cluster.connect()
    return kube, model_namespace(kube, cluster, name)


def model_namespace(kube: "Kube", cluster: opts.KubeFlags, name: str) -> str:
    """The namespace of the model ``name`` (connect_model's rule), on a connection already made."""
    from akscli.model import live

    return cluster.namespace or live.placed_namespace(kube, name) or kube.namespace


# Decorators: `@with_description_flags` puts the model description flags in place of the
# command's `described: catalog.Description` parameter; `@on_cluster` puts -n, --kubeconfig,
# --context and --request-timeout in place of its `cluster: opts.KubeFlags` parameter.
with_description_flags = opts.flag_block(DESCRIPTION_OPTIONS, "described", catalog.Description)


def on_cluster(command: Callable[..., None]) -> Callable[..., None]:
    """``flag_types.on_kube`` for a model command. A function, not ``on_kube(...)`` called as this
    module loads: `model plan` imports this module and names none of the shared options, so it
    need not build them (akscli.cli.flag_types)."""
    from akscli.cli import flag_types

    return flag_types.on_kube("namespace", "kubeconfig", "context", "request_timeout")(command)


# A deployed model's NAME, or model/NAME: the line `model list|status|endpoint -o name` prints.
deployment_name = opts.type_name("model", "model deployment name", "akscli model list")

DeploymentName = Annotated[
    str,
    typer.Argument(
        help="Deployment name (see model list); model/NAME as -o name prints it also works.",
        autocompletion=completers.deployed_models,
        callback=deployment_name,
    ),
]
ModelName = Annotated[
    str, typer.Argument(metavar="MODEL", help="Hugging Face id or KAITO preset name.", autocompletion=completers.models)
]
