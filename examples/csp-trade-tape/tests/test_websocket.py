"""The WebSocket transport against real servers on loopback (``ws_server.py``):
exact values, the subscriptions the server receives, batches, publish, the
run's end with a silent server, reconnects, giving up, bad messages, TLS
with a private CA, extra headers, a peer that stops answering pings, a peer
that sends one byte a second, a 64 MiB message, a graph slower than the
server under each ``when_full`` policy, and a million messages with none
lost."""

import asyncio
import json
import os
import re
import socket
import ssl
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import csp
import pytest
import trustme
from conftest import write_events
from csp import ts
from csp.adapters.status import Status
from ws_server import Peer, SilentPeer, TricklingPeer, WsServer

from csp_trade_tape import (
    TradeTapeAdapterManager,
    WebSocket,
    demo_value,
)
from csp_trade_tape._native import (
    STATUS_BAD_MESSAGE,
    STATUS_CONNECTED,
    STATUS_DISCONNECTED,
    STATUS_DROPPED,
    STATUS_FEED_FAILED,
    STATUS_GAVE_UP,
    STATUS_OPENED,
    STATUS_RECONNECTING,
    STATUS_REPLAY_COMPLETE,
)
from csp_trade_tape.adapters import INPUT_TYPE
from csp_trade_tape.adapters import OUTPUT_TYPE as PUBLISHED
from csp_trade_tape.messages import decode_message, message, received

# Any: the checks below branch on whether it is a record.
OUTPUT_TYPE: Any = PUBLISHED

Manager = TradeTapeAdapterManager
# Messages of the no-loss test (1,000,000 by default).
MANY = int(os.environ.get("WS_MESSAGES", "1000000"))


def quick(url: str, **options: Any) -> WebSocket:
    """A WebSocket that retries within milliseconds, so that the tests' reconnects are quick."""
    wait, longest = timedelta(milliseconds=20), timedelta(milliseconds=100)
    return WebSocket(url, reconnect_interval=wait, max_reconnect_interval=longest, **options)


def values(count: int, start: int = 0) -> list[Any]:
    return [demo_value(INPUT_TYPE, i) for i in range(start, start + count)]


async def send_all(peer: Peer, events: list[tuple[str, Any]]) -> None:
    for symbol, value in events:
        await peer.send(json.dumps(message(symbol, value)))


def run(manager: Manager, seconds: float, symbols: tuple[str, ...] = ("A",)) -> dict[str, list[Any]]:
    """Runs a graph of ``symbols`` and ``status()``; returns the values and statuses that ticked."""

    @csp.graph
    def graph() -> None:
        for symbol in symbols:
            csp.add_graph_output(symbol, manager.subscribe(symbol))
        csp.add_graph_output("status", manager.status())

    out = csp.run(graph, starttime=datetime.now(timezone.utc), endtime=timedelta(seconds=seconds), realtime=True)
    return {name: [value for _, value in ticks] for name, ticks in out.items()}


def codes(statuses: list[Status]) -> list[int]:
    return [status.status_code for status in statuses]


def test_values_arrive_exactly_and_only_the_subscribed_symbols_tick() -> None:
    sent = values(30)
    events = [("ABC"[i % 3], value) for i, value in enumerate(sent)]

    async def script(peer: Peer) -> None:
        await peer.recv()
        await send_all(peer, events)
        await peer.idle()

    with WsServer(script) as server:
        manager = Manager(WebSocket(server.url))
        out = run(manager, 1.0, symbols=("A", "B"))
    assert server.received == ['{"op":"subscribe","symbols":["A","B"]}']
    for symbol in "AB":
        assert out[symbol] == [received(s, v) for s, v in events if s == symbol]
    assert codes(out["status"]) == [STATUS_OPENED, STATUS_CONNECTED]
    stats = manager.stats()
    assert (stats["events"], stats["unrouted"], stats["bad_messages"]) == (30, 10, 0)


