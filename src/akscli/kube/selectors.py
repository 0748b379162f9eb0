"""Label and field selectors, read as the API server reads them, so that akscli refuses a bad
-l before it is sent and means by a good one what the server means.

A port of kubernetes/apimachinery at kubernetes-1.32.0 (59e9003f), the grammar of the oldest
Kubernetes version AKS supports (``GRAMMAR_VERSION``):

- pkg/labels/selector.go: the Lexer (Lex, scanIDOrKeyword, scanSpecialSymbol), the Parser
  (parse, parseRequirement, parseKeyAndInferOperator, parseOperator, parseValues,
  parseIdentifiersList, parseExactValue), NewRequirement, Requirement.Matches and String;
- pkg/util/validation/validation.go: IsQualifiedName (a label key) and IsValidLabelValue, in
  ``akscli.kube.label_validation``;
- pkg/fields/selector.go: ParseSelector (splitTerms, splitTerm, UnescapeValue) and EscapeValue.

Each error keeps upstream's text (``SelectorError.message``: what the API server answers, with
status 400) and says which part of the selector is wrong (``problem``) for akscli's one line.
Plain Python: no kubernetes client, no typer.

Which version's grammar: the oldest AKS supports, not the server's. 1.33 and 1.34 read labels as
1.32 does; 1.35 (apimachinery 65de33d3) also accepts a set ending in two commas, ``x in (a,,)``,
and words some messages otherwise (3d653663: "bytes", "a valid label key"). So the oldest
version's grammar is the one every supported server accepts: a selector it passes, no server
refuses. What it refuses and 1.35 accepts is only ``,,)``, whose values ``(a,)`` spells for every
server; that refusal says so. Following the server instead would need GET /version before -l is
checked (akscli reads it nowhere, and checks every value before it sends anything), and the
fleet's selectors become LabelSelectors on the client, for whichever server. Raise
GRAMMAR_VERSION when the oldest supported AKS version moves past 1.34 (AKS LTS: 1.34 until Nov
2027; MicrosoftDocs/azure-aks-docs articles/aks/supported-kubernetes-versions.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from akscli.kube.label_validation import label_key_errors, label_value_errors

GRAMMAR_VERSION = "1.32"

# upstream: k8s.io/apimachinery/pkg/selection/operator.go
DOES_NOT_EXIST, EQUALS, DOUBLE_EQUALS, IN, NOT_EQUALS, NOT_IN, EXISTS, GT, LT = (
    "!",
    "=",
    "==",
    "in",
    "!=",
    "notin",
    "exists",
    "gt",
    "lt",
)
_BINARY = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GT, LT)

# The Lexer's tokens (selector.go string2token); an identifier is any other run of characters.
_IDENT, _END, _ERROR = "identifier", "end of string", "error"
_TOKENS = {")": ")", ",": ",", "!": "!", "==": "==", "=": "=", ">": ">", "in": "in", "<": "<", "!=": "!="}
_TOKENS.update({"notin": "notin", "(": "("})
_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
_OPERATOR_OF = {"in": IN, "=": EQUALS, "==": DOUBLE_EQUALS, ">": GT, "<": LT, "notin": NOT_IN, "!=": NOT_EQUALS}

LABEL_FORM = (
    "write KEY=VALUE, KEY==VALUE, KEY!=VALUE, 'KEY in (V1,V2)', 'KEY notin (V1,V2)', KEY (has it) "
    "or !KEY (has it not), joined by ',' (all must hold), e.g. -l 'app=web,env in (prod,staging)'"
)
KEY_FORM = "a key is [PREFIX/]NAME: NAME at most 63 letters, digits, '-', '_' or '.', PREFIX a DNS subdomain"
VALUE_FORM = (
    "a value is empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
)
REQUIREMENT_FORM = "In and NotIn take one or more values, Exists and DoesNotExist none, Gt and Lt one whole number"
FIELD_FORM = (
    "write FIELD=VALUE, FIELD==VALUE or FIELD!=VALUE, joined by ','; "
    "write '\\,', '\\=' and '\\\\' for a ',', '=' or '\\' in a value, e.g. spec.nodeName=aks-gpu-0"
)


class SelectorError(ValueError):
    """A selector the API server refuses. ``message``: upstream's text, as the server answers it
    (400 BadRequest); ``problem``: the same, naming the part of the selector that is wrong;
    ``hint``: the accepted form; ``errors``: the messages ``message`` aggregates (itself where it
    is one error), which an enclosing aggregate flattens (util/errors aggregate.visit)."""

    def __init__(self, message: str, problem: str, hint: str, *, errors: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message, self.problem, self.hint = message, problem, hint
        self.errors = errors or (message,)


def go_quote(text: str) -> str:
    """Go's %q of a printable string (field.Invalid's bad value)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class Requirement:
    """One requirement of a label selector: ``operator`` is upstream's selection.Operator
    ("=", "==", "!=", "in", "notin", "exists", "!", "gt", "lt"); ``values`` as NewRequirement
    got them (the parser's sorted, without repeats: it reads them into a sets.String)."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """upstream: selector.go Requirement.Matches."""
        return _matcher(self)(labels)

    def __str__(self) -> str:
        """upstream: selector.go Requirement.String."""
        if self.operator in (EXISTS, DOES_NOT_EXIST):
            return ("!" if self.operator == DOES_NOT_EXIST else "") + self.key
        joined = ",".join(sorted(self.values))  # safeSort
        if self.operator in (IN, NOT_IN):
            return f"{self.key} {self.operator} ({joined})"
        return f"{self.key}{ {GT: '>', LT: '<'}.get(self.operator, self.operator) }{joined}"


def _lex(text: str) -> list[tuple[str, str]]:
    """upstream: selector.go Lexer.Lex, run to the end (Parser.scan)."""
    items: list[tuple[str, str]] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= n:
            items.append((_END, ""))
            return items
        if text[pos] in _SPECIAL:
            # scanSpecialSymbol: the longest run of special characters that is a token
            buffer, last = "", None
            while pos < n and text[pos] in _SPECIAL:
                buffer += text[pos]
                if buffer in _TOKENS:
                    last = (_TOKENS[buffer], buffer)
                elif last is not None:
                    break
                pos += 1
            items.append(last or (_ERROR, f"error expected: keyword found '{buffer}'"))
            continue
        start = pos
        while pos < n and text[pos] not in _SPECIAL and text[pos] not in _WHITESPACE:
            pos += 1
        word = text[start:pos]
        items.append((_TOKENS.get(word, _IDENT), word))


class _Parser:
    """upstream: selector.go Parser; the "Values" context reads in and notin as identifiers."""

    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.position = 0

    def lookahead(self, values: bool = True) -> tuple[str, str]:
        tok, lit = self.items[self.position]
        return (_IDENT if values and tok in ("in", "notin") else tok), lit

    def consume(self, values: bool = True) -> tuple[str, str]:
        found = self.lookahead(values)
        self.position += 1
        return found

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            tok, lit = self.lookahead()
            if tok == _END:
                return requirements
            if tok not in (_IDENT, "!"):
                raise _syntax(f"found '{lit}', expected: !, identifier, or 'end of string'", "at the start")
            requirements.append(self.requirement())
            read = f"after '{requirements[-1]}'"
            tok, lit = self.consume()
            if tok == _END:
                return requirements
            if tok != ",":
                raise _syntax(f"found '{lit}', expected: ',' or 'end of string'", read)
            tok, lit = self.lookahead()
            if tok not in (_IDENT, "!"):
                raise _syntax(f"found '{lit}', expected: identifier after ','", f"after '{requirements[-1]},'")

    def requirement(self) -> Requirement:
        """parseRequirement: its errors are wrapped in "unable to parse requirement: "."""
        key, operator = self.key_and_inferred_operator()
        if operator in (EXISTS, DOES_NOT_EXIST):
            return Requirement(key, operator)
        tok, lit = self.consume(values=False)
        if tok not in _OPERATOR_OF:
            raise _requirement(f"found '{lit}', expected: {', '.join(_BINARY)}", f"after key {key!r}")
        operator = _OPERATOR_OF[tok]
        values = self.set_values(key, tok) if operator in (IN, NOT_IN) else self.exact_value(key)
        # upstream passes field.WithPath(p.path), a nil path: "values[0]"; the key was checked above
        try:
            return new_requirement(key, operator, sorted(values))
        except SelectorError as exc:
            raise SelectorError(f"unable to parse requirement: {exc.message}", exc.problem, exc.hint) from None

    def key_and_inferred_operator(self) -> tuple[str, str]:
        operator = ""
        tok, lit = self.consume()
        if tok == "!":
            operator = DOES_NOT_EXIST
            tok, lit = self.consume()
        if tok != _IDENT:
            raise _requirement(f"found '{lit}', expected: identifier", "where a key goes")
        if errs := label_key_errors(lit, GRAMMAR_VERSION):
            detail = "; ".join(errs)
            raise SelectorError(
                f"unable to parse requirement: <nil>: Invalid value: {go_quote(lit)}: {detail}",
                f"key {lit!r}: {_short(detail)}",
                KEY_FORM + ", e.g. app or example.com/team",
            )
        if self.lookahead()[0] in (_END, ","):
            operator = operator or EXISTS
        return lit, operator

    def set_values(self, key: str, op: str) -> set[str]:
        tok, lit = self.consume()
        if tok != "(":
            raise _requirement(f"found '{lit}' expected: '('", f"after '{key} {op}'")
        tok, lit = self.lookahead()
        if tok in (_IDENT, ","):
            values = self.identifiers_list(key)
            if self.consume()[0] != ")":
                raise _requirement(f"found '{lit}', expected: ')'", f"in the values of {key!r}")
            return values
        if tok == ")":
            self.consume()
            return {""}
        raise _requirement(f"found '{lit}', expected: ',', ')' or identifier", f"in the values of {key!r}")

    def identifiers_list(self, key: str) -> set[str]:
        values: set[str] = set()
        while True:
            tok, lit = self.consume()
            if tok == _IDENT:
                values.add(lit)
                tok2, lit2 = self.lookahead()
                if tok2 == ",":
                    continue
                if tok2 == ")":
                    return values
                raise _requirement(f"found '{lit2}', expected: ',' or ')'", f"after the value {lit!r}")
            if tok == ",":
                if not values:
                    values.add("")  # "(,"
                tok2 = self.lookahead()[0]
                if tok2 == ")":
                    values.add("")  # ",)"
                    return values
                if tok2 == ",":
                    # ",,": kubernetes-1.32.0 consumes the second comma, so "(a,,)" is refused
                    # until 1.35 (kubernetes/apimachinery 65de33d3 dropped that consume)
                    self.consume()
                    values.add("")
                    if self.lookahead()[0] == ")":
                        raise SelectorError(
                            "unable to parse requirement: found ')', expected: ',', or identifier",
                            f"in the values of {key!r}: ',,)' (API servers before 1.35 refuse it)",
                            f"end the set with one comma for an empty value, e.g. '{key} in (a,)': "
                            "every server reads that alike",
                        )
                continue
            raise _requirement(f"found '{lit}', expected: ',', or identifier", "in a list of values")

    def exact_value(self, key: str) -> set[str]:
        if self.lookahead()[0] in (_END, ","):
            return {""}
        tok, lit = self.consume()
        if tok == _IDENT:
            return {lit}
        raise _requirement(f"found '{lit}', expected: identifier", f"where the value of {key!r} goes")


def _short(detail: str) -> str:
    """Upstream's detail without its examples and regex (akscli's hint gives the form)."""
    return re.sub(r" \(e\.g\. [^;]*?regex used for validation is '[^']*'\)", "", detail)


def _syntax(message: str, where: str) -> SelectorError:
    """An error of Parser.parse (upstream's text as it is), ``where``: after what was read."""
    return SelectorError(message, f"{where}: {message}", LABEL_FORM)


def _requirement(message: str, where: str) -> SelectorError:
    """An error of Parser.parseRequirement, which upstream wraps."""
    return SelectorError(f"unable to parse requirement: {message}", f"{where}: {message}", LABEL_FORM)


def go_strings(values: Sequence[str] | None) -> str:
    """Go's %#v of a []string: field.Invalid's bad value when it is a list (field/errors.go
    ErrorBody); a nil slice is ``[]string(nil)``."""
    if values is None:
        return "[]string(nil)"
    return "[]string{" + ", ".join(go_quote(v) for v in values) + "}"


def _child(path: str, name: str) -> str:
    """field.Path Child: "" is a nil path."""
    return f"{path}.{name}" if path else name


def _invalid(where: str, values: Sequence[str] | None, message: str) -> str:
    return f"{where}: Invalid value: {go_strings(values)}: {message}"


def new_requirement(key: str, operator: str, values: Sequence[str] | None, path: str = "") -> Requirement:
    """upstream: selector.go NewRequirement (kubernetes-1.32.0): the key a qualified name, as many
    values as the operator takes (In and NotIn one or more, =, == and != one, Exists and
    DoesNotExist none, Gt and Lt one integer), and each value a label value; its errors are
    aggregated. ``path``: the field.Path of field.WithPath ("" for none). ``values`` None is a nil
    slice (its error prints ``[]string(nil)``). The Requirement keeps the values as given (the
    parser gives them sorted, without repeats)."""
    vals = list(values or [])
    errs: list[tuple[str, str]] = []
    where = _child(path, "values")
    if problems := label_key_errors(key, GRAMMAR_VERSION):
        detail = "; ".join(problems)
        text = f"{_child(path, 'key')}: Invalid value: {go_quote(key)}: {detail}"
        errs.append((text, f"key {key!r}: {_short(detail)}"))
    if operator in (IN, NOT_IN) and not vals:
        message = "for 'in', 'notin' operators, values set can't be empty"
        errs.append((_invalid(where, values, message), f"{key!r} {operator} has no values"))
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS) and len(vals) != 1:
        message = "exact-match compatibility requires one single value"
        errs.append((_invalid(where, values, message), f"{key!r} {operator} needs exactly one value"))
    elif operator in (EXISTS, DOES_NOT_EXIST) and vals:
        message = "values set must be empty for exists and does not exist"
        errs.append((_invalid(where, values, message), f"{key!r} {operator} takes no values"))
    elif operator in (GT, LT):
        if len(vals) != 1:
            message = "for 'Gt', 'Lt' operators, exactly one value is required"
            errs.append((_invalid(where, values, message), f"{key!r} {operator} needs exactly one value"))
        errs += [
            (
                f"{where}[{i}]: Invalid value: {go_quote(v)}: for 'Gt', 'Lt' operators, the value must be an integer",
                f"{v!r} is no whole number, which {'>' if operator == GT else '<'} compares",
            )
            for i, v in enumerate(vals)
            if not re.fullmatch(r"[+-]?[0-9]+", v) or not -(2**63) <= int(v) < 2**63
        ]
    for i, value in enumerate(vals):
        if problems := label_value_errors(value, GRAMMAR_VERSION):
            detail = "; ".join(problems)
            errs.append(
                (
                    f"{where}[{i}][{key}]: Invalid value: {go_quote(value)}: {detail}",
                    f"value {value!r} of {key!r}: {_short(detail)}",
                )
            )
    if errs:
        # an aggregate of one is its error; of more, "[e1, e2]" (util/errors aggregate.Error)
        text = errs[0][0] if len(errs) == 1 else "[" + ", ".join(e for e, _ in errs) + "]"
        problem = errs[0][1]
        if problem.startswith("value "):
            hint = VALUE_FORM
        elif problem.startswith("key "):
            hint = KEY_FORM + ", e.g. app or example.com/team"
        elif " is no whole number" in problem:
            hint = "compare with a whole number, e.g. -l 'gpu-count>1'"
        else:
            hint = REQUIREMENT_FORM
        raise SelectorError(text, problem, hint, errors=tuple(e for e, _ in errs))
    return Requirement(key, operator, tuple(vals))


