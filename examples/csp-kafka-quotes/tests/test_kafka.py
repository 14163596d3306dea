"""The Kafka transport against a real broker on loopback (``kafka_broker.py``):
exact values, only the subscribed keys tick, every partition is read,
publish produces keyed records, replay then live for each ``start_offset``
tick for tick against csp's own KafkaAdapterManager, a simulation replays
the topic alone, the broker killed and restarted, a missing topic, an
unreachable broker, a silent or lost broker does not hold the run past its
end, a broker that stops answering (SIGSTOP) and comes back, a 64 MiB
record, bad records, and a graph slower than the topic under each
``when_full`` policy."""

import json
import re
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import csp
import pytest
from csp import ts
from csp.adapters.kafka import JSONTextMessageMapper, KafkaAdapterManager, ReplayMode
from csp.adapters.status import Status
from csp.impl.struct import define_struct
from kafka_broker import Broker, free_port

from csp_kafka_quotes import (
    Kafka,
    KafkaQuotesAdapterManager,
    demo_value,
)
from csp_kafka_quotes._native import (
    STATUS_BAD_MESSAGE,
    STATUS_CONNECTED,
    STATUS_DISCONNECTED,
    STATUS_DROPPED,
    STATUS_OPENED,
    STATUS_RECONNECTING,
    STATUS_REPLAY_COMPLETE,
)
from csp_kafka_quotes.adapters import INPUT_TYPE
from csp_kafka_quotes.adapters import OUTPUT_TYPE as PUBLISHED
from csp_kafka_quotes.messages import decode_message, message, received

# Any: the checks below branch on whether it is a record.
OUTPUT_TYPE: Any = PUBLISHED

Manager = KafkaQuotesAdapterManager
EPOCH = datetime(1970, 1, 1)


def quick(broker: Broker, topic: str, **options: Any) -> Kafka:
    """A Kafka source that retries within milliseconds, so that the tests' reconnects are quick."""
    wait, longest = timedelta(milliseconds=50), timedelta(milliseconds=200)
    options.setdefault("connect_timeout", timedelta(seconds=2))
    return Kafka(broker.url, topic, reconnect_interval=wait, max_reconnect_interval=longest, **options)


def millis(time: datetime) -> int:
    return (time.replace(tzinfo=None) - EPOCH) // timedelta(milliseconds=1)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def record(symbol: str, value: Any, stamp: datetime | None = None, keyed: bool = True) -> tuple[str | None, str, int]:
    """A record of ``value`` keyed by ``symbol`` (or unkeyed, the symbol in the value), stamped ``stamp`` (or now)."""
    body = message(symbol, value)
    if keyed:
        del body["symbol"]
    return (symbol if keyed else None, json.dumps(body), 0 if stamp is None else millis(stamp))


def values(count: int, start: int = 0) -> list[Any]:
    return [demo_value(INPUT_TYPE, i) for i in range(start, start + count)]


def later(delay: float, action: Callable[[], None]) -> threading.Thread:
    """Runs ``action`` on a thread after ``delay`` seconds (once the run's source is live)."""

    def body() -> None:
        time.sleep(delay)
        action()

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread


def run(
    manager: Manager,
    seconds: float,
    symbols: tuple[str, ...] = ("A",),
    starttime: datetime | None = None,
    realtime: bool = True,
    on_status: Callable[[Status], None] | None = None,
) -> dict[str, list[tuple[datetime, Any]]]:
    """Runs a graph of ``symbols`` and ``status()``; returns what ticked, with
    the times. ``on_status`` is called with each status as it ticks."""

    @csp.graph
    def graph() -> None:
        for symbol in symbols:
            csp.add_graph_output(symbol, manager.subscribe(symbol, push_mode=csp.PushMode.NON_COLLAPSING))
        csp.add_graph_output("status", manager.status())
        if on_status is not None:
            call_on_status(manager.status(), on_status)

    start = starttime or utcnow()
    end = timedelta(seconds=seconds) if realtime else datetime(2200, 1, 1)
    return csp.run(graph, starttime=start, endtime=end, realtime=realtime)


