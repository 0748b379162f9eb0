"""akscli model catalog and show: the catalog's commands, which need no cluster (nothing here
imports kubernetes or azure at load time); registered on the model group by ``cli/model.py``.
``model plan`` is in ``model_plan``: listing the catalog loads none of the planning modules."""

from typing import Annotated

import typer

from akscli import output, validate
from akscli.cli import completers
from akscli.cli import options as opts
from akscli.model import catalog


@opts.lists_no_kubernetes_objects
def catalog_cmd(
    query: Annotated[
        str | None, typer.Argument(help="Words to search for (id, preset, license, quantisation, architecture).")
    ] = None,
    kaito_only: Annotated[bool, typer.Option("--kaito", help="Only models with a KAITO preset name.")] = False,
    output_fmt: opts.Output = "table",
) -> None:
    """List and search the models akscli knows."""
    # Here, not at the top: every model command registers this module; only the catalog reads the body.
    from akscli.cli import model_catalog_body

    model_catalog_body.catalog_models(query, kaito_only, output_fmt)


def show_cmd(
    name: Annotated[
        str, typer.Argument(help="Hugging Face id or KAITO preset name.", autocompletion=completers.models)
    ],
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """Everything akscli knows about one model."""
    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    model = catalog.get(validate.text(name, "model", 200))
    output.emit_object(model.to_dict(), fmt, name=catalog.listed_name)
