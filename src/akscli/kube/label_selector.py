"""Structured selectors, matched as upstream matches them: a metav1.LabelSelector (matchLabels and
matchExpressions) and a node selector term (NodeSelectorRequirements) become the Requirements of
akscli.kube.selectors, whose one matcher (Requirement.Matches) decides. Plain logic: no I/O, no
kubernetes import.

What this module says is what upstream's conversion says: a nil selector matches nothing, an
empty one everything, and one upstream cannot read is a SelectorError carrying upstream's message.
Each caller keeps the rule its own upstream has for a nil selector and for an unreadable one
(the scheduler, KubeFleet, the Prometheus Operator, the eviction API, a Gateway implementation):
it says which, and cites it, where it calls ``matches``.

upstream: kubernetes/apimachinery kubernetes-1.32.0 (59e9003f)
- pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector: nil is labels.Nothing(), no matchLabels and
  no matchExpressions labels.Everything(); each matchLabels entry an Equals requirement, each
  expression In, NotIn, Exists or DoesNotExist through labels.NewRequirement (its values copied
  with ``append([]string(nil), ...)``, so none is a nil slice); any other operator
  ``"%q is not a valid label selector operator"``.
- pkg/labels/selector.go NewRequirement and Requirement.Matches (akscli.kube.selectors).
kubernetes/component-helpers (1961876) scheduling/corev1/nodeaffinity/nodeaffinity.go
- nodeSelectorRequirementsAsSelector: Gt and Lt too, each requirement with field.WithPath
  (``nodeSelectorTerms[i].matchExpressions[j]``); an unknown operator is NotSupported; every
  expression's error is kept, and NewNodeSelector / LazyErrorNodeSelector.Match return them as
  errors.NewAggregate (``aggregate``).
- nodeSelectorRequirementsAsFieldSelector: In or NotIn with exactly one value ("must have one
  element"), as ``field=value`` or ``field!=value``.
- NewLazyErrorNodeSelector, newNodeSelectorTerm, nodeSelectorTerm.match: a term with neither
  matchExpressions nor matchFields matches nothing; a term with a parse error matches nothing
  (LazyErrorNodeSelector.Match reports its errors only when no term matches, and the scheduler's
  NodeAffinity filter and volume CheckNodeAffinity read only the bool); matchFields is skipped
  for a node with no name (``len(nodeFields) > 0``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from akscli.kube.selectors import (
    DOES_NOT_EXIST,
    EQUALS,
    EXISTS,
    GT,
    IN,
    LT,
    NOT_EQUALS,
    NOT_IN,
    FieldRequirement,
    LabelMatcher,
    Requirement,
    SelectorError,
    go_quote,
    go_strings,
    labels_matcher,
    labels_string,
    new_requirement,
)

# metav1.LabelSelectorOperator -> selection.Operator (helpers.go LabelSelectorAsSelector)
LABEL_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}
# v1.NodeSelectorOperator -> selection.Operator (nodeaffinity.go validSelectorOperators)
NODE_OPERATORS = {**LABEL_OPERATORS, "Gt": GT, "Lt": LT}
OPERATOR_HINT = (
    "a matchExpressions operator is In, NotIn, Exists or DoesNotExist (a node selector also Gt or Lt); "
    "In and NotIn take one or more values, Exists and DoesNotExist none"
)


def _values(expr: Mapping[str, Any]) -> list[str] | None:
    values = expr.get("values")
    return None if values is None else [str(v) for v in values]


def requirements(selector: Mapping[str, Any] | None) -> list[Requirement] | None:
    """metav1.LabelSelectorAsSelector: None for a nil selector (labels.Nothing()), [] for an empty
    one (labels.Everything()), else its requirements; SelectorError for one upstream cannot read."""
    if selector is None:
        return None
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return []
    found = [new_requirement(str(k), EQUALS, [str(v)]) for k, v in match_labels.items()]
    for expr in expressions:
        operator = str(expr.get("operator") or "")
        if operator not in LABEL_OPERATORS:
            message = f"{go_quote(operator)} is not a valid label selector operator"
            raise SelectorError(message, f"{expr.get('key')!r} has operator {operator!r}", OPERATOR_HINT)
        # append([]string(nil), expr.Values...): no values is a nil slice
        found.append(new_requirement(str(expr.get("key") or ""), LABEL_OPERATORS[operator], _values(expr) or None))
    return found


def selector_string(selector: Mapping[str, Any] | None) -> str:
    """LabelSelectorAsSelector(selector).String(): the requirements sorted by key (internalSelector
    Add), each with its values sorted (Requirement.String); "" for nil and for {}."""
    return labels_string(sorted(requirements(selector) or [], key=lambda r: r.key))


def matcher(selector: Mapping[str, Any] | None) -> LabelMatcher:
    """LabelSelectorAsSelector(selector).Matches as one function of the labels; SelectorError for
    a selector upstream cannot read. Built once per distinct selector (a placed pod's term is met
    once per pod of a list of thousands)."""
    if selector is None:
        return _nothing
    try:
        key = _key(selector)
    except TypeError:  # a value no selector written as YAML holds (a list, a map): not cached
        return _build(selector)
    return _cached(key)


def _nothing(_labels: Mapping[str, str]) -> bool:
    return False


def _everything(_labels: Mapping[str, str]) -> bool:
    return True


_Key = tuple[tuple[tuple[Any, Any], ...], tuple[tuple[Any, Any, tuple[Any, ...] | None], ...]]


def _key(selector: Mapping[str, Any]) -> _Key:
    exprs = selector.get("matchExpressions") or []
    key = (
        tuple((selector.get("matchLabels") or {}).items()),
        tuple(
            (e.get("key"), e.get("operator"), None if e.get("values") is None else tuple(e["values"])) for e in exprs
        ),
    )
    hash(key)
    return key


@functools.lru_cache(maxsize=1024)
def _cached(key: _Key) -> LabelMatcher:
    match_labels, exprs = key
    expressions = [
        {"key": k, "operator": op, **({} if values is None else {"values": list(values)})} for k, op, values in exprs
    ]
    return _build({"matchLabels": dict(match_labels), "matchExpressions": expressions})


def _build(selector: Mapping[str, Any]) -> LabelMatcher:
    found = requirements(selector)
    if not found:
        return _everything  # not None: matcher handles nil first
    return labels_matcher(found)


def matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """LabelSelectorAsSelector(selector).Matches(labels): nil matches nothing, {} everything;
    SelectorError for a selector upstream cannot read."""
    return matcher(selector)(labels)


def aggregate(errs: Sequence[SelectorError]) -> SelectorError:
    """utilerrors.NewAggregate(errs) as one SelectorError: one error is itself; of more, the text is
    aggregate.Error()'s: every message (an inner aggregate's flattened, as aggregate.visit does), the
    repeats dropped, in order, joined by ", " in brackets, or the one message left bare.
    upstream: kubernetes/apimachinery eed236ce pkg/util/errors/errors.go NewAggregate, aggregate.Error."""
    if len(errs) == 1:
        return errs[0]
    seen = list(dict.fromkeys(message for err in errs for message in err.errors))
    text = seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"
    return SelectorError(text, "; ".join(err.problem for err in errs), errs[0].hint, errors=tuple(seen))


def node_requirements(expressions: Sequence[Mapping[str, Any]], path: str) -> list[Requirement]:
    """nodeSelectorRequirementsAsSelector; SelectorError aggregating every expression's error, as
    NewNodeSelector returns them (errors.NewAggregate of the terms' parse errors)."""
    found, errs = [], []
    for i, expr in enumerate(expressions):
        where, operator = f"{path}[{i}]", str(expr.get("operator") or "")
        if operator not in NODE_OPERATORS:
            supported = ", ".join(f'"{op}"' for op in NODE_OPERATORS)
            message = f"{where}.operator: Unsupported value: {go_quote(operator)}: supported values: {supported}"
            errs.append(SelectorError(message, f"{expr.get('key')!r} has operator {operator!r}", OPERATOR_HINT))
            continue
        try:
            found.append(new_requirement(str(expr.get("key") or ""), NODE_OPERATORS[operator], _values(expr), where))
        except SelectorError as exc:
            errs.append(exc)
    if errs:
        raise aggregate(errs)
    return found


def field_requirements(expressions: Sequence[Mapping[str, Any]], path: str) -> list[FieldRequirement]:
    """nodeSelectorRequirementsAsFieldSelector; SelectorError aggregating every expression's error."""
    found, errs = [], []
    for i, expr in enumerate(expressions):
        where, operator, values = f"{path}[{i}]", str(expr.get("operator") or ""), _values(expr)
        if operator not in ("In", "NotIn"):
            message = f'{where}.operator: Unsupported value: {go_quote(operator)}: supported values: "In", "NotIn"'
            problem = f"matchFields operator {operator!r} is neither In nor NotIn"
            errs.append(SelectorError(message, problem, OPERATOR_HINT))
        elif len(values or []) != 1:
            message = f"{where}.values: Invalid value: {go_strings(values)}: must have one element"
            problem = f"matchFields {expr.get('key')!r} needs exactly one value"
            errs.append(SelectorError(message, problem, OPERATOR_HINT))
        else:
            field_op = EQUALS if operator == "In" else NOT_EQUALS
            found.append(FieldRequirement(str(expr.get("key") or ""), field_op, (values or [""])[0]))
    if errs:
        raise aggregate(errs)
    return found


def node_term_matches(
    term: Mapping[str, Any], labels: Mapping[str, str], fields: Mapping[str, str], path: str = "nodeSelectorTerms[0]"
) -> bool:
    """One NodeSelectorTerm against a node's labels and fields (``metadata.name``, absent for a node
    with no name): newNodeSelectorTerm then nodeSelectorTerm.match. A term with neither
    matchExpressions nor matchFields, or one upstream cannot read, matches nothing."""
    expressions, node_fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not expressions and not node_fields:
        return False  # isEmptyNodeSelectorTerm: skipped by NewLazyErrorNodeSelector
    try:
        by_label = node_requirements(expressions, f"{path}.matchExpressions") if expressions else None
        by_field = field_requirements(node_fields, f"{path}.matchFields") if node_fields else None
    except SelectorError:
        return False  # term.parseErrs: the term matches nothing
    if by_label is not None and not labels_matcher(by_label)(labels):
        return False
    return not (by_field and fields and not all(r.matches(fields.get(r.field, "")) for r in by_field))