@csp.node
def call_on_status(status: ts[Status], action: object) -> None:
    if csp.ticked(status):
        action(status)  # type: ignore[operator]


def ticked(out: dict[str, list[tuple[datetime, Any]]], name: str) -> list[Any]:
    return [value for _, value in out.get(name, [])]


def codes(out: dict[str, list[tuple[datetime, Any]]]) -> list[int]:
    return [status.status_code for status in ticked(out, "status")]


def test_values_arrive_exactly_and_only_the_subscribed_keys_tick() -> None:
    sent = values(30)
    events = [("ABC"[i % 3], value) for i, value in enumerate(sent)]
    with Broker() as broker:
        topic = broker.create_topic("quotes")
        manager = Manager(quick(broker, topic))
        # Every third record names its symbol in the value, with no key.
        records = [record(symbol, value, keyed=i % 3 != 1) for i, (symbol, value) in enumerate(events)]
        later(1.0, lambda: broker.produce(topic, records))
        out = run(manager, 3.0, symbols=("A", "B"))
    for symbol in "AB":
        assert ticked(out, symbol) == [received(s, v) for s, v in events if s == symbol]
    assert codes(out) == [STATUS_OPENED, STATUS_CONNECTED]
    stats = manager.stats()
    # Records keyed by a symbol nobody subscribed to are skipped unread.
    assert (stats["events"], stats["bad_messages"]) == (20, 0)


def test_every_partition_is_read() -> None:
    symbols = tuple(f"S{i}" for i in range(12))
    with Broker() as broker:
        topic = broker.create_topic("spread", partitions=3)
        manager = Manager(quick(broker, topic))

        def produce() -> None:
            for partition in range(3):
                broker.produce(topic, [record(s, demo_value(INPUT_TYPE, partition)) for s in symbols], partition)

        later(1.0, produce)
        out = run(manager, 3.0, symbols=symbols)
    for symbol in symbols:
        assert sorted(map(str, ticked(out, symbol))) == sorted(str(received(symbol, v)) for v in values(3))


def test_publish_produces_records_keyed_by_symbol() -> None:
    published = [demo_value(OUTPUT_TYPE, i) for i in range(20)]
    with Broker() as broker:
        topic = broker.create_topic("orders")
        manager = Manager(quick(broker, topic))
        start = utcnow()

        @csp.graph
        def graph() -> None:
            ticks = [(timedelta(milliseconds=100 + 10 * i), value) for i, value in enumerate(published)]
            manager.publish(csp.curve(OUTPUT_TYPE, ticks), "P")

        csp.run(graph, starttime=start, endtime=timedelta(seconds=1.5), realtime=True)
        records = broker.consume(topic, len(published))
    assert [key for key, _, _ in records] == ["P"] * len(published)
    got = [decode_message(OUTPUT_TYPE, value) for _, value, _ in records]
    want = [received("P", value) for value in published]
    if issubclass(OUTPUT_TYPE, csp.Struct) and "time" in OUTPUT_TYPE.metadata():
        # An unset time goes out as the engine's time.
        for one, sent in zip(got, want, strict=True):
            if not hasattr(sent, "time"):
                del one.time
    assert got == want
    # Each record is stamped with the engine's time of its tick.
    stamps = [stamp for _, _, stamp in records]
    assert stamps == sorted(stamps) and millis(start) <= stamps[0] <= millis(start) + 1000


def history(broker: Broker, topic: str, start: datetime) -> list[tuple[datetime, str, Any]]:
    """Records stamped from 3 s before ``start`` to 2 s after it (in the past: the run starts 10 s ago)."""
    rows = [(start + timedelta(milliseconds=500 * i - 3000), "AB"[i % 2], demo_value(INPUT_TYPE, i)) for i in range(10)]
    broker.produce(topic, [record(symbol, value, stamp) for stamp, symbol, value in rows])
    return rows


