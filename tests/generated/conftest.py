"""Run a test under each JSON codec the generated package supports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubeapi._runtime import codec


@pytest.fixture(params=["msgspec", "orjson", "json"])
def each_codec(request: pytest.FixtureRequest) -> Iterator[str]:
    assert codec.select(request.param) == request.param
    yield request.param
    codec.select()
