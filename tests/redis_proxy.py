"""A TCP hop between the bot and Redis that can lose the answer to one chosen command, drop
every connection, or let connections go silent.

A Redis that dies after doing a command and before answering it leaves its client with a
dropped connection and a command that took effect; with retries the client sends it again.
A restart makes that happen by chance; this makes it happen to the command a test names.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable


class ReplyLosingProxy:
    def __init__(self, upstream_port: int) -> None:
        self._upstream_port = upstream_port
        self._server: asyncio.Server | None = None
        self._chosen: Callable[[bytes], bool] | None = None
        self._chosen_answer: Callable[[bytes], bool] = lambda _: True
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._silenced: set[asyncio.StreamWriter] = set()
        self.dropped = 0
        """Connections closed by `drop_connections`."""
        self.lost: list[bytes] = []
        """The requests whose answers were lost (the commands were done all the same)."""
        self.port = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for writer in self._writers:
            writer.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drop_connections(self) -> None:
        """Close every connection open now, as a managed Redis (or a load balancer, a NAT)
        that drops idle clients does: each side sees the connection end. New connections
        are let through as before."""
        writers, self._writers = set(self._writers), set()
        self.dropped += len(writers) // 2
        for writer in writers:
            writer.close()
        for writer in writers:
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()

    def silence_connections(self) -> None:
        """From now on nothing more passes on the connections open now, in either direction,
        and nobody is told: a peer that vanished without a word (a NAT that forgot the
        connection, a host pulled out). New connections are let through as before."""
        self._silenced |= self._writers

    def lose_answer_to(
        self, chosen: Callable[[bytes], bool], answer: Callable[[bytes], bool] = lambda _: True
    ) -> None:
        """The next request (as sent on the wire) for which `chosen` is true, and whose answer
        is one for which `answer` is true, reaches Redis; that answer does not reach the
        client, whose connection is dropped. Other answers to such requests pass."""
        self._chosen = chosen
        self._chosen_answer = answer

    async def _serve(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            server_in, server_out = await asyncio.open_connection("127.0.0.1", self._upstream_port)
        except OSError:
            client_out.close()
            self._tasks.discard(task)
            return
        self._writers |= {client_out, server_out}
        asked: list[bytes] = []  # a chosen request on this connection, awaiting its answer

        async def requests() -> None:
            while data := await client_in.read(65536):
                if server_out in self._silenced:
                    continue
                if self._chosen is not None and self._chosen(data):
                    asked.append(data)
                server_out.write(data)
                await server_out.drain()

        async def answers() -> None:
            while data := await server_in.read(65536):
                if client_out in self._silenced:
                    continue
                if asked and self._chosen is not None and self._chosen_answer(data):
                    self._chosen = None
                    self.lost.append(asked.pop())
                    return
                asked.clear()
                client_out.write(data)
                await client_out.drain()

        pipes = [asyncio.ensure_future(requests()), asyncio.ensure_future(answers())]
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)
            for writer in (client_out, server_out):
                self._writers.discard(writer)
                writer.close()
                with contextlib.suppress(OSError, ConnectionError):
                    await writer.wait_closed()
            self._tasks.discard(task)
