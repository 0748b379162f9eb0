"""Run the ARM + Entra emulator as its own process (manual runs, runbooks):

    python -m tests.emulators.arm --env-file /tmp/arm.env &
    while [ ! -f /tmp/arm.env ]; do sleep 0.1; done; . /tmp/arm.env

It serves Azure Resource Manager (AKS clusters and agent pools, Fleet, AKS on bare metal) and
Entra's token endpoints over TLS on loopback. The env file (written last, so its appearance
means "ready") holds the variables that point akscli and the Azure SDKs at it; they are also
printed. Stop it with Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import shlex
import signal
import tempfile
import threading
from pathlib import Path

from tests.emulators.arm.server import ArmEmulator
from tests.emulators.lab import arm_environment, seed_subscription


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tests.emulators.arm", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--env-file", type=Path, help="write `export NAME=value` lines here once the emulator is up")
    ap.add_argument("--home", type=Path, help="where the Azure config dir goes (default: a temporary folder)")
    # An operation answers InProgress on its status resource until it ends (upstream:
    # Azure/azure-resource-manager-rpc v1.0/async-api-reference.md); --lro-polls says for how many polls.
    ap.add_argument(
        "--lro-polls",
        type=int,
        default=1,
        help="polls a long-running operation stays InProgress before it ends (default 1; a large number "
        "holds every write running, to try Ctrl-C or --timeout on a wait)",
    )
    args = ap.parse_args(argv)
    emu = ArmEmulator(lro_polls=args.lro_polls).start()
    # The lab's groups and its Arc edge machine, which a bare-metal cluster needs before it is made
    # (upstream: Azure/aksArc deploymentTemplates/aks-baremetal-arm/aks-baremetal-arm.json).
    seed_subscription(emu)
    home = args.home or Path(tempfile.mkdtemp(prefix="akscli-arm-"))
    lines = [f"export {name}={shlex.quote(value)}" for name, value in arm_environment(emu, home).items()]
    if args.env_file:
        tmp = args.env_file.with_name(args.env_file.name + ".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(args.env_file)
    print(f"ARM emulator ready at {emu.url}", flush=True)
    print("\n".join(lines), flush=True)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    emu.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
