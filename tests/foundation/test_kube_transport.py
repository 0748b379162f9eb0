"""kube.transport sends, byte for byte, the request the official client's own three layers send
(ApiClient.param_serialize, ApiClient.call_api, RESTClientObject.request), through the same
urllib3 pool: each case is sent both ways and what reached the pool is compared."""

from __future__ import annotations

import datetime
import http.client
import http.server
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import urllib3
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from akscli.kube import transport
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect

APPLIED = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "a b", "namespace": "default", "labels": {"akscli.io/stack": "s"}},
    "data": {"when": datetime.datetime(2026, 12, 3, 10, 30), "ünï": "çødé", "n": 1.5, "list": (1, 2)},
}
APPLY_HEADERS = {"Accept": "application/json", "Content-Type": "application/apply-patch+yaml"}
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}
CASES: list[tuple[str, str, list[tuple[str, str]], dict[str, str], Any, Any]] = [
    (
        "PATCH",
        "/api/v1/namespaces/default/configmaps/a%20b",
        [("fieldManager", "akscli"), ("dryRun", "All"), ("fieldValidation", "Strict")],
        APPLY_HEADERS,
        APPLIED,
        30.0,
    ),
    ("POST", "/api/v1/namespaces/default/configmaps", [("dryRun", "All")], JSON_HEADERS, APPLIED, (10.0, 60.0)),
    (
        "GET",
        "/api/v1/configmaps",
        [("limit", "500"), ("labelSelector", "a=b,c in (d e)"), ("continue", "x/y=")],
        {"Accept": "application/json"},
        None,
        30,
    ),
    ("DELETE", "/api/v1/namespaces/default/configmaps/a", [], JSON_HEADERS, {"propagationPolicy": "Background"}, None),
    (
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/d",
        [("fieldManager", "akscli")],
        {"Accept": "application/json", "Content-Type": "application/json-patch+json"},
        {"spec": {"replicas": 2}},
        30.0,
    ),
    (
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/d/scale",
        [],
        {"Accept": "application/json", "Content-Type": "application/json-patch+json"},
        [{"op": "replace", "path": "/spec/replicas", "value": 3}],
        30.0,
    ),
    (
        "PATCH",
        "/api/v1/namespaces/default/configmaps/a",
        [],
        {"Accept": "application/json", "Content-Type": "application/merge-patch+json"},
        {"data": None, "metadata": {}},
        30.0,
    ),
    ("POST", "/api/v1/namespaces/default/configmaps", [], JSON_HEADERS, {}, 30.0),
    ("GET", "/api/v1/namespaces/default/pods/p/log", [("follow", "true")], {"Accept": "*/*"}, None, (10.0, 86400.0)),
]


