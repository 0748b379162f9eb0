"""Gatekeeper's ``spec.match``, judged for an object before it is sent: the one matcher that
``policy check --context`` (akscli.kube.gatekeeper) and the Deployment Safeguards preflight
(akscli.kube.safeguards) share. Plain logic: no I/O, no kubernetes import.

open-policy-agent/gatekeeper dd8507eb pkg/target/matcher.go Matcher.Match runs
pkg/mutation/match/match.go Matches, whose top-level matchers must all say yes:

- kindsMatch: no kinds, or an entry whose kinds (none, ``*`` or the kind) and apiGroups (none,
  ``*`` or the group) both fit;
- scopeMatch: ``Cluster`` a Namespace or an object with no namespace, ``Namespaced`` the rest, any
  other value everything;
- namespacesMatch, excludedNamespacesMatch: a Namespace by its own name, another object by its
  namespace (pkg/wildcard/wildcard.go Matches: exact, or ``*`` at the front, the end or both); a
  cluster-scoped object is never disqualified;
- labelSelectorMatch: metav1.LabelSelectorAsSelector on the object's own labels;
- namespaceSelectorMatch: a cluster-scoped object other than a Namespace matches; a Namespace by
  its own labels; another object by its Namespace's labels (the webhook's createReviewForRequest
  reads the Namespace: pkg/webhook/policy.go);
- namesMatch: ``Name.Matches(name) || Name.MatchesGenerateName(generateName)``;
- sourceMatch: ``All`` (the default, pkg/mutation/types/mutator.go SourceTypeDefault) matches both;
  ``Original`` only the object sent, ``Generated`` only what an ExpansionTemplate expands it into
  (policy.go createReviewForRequest and createReviewForResultant set the source).

What akscli cannot know before the object exists (a label value a controller computes, a
generated name's random part, a namespace it may not read) is reported as not known, never
assumed: a ``Match`` with ``matched`` None and what it depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from akscli.kube import label_selector, pod_names
from akscli.kube.selectors import DOES_NOT_EXIST, EXISTS, SelectorError

ORIGINAL = "Original"
GENERATED = "Generated"
_SOURCES = ("All", ORIGINAL, GENERATED)  # mutator.go validSourceTypes


@dataclass(frozen=True)
class Match:
    """matched: True, False, or None (not known here: ``unknown`` says on what)."""

    matched: bool | None
    unknown: str = ""


@dataclass(frozen=True)
class Subject:
    """What Matches reads of one object as the webhook would see it."""

    group: str
    kind: str
    namespace: str | None  # None: cluster-scoped
    labels: Mapping[str, str | None] | None  # None: not known; a None value: set by a controller, not known
    name: str = ""
    generate_name: str = ""
    generate_exact: bool = True  # False: only this prefix of the generateName is known
    source: str = ORIGINAL
    namespace_labels: Mapping[str, str | None] | None = None  # its Namespace's; None: not read
    what: str = "the pod's labels"  # the labels, in an unknown's words

    @property
    def is_namespace(self) -> bool:
        return (self.group, self.kind) == ("", "Namespace")


def matches(match: Mapping[str, Any], subject: Subject) -> Match:
    """match.go Matches for ``subject``."""
    if not _kinds(match.get("kinds") or [], subject) or not _scope(str(match.get("scope") or ""), subject):
        return Match(False)
    where = subject.name if subject.is_namespace else subject.namespace
    if where is not None:
        wanted = [str(n) for n in match.get("namespaces") or []]
        if wanted and not any(glob_matches(n, where) for n in wanted):
            return Match(False)
        if any(glob_matches(str(n), where) for n in match.get("excludedNamespaces") or []):
            return Match(False)
    source = str(match.get("source") or "All")
    if source not in _SOURCES:
        return Match(False)  # sourceMatch errs (ErrMatch): the webhook reports an error, it selects nothing
    if source != "All" and source != subject.source:
        return Match(False)
    # Each part is judged only while none has said no (a no is final, as Matches' early exit).
    parts: tuple[Callable[[], Match], ...] = (
        lambda: _namespace_selected(_selector(match.get("namespaceSelector")), subject),
        lambda: selected(_selector(match.get("labelSelector")), subject.labels, subject.what),
        lambda: named(str(match.get("name") or ""), subject),
    )
    unknown: list[str] = []
    for part in parts:
        found = part()
        if found.matched is False:
            return Match(False)
        if found.matched is None:
            unknown.append(found.unknown)
    return Match(None, "; ".join(unknown)) if unknown else Match(True)


def _kinds(kinds: list[Any], subject: Subject) -> bool:
    for entry in kinds:
        groups = [str(g) for g in (entry or {}).get("apiGroups") or []]
        names = [str(k) for k in (entry or {}).get("kinds") or []]
        if (not names or "*" in names or subject.kind in names) and (
            not groups or "*" in groups or subject.group in groups
        ):
            return True
    return not kinds


def _scope(scope: str, subject: Subject) -> bool:
    has_namespace = subject.namespace is not None
    if scope == "Cluster":
        return subject.is_namespace or not has_namespace
    if scope == "Namespaced":
        return not subject.is_namespace and has_namespace
    return True  # unset, or a typo: match.go scopeMatch's default


def _selector(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _namespace_selected(selector: Mapping[str, Any] | None, subject: Subject) -> Match:
    if selector is None:
        return Match(True)
    if subject.is_namespace:
        return selected(selector, subject.labels, "the namespace's labels")
    if subject.namespace is None:
        return Match(True)  # "Match all non-Namespace cluster-scoped objects."
    return selected(selector, subject.namespace_labels, f"the labels of namespace {subject.namespace}")


def selected(selector: Mapping[str, Any] | None, labels: Mapping[str, str | None] | None, what: str) -> Match:
    """labelSelectorMatch / namespaceSelectorMatch: no selector (nil) matches; else metav1's
    LabelSelectorAsSelector(selector).Matches(labels) on the labels the object carries at admission.
    A selector it cannot read makes Matches an error (ErrMatch), which akscli does not predict: the
    webhook decides. A label whose value a controller computes (``None``: akscli.kube.pod_labels)
    meets Exists and fails DoesNotExist; any other requirement on it is not known, and neither is
    any requirement where the labels were not read (``labels`` None)."""
    if selector is None:
        return Match(True)
    try:
        found = label_selector.requirements(selector)
    except SelectorError:
        return Match(False)
    if labels is None:
        return Match(None, f"{what}, which akscli could not read")
    known = {k: v for k, v in labels.items() if v is not None}
    unknown: list[str] = []
    for req in found or []:
        if req.key in labels and labels[req.key] is None:
            if req.operator == DOES_NOT_EXIST:
                return Match(False)
            if req.operator != EXISTS:
                unknown.append(req.key)
        elif not req.matches(known):
            return Match(False)
    if unknown:
        keys = ", ".join(sorted(set(unknown)))
        return Match(None, f"the value of label {keys}, which a controller sets when it makes the pod")
    return Match(True)


def named(pattern: str, subject: Subject) -> Match:
    """namesMatch: no name matches; a known name is a wildcard match (or its generateName, by
    MatchesGenerateName); a generated one as akscli.kube.pod_names says."""
    if not pattern:
        return Match(True)
    if subject.name:
        return Match(glob_matches(pattern, subject.name) or generate_matches(pattern, subject.generate_name))
    found = (
        pod_names.generated_name_matches(pattern, subject.generate_name, subject.generate_exact)
        if subject.generate_name
        else None
    )
    return Match(found, "" if found is not None else "the pod's name, which the API server generates")


def glob_matches(pattern: str, candidate: str) -> bool:
    """gatekeeper pkg/wildcard/wildcard.go Matches."""
    if pattern.startswith("*") and pattern.endswith("*") and len(pattern) > 1:
        return pattern.strip("*") in candidate
    if pattern.startswith("*"):
        return candidate.endswith(pattern[1:])
    if pattern.endswith("*"):
        return candidate.startswith(pattern[:-1])
    return pattern == candidate


def generate_matches(pattern: str, generate_name: str) -> bool:
    """gatekeeper pkg/wildcard/wildcard.go MatchesGenerateName: Contains for ``*x*``, HasPrefix for
    ``x*``, else false (an empty generateName never matches a name given outright)."""
    if not generate_name:
        return False
    if pattern.startswith("*") and pattern.endswith("*"):
        return pattern.strip("*") in generate_name
    if pattern.endswith("*"):
        return generate_name.startswith(pattern[:-1])
    return False
