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

A ``Batch`` judges many subjects for one match: the Pods of one template in one namespace differ
only in their names and the labels a controller sets per pod (``PER_POD_LABELS``), so the match is
judged once per such family, and per pod only where it reads the name or a per-pod label and its
other parts did not already say no. Its answers are ``matches``'s on each subject.

What akscli cannot know before the object exists (a label value a controller computes, a
generated name's random part, a namespace it may not read) is reported as not known, never
assumed: a ``Match`` with ``matched`` None and what it depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from akscli.kube import label_selector, pod_names
from akscli.kube.selectors import DOES_NOT_EXIST, EXISTS, Requirement, SelectorError

ORIGINAL = "Original"
GENERATED = "Generated"
_SOURCES = ("All", ORIGINAL, GENERATED)  # mutator.go validSourceTypes
# The labels a controller sets on each Pod of one template apart (kubernetes/kubernetes
# staging/src/k8s.io/api/apps/v1/types.go DefaultDeploymentUniqueLabelKey, StatefulSetPodNameLabel,
# PodIndexLabel, ControllerRevisionHashLabelKey; staging/src/k8s.io/api/batch/v1/types.go
# JobCompletionIndexAnnotation, labelPrefix + "job-completion-index", set as a label too: the
# controllers' code akscli.kube.pod_labels cites): a Batch judges the rest once per template.
PER_POD_LABELS = frozenset(
    {
        "pod-template-hash",
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
        "controller-revision-hash",
        "batch.kubernetes.io/job-completion-index",
    }
)


@dataclass(frozen=True)
class Match:
    """matched: True, False, or None (not known here: ``unknown`` says on what)."""

    matched: bool | None
    unknown: str = ""


_YES = Match(True)
_NO = Match(False)


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
    return Matcher.read(match).matches(subject)


@dataclass(frozen=True)
class Matcher:
    """One ``spec.match``, read once (its selectors parsed), for Matches on many subjects."""

    kinds: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (apiGroups, kinds) per entry
    scope: str
    namespaces: tuple[str, ...]
    excluded: tuple[str, ...]
    source: str
    namespace_selector: _Selector
    label_selector: _Selector
    name: str

    @classmethod
    def read(cls, match: Mapping[str, Any]) -> Matcher:
        def strs(entry: Any, key: str) -> tuple[str, ...]:
            return tuple(str(v) for v in (entry or {}).get(key) or [])

        return cls(
            kinds=tuple((strs(e, "apiGroups"), strs(e, "kinds")) for e in match.get("kinds") or []),
            scope=str(match.get("scope") or ""),
            namespaces=strs(match, "namespaces"),
            excluded=strs(match, "excludedNamespaces"),
            source=str(match.get("source") or "All"),
            namespace_selector=_Selector.read(match.get("namespaceSelector")),
            label_selector=_Selector.read(match.get("labelSelector")),
            name=str(match.get("name") or ""),
        )

    @property
    def per_pod(self) -> bool:
        """Whether two Pods of one template in one namespace may be judged apart: it names the
        object (match.name), or its labelSelector reads a label a controller sets per pod."""
        return bool(self.name) or self.label_selector.reads(PER_POD_LABELS)

    def template_part(self) -> Matcher:
        """This match less match.name and the labelSelector's requirements on a per-pod label:
        every Pod of one template in one namespace meets it alike; where it says no, so does the
        whole match (Matches is the conjunction of its parts, a selector of its requirements)."""
        return replace(self, name="", label_selector=self.label_selector.keeping(lambda key: key not in PER_POD_LABELS))

    def pod_part(self) -> Matcher:
        """The rest: match.name and the labelSelector's requirements on a per-pod label. Where the
        template part says yes (no part unknown), the whole match says what this part says."""
        return Matcher(
            kinds=(),
            scope="",
            namespaces=(),
            excluded=(),
            source="All",
            namespace_selector=_Selector(False),
            label_selector=self.label_selector.keeping(lambda key: key in PER_POD_LABELS),
            name=self.name,
        )

    def matches(self, subject: Subject) -> Match:
        if not _kinds(self.kinds, subject) or not _scope(self.scope, subject):
            return _NO
        where = subject.name if subject.is_namespace else subject.namespace
        if where is not None:
            if self.namespaces and not any(glob_matches(n, where) for n in self.namespaces):
                return _NO
            if any(glob_matches(n, where) for n in self.excluded):
                return _NO
        if self.source not in _SOURCES:
            return _NO  # sourceMatch errs (ErrMatch): the webhook reports an error, it selects nothing
        if self.source != "All" and self.source != subject.source:
            return _NO
        # Each part is judged only while none has said no (a no is final, as Matches' early exit).
        unknown: list[str] = []
        for part in range(3):
            if part == 0:
                found = _namespace_selected(self.namespace_selector, subject)
            elif part == 1:
                found = self.label_selector.selected(subject.labels, subject.what)
            else:
                found = named(self.name, subject)
            if found.matched is False:
                return _NO
            if found.matched is None:
                unknown.append(found.unknown)
        return Match(None, "; ".join(unknown)) if unknown else _YES


class Batch:
    """Subjects judged together: the Pods of one template in one namespace (a StatefulSet's
    thousand) differ only in their names and the labels a controller sets per pod
    (PER_POD_LABELS), so a match is judged once per such family, and again per pod only where
    it reads a per-pod label or the name and its template part did not already say no. The
    answers are those of ``matches`` on each subject."""

    def __init__(self, subjects: Sequence[Subject]) -> None:
        self.subjects = tuple(subjects)
        self._families = tuple(_family(s) for s in self.subjects)

    def judge(self, match: Mapping[str, Any]) -> Callable[[int], Match]:
        """Matches of ``match`` for the subject at an index, each judged when asked."""
        matcher = Matcher.read(match)
        per_pod = matcher.per_pod
        template = matcher.template_part() if per_pod else matcher
        pod = matcher.pod_part()
        memo: dict[Hashable, Match] = {}

        def verdict(index: int) -> Match:
            subject, family = self.subjects[index], self._families[index]
            found = memo.get(family)
            if found is None:
                found = memo[family] = template.matches(subject)
            if not per_pod or found.matched is False:
                return found
            return (pod if found.matched else matcher).matches(subject)

        return verdict

    def matches(self, match: Mapping[str, Any]) -> list[Match]:
        verdict = self.judge(match)
        return [verdict(i) for i in range(len(self.subjects))]


def _family(subject: Subject) -> Hashable:
    """What Matches reads of ``subject`` but its name (a Namespace's excepted: its name is where it
    is) and its per-pod labels."""
    labels = subject.labels
    return (
        subject.group,
        subject.kind,
        subject.namespace,
        subject.name if subject.is_namespace else "",
        None if labels is None else frozenset((k, v) for k, v in labels.items() if k not in PER_POD_LABELS),
        subject.source,
        None if subject.namespace_labels is None else frozenset(subject.namespace_labels.items()),
        subject.what,
    )


def _kinds(kinds: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...], subject: Subject) -> bool:
    for groups, names in kinds:
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


