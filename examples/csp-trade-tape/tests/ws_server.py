"""Real WebSocket servers on loopback for the tests, each on a thread of its
own: ``WsServer`` (the ``websockets`` package) runs a script per connection;
``SilentPeer`` completes the opening handshake and then never answers, as a
half-open connection would; ``TricklingPeer`` then sends a message one byte a
second, answering nothing."""

import asyncio
import base64
import hashlib
import ssl
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

Script = Callable[["Peer"], Awaitable[None]]
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Peer:
    """One client connection as a script sees it (``index``: 0 for the first)."""

    def __init__(self, server: "WsServer", connection: ServerConnection, index: int) -> None:
        self.server = server
        self.connection = connection
        self.index = index

    async def recv(self) -> str:
        """The next message from the client, also noted in ``server.received``."""
        message = await self.connection.recv()
        text = message if isinstance(message, str) else message.decode()
        self.server.received.append(text)
        return text

    async def send(self, message: str | bytes) -> None:
        await self.connection.send(message)

    def send_raw_text_frame(self, payload: bytes) -> None:
        """A text frame whose payload need not be UTF-8 (the library refuses to send one)."""
        assert len(payload) < 126
        self.connection.transport.write(bytes([0x81, len(payload)]) + payload)

    def stop_server(self) -> None:
        """Stops the server from its own script: new connections are refused."""
        self.server.stop_soon()

    async def idle(self) -> None:
        """Sends nothing until the client or the server closes the connection."""
        await self.connection.wait_closed()

    def abort(self) -> None:
        """Drops the connection without a closing handshake."""
        self.connection.transport.abort()

    @property
    def headers(self) -> Any:
        request = self.connection.request
        assert request is not None
        return request.headers


class _Thread:
    """An asyncio loop on a thread of its own, serving until ``__exit__``."""

    def __init__(self) -> None:
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    async def _serve(self) -> Any:
        raise NotImplementedError

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await self._serve()
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        await self._close(server)

    async def _close(self, server: Any) -> None:
        server.close()
        await server.wait_closed()

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(10), "the server did not start"

    def stop_soon(self) -> None:
        """Stops serving (new connections are refused) without waiting."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)

    def stop(self) -> None:
        """Stops serving and waits for the server's thread."""
        self.stop_soon()
        self._thread.join(10)


class WsServer(_Thread):
    """Runs ``script(peer)`` for every connection; returning closes it normally."""

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None, port: int = 0) -> None:
        super().__init__()
        self.script = script
        self.tls = tls
        self.port = port
        self.received: list[str] = []
        self.connections = 0
        self.errors: list[BaseException] = []

    @property
    def url(self) -> str:
        return f"{'wss' if self.tls else 'ws'}://127.0.0.1:{self.port}"

    async def _handle(self, connection: ServerConnection) -> None:
        peer = Peer(self, connection, self.connections)
        self.connections += 1
        try:
            await self.script(peer)
        except Exception as error:  # the client went away: note it, as a test may expect it
            self.errors.append(error)

    async def _serve(self) -> Any:
        return await serve(
            self._handle, "127.0.0.1", self.port, ssl=self.tls, ping_interval=None, max_size=None, compression=None
        )

    def __enter__(self) -> "WsServer":
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


class SilentPeer(_Thread):
    """Accepts the opening handshake, then reads and sends nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.connections = 0
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        request = (await reader.readuntil(b"\r\n\r\n")).decode()
        key = next(
            line.split(":", 1)[1].strip()
            for line in request.split("\r\n")
            if line.lower().startswith("sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
        )
        await writer.drain()
        await self._after_handshake(reader, writer)

    async def _after_handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # the client's bytes (pings) go unanswered until it closes

    async def _serve(self) -> Any:
        return await asyncio.start_server(self._handle, "127.0.0.1", 0)

    async def _close(self, server: Any) -> None:
        for writer in self._writers:
            writer.transport.abort()
        await super()._close(server)

    def __enter__(self) -> "SilentPeer":
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


class TricklingPeer(SilentPeer):
    """Accepts the opening handshake, then sends a text frame one byte every
    ``every`` seconds, reading and answering nothing."""

    def __init__(self, every: float = 1.0) -> None:
        super().__init__()
        self.every = every

    async def _after_handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        payload = b'{"symbol":"A","value":1}'
        for byte in bytes([0x81, len(payload)]) + payload:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(self.every)

    def __enter__(self) -> "TricklingPeer":
        self.start()
        return self
