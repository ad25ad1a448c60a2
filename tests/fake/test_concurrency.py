"""Acceptance (fake server) 4: optimistic concurrency loses no update under concurrent writers."""

from __future__ import annotations

import threading

from kubeapi import Client, Config, Conflict
from kubeapi.core_v1 import ConfigMap
from kubeapi.meta_v1 import ObjectMeta
from kubeforge.fake import FakeServer

WRITERS = 8
INCREMENTS = 40


def test_read_modify_write_with_retry_loses_no_update(fake_api: FakeServer) -> None:
    config = Config(fake_api.url, token=fake_api.token, ca_file=fake_api.ca_file)
    with Client(config) as kube:
        kube.core_v1.configmaps().create(
            ConfigMap(metadata=ObjectMeta(name="counter"), data={"n": "0"})
        )
    successes = [0] * WRITERS
    conflicts = [0] * WRITERS

    def writer(index: int) -> None:
        with Client(config) as kube:
            maps = kube.core_v1.configmaps()
            while successes[index] < INCREMENTS:
                current = maps.get("counter")
                current.data["n"] = str(int(current.data["n"]) + 1)
                try:
                    maps.replace(current)
                except Conflict:
                    conflicts[index] += 1
                    continue
                successes[index] += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with Client(config) as kube:
        final = int(kube.core_v1.configmaps().get("counter").data["n"])
    assert final == sum(successes) == WRITERS * INCREMENTS
    assert sum(conflicts) > 0, "the writers really did collide"