def parse_labels(text: str) -> list[Requirement]:
    """upstream: selector.go Parse: the requirements, sorted by key; SelectorError as the API
    server refuses the selector. An empty or blank selector selects everything ([])."""
    requirements = _Parser(text).parse()
    return sorted(requirements, key=lambda r: r.key)


def labels_string(requirements: Sequence[Requirement]) -> str:
    """upstream: selector.go internalSelector.String."""
    return ",".join(str(r) for r in requirements)


LabelMatcher = Callable[[Mapping[str, str]], bool]


def _matcher(req: Requirement) -> LabelMatcher:
    """upstream: selector.go Requirement.Matches, as one function of the labels (an emulator
    matches a selector against a million pods)."""
    key, values = req.key, frozenset(req.values)
    if req.operator in (IN, EQUALS, DOUBLE_EQUALS):
        if len(req.values) == 1:
            value = req.values[0]
            return lambda labels: labels.get(key) == value
        return lambda labels: key in labels and labels[key] in values
    if req.operator in (NOT_IN, NOT_EQUALS):
        return lambda labels: key not in labels or labels[key] not in values
    if req.operator == EXISTS:
        return lambda labels: key in labels
    if req.operator == DOES_NOT_EXIST:
        return lambda labels: key not in labels
    want, greater = int(req.values[0]), req.operator == GT

    def compare(labels: Mapping[str, str]) -> bool:
        # a value that is no int64 matches neither (strconv.ParseInt fails)
        if key not in labels or not re.fullmatch(r"[+-]?[0-9]+", labels[key]):
            return False
        have = int(labels[key])
        return (have > want if greater else have < want) and -(2**63) <= have < 2**63

    return compare


