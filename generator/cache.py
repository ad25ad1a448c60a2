"""A content-addressed cache in the user's cache directory (KUBEFORGE_CACHE_DIR overrides it)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class Cache:
    """Values by key under one namespace; a disabled cache stores nothing and finds nothing."""

    def __init__(self, namespace: str, enabled: bool = True) -> None:
        import platformdirs

        root = os.environ.get("KUBEFORGE_CACHE_DIR") or platformdirs.user_cache_dir("kubeforge")
        self.dir = Path(root) / namespace
        self.enabled = enabled

    def get(self, key: str) -> bytes | None:
        if not self.enabled:
            return None
        try:
            return (self.dir / key[:2] / key).read_bytes()
        except OSError:
            return None

    def put(self, key: str, value: bytes) -> None:
        if not self.enabled:
            return
        folder = self.dir / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder)
            with os.fdopen(fd, "wb") as f:
                f.write(value)
            os.replace(tmp, folder / key)
        except OSError:
            pass  # a cache that cannot be written only costs time
