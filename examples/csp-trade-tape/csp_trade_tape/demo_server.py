"""The demo's WebSocket server (the demo's ``--websocket`` option): on
loopback, on a thread of its own, it waits for the subscriptions, sends the
demo events as JSON messages (``src/messages.rs``), and counts the messages
that ``publish`` sends back. It needs the ``websockets`` package."""

import asyncio
import json
import threading
from types import TracebackType
from typing import Any

from .adapters import INPUT_TYPE
from .demo import demo_value
from .messages import message


def demo_message(symbol: str, index: int) -> str:
    """The message of demo event ``index`` of ``symbol``."""
    return json.dumps(message(symbol, demo_value(INPUT_TYPE, index)))


class DemoServer:
    """Sends ``count`` demo events over ``symbols`` in turn to each client."""

    def __init__(self, symbols: list[str], count: int) -> None:
        try:
            import websockets  # noqa: F401
        except ImportError:
            raise SystemExit("--websocket needs the websockets package: pip install websockets") from None
        self.symbols = symbols
        self.count = count
        self.published = 0
        self.url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    async def _handle(self, connection: Any) -> None:
        await connection.recv()  # the subscriptions
        reader = asyncio.create_task(self._count_published(connection))
        for i in range(self.count):
            await connection.send(demo_message(self.symbols[i % len(self.symbols)], i))
        await reader

    async def _count_published(self, connection: Any) -> None:
        async for _ in connection:
            self.published += 1

    async def _main(self) -> None:
        from websockets.asyncio.server import serve

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with serve(self._handle, "127.0.0.1", 0, ping_interval=None, compression=None) as server:
            self.url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> "DemoServer":
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the demo's WebSocket server did not start")
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