# csp's KafkaAdapterManager as the oracle, with consumer settings that make it
# quick on this broker: it holds each group join for half the session timeout
# (librdkafka's default, 45 s, would hold the engine's start for 22.5 s).
QUICK_CONSUMER = {"session.timeout.ms": "2000", "heartbeat.interval.ms": "500", "fetch.wait.max.ms": "100"}
# csp's JSON mapper reads no durations: they are compared as integer nanoseconds.
FIELDS: dict[str, type] = INPUT_TYPE.metadata()
ORACLE_FIELDS = {name: (int if typ is timedelta else typ) for name, typ in FIELDS.items() if name != "symbol"}
Oracle = define_struct("Oracle", {**ORACLE_FIELDS, "kafka_time": datetime})
FORMS = {
    "earliest": (0, "earliest", ReplayMode.EARLIEST),
    "latest": (10, "latest", ReplayMode.LATEST),
    "start-time": (6, "start_time", ReplayMode.START_TIME),
    "timedelta": (4, timedelta(seconds=1), timedelta(seconds=1)),
    "datetime": (8, "at", "at"),
}


def as_oracle(value: Any) -> dict[str, Any]:
    """The fields of the oracle's tick for ``value``."""
    if not isinstance(value, csp.Struct):
        value = {"value": value}
    else:
        value = {name: getattr(value, name) for name in ORACLE_FIELDS if hasattr(value, name)}
    return {name: v // timedelta(microseconds=1) * 1000 if isinstance(v, timedelta) else v for name, v in value.items()}


@pytest.mark.parametrize("form", FORMS)
def test_replay_then_live_matches_csps_kafka_adapter(form: str) -> None:
    """Records stamped from 3 s before the start to 2 s after it, a start 10 s
    ago, then live records: the same graph subscribes through this manager and
    through csp's KafkaAdapterManager with the same start_offset."""
    first, ours_offset, csp_offset = FORMS[form]
    start = (utcnow() - timedelta(seconds=10)).replace(microsecond=0)
    if ours_offset == "at":
        ours_offset = csp_offset = start + timedelta(seconds=1)
    rows = [(start + timedelta(milliseconds=500 * i - 3000), "AB"[i % 2], demo_value(INPUT_TYPE, i)) for i in range(10)]
    live = [("AB"[i % 2], demo_value(INPUT_TYPE, 100 + i)) for i in range(4)]
    with Broker() as broker:
        topic = broker.create_topic("replay")
        broker.produce(topic, [record(symbol, value, stamp) for stamp, symbol, value in rows])
        ours = Manager(quick(broker, topic, start_offset=ours_offset))
        theirs = KafkaAdapterManager(broker.url, start_offset=csp_offset, rd_kafka_consumer_conf_options=QUICK_CONSUMER)
        fields = {name: name for name in ORACLE_FIELDS}

        @csp.graph
        def graph() -> None:
            for symbol in "AB":
                csp.add_graph_output(symbol, ours.subscribe(symbol, push_mode=csp.PushMode.NON_COLLAPSING))
                oracle = theirs.subscribe(
                    Oracle,
                    JSONTextMessageMapper(),
                    topic,
                    key=symbol,
                    field_map=fields,
                    meta_field_map={"timestamp": "kafka_time"},
                    push_mode=csp.PushMode.NON_COLLAPSING,
                )
                csp.add_graph_output(f"csp-{symbol}", oracle)
            csp.add_graph_output("status", ours.status())

        # csp's engine holds the GIL until both replays have begun: the live
        # records go out once it is running.
        later(3.0, lambda: broker.produce(topic, [record(symbol, value) for symbol, value in live]))
        began = utcnow()
        out = csp.run(graph, starttime=start, endtime=start + timedelta(seconds=16), realtime=True)
    # Where csp's adapter should start: this broker answers its lookups of the
    # latest offset with the start of the last batch, and of a time with the
    # start of the partition, so csp's records from before are set aside.
    since = {
        "latest": began,
        "start-time": start,
        "timedelta": start - timedelta(seconds=1),
        "datetime": start + timedelta(seconds=1),
    }
    for symbol in "AB":
        replayed = [(max(stamp, start), value) for stamp, s, value in rows[first:] if s == symbol]
        got = out[symbol]
        # Replayed records tick at their timestamps (milliseconds), live ones after the replay.
        assert got[: len(replayed)] == [(t, received(symbol, v)) for t, v in replayed]
        assert [v for _, v in got[len(replayed) :]] == [received(s, v) for s, v in live if s == symbol]
        assert all(t >= began for t, _ in got[len(replayed) :])
        # csp's adapter ticks the same records at the same times.
        oracle = [(t, v) for t, v in out[f"csp-{symbol}"] if v.kafka_time >= since.get(form, EPOCH)]
        assert len(oracle) == len(got)
        ticks = [(t, as_oracle(v)) for t, v in got]
        wanted = [(t, {name: getattr(v, name) for name in ORACLE_FIELDS if hasattr(v, name)}) for t, v in oracle]
        assert ticks[: len(replayed)] == wanted[: len(replayed)]
        assert [v for _, v in ticks[len(replayed) :]] == [v for _, v in wanted[len(replayed) :]]
    statuses = codes(out)
    assert statuses[:2] == [STATUS_OPENED, STATUS_CONNECTED] and STATUS_REPLAY_COMPLETE in statuses


def test_the_history_of_several_partitions_ticks_in_time_order() -> None:
    """Each partition's records are fetched apart; replayed, every record
    still ticks at its own timestamp."""
    start = (utcnow() - timedelta(seconds=10)).replace(microsecond=0)
    rows = [(start + timedelta(milliseconds=500 * i), "AB"[i % 2], demo_value(INPUT_TYPE, i)) for i in range(10)]
    with Broker() as broker:
        topic = broker.create_topic("two", partitions=2)
        for partition, symbol in enumerate("AB"):
            broker.produce(topic, [record(s, v, stamp) for stamp, s, v in rows if s == symbol], partition)
        out = run(Manager(quick(broker, topic, start_offset="earliest")), 11.0, ("A", "B"), start)
    for symbol in "AB":
        assert out[symbol] == [(stamp, received(symbol, v)) for stamp, s, v in rows if s == symbol]


def test_publishing_while_the_broker_is_gone_ends_on_time() -> None:
    with Broker() as broker:
        topic = broker.create_topic("away")
        manager = Manager(quick(broker, topic, connect_timeout=timedelta(milliseconds=500), max_attempts=None))
        broker.kill()

        @csp.graph
        def graph() -> None:
            ticks = [(timedelta(milliseconds=100 * (i + 1)), demo_value(OUTPUT_TYPE, i)) for i in range(15)]
            manager.publish(csp.curve(OUTPUT_TYPE, ticks), "P")
            csp.add_graph_output("status", manager.status())

        started = time.monotonic()
        out = csp.run(graph, starttime=utcnow(), endtime=timedelta(seconds=2), realtime=True)
        late = time.monotonic() - started - 2.0
    assert late < 1.0, f"csp.run returned {late:.2f} s after its end time"
    messages = [status.msg for _, status in out["status"]]
    assert any("producing failed" in message and "published values wait" in message for message in messages)


def test_a_simulation_replays_the_topic_alone() -> None:
    start = (utcnow() - timedelta(seconds=10)).replace(microsecond=0)
    with Broker() as broker:
        topic = broker.create_topic("sim")
        rows = history(broker, topic, start)
        out = run(Manager(quick(broker, topic, start_offset="earliest")), 0, ("A", "B"), start, realtime=False)
    for symbol in "AB":
        assert out[symbol] == [(max(stamp, start), received(symbol, v)) for stamp, s, v in rows if s == symbol]


def test_a_simulation_without_start_offset_is_refused() -> None:
    with Broker() as broker:
        topic = broker.create_topic("nosim")
        with pytest.raises(ValueError, match="the source is live"):
            run(Manager(quick(broker, topic)), 0, realtime=False)


def test_the_broker_killed_and_restarted_is_reconnected() -> None:
    restarted = threading.Event()
    with Broker() as broker:
        topic = broker.create_topic("restart")
        manager = Manager(quick(broker, topic, connect_timeout=timedelta(seconds=1), max_attempts=None))

        def outage() -> None:
            broker.produce(topic, [record("A", v) for v in values(3)])
            time.sleep(0.5)
            broker.kill()
            time.sleep(1.5)
            broker.start()
            # The broker keeps nothing in memory across a restart: the topic is
            # made again, unless a client's metadata request made it first
            # (the broker then gives it 4 partitions: the records go to the
            # one the reader knows). New records come once the reader has
            # found its log restarted (its offset past the log's end for
            # 0.5 s): records that refill the log past its offset first would
            # look like the old log to it.
            broker.create_topic(topic, exist_ok=True)
            restarted.wait(8.0)
            broker.produce(topic, [record("A", v) for v in values(3, 3)], partition=0)

        def on_status(status: Status) -> None:
            if "its log restarted" in status.msg:
                restarted.set()

        later(1.0, outage)
        out = run(manager, 10.0, on_status=on_status)
    statuses = codes(out)
    assert ticked(out, "A") == [received("A", v) for v in values(6)], [s.msg for s in ticked(out, "status")]
    assert statuses[:2] == [STATUS_OPENED, STATUS_CONNECTED]
    assert STATUS_DISCONNECTED in statuses and STATUS_RECONNECTING in statuses
    assert STATUS_CONNECTED in statuses[statuses.index(STATUS_RECONNECTING) :]
    # The new log is read from its start: nothing the broker kept is lost.
    assert any("its log restarted" in status.msg for status in ticked(out, "status"))


def test_a_broker_that_stops_answering_is_retried_and_read_again() -> None:
    sent = values(6)
    with Broker() as broker:
        topic = broker.create_topic("quotes")
        manager = Manager(quick(broker, topic, connect_timeout=timedelta(seconds=1)))
        later(0.5, lambda: broker.produce(topic, [record("A", value) for value in sent[:3]]))
        # Stopped, the broker keeps its connections open and answers nothing: half-open.
        later(1.0, lambda: broker.signal(signal.SIGSTOP))

        def resume() -> None:
            broker.signal(signal.SIGCONT)
            broker.produce(topic, [record("A", value) for value in sent[3:]])

        later(4.0, resume)
        started = time.monotonic()
        out = run(manager, 7.0)
        took = time.monotonic() - started
    assert ticked(out, "A") == [received("A", value) for value in sent]
    lost = [status.msg for status in ticked(out, "status") if status.status_code == STATUS_DISCONNECTED]
    assert lost and "no answer within" in lost[0], ticked(out, "status")
    assert codes(out)[-1] == STATUS_CONNECTED
    assert took < 8.0, f"the run ended {took - 7.0:.1f} s late"


def test_a_64_mib_record_arrives_whole() -> None:
    with Broker() as broker:
        topic = broker.create_topic("quotes")
        manager = Manager(quick(broker, topic))
        body = message("A", demo_value(INPUT_TYPE, 0))
        del body["symbol"]
        huge = json.dumps({**body, "padding": "x" * (64 << 20)})
        later(1.0, lambda: broker.produce(topic, [("A", huge, 0), record("A", demo_value(INPUT_TYPE, 1))]))
        out = run(manager, 4.0)
    # Records past fetch_bytes still come whole (as Kafka's own clients read them).
    assert ticked(out, "A") == [received("A", value) for value in values(2)]


def test_a_missing_topic_is_a_value_error_naming_it() -> None:
    with Broker() as broker:
        broker.create_topic("present")
        with pytest.raises(ValueError, match=r'no topic "absent" \(they have: present\)'):
            run(Manager(quick(broker, "absent")), 2.0)


def test_an_unreachable_broker_is_a_connection_error_naming_it() -> None:
    url = f"127.0.0.1:{free_port()}"
    source = Kafka(url, "t", connect_timeout=timedelta(milliseconds=300), max_attempts=2)
    with pytest.raises(ConnectionError, match=f"kafka://{url}/t: could not connect \\(2 attempts in a row"):
        run(Manager(source), 10.0)


def test_a_silent_broker_does_not_hold_the_run_past_its_end() -> None:
    """A listener that accepts connections and never answers (a broker that
    hangs), with retries for ever: the run still ends on time."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        url = f"127.0.0.1:{listener.getsockname()[1]}"
        source = Kafka(url, "t", connect_timeout=timedelta(seconds=30), max_attempts=None)
        started = time.monotonic()
        out = run(Manager(source), 1.0)
        late = time.monotonic() - started - 1.0
    assert late < 1.0, f"csp.run returned {late:.2f} s after its end time"
    assert codes(out) == [STATUS_OPENED]


def test_a_run_ends_on_time_while_the_broker_is_gone() -> None:
    with Broker() as broker:
        topic = broker.create_topic("gone")
        manager = Manager(quick(broker, topic, connect_timeout=timedelta(seconds=30), max_attempts=None))
        later(1.0, broker.kill)
        started = time.monotonic()
        out = run(manager, 2.5)
        late = time.monotonic() - started - 2.5
    assert late < 1.0, f"csp.run returned {late:.2f} s after its end time"
    assert codes(out)[:2] == [STATUS_OPENED, STATUS_CONNECTED]


def test_bad_records_tick_a_status_each_and_the_run_goes_on() -> None:
    good = values(2)
    with Broker() as broker:
        topic = broker.create_topic("bad")
        manager = Manager(quick(broker, topic))
        records: list[tuple[str | None, str | bytes, int]] = [
            record("A", good[0]),
            ("A", "{not json", 0),
            ("A", b"\xff\xfe", 0),
            (None, record("A", good[0])[1], 0),
            record("A", good[1]),
        ]
        later(1.0, lambda: broker.produce(topic, records))
        out = run(manager, 3.0)
    assert ticked(out, "A") == [received("A", v) for v in good]
    bad = [s for s in ticked(out, "status") if s.status_code == STATUS_BAD_MESSAGE]
    assert [s.msg.split(": record does not decode")[0] for s in bad] == [
        f"kafka://{broker.url}/{topic}: partition 0 offset {offset}" for offset in (1, 2, 3)
    ]
    assert "not UTF-8" in bad[1].msg and "no key and its value no symbol" in bad[2].msg
    assert manager.stats()["bad_messages"] == 3


def test_bad_messages_raise_names_the_record() -> None:
    with Broker() as broker:
        topic = broker.create_topic("strict")
        manager = Manager(quick(broker, topic, bad_messages="raise"))
        later(1.0, lambda: broker.produce(topic, [("A", "[1, ", 0)]))
        where = f"kafka://{broker.url}/strict: partition 0 offset 0"
        with pytest.raises(ValueError, match=f"{where}: record does not decode"):
            run(manager, 5.0)


BURST_COUNT = 5_000
BOUND = 200


@pytest.mark.parametrize("when_full", ["block", "drop_oldest", "drop_newest"])
def test_a_graph_slower_than_the_topic_follows_when_full(when_full: str) -> None:
    sent = values(BURST_COUNT)
    seen: list[Any] = []

    @csp.node
    def slow(x: ts[INPUT_TYPE]) -> ts[bool]:  # type: ignore[valid-type]
        seen.append(x)
        # Sleeping lets the producer run: the graph is the slow side.
        time.sleep(200e-6)
        if when_full == "block" and len(seen) == BURST_COUNT:
            return True

    with Broker() as broker:
        topic = broker.create_topic("quotes")
        manager = Manager(quick(broker, topic), max_in_flight=BOUND, when_full=when_full)
        later(1.0, lambda: broker.produce(topic, [record("A", value) for value in sent]))

        @csp.graph
        def graph() -> None:
            csp.stop_engine(slow(manager.subscribe("A")))
            csp.add_graph_output("status", manager.status())

        seconds = 30 if when_full == "block" else 6
        out = csp.run(graph, starttime=utcnow(), endtime=timedelta(seconds=seconds), realtime=True)
    stats = manager.stats()
    expected = [received("A", value) for value in sent]
    if when_full == "block":
        assert seen == expected
        assert stats["dropped"] == 0
        return
    # Each record either ticked or was counted as dropped, and a status said so.
    assert stats["dropped"] > 0, "the graph kept up: nothing to drop"
    assert len(seen) + stats["dropped"] == BURST_COUNT
    statuses = [s.msg for s in ticked(out, "status") if s.status_code == STATUS_DROPPED]
    counts = [re.match(r"dropped (\d+) events", message) for message in statuses]
    assert sum(int(match.group(1)) for match in counts if match) == stats["dropped"]
    # What ticked is in order: the oldest kept, or the newest.
    kept = iter(expected)
    assert all(value in kept for value in seen)
    if when_full == "drop_oldest":
        assert seen[-1] == expected[-1]
    else:
        assert seen[:BOUND] == expected[:BOUND]


def test_history_and_start_offset_together_are_refused(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="give one"):
        Manager(Kafka("localhost:9092", "t", start_offset="earliest"), history=tmp_path / "h.csv")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"brokers": "localhost"}, "brokers must be 'host:port'"),
        ({"brokers": []}, "brokers must be 'host:port'"),
        ({"topic": ""}, "topic must be a non-empty str"),
        ({"start_offset": "yesterday"}, "start_offset must be None, 'earliest'"),
        ({"fetch_wait": timedelta(0)}, "fetch_wait must be positive"),
        ({"fetch_bytes": 0}, "fetch_bytes must be >= 1"),
        ({"max_attempts": 0}, "max_attempts must be >= 1"),
        ({"bad_messages": "ignore"}, "bad_messages must be 'skip' or 'raise'"),
    ],
    ids=lambda value: value if isinstance(value, str) else next(iter(value), "") if isinstance(value, dict) else "",
)
def test_bad_parameters_are_refused_by_name(kwargs: dict[str, Any], error: str) -> None:
    arguments = {"brokers": "localhost:9092", "topic": "t", **kwargs}
    with pytest.raises(ValueError, match=error):
        Kafka(**arguments)


def test_start_offsets_are_kept_as_form_and_nanoseconds() -> None:
    at = datetime(2024, 1, 2, 9, 30)
    assert Kafka("h:1", "t").start_offset is None
    assert Kafka("h:1", "t", start_offset="EARLIEST").start_offset == ("earliest", 0)
    assert Kafka("h:1", "t", start_offset=timedelta(seconds=2)).start_offset == ("before", 2_000_000_000)
    assert Kafka("h:1", "t", start_offset=at).start_offset == ("at", millis(at) * 1_000_000)
    aware = at.replace(tzinfo=timezone(timedelta(hours=1)))
    assert Kafka("h:1", "t", start_offset=aware).start_offset == ("at", (millis(at) - 3_600_000) * 1_000_000)
    assert Kafka("h1:1, h2:2", "t").brokers == ("h1:1", "h2:2")