@dataclass(frozen=True)
class _Selector:
    """A metav1.LabelSelector read once: ``present`` False for nil (matches), ``bad`` for one
    LabelSelectorAsSelector cannot read, else its requirements."""

    present: bool
    bad: bool = False
    found: tuple[Requirement, ...] = ()

    @classmethod
    def read(cls, value: Any) -> _Selector:
        if not isinstance(value, Mapping):
            return cls(False)
        try:
            return cls(True, found=tuple(label_selector.requirements(value) or []))
        except SelectorError:
            return cls(True, bad=True)

    def reads(self, keys: frozenset[str]) -> bool:
        return any(r.key in keys for r in self.found)

    def keeping(self, wanted: Callable[[str], bool]) -> _Selector:
        """The selector with the requirements on the keys ``wanted`` says yes to (a bad one stays bad)."""
        return replace(self, found=tuple(r for r in self.found if wanted(r.key)))

    def selected(self, labels: Mapping[str, str | None] | None, what: str) -> Match:
        """labelSelectorMatch / namespaceSelectorMatch: no selector (nil) matches; else metav1's
        LabelSelectorAsSelector(selector).Matches(labels) on the labels the object carries at
        admission. A selector it cannot read makes Matches an error (ErrMatch), which akscli does
        not predict: the webhook decides. A label whose value a controller computes (``None``:
        akscli.kube.pod_labels) meets Exists and fails DoesNotExist; any other requirement on it
        is not known, and neither is any requirement where the labels were not read (``labels``
        None)."""
        if not self.present:
            return _YES
        if self.bad:
            return _NO
        if labels is None:
            return Match(None, f"{what}, which akscli could not read")
        known = {k: v for k, v in labels.items() if v is not None}
        unknown: list[str] = []
        for req in self.found:
            if req.key in labels and labels[req.key] is None:
                if req.operator == DOES_NOT_EXIST:
                    return _NO
                if req.operator != EXISTS:
                    unknown.append(req.key)
            elif not req.matches(known):
                return _NO
        if unknown:
            keys = ", ".join(sorted(set(unknown)))
            return Match(None, f"the value of label {keys}, which a controller sets when it makes the pod")
        return _YES


def _namespace_selected(selector: _Selector, subject: Subject) -> Match:
    if not selector.present:
        return _YES
    if subject.is_namespace:
        return selector.selected(subject.labels, "the namespace's labels")
    if subject.namespace is None:
        return _YES  # "Match all non-Namespace cluster-scoped objects."
    return selector.selected(subject.namespace_labels, f"the labels of namespace {subject.namespace}")


def selected(selector: Mapping[str, Any] | None, labels: Mapping[str, str | None] | None, what: str) -> Match:
    """``_Selector.selected`` for a selector as written."""
    return _Selector.read(selector).selected(labels, what)


def named(pattern: str, subject: Subject) -> Match:
    """namesMatch: no name matches, and so does ``*`` (any name); a known name is a wildcard match
    (or its generateName, by MatchesGenerateName); a generated one as akscli.kube.pod_names says."""
    if not pattern:
        return _YES
    if pattern in ("*", "**"):
        # wildcard.go Matches: strings.Contains(name, "") (both ends trimmed of one "*"): any name,
        # however it is made
        return _YES
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
