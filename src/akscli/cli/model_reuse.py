"""`model deploy --reuse-values`: a decorator that puts the flag in place of the command's
``options: reuse.DeployOptions`` parameter, and hands the command the options given on the
command line, those reused from the latest revision and the defaults of the rest (model/reuse.py
holds the logic)."""

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer._click.core import ParameterSource
from typer._click.globals import get_current_context

from akscli.cli import options as opts
from akscli.errors import UsageError
from akscli.model import reuse

ReuseValues = Annotated[
    bool,
    typer.Option(
        "--reuse-values",
        help="Start from the options of the latest recorded revision; options given now win (as helm "
        "upgrade --reuse-values). Without it, an option not given goes back to its default.",
    ),
]

_GIVEN = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def reusing_values(command: Callable[..., None]) -> Callable[..., None]:
    """Put --reuse-values in place of ``options``; reused values replace the defaults of the
    options not given, before the command validates any of them."""
    signature = inspect.signature(command, eval_str=True)
    params = [
        p.replace(name="reuse_values", annotation=ReuseValues, default=False) if p.name == "options" else p
        for p in signature.parameters.values()
    ]

    @functools.wraps(command)
    def run(**values: Any) -> None:
        ctx = get_current_context()
        given = {p: values[p] for p in reuse.REUSABLE if ctx.get_parameter_source(p) in _GIVEN}
        # A switch given false (--expose=false) is given: --reuse-values does not turn it back on.
        off = ctx.meta.get(opts.TURNED_OFF) or set()
        given |= {p: False for p, (flag, _) in reuse.REUSABLE.items() if flag in off and p not in given}
        defaults = {p.name: p.default for p in ctx.command.params if p.name in reuse.REUSABLE and p.name not in given}
        reused: dict[str, Any] = {}
        revision = 0
        if values.pop("reuse_values"):
            reuse.check_given(given)  # a bad value typed now is refused before the cluster is read
            reused, revision = _reused(values, given)
            values.update(reused)
        try:
            command(**values, options=reuse.DeployOptions(given, reused, defaults))
        except UsageError as exc:
            # A value refused that the user did not type: say where it came from.
            named = [reuse.REUSABLE[p][0] for p in reused if reuse.REUSABLE[p][0] in exc.message]
            if named:
                came = f"{', '.join(named)} came from revision {revision} (--reuse-values): "
                came += "deploy without --reuse-values to drop it"
                exc.hint = f"{exc.hint}; {came}" if exc.hint else came
            raise

    run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
    return run


def _reused(values: dict[str, Any], given: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The latest revision's options not given now, and its number, read from the cluster (also
    with --dry-run=client: the values are the cluster's, as helm's dry run reads the release)."""
    from akscli import validate
    from akscli.model import catalog, deploy_flags, revisions

    cluster: opts.KubeFlags = values["cluster"]
    model_name, described = values["model_name"], values["described"]
    model: catalog.Model | str
    if catalog.complete(described) or (not described.given and catalog.find(model_name) is not None):
        model = catalog.resolve(model_name, described)
    else:  # --hub-config, given now or recorded, is to complete the description: each value given checked now
        model = catalog.validate_hf_id(validate.text(model_name, "model", 200))
        catalog.checked_description(described)
    name = validate.name(values["name"], "--name", 50) if values["name"] else deploy_flags.default_name(model)
    kube = cluster.connect()
    namespace = cluster.namespace or kube.namespace
    if values["fleet"] and not cluster.namespace:
        from akscli.cli.model_deploy_steps import fleet_namespace

        namespace = fleet_namespace(kube, name, name)  # as model deploy --fleet-hub picks it
    history = revisions.revisions(kube, name, namespace)
    return reuse.reuse(history, name, namespace, given), history[-1].revision