@pytest.mark.parametrize("push_mode", [csp.PushMode.BURST, csp.PushMode.LAST_VALUE], ids=["burst", "last-value"])
def test_an_array_is_one_batch(push_mode: csp.PushMode) -> None:
    batch = values(3)

    async def script(peer: Peer) -> None:
        await peer.recv()
        await peer.send(json.dumps([message("A", value) for value in batch]))
        await peer.idle()

    with WsServer(script) as server:
        manager = Manager(WebSocket(server.url))

        @csp.graph
        def graph() -> None:
            csp.add_graph_output("A", manager.subscribe("A", push_mode=push_mode))

        out = csp.run(graph, starttime=datetime.now(timezone.utc), endtime=timedelta(seconds=0.5), realtime=True)
    ticked = [value for _, value in out["A"]]
    wanted = [received("A", value) for value in batch]
    assert ticked == ([wanted] if push_mode == csp.PushMode.BURST else [wanted[-1]])


def test_publish_sends_each_tick_on_the_same_connection() -> None:
    published = [demo_value(OUTPUT_TYPE, i) for i in range(20)]

    async def script(peer: Peer) -> None:
        await peer.recv()
        for _ in published:
            await peer.recv()
        await peer.idle()

    with WsServer(script) as server:
        manager = Manager(WebSocket(server.url))

        @csp.graph
        def graph() -> None:
            ticks = [(timedelta(milliseconds=100 + i), value) for i, value in enumerate(published)]
            manager.publish(csp.curve(OUTPUT_TYPE, ticks), "P")

        csp.run(graph, starttime=datetime.now(timezone.utc), endtime=timedelta(seconds=0.6), realtime=True)
    messages = [json.loads(text) for text in server.received[1:]]
    assert [m["symbol"] for m in messages] == ["P"] * len(published)
    assert all(isinstance(m["time"], str) and m["time"].endswith("Z") for m in messages)
    got = [decode_message(OUTPUT_TYPE, m) for m in messages]
    want = [received("P", value) for value in published]
    if issubclass(OUTPUT_TYPE, csp.Struct) and "time" in OUTPUT_TYPE.metadata():
        # An unset time goes out as the engine's time.
        for one, sent in zip(got, want, strict=True):
            if not hasattr(sent, "time"):
                del one.time
    assert got == want


def test_a_silent_server_does_not_hold_the_run_past_its_end() -> None:
    async def script(peer: Peer) -> None:
        await peer.recv()
        await peer.idle()

    with WsServer(script) as server:
        late = []
        for _ in range(3):
            started = time.monotonic()
            run(Manager(WebSocket(server.url)), 0.3)
            late.append(time.monotonic() - started - 0.3)
    print(f"\ncsp.run returned {', '.join(f'{s * 1000:.1f}' for s in late)} ms after its end time")
    assert max(late) < 0.2, late


@csp.node
def timeline(values: ts[INPUT_TYPE], status: ts[Status], seen: object) -> None:
    """Appends ``(cycle, what)`` to ``seen`` for every tick."""
    with csp.state():
        s_cycle = 0
    s_cycle += 1
    if csp.ticked(status):
        seen.append((s_cycle, status.status_code))  # type: ignore[attr-defined]
    if csp.ticked(values):
        seen.append((s_cycle, values))  # type: ignore[attr-defined]


def test_a_dropped_connection_is_reconnected_and_resubscribed_in_order() -> None:
    first, second = values(5), values(5, start=5)

    async def script(peer: Peer) -> None:
        await peer.recv()
        await send_all(peer, [("A", value) for value in (first if peer.index == 0 else second)])
        if peer.index == 0:
            await asyncio.sleep(0.1)
            peer.abort()
            return
        await peer.idle()

    seen: list[tuple[int, Any]] = []
    with WsServer(script) as server:
        manager = Manager(quick(server.url))

        @csp.graph
        def graph() -> None:
            timeline(manager.subscribe("A"), manager.status(), seen)

        csp.run(graph, starttime=datetime.now(timezone.utc), endtime=timedelta(seconds=1), realtime=True)
    assert server.received == ['{"op":"subscribe","symbols":["A"]}'] * 2
    wanted = [STATUS_OPENED, STATUS_CONNECTED, *[received("A", v) for v in first]]
    wanted += [STATUS_DISCONNECTED, STATUS_RECONNECTING, STATUS_CONNECTED, *[received("A", v) for v in second]]
    assert [what for _, what in seen] == wanted
    cycles = [cycle for cycle, _ in seen]
    assert cycles == sorted(cycles)


