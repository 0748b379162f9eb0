"""``connect``: a ``Kube`` for one kubeconfig context, with its credentials checked.

The official client's loader (kubernetes-client/python 37.0.2, kubernetes/config/kube_config.py)
does the reading: its ``KubeConfigMerger`` merges the files, one by one (``_merged``: a
--kubeconfig name is one file, as kubectl reads it), and ``load_kube_config_from_dict`` loads the
result. Two things it lets through are caught here (akscli.kube.kubeconfig_user):
an exec credential plugin that fails (``_load_from_exec_plugin`` logs the error and carries on
without credentials, so the API server later answers 401), and a token with a line break or
another control character (sent, it fails inside http.client with the whole token in the error).
"""

from __future__ import annotations

import os
from typing import Any

from akscli import errors, validate
from akscli.kube.client import Kube, KubeTarget, RetryPolicy
from akscli.redact import folded


def kube_target(
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None = None,
    request_timeout: str | None = None,
) -> KubeTarget:
    """The target of the connection flags as typed (--kubeconfig, --context, -n, --request-timeout),
    checked: a namespace name, a duration."""
    if namespace is not None:
        validate.name(namespace, "namespace")
    timeout = validate.request_timeout(request_timeout) if request_timeout else None
    return KubeTarget(kubeconfig=kubeconfig, context=context, namespace=namespace, request_timeout=timeout)


def connect(target: KubeTarget | None = None, *, retry: RetryPolicy | None = None) -> Kube:
    """A ``Kube`` for the kubeconfig and context of ``target``."""
    from akscli.process import import_on_own_stack

    import_on_own_stack("kubernetes.client", "kubernetes.config")
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
    from kubernetes.config.config_exception import ConfigException

    target = target or KubeTarget()
    path, paths = _kubeconfig_files(target.kubeconfig)
    setup_hint = "get credentials with 'akscli cluster credentials NAME -g GROUP', or pass --kubeconfig"
    if not any(os.path.exists(os.path.expanduser(p)) for p in paths):
        if target.kubeconfig:  # the path was typed: it is the thing to check, not a flag to add
            setup_hint = (
                "check the --kubeconfig path, or write a kubeconfig there with "
                f"'akscli cluster credentials NAME -g GROUP --kubeconfig {target.kubeconfig}'"
            )
        raise errors.UsageError(f"no kubeconfig found at {path}", setup_hint)
    from akscli.kube import kubeconfig_user
    from akscli.kube.config_files import check_data_fields, check_kubeconfig_files
    from akscli.kube.credentials import refresh_at_most_once_per_interval

    present = check_kubeconfig_files(paths)
    if not present:
        raise errors.UsageError(f"kubeconfig {path} is empty", setup_hint)
    path = os.pathsep.join(present)  # an empty file among several is skipped, as kubectl skips it
    try:
        merged = _parsed_before(present) or _merged(present)
        contexts, current = _contexts(merged)
    except ConfigException as exc:
        raise errors.UsageError(f"cannot read kubeconfig {path}: {exc}", "check the file") from exc
    except Exception as exc:  # the loader's YAML parser raises its own error types
        problem = folded(str(exc))[:200]  # a snippet's YAML line hidden before the fold and the cut
        raise errors.UsageError(f"kubeconfig {path} is not valid YAML: {problem}", "fix or replace the file") from exc
    check_data_fields({p: merged.config_files.get(os.path.expanduser(p)) for p in present})
    chosen = _chosen_context(contexts, current, target.context, path, setup_hint)
    user_name = chosen.get("context", {}).get("user")
    user = kubeconfig_user.User(user_name, kubeconfig_user.entry(merged.config, user_name))
    configuration = k8s_client.Configuration()
    try:
        with user.observed():
            # The merged files, not a path: the client's loader would split a --kubeconfig name at ':'.
            k8s_config.load_kube_config_from_dict(
                merged.config, context=chosen["name"], client_configuration=configuration, persist_config=False
            )
    except ConfigException as exc:
        raise errors.AuthError(
            f"cannot sign in with context {chosen['name']!r}: {exc}",
            "refresh the credentials with 'akscli cluster credentials'",
        ) from exc
    user.check(configuration)
    refresh_at_most_once_per_interval(configuration, guard=user.guard)
    configuration.retries = 0  # Kube.request owns retrying, with backoff and Retry-After
    configuration.connection_pool_maxsize = 32
    api_client = k8s_client.ApiClient(configuration)
    namespace = target.namespace or chosen.get("context", {}).get("namespace") or "default"
    return Kube(
        api_client,
        namespace=namespace,
        context_name=chosen["name"],
        request_timeout=target.request_timeout,
        retry=retry,
        user_name=user_name,
    )


