"""What of a Kubernetes object akscli prints: a Secret's values never, and managedFields only on
request, as kubectl's printers do.

* A Secret's ``data`` and ``stringData`` values are shown as ``***``, the mask kubectl diff uses
  (upstream: kubernetes/kubectl pkg/cmd/diff/diff.go, Masker). kubectl's ``-o yaml`` prints them;
  akscli's rule is stricter: no secret value reaches stdout, a plan, a diff or an error. The keys
  stay, so a user sees which values an object holds.
* A Secret's ``kubectl.kubernetes.io/last-applied-configuration`` annotation is shown as ``***``
  too: client-side ``kubectl apply`` stores the whole manifest there, values included (upstream:
  kubernetes/kubernetes issues #23564 "kubectl apply leaks secret data" and #29923; the annotation
  is written by kubernetes/kubectl pkg/util/apply.go, CreateApplyAnnotation), so masking ``data``
  alone would leave them readable one field up.
* A RayJob's ``spec.runtimeEnvYAML`` and a RayService's ``spec.serveConfigV2`` hold a runtime
  environment's ``env_vars`` as plain text (``ray job submit --env``); a variable that carries a
  secret by its name or its value's shape (akscli.secret_words, the rules ``--env`` warns by) is
  shown as ``***`` there (masked_env), the rest of the text as it is; a text that cannot be read
  as a runtime environment is shown as ``***`` whole.
* By the same rules, a container's ``env[].value`` (anywhere under ``spec``) and a v1 ConfigMap's
  ``data`` value are shown as ``***`` (masked_values), and so is such an object's last-applied
  annotation, which repeats them.
* A RayJob's ``spec.entrypoint`` is a command line: a word of it that holds a credential by the
  audit log's rules (a ``--token``'s value, ``HF_TOKEN=...``, a token's shape) is shown as ``***``
  (masked_entrypoint), the rest as written; ``ray job list -o wide`` and ``ray job status`` too.
* A container's ``command`` and ``args`` are a command line given as words: each word that holds a
  credential by the same rules is shown as ``***`` (``args: [--api-key, ***]``).
* A KubeFleet envelope's ``data`` holds whole objects; each is masked as it would be on its own
  (a wrapped Secret's values, a wrapped ConfigMap's token), and the envelope's last-applied
  annotation with them (masked_values, is_envelope).
* A value from the cluster written into a line of text (a table cell, a message) is shown as it is,
  unquoted, with each character Python counts as unprintable (a control character, a line break)
  written as its escape, ``\\n``, ``\\x1b`` (``visible``): it cannot move the cursor or colour the
  terminal, and it is seen. The error line does the same (cli/main.py _one_line), a table's cells
  (output.print_table), and stderr's lines, which keep their line breaks and tabs (statuslines.info).
* A server's words in ``-o json``, ``-o yaml`` and the templates are shown as the table shows them
  (``said``, akscli.redact.server_text): each string of a report (akscli's own record: a check's
  detail, a status's message), each ``message`` of an object's status and an Event's message, with
  a token's shape, a secret-named value and a remembered Secret value as ``***``.
* ``metadata.managedFields`` is left out of ``-o json`` and ``-o yaml`` unless
  ``--show-managed-fields`` is given (upstream: kubernetes/cli-runtime
  pkg/genericclioptions/json_yaml_flags.go, JSONYamlPrintFlags.ToPrinter wraps the printer in
  OmitManagedFieldsPrinter; kubectl's jsonpath printer is not wrapped, and neither is akscli's).

Plain functions over plain data: the output layer calls them, nothing here prints.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from akscli.globals import FLAGS

SECRET_FIELDS = ("data.", "stringData.")
MASK = "***"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def visible(text: str) -> str:
    """``text`` with its unprintable characters written as their escapes (``\\n``, ``\\x1b``,
    ``\\u200b``); the rest, backslashes and quotes included, as it is."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def terminal_safe(text: str, keep: str = "\n\t") -> str:
    """``text`` as a block of lines on a terminal: each control character (C0, DEL, C1: Unicode's
    Cc) but those in ``keep`` written as its escape (``\x1b``, ``\r``, ``\x9b``), the rest as it
    is. What the output layer writes on stdout (output.write) and stderr (statuslines.info): a value
    read from the cluster that holds ESC or CSI (U+009B) would otherwise recolour or clear the
    terminal, or set its clipboard (OSC 52). kubectl escapes ESC and CR in what it prints of such
    values (upstream: kubernetes/cli-runtime pkg/printers/terminal.go EscapeTerminal,
    kubernetes/kubernetes#101695)."""
    if text.isascii() and (
        text.isprintable() or not text.encode("ascii").translate(None, _PRINTABLE_ASCII + keep.encode())
    ):
        return text  # byte-wise, in C: a long YAML or table text costs no regex scan
    import re

    # A pattern string (re's cache compiles it once): what is neither printable ASCII, nor above
    # the C1 block, nor kept.
    controls = "[^\x20-\x7e\xa0-\U0010ffff" + re.escape(keep) + "]"
    return re.sub(controls, lambda m: repr(m.group())[1:-1], text)