def test_a_server_gone_for_good_ends_in_gave_up_and_a_connection_error() -> None:
    async def script(peer: Peer) -> None:
        await peer.recv()
        await send_all(peer, [("A", value) for value in values(2)])
        await asyncio.sleep(0.05)
        peer.stop_server()
        peer.abort()

    statuses: list[Status] = []
    server = WsServer(script)
    server.start()
    manager = Manager(quick(server.url, max_attempts=3))

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("A", manager.subscribe("A"))
        csp.add_graph_output("status", manager.status())
        csp.add_graph_output("collect", collect(manager.status(), statuses))

    started = time.monotonic()
    with pytest.raises(ConnectionError, match=rf"{server.url}: could not connect \(3 attempts in a row"):
        csp.run(graph, starttime=datetime.now(timezone.utc), endtime=timedelta(seconds=30), realtime=True)
    assert time.monotonic() - started < 10
    server.stop()
    names = codes(statuses)
    assert names[:2] == [STATUS_OPENED, STATUS_CONNECTED]
    if names[-1] == STATUS_FEED_FAILED:  # when the engine runs a cycle before it stops
        names.pop()
    # Lost, then two attempts that fail; the third gives up.
    assert names[2:] == [*[STATUS_DISCONNECTED, STATUS_RECONNECTING] * 3, STATUS_GAVE_UP]
    assert f"{server.url}: gave up after 3 failed attempts in a row" in statuses[len(names) - 1].msg


@csp.node
def collect(status: ts[Status], into: object) -> ts[bool]:
    """Keeps every status in ``into`` (a list that survives a failed run)."""
    into.append(status)  # type: ignore[attr-defined]
    return True


def test_an_unreachable_server_is_a_connection_error_naming_it() -> None:
    with WsServer(lambda peer: peer.idle()) as server:
        url = server.url  # a port that was just free
    with pytest.raises(ConnectionError, match=rf"^.*{url}: could not connect \(2 attempts in a row; the last: "):
        run(Manager(quick(url, max_attempts=2)), 30)


def wrong_type() -> str:
    """A message with a value (or a record's first field) of the wrong type."""
    data = message("A", demo_value(INPUT_TYPE, 0))
    key = next(name for name in data if name not in ("symbol", "time"))
    return json.dumps({**data, key: {"nested": []}})


def test_a_handshake_that_never_comes_times_out() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:  # connects, never accepted nor answered
        url = f"ws://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(ConnectionError, match=r"the last: no connection within 200ms\)$"):
            run(Manager(WebSocket(url, connect_timeout=timedelta(milliseconds=200), max_attempts=1)), 30)
    assert time.monotonic() - started < 5


BAD = [
    ("not JSON", "garbage", "expected value at line 1 column 1: garbage"),
    ("wrong type", wrong_type(), "invalid type"),
    ("missing field", json.dumps({"time": 0}), "missing field `symbol`"),
    ("bad time", json.dumps({"symbol": "A", "time": "yesterday"}), "yesterday"),
]


