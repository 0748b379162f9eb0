"""How often the official client re-reads its kubeconfig credentials while requests are in flight.

``kubernetes.config.load_kube_config`` installs ``Configuration.refresh_api_key_hook``
(kubernetes-client/python kubernetes/base/config/kube_config.py, ``KubeConfigLoader._set_config``),
and the client runs it before every request (kubernetes/client/configuration.py,
``get_api_key_with_prefix``). Each run re-checks the token's expiry, runs the exec plugin or
re-reads the token file when it has expired, and writes host, certificates and proxy back into the
one shared ``Configuration``; setting ``host`` re-reads every proxy variable of the environment
(``urllib.request.getproxies``). With 16 requests in flight that is 16 threads rewriting one
object at once, and an expired exec credential run by each of them.

Here the hook runs one thread at a time and at most once per ``INTERVAL_S``. That never lets an
expired token through: the loader counts a token as expired five minutes before its expiry
(kube_config.py ``EXPIRY_SKEW_PREVENTION_DELAY``), far longer than the interval.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

INTERVAL_S = 1.0


def refresh_at_most_once_per_interval(
    configuration: Any, guard: Callable[[Callable[[], None], Any], None] | None = None
) -> None:
    """Wrap ``configuration.refresh_api_key_hook`` (if the loader set one) as described above.
    ``guard(run, configuration)``, when given, runs each refresh (akscli.kube.kubeconfig_user:
    a failing exec plugin raises, a token is checked)."""
    if configuration.refresh_api_key_hook is not None:
        configuration.refresh_api_key_hook = _Throttled(configuration.refresh_api_key_hook, guard)


class _Throttled:
    def __init__(
        self, hook: Callable[[Any], None], guard: Callable[[Callable[[], None], Any], None] | None = None
    ) -> None:
        self.hook = hook
        self.guard = guard
        self.lock = threading.Lock()
        self.last_run = float("-inf")

    def __call__(self, configuration: Any) -> None:
        with self.lock:
            if time.monotonic() - self.last_run < INTERVAL_S:
                return
            try:
                if self.guard is None:
                    self.hook(configuration)
                else:
                    self.guard(lambda: self.hook(configuration), configuration)
                self.last_run = time.monotonic()
            finally:
                # The loader's hook installs itself again each time it runs (_set_config): keep
                # the newest one and stay in front of it.
                if configuration.refresh_api_key_hook is not self:
                    self.hook = configuration.refresh_api_key_hook
                    configuration.refresh_api_key_hook = self
