"""akscli model catalog and show: the catalog's commands, which need no cluster (nothing here
imports kubernetes or azure at load time); registered on the model group by ``cli/model.py``.
``model plan`` is in ``model_plan``: listing the catalog loads none of the planning modules."""

from typing import Annotated, Any

import typer

from akscli import output, validate
from akscli.cli import complete
from akscli.cli import options as opts
from akscli.model import catalog
from akscli.output import Column

# ---- catalog and show -----------------------------------------------------------------------

CATALOG_COLUMNS = [
    Column("Model", "id"),
    Column("Preset", lambda m: m.get("preset") or "-"),
    Column(
        "Params",
        lambda m: (
            (("~" if m.get("parameters_estimated") else "") + f"{m['parameters_b']:g}B")
            if m.get("parameters_b")
            else "-"
        ),
    ),
    Column("Weights", lambda m: f"{m['weights_gib']:.1f}Gi"),
    Column("Quant", "quantization"),
    Column("Context", lambda m: f"{m['context']:,}"),
    Column("Attention", lambda m: f"{m['attention']} {m['attention_heads']}/{m['kv_heads']}"),
    Column("License", "license"),
    Column("Layers", "layers", wide=True),
    Column("Head dim", "head_dim", wide=True),
    Column("KV bytes/token", "kv_bytes_per_token", wide=True),
    Column("Architecture", "architecture", wide=True),
]


def catalog_name(model: dict[str, Any]) -> str:
    """-o name of a catalog model: its Hugging Face id, as ``model catalog`` lists it and ``model show``
    prints it (``model show phi-4 -o name`` is ``microsoft/phi-4``, not the preset name it was asked by)."""
    return str(model["id"])


@opts.lists_no_kubernetes_objects
def catalog_cmd(
    query: Annotated[
        str | None, typer.Argument(help="Words to search for (id, preset, license, quantisation, architecture).")
    ] = None,
    kaito_only: Annotated[bool, typer.Option("--kaito", help="Only models with a KAITO preset name.")] = False,
    output_fmt: opts.Output = "table",
) -> None:
    """List and search the models akscli knows."""
    fmt = opts.output_format(output_fmt)
    if query is not None:
        validate.text(query, "search query", 200)
    rows = [m.to_dict() for m in catalog.search(query) if m.preset or not kaito_only]
    output.emit(rows, fmt, CATALOG_COLUMNS, name=catalog_name, empty=f"No model matches {query!r}.")


def show_cmd(
    name: Annotated[str, typer.Argument(help="Hugging Face id or KAITO preset name.", autocompletion=complete.models)],
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """Everything akscli knows about one model."""
    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    model = catalog.get(validate.text(name, "model", 200))
    output.emit_object(model.to_dict(), fmt, name=catalog_name)
