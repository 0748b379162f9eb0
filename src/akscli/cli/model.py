"""akscli model: catalog, GPU-fit and cost plan, deploy through KAITO or vLLM, operate, roll back.

Thin: this module only registers the commands, which parse their flags in ``model_offline``
(catalog, show), ``model_plan`` (plan), ``model_deploy`` (deploy, delete), ``model_revisions``
(history, rollback), ``model_serving`` (list, status, endpoint, test, logs) and ``model_top``, with
shared flags in ``model_common``.
Models come from ``akscli.model.catalog``, the numbers from ``akscli.model.planning``, the objects
from ``akscli.model.deploy``, revisions from ``akscli.model.revisions``, every cluster read from
``akscli.model.live``, and every change goes through ``common.apply_objects``.
"""

import importlib
from typing import Any

import typer

# The commands live by concern (model_offline: the catalog; model_plan: sizes and costs, no
# cluster either; model_deploy: changes; model_revisions: revisions; model_serving and model_top:
# reads), in the order help lists them. A module is imported only when one of its commands is registered:
# `akscli model plan` loads model_plan alone, `akscli model catalog` none of the planning modules.
COMMANDS: dict[str, str] = {
    "catalog": "akscli.cli.model_offline:catalog_cmd",
    "show": "akscli.cli.model_offline:show_cmd",
    "plan": "akscli.cli.model_plan:plan_cmd",
    "deploy": "akscli.cli.model_deploy:deploy_cmd",
    "list": "akscli.cli.model_serving:list_cmd",
    "status": "akscli.cli.model_serving:status_cmd",
    "top": "akscli.cli.model_top:top_cmd",
    "endpoint": "akscli.cli.model_serving:endpoint_cmd",
    "test": "akscli.cli.model_serving:test_cmd",
    "logs": "akscli.cli.model_serving:logs_cmd",
    "delete": "akscli.cli.model_deploy:delete_cmd",
    "history": "akscli.cli.model_revisions:history_cmd",
    "rollback": "akscli.cli.model_revisions:rollback_cmd",
}


def group(only: str | None = None) -> typer.Typer:
    """The model group with every command, or with only the command ``only`` (the one that runs:
    ``akscli.cli.main`` asks for it so, and builds it as a group all the same)."""
    app = typer.Typer(
        name="model",
        help="Model serving: catalog, plan, deploy, operate.",
        no_args_is_help=True,
        rich_markup_mode=None,
        add_completion=False,
    )
    for name, entry in COMMANDS.items():
        if only is None or name == only:
            module_name, _, function = entry.partition(":")
            app.command(name)(getattr(importlib.import_module(module_name), function))
    return app


def __getattr__(name: str) -> Any:
    """``app``, the whole group, built on first use (help, completion, docgen)."""
    if name != "app":
        raise AttributeError(name)
    built = globals()["app"] = group()
    return built
