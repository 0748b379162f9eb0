"""Shell completion: the values a flag or argument can take, and the ``__complete`` protocol.

Every shell script (``akscli completion SHELL``) and ``kubectl akscli <TAB>`` ask the same
question the same way, as cobra-built CLIs such as kubectl do: ``akscli __complete ARGS...
WORD`` prints one candidate per line (``value<TAB>description``) and then ``:DIRECTIVE``.
The candidates come from the command tree (commands, flags) and from the completers below
(model names, VM sizes, runtimes, templates, output formats, kube contexts and namespaces,
deployed models, Ray clusters, services and jobs, and hub placements, staged update runs and
strategies). Namespaces come from the kubeconfig, and from the cluster only within a short timeout;
deployed models, Ray objects and hub objects from the cluster only, within the same timeout; AKS
cluster, node pool and fleet names are complete_arm's.
"""

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# cobra's ShellCompDirective bits (spf13/cobra completions.go: 1 << iota from Error), which
# kubectl reads back. With FilterFileExt the candidate lines are the file extensions to offer
# (cobra returns a flag's BashCompFilenameExt annotation that way); with FilterDirs the shell
# offers directories; with 0 and no candidates it completes any file.
DIRECTIVE_DEFAULT = 0
DIRECTIVE_NO_SPACE = 2
DIRECTIVE_NO_FILE_COMP = 4
DIRECTIVE_FILTER_FILE_EXT = 8
DIRECTIVE_FILTER_DIRS = 16
# How long a <TAB> waits for the cluster's namespaces before it answers from the kubeconfig.
CLUSTER_TIMEOUT_S = 1.5

OUTPUT_FORMATS = (
    ("table", "a table (the default)"),
    ("wide", "a table with more columns"),
    ("json", "JSON"),
    ("yaml", "YAML"),
    ("name", "kind/name, one per line"),
    ("jsonpath=", "kubectl's JSONPath template, e.g. jsonpath={.items[*].metadata.name}"),
    ("jsonpath-as-json=", "a JSONPath template's results as JSON arrays"),
    ("custom-columns=", "columns HEADER:JSONPATH,..."),
)
SHELLS = ("bash", "zsh", "fish", "powershell")
RUNTIMES = (
    ("kaito", "KAITO Workspace or InferenceSet"),
    ("vllm", "a vLLM Deployment"),
    ("airunway", "an AI Runway ModelDeployment"),
)
DRY_RUN_MODES = (("client", "print what would be sent"), ("server", "the server's plan"), ("none", "do it"))

# Options whose value is a path, by long name: the file extensions offered (kubectl's -f offers
# json, yaml and yml: k8s.io/kubectl pkg/cmd/util/helpers.go AddJsonFilenameFlag with
# k8s.io/cli-runtime pkg/resource/builder.go FileExtensions), () for any file, DIRECTORY for
# directories (cobra's MarkFlagDirname).
DIRECTORY = ("/",)
MANIFEST_EXTENSIONS = ("json", "yaml", "yml")
YAML_EXTENSIONS = ("yaml", "yml")
PATH_OPTIONS: dict[str, tuple[str, ...]] = {
    "--filename": MANIFEST_EXTENSIONS,
    "--values": YAML_EXTENSIONS,
    "--runtime-env": YAML_EXTENSIONS,
    "--price-file": ("csv", *YAML_EXTENSIONS),
    "--policy-file": YAML_EXTENSIONS,
    "--kubeconfig": (),
    "--ssh-key": (),
    "--client-certificate": (),
    "--federated-token-file": (),
    "--audit-log": (),
    "--output-dir": DIRECTORY,
    "--out-dir": DIRECTORY,
    "--working-dir": DIRECTORY,
    "--sysfs-root": DIRECTORY,
    "--replay": DIRECTORY,
    "--record": DIRECTORY,
}