class RecordingPool:
    """Stands in for the client's PoolManager: records each call, answers 200."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((args, kwargs))
        return urllib3.HTTPResponse(body=b"{}", status=200, preload_content=False)


def official(api: Any, method: str, path: str, params: Any, headers: Any, body: Any, timeout: Any) -> Any:
    request = api.param_serialize(
        method, path, query_params=list(params), header_params=dict(headers), body=body, auth_settings=["BearerToken"]
    )
    return api.call_api(*request, _request_timeout=timeout)


def recorded(call: tuple[tuple[Any, ...], dict[str, Any]]) -> tuple[Any, ...]:
    args, kwargs = call
    timeout = kwargs.pop("timeout")
    return args, kwargs, repr(timeout)


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]} {c[3].get('Content-Type', '')} {c[1]}" for c in CASES])
def test_a_request_reaches_the_pool_as_the_official_client_sends_it(kubeconfig: Path, case: Any) -> None:
    api = connect(KubeTarget(kubeconfig=str(kubeconfig))).api
    api.cookie = "session=1"
    pool = RecordingPool()
    api.rest_client.pool_manager = pool
    answers = [official(api, *case), transport.send(api, *case)]
    assert [type(a) for a in answers] == [type(answers[0])] * 2
    ours, theirs = recorded(pool.calls[1]), recorded(pool.calls[0])
    assert ours == theirs
    assert "authorization" in ours[1]["headers"]


def test_a_body_the_official_client_sends_as_text_takes_its_own_path(kubeconfig: Path) -> None:
    api = connect(KubeTarget(kubeconfig=str(kubeconfig))).api
    pool = RecordingPool()
    api.rest_client.pool_manager = pool
    case = ("POST", "/api/v1/x", [], {"Content-Type": "text/plain"}, "hello", 30.0)
    official(api, *case)
    transport.send(api, *case)
    assert recorded(pool.calls[1]) == recorded(pool.calls[0])


def test_the_same_query_and_timeout_are_encoded_once_for_every_request(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # #16: an apply's dry runs all carry dryRun, fieldManager and fieldValidation.
    api = connect(KubeTarget(kubeconfig=str(kubeconfig))).api
    pool = RecordingPool()
    api.rest_client.pool_manager = pool
    encoded: list[Any] = []
    real = api.parameters_to_url_query

    def counted(params: Any, formats: Any) -> str:
        encoded.append(params)
        return str(real(params, formats))

    monkeypatch.setattr(api, "parameters_to_url_query", counted)
    query = [("fieldManager", "akscli-once"), ("dryRun", "All"), ("fieldValidation", "Strict")]
    for name in ("a", "b", "c"):
        transport.send(api, "PATCH", f"/api/v1/namespaces/d/configmaps/{name}", query, APPLY_HEADERS, {}, 30.0)
    urls = [args[1] for args, _ in pool.calls]
    assert urls[0].endswith("/a?fieldManager=akscli-once&dryRun=All&fieldValidation=Strict")
    assert [u.rpartition("?")[2] for u in urls] == [urls[0].rpartition("?")[2]] * 3
    assert len(encoded) == 1
    timeouts = [kwargs["timeout"] for _, kwargs in pool.calls]
    assert timeouts[0] is timeouts[1] is timeouts[2] and timeouts[0].total == 30.0


def test_the_server_name_is_parsed_once_per_host(kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # #16: Kube.request asks for it after every answer (akscli.netfail's record of who answered).
    from akscli.kube import client

    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    parsed: list[str] = []
    real = client.urlsplit

    def counted(url: str) -> Any:
        parsed.append(url)
        return real(url)

    monkeypatch.setattr(client, "urlsplit", counted)
    first = kube.server
    assert kube.server == first and len(parsed) == 1
    kube.api.configuration.host = "https://other.example:6443"
    assert kube.server == "other.example:6443" and len(parsed) == 2


def test_a_known_group_version_is_looked_up_without_the_lock(kubeconfig: Path) -> None:
    # #16: every request of an apply asks for its resource, from 16 worker threads at once.
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    kube._resources["v1"] = {}
    taken: list[str] = []

    class Counted:
        def __enter__(self) -> None:
            taken.append("lock")

        def __exit__(self, *_: object) -> None:
            return None

    kube._lock = Counted()  # type: ignore[assignment]
    assert kube._group_version("v1") == {}
    assert taken == []


def wire(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bytes every connection writes from now on (request line, headers, body)."""
    sent: list[bytes] = []
    real = http.client.HTTPConnection.send

    def recording(self: http.client.HTTPConnection, data: Any) -> None:
        sent.append(bytes(data))
        real(self, data)

    monkeypatch.setattr(http.client.HTTPConnection, "send", recording)
    return sent


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]} {c[3].get('Content-Type', '')} {c[1]}" for c in CASES])
def test_a_request_leaves_on_the_wire_as_the_official_client_writes_it(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch, case: Any
) -> None:
    # #16: transport.send opens the PoolManager's pool itself; the API server must not tell.
    api = connect(KubeTarget(kubeconfig=str(kubeconfig))).api
    api.cookie = "session=1"
    sent = wire(monkeypatch)
    official(api, *case).read()
    theirs = list(sent)
    sent.clear()
    transport.send(api, *case).read()
    assert sent == theirs
    assert theirs[0].startswith(f"{case[0]} {case[1]}".encode())