def test_bad_messages_tick_a_status_each_and_the_run_goes_on() -> None:
    good = values(4)

    async def script(peer: Peer) -> None:
        await peer.recv()
        if peer.index > 0:
            await send_all(peer, [("A", good[3])])
            await peer.idle()
            return
        await send_all(peer, [("A", good[0])])
        for _, text, _ in BAD:
            await peer.send(text)
        await peer.send(b"\xff\xfe binary")
        await send_all(peer, [("A", good[1])])
        peer.send_raw_text_frame(b"\xff\xfe")  # a text frame that is not UTF-8: the client resets
        await peer.idle()

    with WsServer(script) as server:
        manager = Manager(quick(server.url))
        out = run(manager, 1.0)
    assert out["A"] == [received("A", good[i]) for i in (0, 1, 3)]
    bad = [status.msg for status in out["status"] if status.status_code == STATUS_BAD_MESSAGE]
    assert len(bad) == len(BAD) + 2, bad
    for (what, _, reason), msg in zip(BAD, bad, strict=False):
        assert msg.startswith(f"{server.url}: message "), msg
        assert reason in msg, (what, msg)
    assert "binary message that is not UTF-8" in bad[len(BAD)]
    assert "not UTF-8" in bad[len(BAD) + 1]
    assert manager.stats()["bad_messages"] == len(BAD) + 2


def test_a_message_over_max_message_size_is_bad_and_resets_the_connection() -> None:
    async def script(peer: Peer) -> None:
        await peer.recv()
        if peer.index == 0:
            await peer.send(json.dumps({"symbol": "A", "padding": "x" * 100_000}))
        else:
            await send_all(peer, [("A", demo_value(INPUT_TYPE, 1))])
        await peer.idle()

    with WsServer(script) as server:
        manager = Manager(quick(server.url, max_message_size=50_000))
        out = run(manager, 1.0)
    assert out["A"] == [received("A", demo_value(INPUT_TYPE, 1))]
    bad = [status.msg for status in out["status"] if status.status_code == STATUS_BAD_MESSAGE]
    assert len(bad) == 1 and "max_message_size is 50000" in bad[0], bad
    assert server.connections == 2


def test_bad_messages_raise_names_the_message() -> None:
    async def script(peer: Peer) -> None:
        await peer.recv()
        await peer.send("{oops")
        await peer.idle()

    with WsServer(script) as server:
        manager = Manager(WebSocket(server.url, bad_messages="raise"))
        quoted = re.escape("{oops")
        with pytest.raises(ValueError, match=rf"{server.url}: message 1 does not decode: .*: {quoted}$"):
            run(manager, 5)


def test_wss_with_a_private_ca_and_extra_headers(tmp_path: Any) -> None:
    ca = trustme.CA()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(tls)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    headers: list[str | None] = []

    async def script(peer: Peer) -> None:
        headers.append(peer.headers.get("X-Api-Key"))
        await peer.recv()
        await send_all(peer, [("A", demo_value(INPUT_TYPE, 7))])
        await peer.idle()

    with WsServer(script, tls=tls) as server:
        assert server.url.startswith("wss://")
        source = WebSocket(server.url, headers={"X-Api-Key": "sesame"}, ca_file=ca_file)
        out = run(Manager(source), 1.0)
        assert out["A"] == [received("A", demo_value(INPUT_TYPE, 7))]
        assert headers == ["sesame"]
        # Without the CA the server's certificate is not trusted.
        with pytest.raises(ConnectionError, match="certificate"):
            run(Manager(WebSocket(server.url, max_attempts=1)), 10)


def test_a_peer_that_stops_answering_pings_is_dropped_and_retried() -> None:
    with SilentPeer() as peer:
        ping = timedelta(milliseconds=100)
        manager = Manager(quick(peer.url, ping_interval=ping, pong_timeout=ping))
        out = run(manager, 1.0)
    lost = [status.msg for status in out["status"] if status.status_code == STATUS_DISCONNECTED]
    assert lost and "no answer to a ping within 100ms" in lost[0], out["status"]
    assert peer.connections >= 2


