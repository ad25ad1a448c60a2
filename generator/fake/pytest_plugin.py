"""pytest fixtures shipped with kubeforge: a fake API server per test (`fake_api`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kubeforge.fake.server import FakeServer


@pytest.fixture
def fake_api() -> Iterator[FakeServer]:
    """A fresh fake API server over TLS with a random token, on 127.0.0.1."""
    with FakeServer() as server:
        yield server