def labels_matcher(requirements: Sequence[Requirement]) -> LabelMatcher:
    """One function of the labels that holds where every requirement does (a selector's ',')."""
    matchers = [_matcher(r) for r in requirements]
    if len(matchers) == 1:
        return matchers[0]
    return lambda labels: all(m(labels) for m in matchers)


def labels_match(requirements: Sequence[Requirement], labels: Mapping[str, str]) -> bool:
    return labels_matcher(requirements)(labels)


# ---- field selectors (upstream: pkg/fields/selector.go) --------------------------------------


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    operator: str  # "=", "==" or "!="
    value: str  # unescaped

    def matches(self, value: str) -> bool:
        return (value == self.value) != (self.operator == NOT_EQUALS)


def escape_field_value(value: str) -> str:
    """upstream: fields/selector.go EscapeValue: '\\', ',' and '=' escaped with a backslash."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _split_terms(text: str) -> list[str]:
    terms, start, in_slash = [], 0, False
    for i, char in enumerate(text):
        if in_slash:
            in_slash = False
        elif char == "\\":
            in_slash = True
        elif char == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms if text else []


def _unescape(value: str, term: str) -> str:
    out, in_slash = [], False
    for char in value:
        if in_slash:
            if char not in "\\,=":
                message = f"invalid field selector: invalid escape sequence: \\{char}"
                raise SelectorError(message, f"'\\{char}' in {term!r} is no escape", FIELD_FORM)
            out.append(char)
            in_slash = False
        elif char == "\\":
            in_slash = True
        elif char in ",=":
            # Go prints the rune with %v: its number
            message = f"invalid field selector: unescaped character in value: {ord(char)}"
            raise SelectorError(message, f"the value in {term!r} has a bare {char!r}", FIELD_FORM)
        else:
            out.append(char)
    if in_slash:
        message = "invalid field selector: invalid escape sequence: \\"
        raise SelectorError(message, f"{term!r} ends in a lone '\\'", FIELD_FORM)
    return "".join(out)


def parse_fields(text: str) -> list[FieldRequirement]:
    """upstream: fields/selector.go ParseSelector: terms split on unescaped commas and sorted,
    each split at its first '!=', '==' or '=' (no spaces trimmed: "a = b" is field "a " and
    value " b"); empty terms skipped."""
    found = []
    for term in sorted(_split_terms(text)):
        if not term:
            continue
        at = next(
            ((i, op) for i in range(len(term)) for op in ("!=", "==", "=") if term.startswith(op, i)),
            None,
        )
        if at is None:
            message = f"invalid selector: '{text}'; can't understand '{term}'"
            raise SelectorError(message, f"{term!r} has no '=', '==' or '!='", FIELD_FORM)
        i, op = at
        found.append(FieldRequirement(term[:i], EQUALS if op == "==" else op, _unescape(term[i + len(op) :], term)))
    return found
