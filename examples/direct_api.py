"""Talk to the API server directly from a pod, with only the standard library and httpx.

This is what every client does underneath: the service-account token and CA that the
kubelet mounts, and the KUBERNETES_SERVICE_HOST/PORT variables it sets.

    env:  KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT   (set by the kubelet)
    files: /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}

Run: python examples/direct_api.py [SERVICE_ACCOUNT_DIR]
"""

from __future__ import annotations

import os
import ssl
import sys
from pathlib import Path

import httpx


def main() -> int:
    root = Path(
        sys.argv[1] if len(sys.argv) > 1 else "/var/run/secrets/kubernetes.io/serviceaccount"
    )
    host, port = os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"]
    if ":" in host:
        host = f"[{host}]"
    namespace = (root / "namespace").read_text().strip()
    token = (root / "token").read_text().strip()  # read it each time: the kubelet rotates it
    tls = ssl.create_default_context(cafile=str(root / "ca.crt"))
    with httpx.Client(base_url=f"https://{host}:{port}", verify=tls) as http:
        answer = http.get(
            f"/api/v1/namespaces/{namespace}/pods", headers={"Authorization": f"Bearer {token}"}
        )
        answer.raise_for_status()
        for pod in answer.json()["items"]:
            print(f"{namespace}/{pod['metadata']['name']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
