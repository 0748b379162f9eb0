"""What akscli writes about a failure (error lines, --debug tracebacks, the request log, the audit
log's result) with credentials and the values of the Secrets it handled taken out.

Two kinds of text are hidden:

* credentials by their shape: ``Bearer``/``Basic`` values, credential headers and JWTs, whatever
  raised them (http.client's "Invalid header value b'Bearer ...'", a library that echoes its
  headers), a URL's password, and tokens of a published format (``hf_``, ``ghp_``, ``sk-``, a
  SAS's ``sig=``: hide_tokens) wherever they stand;
* the values of every v1 Secret this process sent or read (``remember_secret``): a server's or a
  webhook's answer may quote the object it refuses (a policy webhook's "value X is not allowed"),
  and kubectl prints such an answer as it came. The Kubernetes API server itself never quotes a
  Secret's value in a validation error (upstream: kubernetes/kubernetes
  pkg/apis/core/validation/validation.go ValidateSecret, ``field.Invalid(...,
  "<secret contents redacted>", ...)``); akscli holds every answer to that rule, and prints
  kubectl diff's mask (upstream: kubernetes/kubectl pkg/cmd/diff/diff.go, sensitiveMaskDefault
  ``***``) where a value stood.

Plain functions over plain text: the output layer and the error and audit writers call them.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Mapping
from typing import Any

from akscli.placeholder_words import PROSE_AFTER_FLAG, is_placeholder
from akscli.redact_fields import HEADER_MARKS as _HEADER_MARKS
from akscli.redact_fields import NAME_MARKS as _NAME_MARKS
from akscli.redact_fields import hidden as _hidden
from akscli.redact_fields import hide_field_values
from akscli.redact_fields import holds_any as _holds_any
from akscli.redact_fields import names_a_secret as _names_a_secret

MASK = "***"
# Shorter values are not hidden: "true", "1" or "key" would be masked in every word of every
# message; a credential is longer than this.
MIN_HIDDEN = 6

_known: set[str] = set()
# The same values, longest first (a longer value is replaced before a part of it, so its lines stay
# hidden), kept in that order as values are remembered: a stderr line then costs no sort. A tuple,
# swapped whole under the lock, so a reader never sees it half-built.
_longest_first: tuple[str, ...] = ()
_lock = threading.Lock()

# Pattern strings, so re's own cache compiles them on the first error, not on every start
# (validate.py's rule; tests/foundation/test_startup.py).
_QUOTED_CREDENTIAL = r"""(?s)b?(['"])([Bb]earer|Basic)\s.*?\1"""
_CREDENTIAL = r"""\b([Bb]earer|Basic)\s+[^\s'"]+"""
_HEADER = (
    r"""(?i)(['"]?\b(?:authorization|proxy-authorization|cookie|x-api-key|api-key)['"]?\s*[:=]\s*)"""
    r"""("[^"]*"|'[^']*'|\S+)"""
)
_JWT = r"\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*"
# A URL's password (scheme://user:password@host): hidden as Go's url.URL.Redacted() hides it, the user
# name kept (upstream: golang/go src/net/url/url.go Redacted, ``ru.User = UserPassword(ru.User.Username(),
# "xxxxx")``), with akscli's mask. The user information runs to the authority's last "@" and the user
# name to its first ":" (url.go parseAuthority ``strings.LastIndex(authority, "@")``, validUserinfo
# takes "@"; urllib.parse's urlsplit also rpartitions), so a password with an "@" in it is hidden whole.
_URL_PASSWORD = r"""(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:'"]*:)[^/\s'"]+@"""
# A URL's query parameter named like a secret (?token=, &api_key=, access_token=): its value, less
# the punctuation of the sentence the URL ends ("(see URL?token=T), then" keeps its "),").
_URL_SECRET_PARAM = r"""([?&])([A-Za-z0-9_.-]+)=([^&#\s'"]+?)(?=[).,;:!]*(?:[&#\s'"]|$))"""
# Query parameters that are credentials by name though no secret word is in it, hidden whatever their
# length: a SAS's signature (upstream: Azure/azure-sdk-for-python
# sdk/storage/azure-storage-blob/azure/storage/blob/_shared/shared_access_signature.py,
# QueryStringConstants.SIGNED_SIGNATURE "sig"), and the OAuth grant parameters msal names as credentials
# (upstream: AzureAD/microsoft-authentication-library-for-python msal/token_cache.py, the comments of
# _EXT_CACHE_KEY_EXCLUDED_FIELDS: "code", "code_verifier", "device_code", "assertion", "client_assertion";
# an authorization code reaches a redirect URL's query, msal/oauth2cli/authcode.py), and a signed URL's
# signature (X-Amz-Signature, X-Goog-Signature). Compared in lower case.
_CREDENTIAL_PARAMS = frozenset(
    {
        "sig",
        "code",
        "code_verifier",
        "device_code",
        "assertion",
        "client_assertion",
        "x-amz-signature",
        "x-goog-signature",
    }
)

# A credential by its published shape, hidden wherever it stands in a server's answer (an object
# read from the cluster, a log line that quotes one), though akscli never saw it sent:
# - Hugging Face user access tokens, ``hf_`` and letters (huggingface.co/docs/hub/security-tokens;
#   gitleaks/gitleaks cmd/generate/config/rules/huggingface.go ``hf_(?i:[a-z]{34})``, and the
#   deprecated organization tokens ``api_org_``); digits allowed, 20 characters or more;
# - GitHub's tokens, a type prefix and 36 base62 characters, the last six a CRC32 checksum
#   (github.blog 2021-04-05 "Behind GitHub's new authentication token formats": ghp_ personal,
#   gho_ OAuth, ghu_ user-to-server, ghs_ server-to-server, ghr_ refresh; gitleaks
#   cmd/generate/config/rules/github.go ``ghp_[0-9a-zA-Z]{36}``), and fine-grained ``github_pat_``;
# - OpenAI (``sk-``, ``sk-proj-``, ``sk-svcacct-``, ``sk-admin-``: gitleaks
#   cmd/generate/config/rules/openai.go) and Anthropic keys (``sk-ant-api03-``, ``sk-ant-admin01-``:
#   cmd/generate/config/rules/anthropic.go), base62 or base64url with upper case letters and
#   digits; after a vendor's own prefix (``sk-proj-``, ``sk-svcacct-``, ``sk-admin-``, ``sk-ant-api03-``,
#   ``sk-ant-admin01-``, and the OAuth ``sk-ant-oat01-``/``sk-ant-ort01-`` of anthropic.go, "40 or
#   more" of ``[a-zA-Z0-9_-]``) 32 key characters of any case (gitleaks' own Anthropic example is
#   lower case but its last two letters); a bare ``sk-`` and one unbroken run of 32 or more lower-case
#   letters and digits, both present (DeepSeek's ``sk-`` and 32 hex digits: betterleaks/betterleaks
#   cmd/generate/config/rules/deepseek.go ``sk-[a-f0-9]{32}``). A Kubernetes name (lower case, words
#   joined by "-": kubernetes/apimachinery IsDNS1123Subdomain) such as ``sk-learn-train-20260101`` is
#   none of them;
# - AWS access key IDs (AKIA, ASIA: the AWS STS API reference, GetAccessKeyInfo);
# - Azure: a SAS token's signature ``sig=`` (an HMAC-SHA256, Base64 and URL-encoded:
#   learn.microsoft.com/rest/api/storageservices/create-service-sas, "Specify the signature"), a
#   connection string's ``AccountKey=``, ``SharedAccessKey=``, ``SharedAccessSignature=`` (their
#   names kept, as url_credentials keeps a parameter's), a storage account key (64 bytes, Base64);
# - a JWT (an Entra access token, a service account token): three base64url parts, the first a JSON
#   header (``eyJ`` is ``{"`` in base64); Azure CLI redacts it in its output by the same opening
#   (Azure/azure-cli src/azure-cli-core/azure/cli/core/credential_helper.py CredentialType.JWT_TOKEN,
#   ``(?:eyJ0eXAi|eyJhbGci)[\w\-.~+/%]*``: a header that starts with "typ" or "alg");
# - a PEM private key, from its BEGIN line to its END line.
# The same shapes akscli.secret_words.looks_secret reads in a value a user gives; here they are cut
# out of running text, so each is bounded by what cannot continue it.
_TOKEN = (
    r"(?<![\w-])(?:hf_[A-Za-z0-9]{20,}|api_org_[A-Za-z]{34}|(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}"
    r"|github_pat_\w{22,}|sk-(?=[\w-]*[A-Z])(?=[\w-]*[0-9])[\w-]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|sk-(?:proj|svcacct|admin|ant-(?:api03|admin01|oat01|ort01))-[\w-]{32,}"
    r"|sk-(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])[a-z0-9]{32,}|eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*)(?![\w-])"
    r"|(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}=="
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
)
_TOKEN_VALUE = r"(?<![\w-])(sig|AccountKey|SharedAccessKey|SharedAccessSignature)=([^;&\s'\"]{8,})"
# Each shape's fixed part, the one a text must hold for the patterns above to be read at all.
_TOKEN_MARKS = (
    "hf_",
    "eyJ",
    "api_org_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "sk-",
    "AKIA",
    "ASIA",
    "==",
    "PRIVATE KEY",
    "sig=",
    "Key=",
    "Signature=",
)

# A value a server's answer gives under a secret's name (akscli.secret_words.holds_secret: password,
# token, client_secret, api-key, AccountKey; not ``secretName=db-creds`` nor ``tokenFile=/var/t``), in
# the forms an answer quotes a configuration or a request:
# - ``NAME=VALUE`` (a flag ``--password=VALUE`` too): a libpq connection string's ``password=...``
#   (postgresql.org/docs/current/libpq-connect.html, 34.1.1.1 "Keyword/Value Connection Strings"),
#   an ADO.NET one's ``Password=...;`` (learn.microsoft.com/dotnet/api/
#   system.data.sqlclient.sqlconnection.connectionstring), an env assignment in a command line, a query;
#   a quoted value (``password='a b'``) whole, else up to a space, ``;``, ``&``, ``,`` or a quote;
# - a quoted name and a string: ``"password": "VALUE"`` (JSON), ``'password': 'VALUE'`` (a Python
#   dict's repr), ``\"password\":\"VALUE\"`` (JSON inside a JSON string: a Status message or an
#   ARM error's message that quotes a request body);
# - a credential header, as an answer or a library echoes a request: ``Authorization`` and
#   ``Proxy-Authorization`` with a Bearer, Basic or Negotiate scheme kept, as client-go's debug
#   log masks them (kubernetes/client-go transport/round_trippers.go maskValue: "Bearer <masked>",
#   another scheme's value whole where it is quoted), Azure OpenAI's ``api-key``
#   (learn.microsoft.com/azure/ai-services/openai/reference, "API key authentication"), the Azure
#   AI services' ``Ocp-Apim-Subscription-Key`` (learn.microsoft.com/azure/ai-services/authentication)
#   and ``X-Api-Key``.
# A placeholder is no value and stays (akscli.placeholder_words.is_placeholder): an upper-case word
# that names what goes there (``--token=TOKEN``; not ``HUNTER22``), ``$VAR``, ``<...>``, ``***``, a
# number or a boolean (``automountServiceAccountToken=false``).
_ASSIGNED = (
    r"""(?<![\w.-])(-{0,2}[A-Za-z_][\w.-]*)="""
    r"""(?:(["'])(.*?)\2|([^\s;&,'"]+?)(?=[;&,'"]|[).,:!\]}]*(?:\s|$)))"""
)
_QUOTED_NAME = r"""(\\?["'])([A-Za-z_][\w.-]*)\1\s*:\s*(\\?["'])(.*?)(?<!\\)\3"""
# A Go struct's field as %#v prints it, its name bare and no space after the colon (a field error's
# value where json.Marshal fails: ``v1.DB{Host:"h", Password:"x"}``; Go's fmt/print.go printValue).
_GO_FIELD = r"""(?<![\w.:/-])([A-Za-z_]\w*):(\\?")(.*?)(?<!\\)\2"""
# A Kubernetes env entry, or an exec plugin's (kubernetes/api core/v1/types.go EnvVar; kubernetes/
# client-go tools/clientcmd/api/v1/types.go ExecEnvVar: Name, Value), as JSON quotes it or Go's %#v
# prints it (``Name:"HF_TOKEN", Value:"..."``): the value of a secret-named one.
_ENV_ENTRY = (
    r"""(?i)(\\?["']?)name\1\s*:\s*(\\?["'])([\w.-]+)\2\s*,\s*(\\?["']?)value\4\s*:\s*(\\?["'])(.*?)(?<!\\)\5"""
)
_CREDENTIAL_HEADER = (
    r"""(?i)(?<![\w-])((?:proxy-)?authorization|x-api-key|api-key|ocp-apim-subscription-key)(['"]?\s*[:=]\s*)"""
    r"""(?:(["'])(?:(bearer|basic|negotiate)\s+)?(.*?)\3"""
    r"""|(?:(bearer|basic|negotiate|sharedkeylite|sharedkey)\s+)?([^\s'",;]+))"""
)
# A YAML mapping's line, as an answer quotes a values file or a ConfigMap's data
# (``password: hunter2``, ``  - client_secret: "x"``): the value of a secret-named key, to the line's
# end or a comment (yaml.org/spec/1.2.2 7.3.3 "Plain Style": a plain scalar runs to `` #``). A value
# that opens a block scalar, an alias, a tag, a flow collection or a quote left open is no value here.
_YAML_LINE = (
    r"""(?m)^([ \t]*(?:-[ \t]+)?)([A-Za-z_][\w.-]*)[ \t]*:[ \t]+"""
    r"""(?:(["'])(.*?)\3|([^\s#'"|>&*!{\[][^\n]*?))[ \t]*(?:[ \t]#[^\n]*)?$"""
)
# A line of a properties, INI, TOML or env file, as a ConfigMap's data holds one and an answer quotes
# it: ``password = hunter2``, ``db.password = "a b"`` (a space on a side of ``=``, as INI and TOML
# write it: Python's configparser reads ``NAME = VALUE`` to the line's end, python/cpython
# Lib/configparser.py RawConfigParser._OPT_TMPL; toml.io/en/v1.0.0 "Keys": whitespace around ``=``
# is ignored): the value of a secret-named key, to the line's end. ``NAME=VALUE`` is _ASSIGNED's.
_SPACED_LINE = (
    r"""(?m)^([ \t]*)([A-Za-z_][\w.-]*)(?:[ \t]+=[ \t]*|=[ \t]+)"""
    r"""(?:(["'])(.*?)\3|([^\s"'][^\n]*?))[ \t]*\r?$"""
)
# A JSON string literal. One with ``\n`` escapes (a raw response body in a --debug line: azure-core's
# ``Content: {...}``; a message that quotes a JSON document) is read as the lines it holds.
_JSON_STRING = r'"(?:[^"\\\n]|\\.)*"'
# What a Kubernetes field error says after its path (kubernetes/apimachinery
# pkg/util/validation/field/errors.go ErrorType.String: "Required value", "Invalid value",
# "Unsupported value", "Duplicate value", "Not found", "Forbidden", "Too long", "Too many",
# "Internal error"): ``spec.password: Required value`` is a message, not a password.
_FIELD_ERROR_WORDS = (
    "Required value",
    "Invalid value",
    "Unsupported value",
    "Duplicate value",
    "Not found",
    "Forbidden",
    "Too long",
    "Too many",
    "Internal error",
)
# A block scalar under a secret-named key, as an answer quotes a values file (``password: |`` and the
# lines below it): the header (yaml.org/spec/1.2.2 8.1.1 "Block Scalar Headers": ``|`` or ``>``, an
# indentation and a chomping indicator in either order, a comment; node properties before it), then
# each line more indented than the key, and the blank lines among them, is its content. PyYAML reads
# it so (yaml/pyyaml 6.0.x lib/yaml/scanner.py scan_block_scalar: ``min_indent = self.indent+1``, the
# key's column in its mapping, and the content runs while the column stays at its first line's).
# Each content line is shown as ``***`` at its indent, so a text keeps its lines (a plan's diff
# pairs them: akscli.kube.plan_diff).
_BLOCK_HEADER = (
    r"""([ \t]*(?:-[ \t]+)*)([A-Za-z_][\w.-]*)[ \t]*:[ \t]+(?:[!&][^\s]*[ \t]+)*"""
    r"""[|>](?:[1-9][+-]?|[+-][1-9]?)?[ \t]*(?:#.*)?\r?$"""
)
# A flag and its value apart (``--password hunter2``, ``--client-secret 'a b'``), as a command line in
# a failed Job's condition or an event quotes it: the word after a secret-named flag, less a
# sentence's closing punctuation. A placeholder stays, as does the next flag, and a word of prose
# after a flag's name (akscli.placeholder_words.PROSE_AFTER_FLAG: "the --token flag is required",
# "a --client-secret there is kept", "--client-secret and --tenant"); any other word, lower case too
# (``--password hunter``), is the value.
_SPACED_FLAG = (
    r"""(?<![\w-])(--?[A-Za-z][\w-]*)[ \t]+"""
    r"""(?:(["'])(.*?)\2|([^\s'"-][^\s'"]*?)(?=[).,;:!\]}]*(?:\s|$)))"""
)


def _masked_span(m: re.Match[str], group: int) -> str:
    start, end = m.start(group) - m.start(), m.end(group) - m.start()
    return m.group(0)[:start] + MASK + m.group(0)[end:]


def hide_assignments(text: str, spaced_lines: bool = True) -> str:
    """``text`` with the value of each secret-named ``NAME=VALUE``, ``"NAME": "VALUE"`` and
    credential header (above) written as ``***``, its name and quotes kept; ``spaced_lines=False``
    where a file's lines were read already (akscli.redact_files.hide_in_file)."""

    def assigned(m: re.Match[str]) -> str:
        group = 3 if m.group(3) is not None else 4
        return _masked_span(m, group) if _hidden(m.group(1).lstrip("-"), m.group(group)) else m.group(0)

    def quoted(m: re.Match[str]) -> str:
        return _masked_span(m, 4) if _hidden(m.group(2), m.group(4)) else m.group(0)

    def go_field(m: re.Match[str]) -> str:
        return _masked_span(m, 3) if _hidden(m.group(1), m.group(3)) else m.group(0)

    def entry(m: re.Match[str]) -> str:
        return _masked_span(m, 6) if _hidden(m.group(3), m.group(6)) else m.group(0)

    def header(m: re.Match[str]) -> str:
        group = 5 if m.group(3) else 7
        return m.group(0) if is_placeholder(m.group(group)) else _masked_span(m, group)

    def yaml_line(m: re.Match[str]) -> str:
        group = 4 if m.group(3) else 5
        value = m.group(group)
        if value.startswith(_FIELD_ERROR_WORDS) or not _hidden(m.group(2), value):
            return m.group(0)
        return _masked_span(m, group)

    def spaced(m: re.Match[str]) -> str:
        group = 3 if m.group(2) else 4
        value = m.group(group)
        if not m.group(2) and value in PROSE_AFTER_FLAG:
            return m.group(0)
        return _masked_span(m, group) if _hidden(m.group(1).lstrip("-"), value) else m.group(0)

    def spaced_line(m: re.Match[str]) -> str:
        group = 4 if m.group(3) else 5
        return _masked_span(m, group) if _hidden(m.group(2), m.group(group)) else m.group(0)

    if "\\n" in text and '"' in text:
        text = re.sub(_JSON_STRING, _escaped_lines, text)
    if "=" in text:
        if spaced_lines and (" =" in text or "= " in text or "\t" in text):
            text = re.sub(_SPACED_LINE, spaced_line, text)
        text = re.sub(_ASSIGNED, assigned, text)
    if ":" in text:
        if "value: " in text or "Not found: " in text:
            text = hide_field_values(text)
        text = re.sub(_QUOTED_NAME, quoted, text) if '"' in text or "'" in text else text
        text = re.sub(_GO_FIELD, go_field, text) if ':"' in text or ':\\"' in text else text
        text = re.sub(_ENV_ENTRY, entry, text) if "alue" in text else text
        text = re.sub(_YAML_LINE, yaml_line, text) if ": " in text or ":\t" in text else text
        if "\n" in text and ("|" in text or ">" in text):
            text = "\n".join(hide_block_lines(text.split("\n")))
    if has_flag(text):
        text = re.sub(_SPACED_FLAG, spaced, text)
    lower = text.lower()
    return re.sub(_CREDENTIAL_HEADER, header, text) if _holds_any(lower, _HEADER_MARKS) else text


def _escaped_lines(m: re.Match[str]) -> str:
    """A JSON string literal with ``\\n`` escapes (_JSON_STRING) with what hide_tokens hides in its
    text hidden (a YAML line or a block scalar is known by its line breaks), written back as JSON; as
    it was where nothing is."""
    literal = m.group(0)
    if "\\n" not in literal:
        return literal
    import json

    try:
        value = json.loads(literal)
    except ValueError:
        return literal
    told = hide_tokens(value)
    return literal if told == value else json.dumps(told, ensure_ascii=False)


def hide_block_lines(lines: list[str]) -> list[str]:
    """``lines`` with each content line of a block scalar under a secret-named key (_BLOCK_HEADER)
    as ``***`` at its indent; as many lines, each in its place."""
    shown = lines
    at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        m = re.match(_BLOCK_HEADER, line) if ("|" in line or ">" in line) and ":" in line else None
        if m is None:
            continue
        column, spans = len(m.group(1)), []
        while at < len(lines):
            body = lines[at].strip(" \t\r")
            indent = len(lines[at]) - len(lines[at].lstrip(" "))
            if body and indent <= column:
                break
            if body:
                spans.append(at)
            at += 1
        if spans and _hidden(m.group(2), "\n".join(lines[i].strip() for i in spans)):
            shown = list(shown) if shown is lines else shown
            for i in spans:
                text = lines[i]
                shown[i] = text[: len(text) - len(text.lstrip(" \t"))] + MASK + ("\r" if text.endswith("\r") else "")
    return shown


def hide_tokens(text: str) -> str:
    """``text`` with each credential of a published shape (above) written as ``***``, the value
    of each ``sig=``, ``AccountKey=``, ``SharedAccessKey=`` and ``SharedAccessSignature=``, and each
    secret-named value (hide_assignments): for what akscli writes of a server's answer (error lines,
    plan lines, the audit log's result, ``--debug`` lines), where a token may stand that this process
    never sent."""
    if _holds_any(text, _TOKEN_MARKS):
        text = re.sub(_TOKEN, MASK, text)
        text = re.sub(_TOKEN_VALUE, lambda m: f"{m.group(1)}={MASK}", text)
    if ("=" in text or ":" in text or has_flag(text)) and _names_a_secret(text):
        text = hide_assignments(text)
    return text


def folded(text: str) -> str:
    """``text``'s words on one line, one space apart, with what hide_tokens hides hidden first: a
    YAML line's value and a block scalar's lines are known by their line breaks, which the fold
    takes away (an admission webhook's or ARM's message quoting a values file, folded into the
    error line before scrub reads it)."""
    return " ".join(hide_tokens(text).split())


def has_flag(text: str) -> bool:
    """Whether ``text`` may hold a flag (``--x``, `` -x``, a leading ``-``): a name with a hyphen
    in it (``node-pool``) is none."""
    return "--" in text or " -" in text or text.startswith("-")


def server_text(text: str) -> str:
    """``text`` from a server (a condition's or an event's message, a webhook's answer) as akscli
    prints it on stdout or stderr: the remembered values (hide_known), the credentials of a
    published shape or a secret's name (hide_tokens) and a URL's password or secret-named query
    value (url_credentials) written as ``***``."""
    text = hide_tokens(hide_known(text))
    return url_credentials(text) if "://" in text else text


def may_hide(text: str) -> bool:
    """Whether server_text hides a part of a string inside ``text``, the JSON dump of a report
    (``json.dumps(..., ensure_ascii=False)``, in which each string is escaped as remember()
    remembers it): a remembered value, or a string that holds a token's, a secret name's or a URL's
    mark and that server_text changes. Substring searches find the marks in C (one pattern of them
    all, 27 literals and a case-insensitive group, is 30x slower in re: it has no multi-literal
    search); each string a mark is in is read once (a row's ``path``, ``sshKey`` or ``authMode`` is
    read once for all rows), so a clean report's hundred thousand strings cost its dump and these
    searches, not a call each."""
    with _lock:
        known = _longest_first
    if _holds_any(text, known):
        return True
    lower = text.lower()
    hits = [(text, m) for m in (*_TOKEN_MARKS, "://") if m in text] + [(lower, m) for m in _NAME_MARKS if m in lower]
    if not hits:
        return False
    if len(lower) != len(text):  # a letter that lower() writes as two: read every string
        return True
    import json

    read: set[str] = set()
    for hay, mark in hits:
        at = hay.find(mark)
        while at >= 0:
            start, end = _string_around(text, at)
            if start < 0 or end <= 0:  # not inside a string: read every string
                return True
            literal = text[start:end]
            if literal not in read:
                read.add(literal)
                value = json.loads(literal)
                if server_text(value) != value:
                    return True
            at = hay.find(mark, end)
    return False


def _string_around(text: str, at: int) -> tuple[int, int]:
    """The start and the end of the JSON string literal of ``text`` that holds position ``at``,
    quotes included (-1 where none): the nearest quote either side that no backslash escapes."""
    start = text.rfind('"', 0, at)
    while start > 0 and _escaped(text, start):
        start = text.rfind('"', 0, start)
    end = text.find('"', at)
    while end > 0 and _escaped(text, end):
        end = text.find('"', end + 1)
    return start, end + 1


def _escaped(text: str, quote: int) -> bool:
    """Whether an odd run of backslashes stands before ``text[quote]``."""
    slashes = 0
    while quote - slashes > 0 and text[quote - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def remember(value: str) -> None:
    """Hide ``value`` from every later ``scrub`` in this process, as given and as a field error
    quotes it: apimachinery's field.Error prints a string value with Go's %q (upstream:
    kubernetes/apimachinery pkg/util/validation/field/errors.go ErrorBody), which escapes quotes,
    backslashes and newlines as JSON does."""
    if len(value) < MIN_HIDDEN:
        return
    forms = {value}
    if any(c in value for c in '"\\\n\r\t'):
        import json

        forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
    global _longest_first
    with _lock:
        fresh = forms - _known
        if not fresh:
            return
        _known.update(fresh)
        ordered = list(_longest_first)
        for form in fresh:
            bisect.insort(ordered, form, key=lambda v: -len(v))
        _longest_first = tuple(ordered)


def remember_secret(obj: Any) -> None:
    """A v1 Secret's values, as given and in the other encoding (``data`` is base64 of the value,
    ``stringData`` the value itself; an answer may quote either), each line of a multi-line
    value too (a key file's body, quoted line by line). A SecretList's items carry no kind."""
    if not isinstance(obj, Mapping) or obj.get("apiVersion") != "v1":
        return
    if obj.get("kind") == "SecretList" and isinstance(obj.get("items"), list):
        for item in obj["items"]:
            remember_secret({**item, "kind": "Secret", "apiVersion": "v1"} if isinstance(item, Mapping) else None)
        return
    if obj.get("kind") != "Secret":
        return
    for field in ("data", "stringData"):
        values = obj.get(field)
        if not isinstance(values, Mapping):
            continue
        for value in values.values():
            if not isinstance(value, str):
                continue
            plain = value if field == "stringData" else _decoded(value)
            for text in (value, plain):
                if text:
                    remember(text)
                    for line in text.splitlines():
                        remember(line.strip())
            if field == "stringData":
                import base64

                remember(base64.b64encode(value.encode()).decode())


def _decoded(value: str) -> str | None:
    import base64
    import binascii

    try:
        return base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def hide_known(text: str) -> str:
    """``text`` with the remembered values replaced: for any line akscli writes on stderr."""
    with _lock:
        known = _longest_first
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    return text


def scrub(text: str) -> str:
    """``text`` with credentials and remembered Secret values replaced: for error text, where
    a credential's shape ("Bearer ...") is worth a false match in a word like "Basic"."""
    text = hide_tokens(hide_known(text))
    if "://" in text:
        text = url_credentials(text)
    if not any(w in text.lower() for w in ("bearer", "basic", "authorization", "cookie", "api-key", "eyj")):
        return text
    text = re.sub(_QUOTED_CREDENTIAL, lambda m: f"{m.group(1)}{m.group(2)} [redacted]{m.group(1)}", text)
    text = re.sub(_CREDENTIAL, lambda m: f"{m.group(1)} [redacted]", text)
    text = re.sub(_HEADER, lambda m: f"{m.group(1)}[redacted]", text)
    return re.sub(_JWT, "[redacted token]", text)


def url_credentials(text: str) -> str:
    """``text`` with each URL's password and each query value named like a secret
    (akscli.secret_words.is_secret_name) replaced: a URL a user gave (``--prometheus``, a server's
    address) is echoed in a message as the user sees it, less what unlocks it."""
    from akscli.secret_words import is_secret_name, looks_secret

    def param(m: re.Match[str]) -> str:
        name = m.group(2)
        secret = name.lower() in _CREDENTIAL_PARAMS or is_secret_name(name) or looks_secret(m.group(0).lstrip("?&"))
        return f"{m.group(1)}{m.group(2)}={MASK}" if secret else m.group(0)

    text = re.sub(_URL_PASSWORD, lambda m: f"{m.group(1)}{MASK}@", text) if "@" in text else text
    return re.sub(_URL_SECRET_PARAM, param, text) if "=" in text else text


def forget_all() -> None:
    """Tests: a fresh process's state."""
    global _longest_first
    with _lock:
        _known.clear()
        _longest_first = ()
