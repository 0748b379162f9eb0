"""The completion callbacks the commands name (``autocompletion=completers.models``): stand-ins that
load akscli.cli.complete when the shell asks, so a command that is run, not completed, does not load
it (its 490 lines: about 0.6 M instructions of every Typer command).

Typer reads a callback's parameters by their annotations (tiangolo/typer typer/main.py
get_param_completion: a ``str`` parameter is the incomplete word, ``click.Context`` or one named
``ctx`` the context), so each stand-in has the signature of the completer it hands on to.
(Annotations are objects, as in every command module: tests/foundation/test_startup.py.)
"""

from collections.abc import Callable
from typing import Any

Candidates = list[tuple[str, str]]


def _word_only(name: str) -> Callable[[str], Candidates]:
    def completer(incomplete: str) -> Candidates:
        from akscli.cli import complete

        found: Candidates = getattr(complete, name)(incomplete)
        return found

    completer.__name__ = completer.__qualname__ = name
    return completer


def _with_context(name: str) -> Callable[[Any, str], Candidates]:
    def completer(ctx: Any, incomplete: str) -> Candidates:
        from akscli.cli import complete

        found: Candidates = getattr(complete, name)(ctx, incomplete)
        return found

    completer.__name__ = completer.__qualname__ = name
    return completer


output_formats = _word_only("output_formats")
runtimes = _word_only("runtimes")
dry_run_modes = _word_only("dry_run_modes")
models = _word_only("models")
vm_sizes = _word_only("vm_sizes")
gpu_shortcuts = _word_only("gpu_shortcuts")
templates = _word_only("templates")
shells = _word_only("shells")
kube_contexts = _with_context("kube_contexts")
namespaces = _with_context("namespaces")
deployed_models = _with_context("deployed_models")
ray_clusters = _with_context("ray_clusters")
ray_services = _with_context("ray_services")
ray_jobs = _with_context("ray_jobs")
ray_targets = _with_context("ray_targets")
hub_placements = _with_context("hub_placements")
hub_runs = _with_context("hub_runs")
hub_strategies = _with_context("hub_strategies")