def is_secret(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def _is_object(value: Any) -> bool:
    return isinstance(value, Mapping) and "kind" in value and isinstance(value.get("metadata"), Mapping)


def shown(data: Any, fmt: str) -> Any:
    """``data`` (one object, a list of them, a v1 List, or records that are no objects) as it may
    be printed in ``fmt``; objects are copied where something is left out, never changed."""
    if isinstance(data, list):
        return _each_shown(data, fmt)
    if not _is_object(data):
        return said(data)
    if data.get("kind") == "List" and isinstance(data.get("items"), list):
        return {**data, "items": _each_shown(data["items"], fmt)}
    result: dict[str, Any] = dict(data)
    for field in _SERVER_FIELDS:
        if field in data and (told := _messages(data[field], field)) is not data[field]:
            result[field] = told
    if fmt in ("json", "yaml") and not FLAGS.show_managed_fields and "managedFields" in data["metadata"]:
        result["metadata"] = {k: v for k, v in data["metadata"].items() if k != "managedFields"}
    masked = masked_values(data)
    for field in ("spec", "data"):
        if masked is not data and field in masked and masked[field] is not data.get(field):
            result[field] = masked[field]
    if is_secret(data):
        for field in ("data", "stringData"):
            if isinstance(data.get(field), Mapping):
                result[field] = dict.fromkeys(data[field], MASK)
    if is_secret(data) or masked is not data:  # the annotation repeats the manifest, values and all
        metadata = result["metadata"]
        annotations = metadata.get("annotations")
        if isinstance(annotations, Mapping) and LAST_APPLIED in annotations:
            result["metadata"] = {**metadata, "annotations": {**annotations, LAST_APPLIED: MASK}}
    return result


def _each_shown(items: list[Any], fmt: str) -> list[Any]:
    """Each of ``items`` as shown() gives it: records that are no objects (2,000 ARM clusters of
    ``cluster list``) read by said() as one, so one JSON dump and one search serve them all."""
    if any(_is_object(item) for item in items):
        return [shown(item, fmt) for item in items]
    told: list[Any] = said(items)
    return told


# An object's fields that hold a server's or an operator's words: a ``message`` anywhere in its
# status (metav1.Condition.Message: kubernetes/apimachinery pkg/apis/meta/v1/types.go; a RayJob's
# status.message: ray-project/kuberay ray-operator/config/crd/bases/ray.io_rayjobs.yaml; a Fleet
# placement's per-cluster conditions: kubefleet-dev/kubefleet
# config/crd/bases/placement.kubernetes-fleet.io_clusterresourceplacements.yaml) and an Event's own
# (kubernetes/api core/v1/types.go Event.Message, events/v1/types.go Event.Note). Only those
# strings, and a Node's ``status.images`` (NodeStatus.Images, kubernetes/api core/v1/types.go: image
# names and digests) is not read: a list of 75,000 Nodes prints them all.
_SERVER_FIELDS = ("status", "message", "note")
_MESSAGE_KEYS = frozenset({"message", "note"})
_NO_WORDS = frozenset({"images"})


def _messages(data: Any, key: str) -> Any:
    """``data`` under ``key`` with each string under a message's key as said() gives it."""
    return _each_string(data, key, lambda k, text: _server_text(text) if k in _MESSAGE_KEYS else text)


def said(data: Any) -> Any:
    """``data`` (a report's record, an object's status) with each string in it as akscli prints a
    server's words (akscli.redact.server_text: remembered Secret values, a token's shape, a
    secret-named value, a URL's password as ``***``): ``-o json`` and ``-o yaml`` hide what the
    table and the error line hide. Azure CLI does the same to the whole of its output's JSON
    (Azure/azure-cli src/azure-cli-core/azure/cli/core/credential_helper.py redact_credential);
    kubectl prints a status as it came. ``data`` itself where nothing is hidden, so a clean
    report is not copied."""
    if isinstance(data, str) or not isinstance(data, (Mapping, list)):
        return _each_string(data, "", _any_key)
    import json

    from akscli.redact import may_hide

    try:
        text = json.dumps(data, default=str, ensure_ascii=False)
    except (TypeError, ValueError):  # a key JSON cannot write: read each string
        return _each_string(data, "", _any_key)
    return _each_string(data, "", _any_key) if may_hide(text) else data


def _any_key(key: str, text: str) -> str:
    return _server_text(text)


def _server_text(text: str) -> str:
    from akscli.redact import server_text

    told = server_text(text)
    return text if told == text else told


def _each_string(data: Any, key: str, change: Callable[[str, str], str]) -> Any:
    """``data`` with each string in it as ``change(its key, it)`` gives it (a Node's images not
    read), copied only where a string changed: ``data`` itself where none did."""
    if isinstance(data, str):
        return change(key, data)
    if isinstance(data, Mapping):
        told = {k: v if k in _NO_WORDS else _each_string(v, str(k), change) for k, v in data.items()}
        return data if all(told[k] is v for k, v in data.items()) else told
    if isinstance(data, list):
        items = [_each_string(item, key, change) for item in data]
        return data if all(a is b for a, b in zip(items, data, strict=True)) else items
    return data


def masked_values(obj: Mapping[str, Any], files: bool = True) -> Mapping[str, Any]:
    """``obj`` with every value that carries a secret by its name or its value's shape (the rules
    ``--env`` warns by: akscli.secret_words.is_secret_variable) shown as ``***``: a runtime
    environment's env_vars (``masked_env``), a container's ``env[].value`` anywhere under ``spec``
    (a Pod's, a Deployment's template, a RayCluster's groups: the EnvVar of kubernetes/api
    core/v1/types.go, ``name`` and ``value``; ``valueFrom`` holds no value), and a v1 ConfigMap's
    ``data`` values (kubernetes/api core/v1/types.go ConfigMap.Data). kubectl prints them all (its
    diff masks a Secret's data alone: kubernetes/kubectl pkg/cmd/diff/diff.go Masker); a manifest's
    plain token is still a token. With ``files``, a ConfigMap value that is a file (a properties,
    INI, env or YAML file, a script) keeps its lines, with each secret-named value in them hidden
    (akscli.redact_files.hide_in_file: ``password=...``, ``password = ...``, ``password: ...``, a block
    scalar's lines, ``--token x``); a plan's diff, which shows a file's changed lines each masked
    so (akscli.kube.plan_diff), passes ``files=False``. ``obj`` itself where nothing is masked."""
    from akscli.secret_words import is_secret_variable

    shown = masked_entrypoint(masked_env(obj))
    spec = shown.get("spec")
    if isinstance(spec, Mapping):
        masked_spec = _masked_env_vars(spec, is_secret_variable)
        if masked_spec is not spec:
            shown = {**shown, "spec": masked_spec}
    data = shown.get("data")
    if shown.get("kind") == "ConfigMap" and shown.get("apiVersion") == "v1" and isinstance(data, Mapping):
        hidden = {k: data_value(str(k), v, files) if isinstance(v, str) else v for k, v in data.items()}
        if hidden != data:
            shown = {**shown, "data": hidden}
    if is_envelope(shown) and isinstance(data, Mapping):
        wrapped = {k: _masked_wrapped(v) for k, v in data.items()}
        if any(wrapped[k] is not v for k, v in data.items()):
            shown = {**shown, "data": wrapped}
    return shown


def data_value(key: str, value: str, files: bool = True) -> str:
    """A v1 ConfigMap's ``data`` value under ``key`` as akscli shows it (masked_values; a placement's
    drift details, akscli.fleet.placement_status): ``***`` where the value is a secret by its key or
    its shape (akscli.secret_words.is_secret_variable); else, with ``files``, its lines with each
    secret-named value in them hidden (akscli.redact_files.hide_in_file, which reads ``key``'s
    extension)."""
    from akscli.secret_words import is_secret_variable

    if is_secret_variable(key, value):
        return MASK
    if not files:
        return value
    from akscli.redact_files import hide_in_file

    return hide_in_file(value, key)


# KubeFleet's envelopes: ``data`` maps a name to a whole object the hub places on the members, a
# Secret as well as any other (kubefleet-dev/kubefleet e160c1cd apis/placement/v1beta1/
# envelope_types.go ClusterResourceEnvelope, ResourceEnvelope; akscli.fleet.envelopes).
ENVELOPE_KINDS = ("ClusterResourceEnvelope", "ResourceEnvelope")
_ENVELOPE_GROUP = "placement.kubernetes-fleet.io/"


def is_envelope(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") in ENVELOPE_KINDS and str(obj.get("apiVersion") or "").startswith(_ENVELOPE_GROUP)


def _masked_wrapped(obj: Any) -> Any:
    """An object an envelope wraps, masked as it would be on its own: a Secret's values, the values
    masked_values masks, and then its last-applied annotation; ``obj`` itself where nothing is. One
    written as a YAML (or JSON) string is read, masked so, and written back as YAML: the envelope
    CRD stores objects (``runtime.RawExtension``), but a manifest printed before the server sees it
    (--dry-run=client) holds what the file said."""
    if isinstance(obj, str):
        return _masked_wrapped_text(obj)
    if not isinstance(obj, Mapping):
        return obj
    masked: Mapping[str, Any] = masked_values(obj)
    if is_secret(obj):
        values = {f: dict.fromkeys(obj[f], MASK) for f in ("data", "stringData") if isinstance(obj.get(f), Mapping)}
        masked = {**masked, **values}
    if masked is obj:
        return obj
    metadata = masked.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    if isinstance(metadata, Mapping) and isinstance(annotations, Mapping) and LAST_APPLIED in annotations:
        masked = {**masked, "metadata": {**metadata, "annotations": {**annotations, LAST_APPLIED: MASK}}}
    return masked


def _masked_wrapped_text(text: str) -> str:
    from akscli import yamlio
    from akscli.errors import AkscliError

    try:
        parsed = yamlio.load(text, "envelope entry")
    except AkscliError:
        return text  # not YAML: nothing the members would take as an object
    if not isinstance(parsed, Mapping) or not parsed.get("kind"):
        return text
    masked = _masked_wrapped(parsed)
    return text if masked is parsed else yamlio.dump(masked)


def masked_entrypoint(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """``obj`` with the credentials in a RayJob's ``spec.entrypoint`` shown as ``***``
    (masked_command); ``obj`` itself where there are none."""
    spec = obj.get("spec")
    if obj.get("kind") != "RayJob" or not str(obj.get("apiVersion", "")).startswith("ray.io/"):
        return obj
    text = spec.get("entrypoint") if isinstance(spec, Mapping) else None
    if not isinstance(text, str) or not text:
        return obj
    shown = masked_command(text)
    return obj if shown == text else {**obj, "spec": {**spec, "entrypoint": shown}}  # type: ignore[dict-item]


def masked_command(text: str, found: list[str] | None = None) -> str:
    """A command line a job runs (a RayJob's ``spec.entrypoint``: ray-project/kuberay v1.7.0
    ray-operator/apis/ray/v1/rayjob_types.go Entrypoint, the text KubeRay's submitter passes to
    ``ray job submit --``) with each word that holds a credential shown as ``***``, by the rules
    the audit log hides them by (akscli.argv_credentials: a flag or ``NAME=`` named like a secret,
    ``curl -u USER:PASSWORD``; akscli.audit_argv.redact_value: a token's or connection string's
    shape, an HTTP credential, a URL's password or credential query), the rest as written.
    kubectl prints a command as it is; a token typed into one is still a token. ``found``, when
    given, gathers the hidden values."""
    from akscli.argv_credentials import command_line

    return command_line(text, MASK, _shown_word, found)


def _shown_word(word: str) -> str:
    """A word of a command line as it is printed: ``***`` where it is a credential by its shape,
    only the password masked in a URL that holds one (``postgresql://u:***@db/x``), by the rules
    of akscli.audit_argv.redact_value; the word itself otherwise."""
    from akscli import audit_argv

    shown = audit_argv.redact_value(word)
    return MASK if shown == audit_argv.REDACTED else shown


def _masked_env_vars(value: Any, secret: Any) -> Any:
    """``value`` with the secret values of each ``env`` list of EnvVars in it as ``***``, and the
    credentials in each container's ``command`` and ``args`` (_masked_argv); the same object where
    none is."""
    if isinstance(value, Mapping):
        changed: dict[str, Any] | None = None
        for key, child in value.items():
            shown = _masked_env_list(child, secret) if key == "env" else _masked_env_vars(child, secret)
            if shown is not child:
                changed = changed if changed is not None else dict(value)
                changed[key] = shown
        if "image" in value and ("command" in value or "args" in value):
            argv = _masked_argv(value)
            if argv:
                changed = {**(changed if changed is not None else value), **argv}
        return value if changed is None else changed
    if isinstance(value, list):
        items = [_masked_env_vars(item, secret) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _masked_argv(container: Mapping[str, Any]) -> dict[str, list[str]]:
    """A container's ``command`` and ``args`` (kubernetes/api core/v1/types.go Container: Command,
    Args, lists of strings; the args follow the command, or the image's ENTRYPOINT where there is
    none) with the words that hold a credential as ``***``, by masked_command's rules read word by
    word (argv_credentials.command_words); only the fields that changed. Without a command, the
    args are read after an unnamed program, so a first ``--api-key`` is a flag, not the program."""
    command, args = _command_args(container)
    shown = list(_masked_words(_argv(command, args))[0])
    head = len(command) if command is not None else 1
    out: dict[str, list[str]] = {}
    if command is not None and shown[:head] != command:
        out["command"] = shown[:head]
    if args is not None and shown[head:] != args:
        out["args"] = shown[head:]
    return out


def _command_args(container: Mapping[str, Any]) -> tuple[list[str] | None, list[str] | None]:
    """A container's ``command`` and ``args`` where each is a list of strings, else None."""
    command, args = container.get("command"), container.get("args")
    command = command if isinstance(command, list) and all(isinstance(w, str) for w in command) else None
    args = args if isinstance(args, list) and all(isinstance(w, str) for w in args) else None
    return command, args


def _argv(command: list[str] | None, args: list[str] | None) -> tuple[str, ...]:
    return (*(command if command is not None else ["-"]), *(args or []))


@functools.lru_cache(maxsize=256)
def _masked_words(words: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """_masked_argv's words, and the credentials they hid, read once for the replicas that share
    them (a list of 2,000 pods of a few Deployments reads a few command lines)."""
    from akscli.argv_credentials import command_words

    found: list[str] = []
    return tuple(command_words(words, MASK, _shown_word, found)), tuple(found)


def remember_credentials(body: Any) -> None:
    """Remember (akscli.redact.remember) each credential a printed form of ``body`` masks in a
    command line: a container's ``command`` and ``args`` anywhere in it (masked_argv's rules), a
    RayJob's ``spec.entrypoint`` (masked_command's). A webhook's or an API server's answer that
    quotes the object it refuses (``denied: args --api-key VALUE``) then reaches an error line, a
    ``--debug`` line or the audit log's result with ``***`` in its place, as a Secret's values do
    (redact.remember_secret). Called for each body akscli sends (akscli.kube.client)."""
    from akscli.redact import remember

    found: list[str] = []
    _credentials(body, found)
    if isinstance(body, Mapping) and masked_entrypoint(body) is not body:
        masked_command(body["spec"]["entrypoint"], found)
    for value in found:
        remember(value)


_LEAVES = (str, int, float, bool, type(None))
# Fields no container is found under (kubernetes/api core/v1/types.go: a Container's env, ports,
# volumeMounts and resources; an object's metadata and status), so a body's walk skips them.
_NO_CONTAINERS = frozenset({"env", "envFrom", "ports", "volumeMounts", "resources", "metadata", "status", "volumes"})


def _credentials(value: Any, found: list[str]) -> None:
    """The credentials masked_argv masks in each container under ``value``, added to ``found``. A
    walk of every field but _NO_CONTAINERS: a body's leaves are tested against concrete types
    first (in C), as a Mapping's abc check costs each of them a Python-level call."""
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, _LEAVES):
                _credentials(item, found)
    elif isinstance(value, (dict, Mapping)):
        if "image" in value and ("command" in value or "args" in value):
            found.extend(_masked_words(_argv(*_command_args(value)))[1])
        for key, child in value.items():
            if not isinstance(child, _LEAVES) and key not in _NO_CONTAINERS:
                _credentials(child, found)


def _masked_env_list(env: Any, secret: Any) -> Any:
    if not isinstance(env, list):
        return _masked_env_vars(env, secret)
    items = [{**var, "value": MASK} if _secret_var(var, secret) else var for var in env]
    return env if all(a is b for a, b in zip(items, env, strict=True)) else items


def _secret_var(var: Any, secret: Any) -> bool:
    return (
        isinstance(var, Mapping)
        and isinstance(var.get("value"), str)
        and secret(str(var.get("name", "")), var["value"])
    )


def masked_env(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """``obj`` with the secret values of its runtime environments' ``env_vars`` shown as ``***``: a
    RayJob's ``spec.runtimeEnvYAML`` (ray-project/kuberay v1.7.0 ray-operator/apis/ray/v1/
    rayjob_types.go RuntimeEnvYAML), a RayService's ``spec.serveConfigV2`` (each application's
    ``runtime_env``, rayservice_types.go ServeConfigV2). ``obj`` itself where nothing is masked.

    A text that cannot be read as such a document (not YAML, not a mapping, ``applications``,
    ``runtime_env`` or ``env_vars`` of another shape) is shown as ``***`` whole: KubeRay refuses it
    (ray-project/kuberay ray-operator/controllers/ray/utils/dashboardclient/dashboard_httpclient.go
    UnmarshalRuntimeEnvYAML), but ``apply -f --dry-run=client -o yaml`` prints it before any server
    sees it, and its env_vars cannot be told from the rest. A text is read when it holds the word
    ``env_vars`` or a backslash: YAML spells a key without its letters only in a double-quoted
    scalar's escapes (``"env_v\\x61rs"``); a plain or single-quoted key folded over lines gains a
    space (``env_ vars``). Reading every text would cost each RayJob printed a parse."""
    if not str(obj.get("apiVersion", "")).startswith("ray.io/") or not isinstance(obj.get("spec"), Mapping):
        return obj
    spec = obj["spec"]
    field = {"RayJob": "runtimeEnvYAML", "RayService": "serveConfigV2"}.get(str(obj.get("kind")))
    text = spec.get(field) if field else None
    if field is None or not isinstance(text, str) or ("env_vars" not in text and "\\" not in text):
        return obj  # only a double-quoted escape (\\x61) spells the key without its letters
    from akscli import yamlio
    from akscli.errors import AkscliError

    whole = {**obj, "spec": {**spec, field: MASK}}
    try:
        doc = yamlio.load(text, field)
    except AkscliError:
        return whole
    if doc is None:
        return obj
    if not isinstance(doc, Mapping):
        return whole
    try:
        if field == "runtimeEnvYAML":
            shown_doc: Any = _masked_runtime_env(doc)
        else:
            apps = doc.get("applications")
            if apps is None:
                return obj
            if not isinstance(apps, list):
                return whole
            shown_doc = {**doc, "applications": [_masked_app(app) for app in apps]}
    except _Unreadable:
        return whole
    if shown_doc == doc:
        return obj
    return {**obj, "spec": {**spec, field: yamlio.dump(shown_doc)}}


class _Unreadable(Exception):
    """A runtime environment of a shape that cannot be masked field by field."""


def _masked_app(app: Any) -> Any:
    if not isinstance(app, Mapping):
        raise _Unreadable
    env = app.get("runtime_env")
    if env is None:
        return app
    if not isinstance(env, Mapping):
        raise _Unreadable
    return {**app, "runtime_env": _masked_runtime_env(env)}


def _masked_runtime_env(env: Mapping[str, Any]) -> Mapping[str, Any]:
    from akscli.secret_words import is_secret_variable

    variables = env.get("env_vars")
    if variables is None:
        return env
    if not isinstance(variables, Mapping):
        return {**env, "env_vars": MASK}
    shown_vars = {key: MASK if is_secret_variable(str(key), str(value)) else value for key, value in variables.items()}
    return {**env, "env_vars": shown_vars}