def connect_once(target: KubeTarget) -> Kube:
    """A connection for the reads a --dry-run=client makes: one try, no retries, a 5 s request
    timeout unless --request-timeout says otherwise (0, no timeout, is the user's), so that an
    unreachable cluster does not hold up an offline render."""
    from dataclasses import replace

    given = target.request_timeout
    return connect(replace(target, request_timeout=5.0 if given is None else given), retry=RetryPolicy(attempts=1))


def context_namespace(target: KubeTarget) -> str | None:
    """The namespace of the context ``target`` names (else the current one), read from the
    kubeconfig alone: no sign-in, nothing sent. None where the kubeconfig cannot tell (no file,
    no such context, no namespace in it): ``connect`` says what is wrong when it is called. With
    no kubeconfig file there, the kubernetes client is not imported."""
    from akscli.process import import_on_own_stack

    path, paths = _kubeconfig_files(target.kubeconfig)
    if not any(os.path.exists(os.path.expanduser(p)) for p in paths):
        return None
    import_on_own_stack("kubernetes.config")
    try:
        contexts, current = _read_contexts(paths)
        chosen = _chosen_context(contexts, current, target.context, path, "")
    except Exception:  # connect reports it, in its words
        return None
    namespace = chosen.get("context", {}).get("namespace")
    return str(namespace) if namespace else None


def check_context(kubeconfig: str | None, context: str) -> None:
    """A typed --context that the kubeconfig does not hold is refused before anything is rendered,
    read or sent, --dry-run=client included: kubectl's namespace lookup confirms the context first
    (upstream: kubernetes/client-go 32ce75a7 tools/clientcmd/client_config.go
    DirectClientConfig.Namespace calls ConfirmUsable, which reports errContextNotFound; kubectl
    create --dry-run=client reads the namespace so). With no kubeconfig file at all too: kubectl
    1.32 answers `kubectl create configmap x --dry-run=client --context nosuch` with KUBECONFIG
    naming no file by `error: context "nosuch" does not exist` (client_config.go getContext: the
    context was named, so it is required). A broken kubeconfig is for ``connect`` to report, in
    its words, where the command connects."""
    path, paths = _kubeconfig_files(kubeconfig)
    if not any(os.path.exists(os.path.expanduser(p)) for p in paths):
        raise _no_such_context(context, f"{path}: there is no kubeconfig there", [])
    from akscli.process import import_on_own_stack

    import_on_own_stack("kubernetes.config")
    try:
        contexts, current = _read_contexts(paths)
    except Exception:  # connect reports it, in its words
        return
    _chosen_context(contexts, current, context, path, "")


def _read_contexts(paths: list[str]) -> tuple[list[dict[str, Any]], str | None]:
    """The contexts and current context of the kubeconfig files there are, parsed once for the
    connect that follows (_keep_parsed); none where no file is there."""
    from akscli.kube.config_files import check_kubeconfig_files

    present = check_kubeconfig_files([p for p in paths if os.path.exists(os.path.expanduser(p))])
    merged = _merged(present) if present else None
    if merged is None:
        return [], None
    _keep_parsed(present, merged)
    return _contexts(merged)


# The kubeconfig context_namespace parsed, for the connect that follows it in the same command (an
# apply reads the context's namespace for its policy check before it connects), so that the files
# are parsed once (tests/foundation/test_apply_counts.py). One entry, taken by the next connect;
# keyed by each file's path, inode, size and mtime, so a file changed in between is parsed again.
_PARSED: dict[tuple[tuple[str, int, int, int], ...], Any] = {}


def _stamp(files: list[str]) -> tuple[tuple[str, int, int, int], ...] | None:
    try:
        stats = [(f, os.stat(os.path.expanduser(f))) for f in files]
    except OSError:
        return None
    return tuple((f, st.st_ino, st.st_size, st.st_mtime_ns) for f, st in stats)


def _keep_parsed(files: list[str], merged: Any) -> None:
    _PARSED.clear()
    key = _stamp(files)
    if key is not None:
        _PARSED[key] = merged


def _parsed_before(files: list[str]) -> Any:
    """The merged files context_namespace parsed, where they are unchanged since; else None."""
    key = _stamp(files)
    found = _PARSED.pop(key, None) if key is not None else None
    _PARSED.clear()
    return found


def _chosen_context(
    contexts: list[dict[str, Any]], current: str | None, given: str | None, path: str, setup_hint: str
) -> dict[str, Any]:
    """The context --context names, else the kubeconfig's current one; one line saying which is
    missing, and the contexts there are, when there is none to use."""
    names = ", ".join(c["name"] for c in contexts) or "none"
    wanted = given or current
    chosen = next((c for c in contexts if c["name"] == wanted), None) if wanted else None
    if chosen is not None:
        return chosen
    if given:
        raise _no_such_context(given, path, contexts)
    pick = f"pass --context NAME, or pick one with 'kubectl config use-context NAME' (contexts: {names})"
    if current:
        raise errors.UsageError(
            f"the current context {current!r} of kubeconfig {path} is not one of its contexts", pick
        )
    raise errors.UsageError(f"kubeconfig {path} has no current context", pick if contexts else setup_hint)