def test_a_peer_that_sends_one_byte_a_second_is_dropped_and_retried() -> None:
    with TricklingPeer(every=1.0) as peer:
        ping = timedelta(milliseconds=300)
        manager = Manager(quick(peer.url, ping_interval=ping, pong_timeout=ping))
        started = time.monotonic()
        out = run(manager, 2.0)
        took = time.monotonic() - started
    assert out.get("A", []) == []
    lost = [status.msg for status in out["status"] if status.status_code == STATUS_DISCONNECTED]
    assert lost and "no answer to a ping within 300ms" in lost[0], out["status"]
    assert STATUS_RECONNECTING in codes(out["status"]) and peer.connections >= 2
    assert took < 3.0, f"the run ended {took - 2.0:.1f} s late"


BURST_COUNT = 5_000
BOUND = 200


def dropped_counts(statuses: list[Status]) -> int:
    """The events the STATUS_DROPPED statuses count, together."""
    counts = [re.match(r"dropped (\d+) events", s.msg) for s in statuses if s.status_code == STATUS_DROPPED]
    return sum(int(match.group(1)) for match in counts if match)


@pytest.mark.parametrize("when_full", ["block", "drop_oldest", "drop_newest"])
def test_a_graph_slower_than_the_server_follows_when_full(when_full: str) -> None:
    sent = values(BURST_COUNT)

    async def script(peer: Peer) -> None:
        await peer.recv()
        await send_all(peer, [("A", value) for value in sent])
        await peer.idle()

    seen: list[Any] = []

    @csp.node
    def slow(x: ts[INPUT_TYPE]) -> ts[bool]:  # type: ignore[valid-type]
        seen.append(x)
        # Sleeping lets the server's thread run: the graph is the slow side.
        time.sleep(200e-6)
        if when_full == "block" and len(seen) == BURST_COUNT:
            return True

    with WsServer(script) as server:
        manager = Manager(quick(server.url), max_in_flight=BOUND, when_full=when_full)

        @csp.graph
        def graph() -> None:
            csp.stop_engine(slow(manager.subscribe("A")))
            csp.add_graph_output("status", manager.status())

        seconds = 30 if when_full == "block" else 4
        out = csp.run(graph, starttime=datetime.now(timezone.utc), endtime=timedelta(seconds=seconds), realtime=True)
    statuses = [status for _, status in out["status"]]
    stats = manager.stats()
    expected = [received("A", value) for value in sent]
    assert stats["peak_in_flight"] <= BOUND + 64
    if when_full == "block":
        assert seen == expected
        assert stats["dropped"] == 0
        return
    # Each event either ticked or was counted as dropped, and a status said so.
    assert stats["dropped"] > 0, "the graph kept up: nothing to drop"
    assert len(seen) + stats["dropped"] == BURST_COUNT
    assert dropped_counts(statuses) == stats["dropped"]
    # What ticked is in order: the oldest kept, or the newest.
    kept = iter(expected)
    assert all(value in kept for value in seen)
    if when_full == "drop_oldest":
        assert seen[-1] == expected[-1]
    else:
        assert seen[:BOUND] == expected[:BOUND]


def test_history_then_live_from_the_server(tmp_path: Path) -> None:
    """A run from five minutes ago: the history file's events tick at their
    times, then the server's live ones."""
    start = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=5)
    history = [(start + timedelta(seconds=i), "A", value) for i, value in enumerate(values(10, start=100))]
    path = write_events(tmp_path / "history.csv", history)
    live = values(5)

    async def script(peer: Peer) -> None:
        await peer.recv()
        await send_all(peer, [("A", value) for value in live])
        await peer.idle()

    with WsServer(script) as server:
        manager = Manager(quick(server.url), history=path)

        @csp.graph
        def graph() -> None:
            csp.add_graph_output("A", manager.subscribe("A"))
            csp.add_graph_output("status", manager.status())

        end = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(seconds=1)
        out = csp.run(graph, starttime=start, endtime=end, realtime=True)
    ticks = out["A"]
    assert ticks[:10] == [(when, value) for when, _, value in history]
    assert [value for _, value in ticks[10:]] == [received("A", value) for value in live]
    statuses = codes([status for _, status in out["status"]])
    assert statuses[0] == STATUS_OPENED and STATUS_REPLAY_COMPLETE in statuses and STATUS_CONNECTED in statuses


