"""The emulated Hugging Face Hub over loopback HTTP: the repos of ``ApiServer.huggingface_hub``
(or any such mapping), answered as hf_hub.answer answers KAITO's webhook, for the clients that
ask the Hub themselves (akscli's ``--hub-config``, akscli.model.hub_config).

What it serves (upstream: huggingface/huggingface_hub ee0a4510f4bc15e26cb722be2efc2bdb01383ca0
src/huggingface_hub/constants.py HUGGINGFACE_CO_URL_TEMPLATE; utils/_http.py hf_raise_for_status,
which reads ``X-Error-Code`` and ``X-Error-Message``):

- ``GET /<org>/<name>/resolve/main/<path>``: the file (JSON for a decoded JSON file), else 401
  or 404 with ``X-Error-Code: RepoNotFound`` for a repo it lacks (without and with a token),
  401 or 403 with ``GatedRepo`` for a gated repo's file the token cannot read, 404 with
  ``EntryNotFound`` for a file the repo lacks;
- ``GET /api/models/<org>/<name>/tree/main``: the file list, each entry ``{"type": "file", "path",
  "size"}`` (upstream: huggingface/huggingface_hub hf_api.py RepoFile); with ``page_size`` set, in
  pages linked by a ``Link: <...>; rel="next"`` header, as the Hub pages it (utils/_pagination.py paginate follows it);
- ``GET /api/models/<org>/<name>?expand=safetensors``: the model info (upstream: huggingface_hub
  hf_api.py model_info), ``{"_id", "id", "safetensors"}`` as hf_hub.model_info gives it, refused as
  the file list is;
- a token the Hub does not know: 401 with ``X-Error-Message: Invalid credentials in Authorization
  header`` and no ``X-Error-Code`` (hf_hub.py says where from).

The token is the ``Authorization: Bearer`` header's. The id is looked up lower-cased, as
``ApiServer.huggingface_hub`` holds it. A test may queue answers given before the real one
(``queue(status, headers)``: a 429 with Retry-After, a 503), send a path elsewhere
(``redirects[path] = location``: a renamed repo, a CDN), and read what each request carried
(``requests``: path and Authorization header). Not emulated: revisions other than main, the
``X-Repo-Commit``/ETag headers, HEAD, LFS and Xet downloads.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.emulators.kube import hf_hub

INFO = "\0model-info"  # what respond() reads for GET /api/models/<id> (the model info)
_MESSAGES = {
    "RepoNotFound": "Repository not found",
    "GatedRepo": "Access to this model is restricted",
    "EntryNotFound": "Entry not found",
}


class HubServer:
    def __init__(self, repos: Mapping[str, Mapping[str, Any]]) -> None:
        self.repos = repos
        self.requests: list[tuple[str, str | None]] = []
        self.redirects: dict[str, str] = {}
        self.page_size: int | None = None
        self._queued: list[tuple[int, dict[str, str], bytes]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def queue(self, status: int, headers: Mapping[str, str] | None = None, body: bytes = b"") -> None:
        """An answer given to the next request, before the repos are read."""
        with self._lock:
            self._queued.append((status, dict(headers or {}), body))

    def respond(self, path: str, authorization: str | None) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append((path, authorization))
            if self._queued:
                return self._queued.pop(0)
        if path in self.redirects:
            return 302, {"Location": self.redirects[path]}, b""
        token = authorization.removeprefix("Bearer ").strip() if authorization else ""
        parts = path.split("?", 1)[0].strip("/").split("/")
        if len(parts) >= 5 and parts[2:4] == ["resolve", "main"]:
            repo_id, file = "/".join(parts[:2]).lower(), "/".join(parts[4:])
        elif len(parts) >= 6 and parts[0] == "api" and parts[1] == "models" and parts[4:6] == ["tree", "main"]:
            repo_id, file = "/".join(parts[2:4]).lower(), None
        elif len(parts) == 4 and parts[:2] == ["api", "models"]:  # hf_api.py model_info
            repo_id, file = "/".join(parts[2:4]).lower(), INFO
        else:
            return 404, {}, b"Not Found"
        if file == INFO:
            status, content, code = hf_hub.model_info(self.repos, repo_id, token)
        else:
            status, content, code = hf_hub.answer(self.repos, repo_id, file, token)
        if code == hf_hub.INVALID_CREDENTIALS:
            message = hf_hub.INVALID_CREDENTIALS_MESSAGE
            headers = {"X-Error-Message": message, "Content-Type": "application/json"}
            return status, headers, json.dumps({"error": message}).encode()
        if status != 200:
            message = _MESSAGES[code]
            headers = {"X-Error-Code": code, "X-Error-Message": message, "Content-Type": "application/json"}
            return status, headers, json.dumps({"error": message}).encode()
        if file is None and self.page_size:
            query = dict(part.partition("=")[::2] for part in path.partition("?")[2].split("&") if part)
            start = int(query.get("cursor") or 0)
            rest = content[start + self.page_size :]
            headers = {"Content-Type": "application/json"}
            if rest:
                base = path.split("?", 1)[0]
                headers["Link"] = (
                    f'<{self.url}{base}?recursive=true&expand=false&cursor={start + self.page_size}>; rel="next"'
                )
            return 200, headers, json.dumps(content[start : start + self.page_size]).encode()
        if isinstance(content, bytes):
            return 200, {"Content-Type": "application/octet-stream"}, content
        return 200, {"Content-Type": "application/json"}, json.dumps(content).encode()

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, name="hf-hub", daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(hub: HubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = hub.respond(self.path, self.headers.get("Authorization"))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(repos: Mapping[str, Mapping[str, Any]]) -> Iterator[HubServer]:
    hub = HubServer(repos)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()