def _no_such_context(given: str, where: str, contexts: list[dict[str, Any]]) -> errors.UsageError:
    """The one refusal of a --context the kubeconfig does not hold, whatever the command (a client
    dry run, policy check, a connect): what is wrong and the contexts there are, as kubectl says
    `context "nosuch" does not exist` (kubernetes/client-go 32ce75a7 tools/clientcmd/client_config.go
    getContext). With none to pick from, how to get one."""
    if contexts:
        return errors.UsageError(
            f"context {given!r} is not in {where}", f"known contexts: {', '.join(c['name'] for c in contexts)}"
        )
    return errors.UsageError(
        f"context {given!r} is not in {where}",
        "known contexts: none; get credentials with 'akscli cluster credentials NAME -g GROUP' "
        "(or pass --kubeconfig FILE)",
    )


def _kubeconfig_files(given: str | None) -> tuple[str, list[str]]:
    """The kubeconfig as named in messages, and its files: ``--kubeconfig`` is one file whatever
    its name holds, ':' included; only $KUBECONFIG is a list (upstream: kubernetes/client-go
    tools/clientcmd/loader.go ``ClientConfigLoadingRules.Load``, commit
    32ce75a7d6bc6960fd048d3d1e3b34185418d8c8: an ``ExplicitPath`` is read alone and must exist;
    ``NewDefaultClientConfigLoadingRules`` splits $KUBECONFIG with ``filepath.SplitList``)."""
    if given:
        return given, [given]
    chain = os.environ.get("KUBECONFIG")
    if chain:
        return chain, [p for p in chain.split(os.pathsep) if p]
    default = os.path.expanduser("~/.kube/config")
    return default, [default]


def _merged(files: list[str]) -> Any:
    """The files merged by the official client's ``KubeConfigMerger`` (kubernetes-client/python
    37.0.2, kubernetes/config/kube_config.py), one ``load_config`` per file: given a path, the
    merger splits it at ':' (``_load_config_from_file_path``), which would make two files of a
    --kubeconfig name that holds one. Each entry keeps the path of its file, so relative
    certificate and token-file paths resolve against that file's folder as before.

    A context, cluster or user whose `name:` is left empty (or absent) is passed over: kubectl
    keeps it under the name "", which no --context or current-context can pick (kubernetes/client-go
    tools/clientcmd/api/v1/conversion.go keys each list by its name), while the official client
    would refuse the whole file over it ("Expected key name", ConfigNode.__getitem__)."""
    from kubernetes.config.kube_config import KubeConfigMerger

    base: Any = KubeConfigMerger

    class Merger(base):  # type: ignore[misc]
        def _merge(self, item: str, add_cfg: list[Any], path: str) -> None:
            super()._merge(item, [e for e in add_cfg if not isinstance(e, dict) or e.get("name")], path)

    merger: Any = Merger("")  # no file yet: "" names none
    for file in files:
        path = os.path.expanduser(file)
        merger.paths.append(path)
        merger.load_config(path)
    return merger


def _contexts(merger: Any) -> tuple[list[dict[str, Any]], str | None]:
    """The contexts of the merged kubeconfig files (``_merged``), and the current context's
    name ("" or absent: None).

    ``list_kube_config_contexts`` cannot be used: it builds a loader for the current context, and
    without one (a kubeconfig that ``kubectl config unset current-context`` left, or one written
    with contexts only) it fails ("Expected key current-context") even when --context names a
    context the file has (upstream: kubernetes-client/python 37.0.2
    kubernetes/config/kube_config.py ``KubeConfigLoader.set_active_context``).

    The current context is kubectl's: the first file's, in the order of $KUBECONFIG, that is not
    empty (upstream: kubernetes/client-go tools/clientcmd/loader.go ``ClientConfigLoadingRules.Load``
    merges values other than maps in reverse order, so the first file wins and an empty value
    overrides nothing). ``KubeConfigMerger`` keeps the last file's, even an empty one.
    """
    merged = merger.config.value
    contexts = [entry.value for entry in merged.get("contexts") or []]
    files = (merger.config_files.get(p) for p in merger.paths)
    current = next((str(f["current-context"]) for f in files if isinstance(f, dict) and f.get("current-context")), None)
    return [c for c in contexts if isinstance(c, dict)], current


__all__ = ["connect"]
