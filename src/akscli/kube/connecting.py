"""``connect``: a ``Kube`` for one kubeconfig context, with its credentials checked.

The official client's loader (kubernetes-client/python 37.0.2, kubernetes/config/kube_config.py)
does the reading. Two things it lets through are caught here (akscli.kube.kubeconfig_user):
an exec credential plugin that fails (``_load_from_exec_plugin`` logs the error and carries on
without credentials, so the API server later answers 401), and a token with a line break or
another control character (sent, it fails inside http.client with the whole token in the error).
"""

from __future__ import annotations

import os

from akscli import errors
from akscli.kube.client import Kube, KubeTarget, RetryPolicy


def connect(target: KubeTarget | None = None, *, retry: RetryPolicy | None = None) -> Kube:
    """A ``Kube`` for the kubeconfig and context of ``target``."""
    from akscli.process import large_import

    with large_import():
        from kubernetes import client as k8s_client
        from kubernetes import config as k8s_config
        from kubernetes.config.config_exception import ConfigException

    target = target or KubeTarget()
    path = target.kubeconfig or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
    paths = [p for p in path.split(os.pathsep) if p]
    if not any(os.path.exists(os.path.expanduser(p)) for p in paths):
        raise errors.UsageError(
            f"no kubeconfig found at {path}",
            "get credentials with 'akscli cluster credentials NAME -g GROUP', or pass --kubeconfig",
        )
    from akscli.kube import kubeconfig_user
    from akscli.kube.config_files import check_kubeconfig_files
    from akscli.kube.credentials import refresh_at_most_once_per_interval

    check_kubeconfig_files(paths)
    try:
        contexts, active = k8s_config.list_kube_config_contexts(config_file=path)
    except ConfigException as exc:
        raise errors.UsageError(f"cannot read kubeconfig {path}: {exc}", "check the file") from exc
    except Exception as exc:  # the loader's YAML parser raises its own error types
        problem = " ".join(str(exc).split())[:200]
        raise errors.UsageError(f"kubeconfig {path} is not valid YAML: {problem}", "fix or replace the file") from exc
    chosen = active
    if target.context:
        chosen = next((c for c in contexts if c["name"] == target.context), None)
        if chosen is None:
            names = ", ".join(c["name"] for c in contexts) or "none"
            raise errors.UsageError(f"context {target.context!r} is not in {path}", f"known contexts: {names}")
    if not chosen:
        raise errors.UsageError(f"kubeconfig {path} has no current context", "pass --context NAME")
    user_name = chosen.get("context", {}).get("user")
    user = kubeconfig_user.User(user_name, kubeconfig_user.entry(path, user_name))
    configuration = k8s_client.Configuration()
    try:
        with user.observed():
            k8s_config.load_kube_config(
                config_file=path, context=chosen["name"], client_configuration=configuration, persist_config=False
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


__all__ = ["connect"]
