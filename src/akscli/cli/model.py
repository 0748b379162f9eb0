"""akscli model: catalog, GPU-fit and cost plan, deploy through KAITO or vLLM, operate, roll back.

Thin: this module only registers the commands, which parse their flags in ``model_offline``
(catalog, show, plan), ``model_deploy`` (deploy, delete, history, rollback), ``model_serving``
(list, status, endpoint, test, logs) and ``model_top``, with shared flags in ``model_common``.
Models come from ``akscli.model.catalog``, the numbers from ``akscli.model.planning``, the objects
from ``akscli.model.deploy``, revisions from ``akscli.model.revisions``, every cluster read from
``akscli.model.live``, and every change goes through ``common.apply_objects``.
"""

from __future__ import annotations

import typer

from akscli.cli import model_deploy, model_offline, model_serving, model_top

app = typer.Typer(
    name="model",
    help="Model serving: catalog, plan, deploy, operate.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)

# The commands live by concern (model_offline: no cluster; model_deploy: changes and revisions;
# model_serving and model_top: reads); registered here in the order help lists them.
app.command("catalog")(model_offline.catalog_cmd)
app.command("show")(model_offline.show_cmd)
app.command("plan")(model_offline.plan_cmd)
app.command("deploy")(model_deploy.deploy_cmd)
app.command("list")(model_serving.list_cmd)
app.command("status")(model_serving.status_cmd)
app.command("top")(model_top.top_cmd)
app.command("endpoint")(model_serving.endpoint_cmd)
app.command("test")(model_serving.test_cmd)
app.command("logs")(model_serving.logs_cmd)
app.command("delete")(model_deploy.delete_cmd)
app.command("history")(model_deploy.history_cmd)
app.command("rollback")(model_deploy.rollback_cmd)
