"""The ambassador example's app, pointed at `kubectl proxy` on a workstation.

`kubectl proxy` serves the API on http://127.0.0.1:8001 as your kubeconfig user, over plain
HTTP on loopback, just as the ambassador sidecar does inside a pod: the same app works against
either. `python -m kubeapi.proxy --kubeconfig ~/.kube/config` stands in for kubectl proxy.

    kubectl proxy &
    python examples/kubectl_proxy.py [PROXY_URL] [--namespace NS] [--watch SECONDS]
    PROXY_URL defaults to $KUBECTL_PROXY_URL, else http://127.0.0.1:8001
"""

from __future__ import annotations

import sys

from ambassador import main  # the app itself, from examples/ambassador.py

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:], env_var="KUBECTL_PROXY_URL"))
