"""A small, honest Kubernetes API server for generation and tests (`kubeforge serve`).

`serve()` starts it in a background thread and returns its URL, CA file and token.
"""

from kubeforge.fake.server import FakeServer, serve

__all__ = ["FakeServer", "serve"]
