"""Benchmark: the generated WebSocket transport against csp's own WebSocket adapter.

    python bench/websocket.py [--count N] [--rounds R] [--json PATH]

Renders and installs the record project of ``bench/run.py`` (fields symbol,
price, size, time) with the WebSocket transport, and serves the same JSON
records from one local server to three clients in turn: a raw socket that
only counts bytes (the server's own rate), the Rust manager
(``subscribe("A")``, records into ``ts[TapeRecord]``) and csp's
``WebsocketAdapterManager`` with its ``JSONTextMessageMapper`` into the same
struct. Each graph counts its ticks (BURST). Throughput: ``count`` records
written as fast as the server can. Latency: records stamped at their write,
10,000 a second, measured when the graph's node sees them (p50, p99).
Rounds alternate the clients; the table gives medians and the ratios.
Also times a cold release build of a rendering with and without the transport.
"""

import argparse
import asyncio
import base64
import hashlib
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import csp
from csp import ts

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BUILD, HARNESS, INSTALL, RECORD_ANSWERS, RECORD_PROJECT, ROOT, render
from run import run as run_command

EPOCH = datetime(1970, 1, 1)
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
LATENCY_RATE = 10_000
LATENCY_SECONDS = 3.0
WEBSOCKET_ANSWERS = {**RECORD_ANSWERS, "transport": "websocket"}


