"""The one renderer: Jinja2 templates under ``templates/`` into validated Kubernetes objects.

Safety against YAML and template injection comes from two rules:

* the environment is a ``SandboxedEnvironment`` with ``StrictUndefined``;
* every ``{{ expression }}`` is *finalized* into a YAML-safe JSON scalar or flow collection, so a
  user value is always exactly one YAML value: it can never add keys, documents or comments.

A template may declare its values in ``<name>.values.yaml`` beside it (type, default, bounds);
``render`` then validates the values through ``akscli.validate`` before rendering.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from akscli import process, shapes, validate, value_types
from akscli.errors import UsageError

if TYPE_CHECKING:
    from os import PathLike

MANAGED_BY = "app.kubernetes.io/managed-by"
STACK_LABEL = "akscli.io/stack"
# The namespace of a stack's cluster-scoped objects: the one namespace its namespaced objects are
# in, written by the apply engine (kube/apply.py). A stack's name alone is not its identity: two
# models of one name in two namespaces share model-NAME. kubectl's ApplySet keys its members by a
# parent that has a namespace (kubernetes/kubectl pkg/cmd/apply/applyset.go ID:
# base64(sha256(<name>.<namespace>.<kind>.<group>))); akscli's stacks have no parent object.
STACK_NAMESPACE_LABEL = "akscli.io/stack-namespace"
TEMPLATE_SUFFIX = ".yaml.j2"


@lru_cache(maxsize=1)
def templates_dir() -> str:
    """``templates/`` inside an installed wheel (beside this module: the package directory
    importlib.resources.files("akscli") names, without importing importlib.resources), or at
    the root of a source checkout. A folder name (os.path, as the rest of a render's paths):
    pathlib, with urllib.parse, fnmatch and ntpath, is 4.7 M instructions that a render of the
    shipped templates, which needs no path object, would load for them alone."""
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "templates")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(here)), "templates")


def yaml_value(value: Any) -> str:
    """Emit ``value`` as exactly one YAML value (JSON is a subset of YAML 1.2 flow style)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise UsageError(f"cannot render the non-finite number {value!r}", hint="give a finite number")
        return json.dumps(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_quote(str(k))}: {yaml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    return _quote(str(value))


def _quote(text: str) -> str:
    body = json.dumps(text, ensure_ascii=False)
    if body.isprintable():
        return body
    return _yaml_unsafe().sub(lambda m: f"\\u{ord(m.group()):04x}", body)


@lru_cache(maxsize=1)
def _yaml_unsafe() -> re.Pattern[str]:
    """Characters that YAML treats as line breaks or forbids in a scalar: always escaped. Compiled
    on the first value that holds a character Python counts as unprintable (every one of these
    is, tests/foundation/test_render.py): its ranges beyond Latin-1 take about 0.6 ms to compile."""
    return re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


@lru_cache(maxsize=4)
def _environment(root: str) -> Any:
    process.import_large("jinja2.sandbox")
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=FileSystemLoader(root),
        undefined=StrictUndefined,
        finalize=yaml_value,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_compiled_templates(),
    )
    # No implicit names: Jinja's globals (``namespace``, ``range``...) would stand in for a value
    # the caller left out, e.g. render ``namespace: <class 'jinja2.utils.Namespace'>``.
    env.globals.clear()
    return env


def _compiled_templates() -> Any:
    """Jinja's bytecode cache in akscli's cache folder (akscli.cachedir, part ``templates``):
    each template compiled once, kept under its name with its source's checksum, so a changed
    or upgraded template compiles again. Without it every render lexes, parses and compiles its
    templates (about 3 ms for ``core/namespace``: Jinja's lexer alone compiles some twenty
    regular expressions). None where the folder cannot be made private; a cache file that
    cannot be written is skipped, never an error."""
    from jinja2 import FileSystemBytecodeCache
    from jinja2.bccache import Bucket

    from akscli import cachedir

    folder = cachedir.private_folder("templates")
    if folder is None:
        return None

    class CompiledTemplates(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:
                # A damaged file (cut short by a crash): Jinja checks the header and the code
                # but unpickles the checksum unguarded (jinja2/bccache.py, Bucket.load_bytecode).
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            # A full disk or a read-only folder: the next run compiles again. Jinja writes a
            # temporary file and renames it (jinja2/bccache.py): no reader sees half a file.
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    return CompiledTemplates(folder)


def list_templates() -> list[str]:
    return list(_templates(templates_dir()))


@lru_cache(maxsize=4)
def _templates(root: str | PathLike[str]) -> tuple[str, ...]:
    """Every entry under ``root`` named ``*.yaml.j2``, as ``root.rglob`` finds them (linked
    folders listed, not entered) but walked with ``os.walk``: rglob's Path objects and pattern
    compile are about 0.4 ms of every render."""
    found = []
    for folder, folders, files in os.walk(root):
        relative = os.path.relpath(folder, root)
        for name in (*folders, *files):
            if name.endswith(TEMPLATE_SUFFIX):
                found.append(name if relative == os.curdir else os.path.join(relative, name))
    return tuple(sorted(found))


def resolve_template(template: str) -> str:
    """Accept ``model/vllm``, ``model/vllm.yaml.j2`` or a unique basename such as ``vllm``."""
    known = list_templates()
    candidates = [template, template + TEMPLATE_SUFFIX]
    for candidate in candidates:
        if candidate in known:
            return candidate
    by_base = [t for t in known if os.path.basename(t) in (template, template + TEMPLATE_SUFFIX)]
    if len(by_base) == 1:
        return by_base[0]
    from akscli import suggest  # the error path only: difflib is no cost of a render

    names = [t.removesuffix(TEMPLATE_SUFFIX) for t in known]
    # Typed as the path or as the unique basename resolve_template takes: either spelling leads
    # the hint with the path (akscli/suggest.py).
    spellings = {**{os.path.basename(n): n for n in names}, **{n: n for n in names}}
    close = suggest.did_you_mean(template.removesuffix(TEMPLATE_SUFFIX), spellings, margin=0.05)
    raise UsageError(f"unknown template {template!r}", hint=f"{close}available: {', '.join(names)}")


def values_spec(template: str) -> dict[str, dict[str, Any]]:
    """The value declarations beside a template, or an empty mapping (a copy: a default handed
    to a caller may be changed by it; the file is parsed once)."""
    return copy.deepcopy(_values_spec(templates_dir(), template))


@lru_cache(maxsize=8)
def _values_spec(root: str | PathLike[str], template: str) -> dict[str, dict[str, Any]]:
    from akscli import yamlio

    path = os.path.join(root, template.removesuffix(TEMPLATE_SUFFIX) + ".values.yaml")
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as file:
        text = file.read()
    spec = yamlio.load(text, path) or {}
    return {str(k): dict(v) for k, v in spec.items()}


def check_values(template: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Apply defaults and validate values against the template's declarations.

    Every missing required value is named in one error; then each given value is validated.
    """
    spec = values_spec(template)
    result = dict(values)
    missing = [
        key
        for key, decl in spec.items()
        if result.get(key) is None and "default" not in decl and decl.get("required", False)
    ]
    if missing:
        raise _missing_error(template, spec, missing)
    for key, decl in spec.items():
        if result.get(key) is None:
            if "default" in decl:
                result[key] = decl["default"]
            continue
        result[key] = _check_one(template, key, result[key], decl)
    return result


def _short(template: str) -> str:
    return template.removesuffix(TEMPLATE_SUFFIX)


def _missing_error(template: str, spec: Mapping[str, Mapping[str, Any]], missing: Sequence[str]) -> UsageError:
    listed = ", ".join(missing)
    noun = "value" if len(missing) == 1 else "values"
    sets = " ".join(f"--set {key}={_placeholder(spec[key])}" for key in missing)
    return UsageError(
        f"template {_short(template)} needs the {noun} {listed}",
        hint=f"pass {sets} (or put them in a --values file); see akscli render {_short(template)} --help-values",
    )


_PLACEHOLDERS = {
    "name": "NAME",
    "subdomain": "NAME",
    "quantity": "QUANTITY",
    "image": "IMAGE",
    "integer": "N",
    "number": "NUMBER",
    "bool": "true|false",
    "text": "TEXT",
    "labels": "KEY=VALUE",
    "list": "{A,B}",
    "map": "KEY=VALUE",
    "object": "'{KEY: VALUE}'",
}


def _placeholder(decl: Mapping[str, Any]) -> str:
    kind = str(decl.get("type", "text"))
    if kind == "list" and decl.get("items") not in (None, "string"):
        return "'[{KEY: VALUE}]'"
    if kind == "choice":
        return "|".join(str(c) for c in decl.get("choices", [])) or "VALUE"
    return _PLACEHOLDERS.get(kind, "VALUE")


def describe_values(template: str) -> list[dict[str, Any]]:
    """The declared values of a template, one row each: key, type, required, default, help."""
    name = resolve_template(template)
    rows = []
    for key, decl in values_spec(name).items():
        kind = str(decl.get("type", "text"))
        if kind == "choice":
            kind = "choice(" + "|".join(str(c) for c in decl.get("choices", [])) + ")"
        elif kind in value_types.STRUCTURED:
            kind = value_types.describe(decl).removeprefix("a ").removeprefix("an ")
        elif kind in ("integer", "number") and ("min" in decl or "max" in decl):
            lo, hi = decl.get("min", ""), decl.get("max", "")
            kind = f"{kind}[{lo}..{hi}]"
        rows.append(
            {
                "key": key,
                "type": kind,
                "required": bool(decl.get("required", False)) and "default" not in decl,
                "default": decl.get("default"),
                "help": str(decl.get("help", "")),
            }
        )
    return rows


def template_variables(template: str) -> set[str]:
    """The names a template reads from its values, including those its includes read.

    Names an include reads that the including template binds itself (a ``for`` target, a
    ``set``) are not values.
    """
    env = _environment(os.fspath(templates_dir()))
    return _variables(env, resolve_template(template))


def _variables(env: Any, name: str) -> set[str]:
    from jinja2 import meta, nodes

    tree = env.parse(env.loader.get_source(env, name)[0])
    found = set(meta.find_undeclared_variables(tree))
    bound: set[str] = set()
    for node in tree.find_all((nodes.For, nodes.Assign)):
        target = node.target
        bound |= {target.name} if isinstance(target, nodes.Name) else {n.name for n in target.find_all(nodes.Name)}
    for included in meta.find_referenced_templates(tree):
        if included:
            found |= _variables(env, included) - bound
    return found


def _check_one(template: str, key: str, value: Any, decl: Mapping[str, Any]) -> Any:
    kind = decl.get("type", "text")
    what = f"value {key} of template {_short(template)}"
    lo, hi = decl.get("min"), decl.get("max")
    max_len = decl.get("max_len")
    checks: dict[str, Any] = {
        "name": lambda v: validate.name(str(v), what, int(max_len or 63)),
        "subdomain": lambda v: validate.subdomain(str(v), what),
        "quantity": lambda v: validate.quantity(v, what),
        "image": lambda v: validate.image(str(v), what),
        "integer": lambda v: _integer(v, what, lo, hi),
        "number": lambda v: _number(v, what, lo, hi),
        "choice": lambda v: validate.choice(str(v), decl.get("choices", []), what),
        "bool": lambda v: _boolean(v, what),
        "text": lambda v: validate.text(
            str(v), what, int(max_len or 1024), multiline=bool(decl.get("multiline", False))
        ),
        "labels": lambda v: _labels(v, what),
    }
    if kind in value_types.STRUCTURED:
        # The message names the type and an example itself.
        return value_types.check(key, value, decl, what)
    if kind not in checks:
        raise UsageError(f"template {_short(template)} declares unknown type {kind!r} for {key!r}")
    try:
        return _check_pattern(key, checks[kind](value), decl, what)
    except UsageError as exc:
        raise UsageError(f"{exc.message} (expected {accepted_form(decl)})", hint=exc.hint) from exc


def _check_pattern(key: str, value: Any, decl: Mapping[str, Any], what: str) -> Any:
    """``value`` where it matches the declared ``pattern`` (the regex the target field's CRD or
    OpenAPI schema gives it, so a value the API server would answer 422 for is refused before
    anything is rendered), else a UsageError with the declared example as the fix."""
    if value_types.matches_pattern(decl, value):
        return value
    shown = str(value) if len(str(value)) <= 60 else str(value)[:57] + "..."
    hint = f"e.g. --set {key}={decl['example']}" if "example" in decl else "see --help-values"
    raise UsageError(f"invalid {what} {shown!r}: it does not match its field's pattern {decl['pattern']}", hint=hint)


def value_matches(template: str, key: str, value: str) -> bool:
    """Whether ``value`` matches the pattern ``template``'s values declare for ``key``: one check
    of a value, whether it comes from ``render --set`` or from a command's flag (akscli.nap.nodepool)."""
    return value_types.matches_pattern(_values_spec(templates_dir(), template).get(key, {}), value)


def accepted_form(decl: Mapping[str, Any]) -> str:
    """What a declared value accepts, in words: "a whole number from 0 to 1000"."""
    kind = str(decl.get("type", "text"))
    lo, hi = decl.get("min"), decl.get("max")
    bounds = (
        f" from {lo} to {hi}"
        if lo is not None and hi is not None
        else f" of at least {lo}"
        if lo is not None
        else f" of at most {hi}"
        if hi is not None
        else ""
    )
    max_len = decl.get("max_len")
    forms = {
        "name": f"a DNS-1123 label of at most {max_len or 63} characters, e.g. my-model",
        "subdomain": "a DNS-1123 subdomain, e.g. my-config.v1",
        "quantity": "a Kubernetes quantity, e.g. 2, 500m or 16Gi",
        "image": "an image [registry/]repository[:tag][@sha256:digest], e.g. vllm/vllm-openai:v0.11.0",
        "integer": "a whole number" + bounds,
        "number": "a number" + bounds,
        "choice": "one of " + ", ".join(str(c) for c in decl.get("choices", [])),
        "bool": "true or false",
        "text": ("text" if decl.get("multiline") else "one line of text") + f" of at most {max_len or 1024} characters",
        "labels": "labels key=value[,key=value], e.g. team=ml",
    }
    if kind in value_types.STRUCTURED:
        return value_types.describe(decl)
    if decl.get("pattern_words"):
        return str(decl["pattern_words"])
    return forms[kind]


def _integer(value: Any, what: str, lo: int | None, hi: int | None) -> int:
    if isinstance(value, bool):
        raise UsageError(f"invalid {what} {value!r}: it is not a whole number", hint="for example: 2")
    return validate.integer(value, what, lo, hi)


def _number(value: Any, what: str, lo: float | None, hi: float | None) -> float | int:
    if isinstance(value, bool):
        raise UsageError(f"invalid {what} {value!r}: it is not a number", hint="for example: 0.5")
    checked = validate.number(value, what, lo, hi)
    # A number given as a number stays as it was (1 renders as 1, not 1.0).
    return value if isinstance(value, (int, float)) else checked


def _labels(value: Any, what: str) -> dict[str, str]:
    """``k=v[,k=v]`` text, or a mapping whose keys and values are checked as labels."""
    if not isinstance(value, Mapping):
        return validate.labels([str(value)], what)
    result: dict[str, str] = {}
    for key, val in value.items():
        if isinstance(val, bool):
            text = "true" if val else "false"
        elif isinstance(val, (str, int, float)):
            text = str(val)
        else:
            raise UsageError(f"invalid {what} {key}: its value is not a string", hint="use key=value, e.g. team=ml")
        result[validate.label_key(str(key), f"{what} key")] = validate.label_value(text, f"{what} value")
    return result


def _boolean(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise UsageError(f"invalid {what} {value!r}: it is not true or false", hint="use true or false")


def render_text(template: str, values: Mapping[str, Any]) -> str:
    process.import_large("jinja2.sandbox")
    from jinja2 import TemplateNotFound, UndefinedError
    from jinja2.exceptions import SecurityError, TemplateSyntaxError

    name = resolve_template(template)
    checked = check_values(name, values)
    env = _environment(os.fspath(templates_dir()))
    try:
        return str(env.get_template(name).render(**checked))
    except UndefinedError as exc:
        missing = re.search(r"'([^']+)' is undefined", str(exc))
        if missing is None:
            # A field of a structured value is missing ("'dict object' has no attribute 'x'").
            raise UsageError(
                f"template {_short(name)} cannot use a value: {exc}",
                hint=f"check the shape of the structured values: akscli render {_short(name)} --help-values",
            ) from exc
        what = missing.group(1)
        raise UsageError(
            f"template {name} needs the value {what!r}",
            hint=f"pass it with --set {what}=VALUE or in a --values file",
        ) from exc
    except (TemplateNotFound, TemplateSyntaxError, SecurityError) as exc:
        raise UsageError(f"template {name} cannot be rendered: {exc}") from exc


def render(template: str, values: Mapping[str, Any], *, stack: str | None = None) -> list[dict[str, Any]]:
    """Render a template into Kubernetes objects (dicts), checked for shape and labelled."""
    from akscli import yamlio

    name = resolve_template(template)
    text = render_text(name, values)
    docs = yamlio.load_all(text, f"template {name}")
    objects: list[dict[str, Any]] = []
    for index, doc in enumerate(docs):
        objects.append(_check_object(doc, name, index))
    if stack:
        with_stack_labels(objects, stack)
    return objects


def _check_object(doc: Any, template: str, index: int) -> dict[str, Any]:
    where = f"template {template} document {index + 1}"
    if not isinstance(doc, dict):
        raise UsageError(f"{where} is not a mapping")
    for key in ("apiVersion", "kind"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise UsageError(f"{where} has no {key}")
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        raise UsageError(f"{where} ({doc['kind']}) has no metadata.name")
    # The same structural check the apply engine runs (policy.evaluate): nothing printed with
    # exit 0 has a field the API server could not decode.
    found = shapes.problem(doc)
    if found:
        raise UsageError(
            f"{where} ({doc['kind']} {meta['name']}): {found}",
            hint=f"check the values against akscli render {_short(template)} --help-values",
        )
    return doc


def with_stack_labels(objects: Sequence[dict[str, Any]], stack: str) -> Sequence[dict[str, Any]]:
    """Label objects as akscli's and as members of ``stack`` (used for prune and listing)."""
    validate.label_value(stack, "stack name")
    for obj in objects:
        labels = obj.setdefault("metadata", {}).setdefault("labels", {}) or {}
        obj["metadata"]["labels"] = labels
        labels[MANAGED_BY] = "akscli"
        labels[STACK_LABEL] = stack
    return objects