# kubectl's log levels (-v=N, --v N) as akscli reads them (akscli.globals._verbosity): 6 and up
# log each request, as client-go does from klog level 6 (kubernetes/client-go transport/round_trippers.go).
LOG_LEVELS = [
    ("0", "no log"),
    *((str(n), "more detail on stderr (akscli's -v)") for n in range(1, 6)),
    *((str(n), "each API request on stderr (akscli's -vv)") for n in range(6, 10)),
]


def _matching(candidates: Sequence[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    return [(value, helptext) for value, helptext in candidates if value.startswith(incomplete)]


def output_formats(incomplete: str) -> list[tuple[str, str]]:
    return _matching(OUTPUT_FORMATS, incomplete)


def runtimes(incomplete: str) -> list[tuple[str, str]]:
    return _matching(RUNTIMES, incomplete)


def dry_run_modes(incomplete: str) -> list[tuple[str, str]]:
    return _matching(DRY_RUN_MODES, incomplete)


def models(incomplete: str) -> list[tuple[str, str]]:
    """Catalog ids (org/name) and KAITO preset names."""
    from akscli.model import catalog

    found: dict[str, str] = {}
    for model in catalog.all_models():
        size = f"{model.parameters_b:g}B parameters" if model.parameters_b else f"{model.weights_gib:g} GiB of weights"
        found.setdefault(model.id, size)
        if model.preset:
            found.setdefault(model.preset, f"KAITO preset of {model.id}")
    return _matching(sorted(found.items()), incomplete)


def vm_sizes(incomplete: str) -> list[tuple[str, str]]:
    from akscli.model import skus

    rows = [(s.vm_size, f"{s.gpus} x {s.gpu_model}, {s.gpu_memory_gib:g} GiB each") for s in skus.all_skus()]
    return _matching(sorted(rows), incomplete)


def gpu_shortcuts(incomplete: str) -> list[tuple[str, str]]:
    from akscli.azure.poolchecks import GPU_SHORTCUTS

    return _matching([(g, "") for g in GPU_SHORTCUTS], incomplete)


def templates(incomplete: str) -> list[tuple[str, str]]:
    from akscli.render import TEMPLATE_SUFFIX, list_templates

    names = [t.removesuffix(TEMPLATE_SUFFIX) for t in list_templates()]
    return _matching([(n, "") for n in names], incomplete)


def shells(incomplete: str) -> list[tuple[str, str]]:
    return _matching([(s, "") for s in SHELLS], incomplete)


# ---- kubeconfig ------------------------------------------------------------------------------


def _kubeconfig_paths(ctx: Any) -> list[Path]:
    given = _param(ctx, "kubeconfig")
    if given:
        return [Path(given).expanduser()]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def _param(ctx: Any, name: str) -> Any:
    """A value given earlier on the command line (``--kubeconfig``, ``--context``)."""
    while ctx is not None:
        value = (getattr(ctx, "params", None) or {}).get(name)
        if value:
            return value
        ctx = getattr(ctx, "parent", None)
    return None


def _kubeconfig_contexts(ctx: Any) -> list[dict[str, Any]]:
    """The contexts of the kubeconfig files; a name in several files is the first file's, as
    kubectl merges them (kubernetes/client-go tools/clientcmd/loader.go ``Load``: "The first file
    to set a particular map key wins")."""
    return [entry for name, entry in _kubeconfig_named(ctx, "contexts").items() if name]


def _kubeconfig_named(ctx: Any, section: str) -> dict[str, dict[str, Any]]:
    """The named entries of one section (contexts, users) of the kubeconfig files, the first file's
    where several name one; ``current-context`` the first file's that sets it, under ""."""
    from akscli import yamlio

    found: dict[str, dict[str, Any]] = {}
    for path in _kubeconfig_paths(ctx):
        try:
            data = yamlio.load(path.read_text(encoding="utf-8"), str(path))
        except Exception:  # a missing or broken kubeconfig completes nothing, it never fails
            continue
        if isinstance(data, dict):
            if data.get("current-context"):
                found.setdefault("", {"name": str(data["current-context"])})
            for c in data.get(section) or []:
                if isinstance(c, dict) and c.get("name"):
                    found.setdefault(str(c["name"]), c)
    return found


def _sign_in_prompts(ctx: Any) -> bool:
    """Whether the user of the context a <TAB> would read signs in with a device code or a browser
    (kube.kubeconfig_user.exec_prompts): a <TAB> never starts that sign-in, whose plugin would write
    its prompt over the command line and wait, as it never starts one for ARM (complete_arm)."""
    from akscli.kube.kubeconfig_user import exec_prompts

    contexts = _kubeconfig_named(ctx, "contexts")
    name = _param(ctx, "kube_context") or contexts.get("", {}).get("name")
    user = ((contexts.get(str(name)) or {}).get("context") or {}).get("user") if name else None
    entry = _kubeconfig_named(ctx, "users").get(str(user)) if user else None
    return bool(entry) and exec_prompts((entry or {}).get("user") or {})


def kube_contexts(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    rows = []
    for entry in _kubeconfig_contexts(ctx):
        body = entry.get("context") or {}
        rows.append((str(entry["name"]), f"cluster {body.get('cluster', '?')}"))
    return _matching(rows, incomplete)


def namespaces(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The kubeconfig's namespaces at once; the cluster's when it answers within the timeout."""
    found = {str((c.get("context") or {}).get("namespace")) for c in _kubeconfig_contexts(ctx)} - {"None"}
    found |= set(_within(CLUSTER_TIMEOUT_S, lambda: _cluster_namespaces(ctx)) or ())
    return _matching([(n, "") for n in sorted(found)], incomplete)


def _cluster_namespaces(ctx: Any) -> list[str]:
    kube = _connect(ctx)
    return [str(ns["metadata"]["name"]) for ns in kube.list("v1", "Namespace")]


def deployed_models(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The models deployed in the namespace -n names (else the context's), when the cluster
    answers within the timeout, as kubectl completes `kubectl get deployment <TAB>` from the
    cluster (upstream: kubernetes/kubectl dee3483a pkg/util/completion/completion.go
    ResourceNameCompletionFunc and CompGetResource,
    which list the names with a go-template `kubectl get`); nothing when it does not."""
    rows = _within(CLUSTER_TIMEOUT_S, lambda: _cluster_models(ctx)) or []
    return _matching([(name, "") for name in rows], incomplete)


def _cluster_models(ctx: Any) -> list[str]:
    from akscli.model import live

    kube = _connect(ctx)
    namespace = _param(ctx, "namespace") or kube.namespace
    return [str(row["name"]) for row in live.deployed_models(kube, namespace=namespace, all_namespaces=False)]


def ray_clusters(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The RayClusters of -n's namespace (else the context's), as ``deployed_models``."""
    return _object_names(ctx, incomplete, "RayCluster")


def ray_services(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    return _object_names(ctx, incomplete, "RayService")


def ray_jobs(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    return _object_names(ctx, incomplete, "RayJob")


# ray dashboard's TARGET forms (ray.live.parse_ref): the type word and the kind it names.
RAY_TARGET_TYPES = {"raycluster": "RayCluster", "rayjob": "RayJob", "rayservice": "RayService"}


def ray_targets(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """``ray dashboard TARGET``: the RayClusters' names and the ``TYPE/`` forms, then after
    ``TYPE/`` that kind's names, as kubectl completes `kubectl logs <TAB>` (upstream:
    kubernetes/kubectl dee3483a pkg/util/completion/completion.go doPodResourceCompletion: pod
    names and `type/` for the kinds with pods; after the slash, `type/NAME`). Only `TYPE/` left:
    no space after it (protocol_lines), as kubectl's ShellCompDirectiveNoSpace there."""
    word, slash, name = incomplete.partition("/")
    if slash:
        kind = RAY_TARGET_TYPES.get(word.lower().removesuffix(".ray.io").removesuffix("s"))
        return [(f"{word}/{value}", help_) for value, help_ in _object_names(ctx, name, kind)] if kind else []
    forms = _matching([(f"{word}/", "") for word in RAY_TARGET_TYPES], incomplete)
    return [*_object_names(ctx, incomplete, "RayCluster"), *forms]


def _object_names(ctx: Any, incomplete: str, kind: str) -> list[tuple[str, str]]:
    def names() -> list[str]:
        from akscli.ray.spec import RAY_API

        kube, namespace = _connected(ctx)
        return [str(obj["metadata"]["name"]) for obj in kube.list(RAY_API, kind, namespace=namespace)]

    return _matching([(name, "") for name in _within(CLUSTER_TIMEOUT_S, names) or []], incomplete)


def hub_placements(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The hub's placements: ClusterResourcePlacements, or with -n the namespace's
    ResourcePlacements, as the placement commands read them (fleet.placement.list_placements)."""

    def names() -> list[str]:
        from akscli.fleet.placement import list_placements

        kube, _ = _connected(ctx)
        return [str(obj["metadata"]["name"]) for obj in list_placements(kube, _param(ctx, "namespace"))]

    return _matching([(name, "") for name in _within(CLUSTER_TIMEOUT_S, names) or []], incomplete)


def hub_runs(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The hub's staged update runs: ClusterStagedUpdateRuns, or with -n the namespace's
    StagedUpdateRuns, as the rollout commands read them (fleet.rollout.list_runs). Nothing with
    --fleet: those are Azure's update runs, which a <TAB> does not sign in to read."""

    def names(kube: Any, namespace: str | None) -> list[str]:
        from akscli.fleet.rollout import list_runs

        return [str(obj["metadata"]["name"]) for obj in list_runs(kube, namespace)]

    return _hub_names(ctx, incomplete, names)


def hub_strategies(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The hub's staged update strategies (ClusterStagedUpdateStrategies, or with -n the namespace's
    StagedUpdateStrategies: fleet.rollout.list_strategies), as ``hub_runs``."""

    def names(kube: Any, namespace: str | None) -> list[str]:
        from akscli.fleet.rollout import list_strategies

        return [str(obj["metadata"]["name"]) for obj in list_strategies(kube, namespace)]

    return _hub_names(ctx, incomplete, names)


def _hub_names(ctx: Any, incomplete: str, names: Callable[[Any, str | None], list[str]]) -> list[tuple[str, str]]:
    if _param(ctx, "fleet"):
        return []

    def read() -> list[str]:
        kube, _ = _connected(ctx)
        return names(kube, _param(ctx, "namespace"))

    return _matching([(name, "") for name in _within(CLUSTER_TIMEOUT_S, read) or []], incomplete)


def _connect(ctx: Any) -> Any:
    """The cluster of --kubeconfig and --context, asked with a 1s request timeout; none where its
    sign-in would prompt (``_sign_in_prompts``)."""
    from akscli.kube.connecting import connect, kube_target

    if _sign_in_prompts(ctx):
        raise LookupError("the context's sign-in would prompt")  # _within: nothing from the cluster
    return connect(kube_target(_param(ctx, "kubeconfig"), _param(ctx, "kube_context"), request_timeout="1s"))


def _connected(ctx: Any) -> "tuple[Any, str]":
    """The cluster of --kubeconfig and --context, and -n's namespace (else the context's)."""
    kube = _connect(ctx)
    return kube, _param(ctx, "namespace") or kube.namespace


def no_terminal_input() -> None:
    """A <TAB>'s process reads nothing from the terminal, nor does what it starts: its stdin (fd 0)
    becomes the null device. A kubeconfig exec plugin inherits fd 0 from the kubernetes client
    (kubernetes-client/python-base config/exec_provider.py ExecProvider.run, installed as
    kubernetes/config/exec_provider.py: ``stdin=None``
    when stdout is no terminal, as in the shell's ``$(akscli __complete ...)``), and one still running
    when ``_within`` gives up would read the keys typed at the prompt. client-go gives a plugin that
    is not interactive the null device (kubernetes/client-go plugin/pkg/client/auth/exec/exec.go
    refreshCredsLocked sets cmd.Stdin only when interactive; Go's os/exec: a nil Stdin reads from
    os.DevNull). The shell scripts already send stderr to /dev/null, as cobra's do
    (spf13/cobra bash_completionsV2.go, ``2>/dev/null``)."""
    try:
        null = os.open(os.devnull, os.O_RDONLY)
    except OSError:
        return
    try:
        os.dup2(null, 0)
    except OSError:
        pass
    finally:
        os.close(null)


def _within(seconds: float, work: Callable[[], list[Any]]) -> list[Any] | None:
    """``work()`` if it finishes within ``seconds``, else None (the thread is left to end)."""
    result: list[list[Any]] = []

    def run() -> None:
        try:
            result.append(work())
        except Exception:  # no cluster, no permission, no network: complete from the kubeconfig
            return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return result[0] if result else None


# ---- the __complete protocol -----------------------------------------------------------------


def protocol_lines(argv: Sequence[str], root: Callable[[], Any], prog: str = "akscli") -> list[str]:
    """Answer ``__complete ARGS... WORD``: candidate lines, then ``:DIRECTIVE`` (cobra's form).
    ``root`` gives the command tree (akscli.cli.main.root_command), called only when a command's
    words are completed: the value of a global flag needs none."""
    from akscli import globals as global_flags

    words = list(argv[1:] if argv[:1] == ["__complete"] else argv)
    args, incomplete = (words[:-1], words[-1]) if words else ([], "")
    # A global flag may stand anywhere (akscli.globals): its value is completed here, and it and
    # its value are taken out before the command path is resolved, as they are before a run.
    level = global_flags.log_level_before(args, incomplete)
    if level is not None:
        return [f"{v}\t{h}" for v, h in _matching(LOG_LEVELS, level)] + [f":{DIRECTIVE_NO_FILE_COMP}"]
    value_of = global_flags.value_flag_before(args, incomplete)
    if value_of is not None:
        return _path_lines(PATH_OPTIONS[value_of]) if value_of in PATH_OPTIONS else [f":{DIRECTIVE_NO_FILE_COMP}"]
    args = global_flags.without_globals(args)
    leading = _leading_connection_value(args, incomplete)
    if leading is not None:
        return leading
    completer = _completer(root(), prog)
    items = completer.get_completions(_connection_flags_last(args, root), incomplete)
    extensions = _path_option(completer.resolved)
    if extensions is not None:
        return _path_lines(extensions)
    if any(item.type in ("file", "dir") for item in items):
        return [f":{DIRECTIVE_DEFAULT}"]  # a path: the shell completes files itself
    lines = []
    for item in items:
        helptext = " ".join(str(item.help or "").split())
        lines.append(f"{item.value}\t{helptext}" if helptext else str(item.value))
    directive = DIRECTIVE_NO_FILE_COMP
    if items and all(str(item.value).endswith(("=", "/")) for item in items):
        directive |= DIRECTIVE_NO_SPACE
    return [*lines, f":{directive}"]


# kubectl completes the values of its connection flags before the command as after it (upstream:
# kubernetes/kubectl dee3483a pkg/cmd/cmd.go registerCompletionFuncForGlobalFlags: "namespace"
# from the cluster, "context" from the kubeconfig, on the root's persistent flags), and akscli
# takes them there (leading_flags.leading_connection_flags_last): `akscli -n <TAB>` is a namespace,
# `kubectl akscli --context prod model status <TAB>` the models of that context.
def _leading_connection_value(args: list[str], incomplete: str) -> list[str] | None:
    """The lines for the value of a connection flag given before the command, or None when
    the word is not one."""
    from types import SimpleNamespace

    from akscli.cli import leading_flags

    lead, waiting = leading_flags.leading_connection_flags(args)
    flag, eq, value = incomplete.partition("=")
    if waiting is None and len(lead) == len(args) and eq and leading_flags.connection_flag(flag):
        waiting, incomplete = flag, value
    if waiting is None:
        return None
    given = dict(leading_flags.leading_connection_values(lead))
    ctx = SimpleNamespace(params={"kubeconfig": given.get("--kubeconfig"), "kube_context": given.get("--context")})
    if waiting in ("-n", "--namespace"):
        rows = namespaces(ctx, incomplete)
    elif waiting == "--context":
        rows = kube_contexts(ctx, incomplete)
    elif waiting == "--kubeconfig":
        return _path_lines(PATH_OPTIONS[waiting])
    else:
        rows = []  # --request-timeout: a duration
    return [f"{v}\t{h}" if h else v for v, h in rows] + [f":{DIRECTIVE_NO_FILE_COMP}"]


def _connection_flags_last(args: list[str], root: Callable[[], Any]) -> list[str]:
    """``args`` as a run reads them: connection flags before the command moved after it."""
    from akscli.cli.leading_flags import leading_connection_flags_last, takes_namespace

    return leading_connection_flags_last(args, lambda rest: takes_namespace(root(), rest))


def _path_option(resolved: Any) -> tuple[str, ...] | None:
    """The extensions of the path option whose value is being completed, or None."""
    if getattr(resolved, "param_type_name", "") != "option":
        return None
    for flag in getattr(resolved, "opts", ()):
        if flag in PATH_OPTIONS:
            return PATH_OPTIONS[flag]
    return None


def _path_lines(extensions: tuple[str, ...]) -> list[str]:
    """cobra's answer for a path flag (spf13/cobra completions.go, getCompletions: the
    BashCompFilenameExt annotation's extensions with FilterFileExt, BashCompSubdirsInDir as
    FilterDirs, otherwise the default directive: any file)."""
    if extensions == DIRECTORY:
        return [f":{DIRECTIVE_FILTER_DIRS}"]
    if extensions:
        return [*extensions, f":{DIRECTIVE_FILTER_FILE_EXT}"]
    return [f":{DIRECTIVE_DEFAULT}"]


def _not_typed_yet(param: Any, ctx: Any, items: list[Any]) -> list[Any]:
    """A NAME... argument's candidates less the names already on the line (the delete commands'),
    as kubectl's (kubernetes/kubectl dee3483a pkg/util/completion/completion.go
    resourceTypeAndNameCompletionFunc: "Remove choices already on the command-line",
    ``cmdutil.Difference(comps, args[1:])``). A name typed in kubectl's TYPE/NAME form
    (options.type_name, which a TAB's parse leaves as typed) counts as its NAME: `ray cluster delete
    raycluster/train <TAB>` offers no `train` either; no Kubernetes or ARM name holds a slash."""
    if getattr(param, "param_type_name", "") != "argument" or getattr(param, "nargs", 1) != -1:
        return items
    typed = {str(value).rpartition("/")[2] for value in ctx.params.get(param.name) or ()}
    return [item for item in items if item.value not in typed]


def _completer(root: Any, prog: str) -> Any:
    from typer._click.shell_completion import (
        CompletionItem,
        ShellComplete,
        _resolve_context,
        _resolve_incomplete,
    )

    class Protocol(ShellComplete):
        """Click's completion engine; the shell side is our scripts, so no source or format."""

        name = "akscli"
        source_template = ""
        resolved: Any = None  # the command or parameter that completes the word

        def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
            ctx = _resolve_context(self.cli, self.ctx_args, self.prog_name, args)
            obj, incomplete = _resolve_incomplete(ctx, args, incomplete)
            self.resolved = obj
            items: list[CompletionItem] = obj.shell_complete(ctx, incomplete)
            return _not_typed_yet(obj, ctx, items)

        def source_vars(self) -> dict[str, Any]:
            return {}

        def get_completion_args(self) -> tuple[list[str], str]:
            return [], ""

        def format_completion(self, item: CompletionItem) -> str:
            return str(item.value)

    return Protocol(root, {}, prog, "_AKSCLI_COMPLETE")