def frame(text: str) -> bytes:
    """An unmasked text frame, as a server sends it."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        return bytes([0x81, size]) + payload
    return bytes([0x81, 126, size >> 8, size & 0xFF]) + payload


def record(i: int, sent_ns: int) -> str:
    price = 100.0 + (i % 1000) * 0.25
    return json.dumps({"symbol": "A", "price": price, "size": i, "time": sent_ns})


class Server:
    """A WebSocket server on loopback, in a process of its own (so that it
    never holds the clients' GIL), that writes pre-encoded records as fast as
    it can, or paced, to each client once it has connected (after ``delay``)."""

    def __init__(self, count: int, paced: bool, delay: float = 0.5) -> None:
        self.count, self.paced, self.delay = count, paced, delay
        self.port = 0
        self._process: multiprocessing.process.BaseProcess | None = None

    def __enter__(self) -> "Server":
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        self._process = context.Process(target=serve, args=(self.count, self.paced, self.delay, theirs), daemon=True)
        self._process.start()
        if not ours.poll(30):
            raise RuntimeError("the benchmark's server did not start")
        self.port = ours.recv()
        return self

    def __exit__(self, *args: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join(10)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


def serve(count: int, paced: bool, delay: float, port_to: Any) -> None:
    """The server process: tells its port, then serves until terminated."""
    frames = b"" if paced else b"".join(frame(record(i, 0)) for i in range(count))

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = (await reader.readuntil(b"\r\n\r\n")).decode()
        lines = request.split("\r\n")
        key = next(line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("sec-websocket-key:"))
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
        )
        drain = asyncio.create_task(reader.read(-1))  # the client's subscriptions, unread
        await asyncio.sleep(delay)
        if paced:
            started = time.perf_counter()
            for i in range(count):
                due = started + i / LATENCY_RATE
                while (wait := due - time.perf_counter()) > 0.0005:
                    await asyncio.sleep(wait / 2)
                while time.perf_counter() < due:
                    pass
                writer.write(frame(record(i, time.time_ns())))
                if i % 64 == 0:
                    await writer.drain()
        else:
            chunk = 1 << 20
            for start in range(0, len(frames), chunk):
                writer.write(frames[start : start + chunk])
                await writer.drain()
        await writer.drain()
        await drain

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_to.send(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def raw_client(count: int) -> float:
    """The server's own rate: a socket that reads every byte and counts them."""
    expected = sum(len(frame(record(i, 0))) for i in range(count))
    with Server(count, paced=False, delay=0.0) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        buffer = bytearray(1 << 22)
        header = b""
        while b"\r\n\r\n" not in header:
            header += sock.recv(1)
        started, got = time.perf_counter(), 0
        while got < expected:
            got += sock.recv_into(buffer)
        seconds = time.perf_counter() - started
        sock.close()
    return count / seconds


def nodes(record_type: type) -> tuple[Any, Any]:
    """The graphs' measuring nodes, for ``ts[record_type]``."""

    @csp.node
    def meter(x: ts[[record_type]], total: int, marks: object) -> None:  # type: ignore[valid-type]
        """Notes the wall time of the first tick and of the one that completes ``total``."""
        with csp.state():
            s_seen = 0
        if s_seen == 0:
            marks.append(time.perf_counter())  # type: ignore[attr-defined]
        s_seen += len(x)
        if s_seen >= total:
            marks.append(time.perf_counter())  # type: ignore[attr-defined]
            csp.stop_engine()

    @csp.node
    def stamps(x: ts[[record_type]], total: int, delays: object) -> None:  # type: ignore[valid-type]
        """Records each record's age (ns) when the node sees it (a BURST: the
        node's own cost per tick does not queue the records behind it)."""
        now = time.time_ns()
        for one in x:
            delays.append(now - (one.time - EPOCH) // timedelta(microseconds=1) * 1000)  # type: ignore[attr-defined]
        if len(delays) >= total:  # type: ignore[arg-type]
            csp.stop_engine()

    return meter, stamps


Subscribe = Callable[[str, csp.PushMode], Any]


def clients(module: Any) -> dict[str, Callable[[str], Subscribe]]:
    """How each client subscribes to the records of a server at ``url``."""
    from csp.adapters.utils import DateTimeType, JSONTextMessageMapper
    from csp.adapters.websocket import WebsocketAdapterManager

    record_type = module.TapeRecord

    def rust(url: str) -> Subscribe:
        manager = module.TapeAdapterManager(module.WebSocket(url))
        return lambda _symbol, mode: manager.subscribe("A", push_mode=mode)

    def csp_own(url: str) -> Subscribe:
        manager = WebsocketAdapterManager(url)
        mapper = JSONTextMessageMapper(datetime_type=DateTimeType.UINT64_NANOS)
        return lambda _symbol, mode: manager.subscribe(record_type, mapper, push_mode=mode)

    return {"rust": rust, "csp": csp_own}


def throughput(subscribe: Subscribe, meter: Any, count: int) -> float:
    marks: list[float] = []

    @csp.graph
    def graph() -> None:
        meter(subscribe("A", csp.PushMode.BURST), count, marks)

    csp.run(graph, starttime=datetime.now(UTC), endtime=timedelta(seconds=120), realtime=True)
    if len(marks) < 2:
        raise RuntimeError("the client did not receive every record within 120 s")
    return count / (marks[1] - marks[0])


def latency(subscribe: Subscribe, stamps: Any, count: int) -> tuple[float, float]:
    delays: list[int] = []

    @csp.graph
    def graph() -> None:
        stamps(subscribe("A", csp.PushMode.BURST), count, delays)

    csp.run(graph, starttime=datetime.now(UTC), endtime=timedelta(seconds=60), realtime=True)
    ordered = sorted(delays)
    return ordered[len(ordered) // 2] / 1000, ordered[int(len(ordered) * 0.99)] / 1000


def cold_build_seconds(answers: dict[str, str], name: str) -> float:
    project = BUILD / name
    render(project, answers)
    target = BUILD / f"cargo-target-{name}"
    shutil.rmtree(target, ignore_errors=True)
    env = {"PYO3_PYTHON": sys.executable, "CARGO_TARGET_DIR": str(target)}
    seconds = run_command(["cargo", "build", "--release", "--lib"], project, env)
    shutil.rmtree(target, ignore_errors=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-build-times", action="store_true")
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench" / "websocket.json")
    args = parser.parse_args()

    render(RECORD_PROJECT, WEBSOCKET_ANSWERS)
    run_command(INSTALL, RECORD_PROJECT, {"PYO3_PYTHON": sys.executable, **HARNESS})
    sys.path.insert(0, str(RECORD_PROJECT))  # installed just now: its .pth is not read yet
    import csp_adapter_tape as module  # noqa: PLC0415

    ways = clients(module)
    meter, stamps = nodes(module.TapeRecord)
    rates: dict[str, list[float]] = {"server alone": [], "rust": [], "csp": []}
    lat: dict[str, list[tuple[float, float]]] = {"rust": [], "csp": []}
    for round_ in range(args.rounds):
        rates["server alone"].append(raw_client(args.count))
        order = ["rust", "csp"] if round_ % 2 == 0 else ["csp", "rust"]
        for name in order:
            with Server(args.count, paced=False) as server:
                rates[name].append(throughput(ways[name](server.url), meter, args.count))
        for name in order:
            count = int(LATENCY_RATE * LATENCY_SECONDS)
            with Server(count, paced=True) as server:
                lat[name].append(latency(ways[name](server.url), stamps, count))
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in rates.items()), flush=True)

    each_round = {"rates": rates, "latency": lat}
    results: dict[str, Any] = {"count": args.count, "rounds": args.rounds, "each round": each_round}
    print(f"\nWebSocket: {args.count:,} JSON records (4 fields) into ts[TapeRecord], medians of {args.rounds} rounds")
    print(f"{'client':<14}{'records/s':>14}{'p50 us':>10}{'p99 us':>10}")
    for name, values in rates.items():
        median = statistics.median(values)
        results[f"{name} records_per_second"] = median
        p50 = p99 = ""
        if name in lat:
            p50_value = statistics.median(p for p, _ in lat[name])
            p99_value = statistics.median(p for _, p in lat[name])
            results[f"{name} latency_p50_us"], results[f"{name} latency_p99_us"] = p50_value, p99_value
            p50, p99 = f"{p50_value:,.0f}", f"{p99_value:,.0f}"
        print(f"{name:<14}{median:>14,.0f}{p50:>10}{p99:>10}")
    ratio = results["rust records_per_second"] / results["csp records_per_second"]
    results["rust/csp throughput"] = ratio
    print(f"Rust/csp throughput: {ratio:.2f}x (latency at {LATENCY_RATE:,}/s for {LATENCY_SECONDS:.0f} s)")
    if not args.skip_build_times:
        without = cold_build_seconds(RECORD_ANSWERS, "cold-none")
        with_ws = cold_build_seconds(WEBSOCKET_ANSWERS, "cold-websocket")
        results["cold_release_build_seconds"] = {"none": without, "websocket": with_ws}
        print(f"cold release build: {without:.0f} s without a transport, {with_ws:.0f} s with websocket")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("RUST_BACKTRACE", "0")
    main()
