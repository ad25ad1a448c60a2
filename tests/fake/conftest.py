"""An HTTP client for the fake server, authenticated and trusting its CA."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from kubeforge.fake import FakeServer


@pytest.fixture
def http(fake_api: FakeServer) -> Iterator[httpx.Client]:
    verify = ssl.create_default_context(cafile=fake_api.ca_file)
    headers = {"Authorization": f"Bearer {fake_api.token}"}
    with httpx.Client(base_url=fake_api.url, verify=verify, headers=headers) as client:
        yield client