def test_odd_paths_reach_the_server_as_the_pool_manager_writes_them(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # urllib3's parse_url removes dot segments and percent-encodes what a path may not hold.
    api = connect(KubeTarget(kubeconfig=str(kubeconfig))).api
    sent = wire(monkeypatch)
    for path in ("/api/v1/./namespaces/../namespaces", "/api/v1/namespaces/a b/ü%2f%zz", "/api/v1/x#frag", "/a?b"):
        official(api, "GET", path, [("q", "1 2")], {"Accept": "application/json"}, None, 30.0).read()
        theirs = sent.pop(0)
        transport.send(api, "GET", path, [("q", "1 2")], {"Accept": "application/json"}, None, 30.0).read()
        assert sent.pop(0) == theirs


def test_the_pool_of_a_host_is_looked_up_once_for_every_request(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # #16: PoolManager.request parses the URL and keys the host's pool again for every request,
    # a sixth of urllib3's CPU per request of an apply.
    api = connect(KubeTarget(kubeconfig=str(kubeconfig))).api
    looked_up: list[Any] = []
    real = urllib3.PoolManager.connection_from_host

    def counted(self: urllib3.PoolManager, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(urllib3.PoolManager, "connection_from_host", counted)
    for name in ("a", "b", "c"):
        case = ("PATCH", f"/api/v1/namespaces/default/configmaps/{name}", [("dryRun", "All")], APPLY_HEADERS, {}, 30.0)
        transport.send(api, *case).read()
    assert len(looked_up) == 1


def test_a_pool_the_client_closed_is_looked_up_again(kubeconfig: Path) -> None:
    api = connect(KubeTarget(kubeconfig=str(kubeconfig))).api
    case = ("GET", "/api/v1/namespaces/default", [], {"Accept": "application/json"}, None, 30.0)
    assert transport.send(api, *case).status == 200
    api.rest_client.close()  # PoolManager.clear(): every pool closed
    assert transport.send(api, *case).status == 200


class Redirecting(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return None


def test_a_redirect_fails_as_it_fails_the_official_client(tmp_path: Path) -> None:
    # connect sets the client's retries to 0: urllib3 counts a redirect against them and gives up.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{server.server_address[1]}"}}],
            "users": [{"name": "u", "user": {"token": "t"}}],
            "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
            "current-context": "x",
        }
        (tmp_path / "kubeconfig").write_text(json.dumps(config))
        api = connect(KubeTarget(kubeconfig=str(tmp_path / "kubeconfig"))).api
        case = ("GET", "/api/v1/namespaces", [], {"Accept": "application/json"}, None, 5.0)
        failures = []
        for send in (official, transport.send):
            with pytest.raises(urllib3.exceptions.MaxRetryError) as caught:
                send(api, *case)
            failures.append(str(caught.value))
        assert failures[0] == failures[1] and "too many redirects" in failures[0]
    finally:
        server.shutdown()
        server.server_close()


def counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[Any]:
    """The calls of ``owner.name`` from now on (each call's arguments)."""
    calls: list[Any] = []
    real = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_target_that_parsing_leaves_as_it_is_is_not_parsed(kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # #16: urllib3's parse_url was about 8 us of each of an apply's 1,000 requests, and every
    # target akscli builds from checked names comes back from it unchanged.
    api = connect(KubeTarget(kubeconfig=str(kubeconfig))).api
    parsed = counting(monkeypatch, transport, "parse_url")
    sent = wire(monkeypatch)
    query = [("fieldManager", "akscli"), ("dryRun", "All"), ("fieldValidation", "Strict")]
    for name in ("a", "b-1.x"):
        transport.send(api, "PATCH", f"/api/v1/namespaces/default/configmaps/{name}", query, APPLY_HEADERS, {}, 30.0)
    assert [args for args in parsed if args[0].startswith("/")] == []  # only the host, for its pool
    assert sent[0].startswith(b"PATCH /api/v1/namespaces/default/configmaps/a?fieldManager=akscli&dryRun=All&")


TARGET_CHARS = "abz09-._~!$&'()*+,;=:@/?%#[] ü\x7f\\\""


@given(st.text(alphabet=TARGET_CHARS, max_size=24))
@settings(max_examples=400, deadline=None)
def test_a_request_target_is_what_urllib3_makes_of_it(rest: str) -> None:
    target = "/" + rest
    assume(not target.startswith("//"))  # a path that names a host: send gives it to the PoolManager
    assert transport._request_uri(target) == urllib3.util.parse_url(target).request_uri


def test_the_json_encoder_is_made_once_per_client(kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # #16: json.dumps(body, default=...) made a JSONEncoder for every request; it keeps nothing
    # between requests, and one encodes the same bytes.
    api = connect(KubeTarget(kubeconfig=str(kubeconfig))).api
    made: list[Any] = []
    real = json.JSONEncoder.__init__

    def counted(self: json.JSONEncoder, *args: Any, **kwargs: Any) -> None:
        default = kwargs.get("default")
        # this client's (it holds the client's method weakly), not the emulator's, in this process
        if isinstance(default, transport._Sanitize) and default._method() == api.sanitize_for_serialization:
            made.append(kwargs)
        real(self, *args, **kwargs)

    monkeypatch.setattr(json.JSONEncoder, "__init__", counted)
    sent = wire(monkeypatch)
    for name in ("a", "b", "c"):
        case = (
            "PATCH",
            f"/api/v1/namespaces/default/configmaps/{name}",
            [("dryRun", "All")],
            APPLY_HEADERS,
            APPLIED,
            30.0,
        )
        transport.send(api, *case).read()
    assert len(made) == 1
    assert sent[-1].endswith(json.dumps(APPLIED, default=api.sanitize_for_serialization).encode())
