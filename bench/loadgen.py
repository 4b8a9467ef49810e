"""A small keep-alive HTTP/1.1 load generator (asyncio, stdlib only) for loopback benchmarks.

Bounded in requests and time; it only ever talks to the address it is given (127.0.0.1).
"""

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class LoadResult:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, int(q * len(data)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95(self) -> float:
        return self.pct(0.95)


async def _read_response(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        key, _, value = line.decode("latin-1").partition(":")
        key = key.strip().lower()
        if key == "content-length":
            length = int(value.strip())
        elif key == "transfer-encoding" and "chunked" in value:
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _worker(host, port, paths: Callable[[], str], deadline, max_requests, counter, result):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline and counter[0] < max_requests:
            counter[0] += 1
            path = paths()
            start = time.perf_counter()
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: keep-alive\r\n\r\n".encode()
            )
            await writer.drain()
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError, ValueError, IndexError):
                result.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            result.latencies_ms.append((time.perf_counter() - start) * 1000)
            if status >= 400:
                result.errors += 1
            result.requests += 1
    finally:
        writer.close()


async def run_load(
    name, host, port, paths, concurrency=32, seconds=5.0, max_requests=200_000
) -> LoadResult:
    """Hit the server from `concurrency` keep-alive connections for `seconds` (or max_requests)."""
    result = LoadResult(name=name, requests=0, errors=0, seconds=0.0, latencies_ms=[])
    counter = [0]
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(
        *(
            _worker(host, port, paths, deadline, max_requests, counter, result)
            for _ in range(concurrency)
        )
    )
    result.seconds = time.perf_counter() - start
    return result
