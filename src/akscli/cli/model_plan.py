"""akscli model plan: which GPU VM sizes fit a model, at what cost and throughput (no cluster
needed; nothing here imports kubernetes or azure at load time); registered on the model group
by ``cli/model.py``."""

from typing import Annotated

import typer

from akscli import output
from akscli.cli import model_plan_body
from akscli.cli import options as opts
from akscli.cli.model_common import (
    BudgetOpt,
    ConcurrencyOpt,
    HubConfigOpt,
    MaxModelLenOpt,
    ModelName,
    PriceFileOpt,
    RegionOpt,
    RuntimeOpt,
    TrustRemoteCodeOpt,
    VmSizeOpt,
    with_description_flags,
)
from akscli.cli.model_plan_body import PLAN_COLUMNS as PLAN_COLUMNS
from akscli.model import catalog, skus


@with_description_flags
def plan_cmd(
    model_name: ModelName,
    runtime: RuntimeOpt = "kaito",
    context: MaxModelLenOpt = None,
    concurrency: ConcurrencyOpt = 1,
    region: RegionOpt = skus.DEFAULT_REGION,
    budget: BudgetOpt = None,
    price_file: PriceFileOpt = None,
    vm_size: VmSizeOpt = None,
    described: catalog.Description = catalog.Description(),
    hub_config: HubConfigOpt = False,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            help="The vLLM server image model deploy --image would run (runtime vllm): --hub-config judges the "
            "model for its vLLM release, as that deploy does.",
            show_default=False,
        ),
    ] = None,
    trust_remote_code: TrustRemoteCodeOpt = False,
    output_fmt: Annotated[
        str, opts.output_option(output.LIST_FORMATS, "custom-columns: one row per VM size, as -o json's options")
    ] = "table",
    subscription: Annotated[
        str | None,
        typer.Option(
            "--subscription",
            help="Also mark sizes this subscription cannot get in --region (not offered, restricted, over its "
            "vCPU quota); asks Azure.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Which GPU VM sizes fit the model, at what cost and throughput; the cheapest that fits.

    With --runtime kaito (the default, as for deploy) the sizes are those KAITO supports and each
    size's nodes and price are what KAITO's node estimator provisions there. With --runtime vllm,
    fit counts the weights (x1.02 as loaded), a full KV cache for --concurrency sequences of
    --max-model-len tokens and 2.3 GiB per GPU of overhead, within 90% of GPU memory.
    """
    model_plan_body.plan(
        model_name,
        runtime,
        context,
        concurrency,
        region,
        budget,
        price_file,
        vm_size,
        described,
        hub_config,
        image,
        trust_remote_code,
        output_fmt,
        subscription,
    )
