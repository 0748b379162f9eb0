"""Wall time of a cached `akscli token` beside `kubectl version --client`, in the same run.

Run: `nox -s bench` or `.venv/bin/python tests/bench/bench_token.py [--runs N]`.
The token cache is filled once against the ARM/Entra emulator; every timed run is then the
path kubectl takes on each API call: start the process, read the 0600 cache, print the
ExecCredential.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.bench._harness import AKSCLI, TOOL_PYTHON  # noqa: E402
from tests.emulators.arm import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, ArmEmulator  # noqa: E402


def timed(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    subprocess.run(cmd, env=env, check=True, capture_output=True)  # warm the page cache
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("kubectl is not on PATH: nothing to compare with", file=sys.stderr)
        return 1
    akscli = shutil.which(AKSCLI)
    if akscli is None:
        print("akscli is not installed in this environment", file=sys.stderr)
        return 1
    with ArmEmulator() as emu, tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "AZURE_AUTHORITY_HOST": emu.url,
            "AZURE_TENANT_ID": emu.tenant,
            "AZURE_CLIENT_ID": DEFAULT_CLIENT_ID,
            "AZURE_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
            "REQUESTS_CA_BUNDLE": emu.ca_file,
            "SSL_CERT_FILE": emu.ca_file,
            "AKSCLI_DISABLE_INSTANCE_DISCOVERY": "1",
            "AKSCLI_CACHE_DIR": tmp,
            "KUBECONFIG": str(Path(tmp) / "kubeconfig"),
        }
        # akscli token reads AZURE_AUTHORITY_HOST only in workloadidentity mode, as kubelogin.
        token_args = ["token", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630", "--authority-host", emu.url + "/"]
        subprocess.run([akscli, *token_args], env=env, check=True, capture_output=True)  # fill the cache
        asked = len(emu.token_requests)
        rows = [
            ("kubectl version --client", timed([kubectl, "version", "--client"], env, args.runs)),
            ("akscli token (cached)", timed([akscli, *token_args], env, args.runs)),
            (
                "python -m akscli.azure.token (cached, fast entry)",
                timed([TOOL_PYTHON, "-m", "akscli.azure.token", *token_args], env, args.runs),
            ),
        ]
        if len(emu.token_requests) != asked:
            print("the timed runs asked Entra for a token: the cache did not work", file=sys.stderr)
            return 1
    base = statistics.median(rows[0][1])
    print(f"{'command':<52} {'median':>9} {'min':>9}  vs kubectl")
    for label, times in rows:
        med = statistics.median(times)
        print(f"{label:<52} {med * 1000:7.1f}ms {min(times) * 1000:7.1f}ms  {med / base:5.2f}x")
    print(f"({args.runs} runs each, same machine, same run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
