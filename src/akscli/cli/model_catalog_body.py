"""akscli model catalog's body: the catalog's table and the search, without the CLI framework
(akscli.cli.model_offline declares the flags; the fast path, akscli.cli.fast, calls this with the
same arguments)."""

from akscli import output, validate
from akscli.model import catalog
from akscli.output import Column

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


def catalog_models(query: str | None, kaito_only: bool, output_fmt: str) -> None:
    """List and search the models akscli knows."""
    fmt = output.check_format(output_fmt, output.LIST_FORMATS)
    if query is not None:
        validate.text(query, "search query", 200)
    rows = [m.to_dict() for m in catalog.search(query) if m.preset or not kaito_only]
    output.emit(rows, fmt, CATALOG_COLUMNS, name=catalog.listed_name, empty=f"No model matches {query!r}.")
