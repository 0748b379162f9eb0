"""auth4's azurepipelines mode: the job's SYSTEM_ACCESSTOKEN in none of its error paths, even where
the OIDC endpoint (Azure DevOps "Oidctoken - Create", which azure-identity's
AzurePipelinesCredential calls with it as a bearer token: azure_pipelines.py build_oidc_request)
quotes the request back, as an auth proxy may. What Azure DevOps itself answers a refusal with is
not published (audit23-auth4.md); an echo is the worst case."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.azure.test_token_env_overrides import sp_env as sp_env
from tests.azure.test_token_kubelogin_flags import CONNECTION, SP_ID, fast_path
from tests.emulators.arm import ArmEmulator


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = f"refused token {str(self.headers.get('Authorization')).removeprefix('Bearer ')}".encode()
        self.send_response(400)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/org/p/_apis/distributedtask/hubs/build/plans/x/jobs/y/oidctoken"
    server.shutdown()
    server.server_close()


def test_an_oidc_endpoint_that_quotes_the_job_token_back_does_not_show_it(
    sp_env: ArmEmulator,
    echo_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job_token = f"job-{uuid.uuid4().hex}"
    env = {
        "AZURESUBSCRIPTION_TENANT_ID": sp_env.tenant,
        "AZURESUBSCRIPTION_CLIENT_ID": SP_ID,
        "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": CONNECTION,
        "SYSTEM_ACCESSTOKEN": job_token,
        "SYSTEM_OIDCREQUESTURI": echo_url,
    }
    monkeypatch.delenv("AZURE_TENANT_ID", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, text = fast_path("--debug", "-v", "--login", "azurepipelines")
    assert code != 0 and "OIDC token endpoint" in text, text
    assert job_token not in text
    assert sp_env.token_requests == []
