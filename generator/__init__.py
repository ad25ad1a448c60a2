"""kubeforge: generate typed, lossless Kubernetes clients from a cluster's OpenAPI document."""

__version__ = "0.1.0"