def test_a_simulation_refuses_a_websocket_at_once() -> None:
    manager = Manager(WebSocket("ws://127.0.0.1:9"))

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("A", manager.subscribe("A"))

    with pytest.raises(ValueError, match="the source is live, with no history to replay"):
        csp.run(graph, starttime=datetime(2020, 1, 1), endtime=timedelta(seconds=1), realtime=False)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"url": "http://x"}, "url must be a str starting with ws:// or wss://"),
        ({"url": "ws://x", "headers": {"a": 1}}, "headers must map str to str"),
        ({"url": "ws://x", "connect_timeout": timedelta(0)}, "connect_timeout must be positive"),
        ({"url": "ws://x", "max_attempts": 0}, "max_attempts must be >= 1, or None"),
        ({"url": "ws://x", "bad_messages": "ignore"}, "bad_messages must be 'skip' or 'raise'"),
    ],
    ids=["url", "headers", "timeout", "attempts", "bad-messages"],
)
def test_bad_parameters_are_refused_by_name(kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises((TypeError, ValueError), match=error):
        WebSocket(**kwargs)


def test_a_bad_header_is_a_value_error_at_start() -> None:
    manager = Manager(WebSocket("ws://127.0.0.1:9", headers={"bad header": "x"}))
    with pytest.raises(ValueError, match='header name "bad header"'):
        run(manager, 1)


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_a_64_mib_message_is_bad_and_memory_stays_bounded() -> None:
    limit = 64 << 20
    huge = json.dumps({"symbol": "A", "padding": "x" * limit})

    async def script(peer: Peer) -> None:
        await peer.recv()
        if peer.index == 0:
            await peer.send(huge)
        else:
            await send_all(peer, [("A", demo_value(INPUT_TYPE, 1))])
        await peer.idle()

    before = rss_mib()
    with WsServer(script) as server:
        manager = Manager(quick(server.url))
        out = run(manager, 3.0)
    growth = rss_mib() - before
    print(f"\na 64 MiB message: RSS grew by {growth:.0f} MiB")
    assert out["A"] == [received("A", demo_value(INPUT_TYPE, 1))]
    bad = [status.msg for status in out["status"] if status.status_code == STATUS_BAD_MESSAGE]
    assert len(bad) == 1 and f"max_message_size is {limit}" in bad[0], bad
    # The client holds at most one message of the limit (the server's copies count too).
    assert growth < 4 * 64, f"RSS grew by {growth:.0f} MiB"


def test_a_million_messages_arrive_with_none_lost() -> None:
    texts = [json.dumps(message("A", demo_value(INPUT_TYPE, i % 1000))) for i in range(1000)]

    async def script(peer: Peer) -> None:
        await peer.recv()
        for i in range(MANY):
            await peer.send(texts[i % 1000])
        await peer.idle()

    @csp.node
    def count(x: ts[[INPUT_TYPE]]) -> ts[int]:
        with csp.state():
            s_count = 0
        s_count += len(x)
        if s_count == MANY:
            csp.stop_engine()
        return s_count

    with WsServer(script) as server:
        manager = Manager(WebSocket(server.url))

        @csp.graph
        def graph() -> None:
            csp.add_graph_output("count", count(manager.subscribe("A", push_mode=csp.PushMode.BURST)), tick_count=1)

        started = time.monotonic()
        csp.run(graph, starttime=datetime.now(timezone.utc), endtime=timedelta(seconds=300), realtime=True)
        seconds = time.monotonic() - started
    print(f"\n{MANY} messages in {seconds:.1f} s ({MANY / seconds:,.0f}/s, the server's pace)")
    assert manager.stats()["events"] == MANY
    assert manager.stats()["pushed"] == MANY
