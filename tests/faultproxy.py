"""A fault-injecting HTTP proxy on loopback: a bad network between a phone and a test server.

The field app is tried as a carer uses it, on a weak signal: Chromium talks to
this proxy and the proxy to the real server. For each request to the API it
picks a fault, from a plan the test gives (`plan`) or at random from a seeded
generator (`weights`), so a run is the same every time:

    pass            forward, answer what the server answered
    delay           forward late and answer late (`delays`: 0.2 to 1 s each way)
    cut-headers     forward (the server commits), send half the answer's head, close
    cut-body        forward, send the head and half the body, close
    duplicate       forward twice in turn, answer the second answer
    duplicate-at-once  forward twice at the same time, answer one of them
    refuse          close the connection before forwarding anything
    portal          answer 200 with an HTML page, as a Wi-Fi login page does
    502             forward, then answer 502 (a gateway that lost the answer)
    503             answer 503 without forwarding (a busy gateway)
    hang            forward, then say nothing until the client gives up

Everything else (the shell, the login page) passes untouched. When the server
is down the proxy answers 502, as nginx would. Each answer closes its
connection, so one connection carries one request and one fault.

Bounded, so a runaway retry loop cannot eat CI's time: at most `max_requests`
requests, and the proxy stops by itself after `lifetime` seconds. It listens
on 127.0.0.1 only. Use it as a context manager or call start() and stop().
"""

import asyncio
import random
import re
import threading
from dataclasses import dataclass

FAULTS = (
    "pass",
    "delay",
    "cut-headers",
    "cut-body",
    "duplicate",
    "duplicate-at-once",
    "refuse",
    "portal",
    "502",
    "503",
    "hang",
)
HEAD_END = b"\r\n\r\n"
MAX_HEAD_BYTES = 64 * 1024
# Headers that belong to one connection, not to the request (RFC 9110, 7.6.1).
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade"}
PORTAL_PAGE = (
    b"<!doctype html><title>Free Wi-Fi</title>"
    b"<h1>Welcome to Market Wi-Fi</h1><p>Accept the terms to continue.</p>"
)
GATEWAY_PAGE = b"<html><body><h1>%d %s</h1><hr>nginx</body></html>"
REASONS = {200: "OK", 502: "Bad Gateway", 503: "Service Unavailable"}


@dataclass
class Exchange:
    """One request through the proxy: what it was, the fault it met, the server's status."""

    method: str
    path: str
    fault: str
    status: int | None = None


class FaultProxy:
    """The proxy. `weights` {fault: weight} apply to paths matching `faulty` (the API)."""

    def __init__(
        self,
        upstream_port,
        *,
        seed=17,
        weights=None,
        faulty=r"^/api/",
        max_requests=3000,
        lifetime=300,
        upstream_timeout=60,
        delays=(0.2, 1.0),
    ):
        self.upstream_port = upstream_port
        self.random = random.Random(seed)
        self.weights = dict(weights or {"pass": 1})
        unknown = set(self.weights) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        self.faulty = re.compile(faulty)
        self.max_requests = max_requests
        self.lifetime = lifetime
        self.upstream_timeout = upstream_timeout
        self.delays = delays
        self.port = None
        self.log = []
        self.plans = []
        self.lock = threading.Lock()
        self.thread = None
        self.ready = threading.Event()
        self.loop = None
        self.stopping = None
        self.failure = None

    @property
    def url(self):
        """Return the proxy's base URL (the origin the phone uses)."""
        return f"http://127.0.0.1:{self.port}"

    def plan(self, pattern, *faults):
        """Give the next requests whose path matches `pattern` these faults, in order."""
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        with self.lock:
            self.plans.append([re.compile(pattern), list(faults)])

    def set_weights(self, weights):
        """Choose the random faults from now on by these weights ({"pass": 1}: none)."""
        with self.lock:
            self.weights = dict(weights)

    def faults_met(self, path_pattern=r""):
        """Return the faults the requests matching `path_pattern` met, in order."""
        pattern = re.compile(path_pattern)
        with self.lock:
            return [e.fault for e in self.log if pattern.search(e.path)]

    def choose(self, method, path):
        """Return the fault for this request and log it (planned first, then random)."""
        with self.lock:
            if len(self.log) >= self.max_requests:
                return None
            fault = "pass"
            if self.faulty.search(path):
                fault = (
                    self.planned(path)
                    or self.random.choices(list(self.weights), weights=list(self.weights.values()))[0]
                )
            exchange = Exchange(method, path, fault)
            self.log.append(exchange)
            return exchange

    def planned(self, path):
        for entry in self.plans:
            pattern, faults = entry
            if pattern.search(path):
                fault = faults.pop(0)
                if not faults:
                    self.plans.remove(entry)
                return fault
        return None

    def start(self):
        """Listen on a free port of 127.0.0.1 in a thread of its own; return self once ready."""
        self.thread = threading.Thread(target=self.run, name="faultproxy", daemon=True)
        self.thread.start()
        if not self.ready.wait(10) or self.failure:
            raise RuntimeError(f"the fault proxy did not start: {self.failure}")
        return self

    def stop(self):
        """Close every connection and stop listening."""
        if self.loop and self.stopping and not self.loop.is_closed():
            try:
                self.loop.call_soon_threadsafe(self.stopping.set)
            except RuntimeError:
                pass  # The loop already finished (the lifetime ran out).
        if self.thread:
            self.thread.join(15)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def run(self):
        try:
            asyncio.run(self.serve())
        except Exception as error:  # noqa: BLE001 - reported by start() or the test
            self.failure = error
            self.ready.set()

    async def serve(self):
        self.loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        server = await asyncio.start_server(self.connection, "127.0.0.1", 0, limit=MAX_HEAD_BYTES)
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        try:
            await asyncio.wait_for(self.stopping.wait(), self.lifetime)
        except TimeoutError:
            pass
        self.stopping.set()  # Hung connections end now.
        server.close()
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()
        await asyncio.sleep(0)

    async def connection(self, reader, writer):
        try:
            request = await read_request(reader)
            if request is None:
                return
            exchange = self.choose(request.method, request.path)
            if exchange is None:
                return  # Past max_requests: the network is gone.
            await self.answer(exchange, request, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # The proxy is stopping: this connection ends with it, quietly.
        finally:
            writer.close()

    async def answer(self, exchange, request, reader, writer):
        fault = exchange.fault
        if fault == "refuse":
            return
        if fault == "portal":
            writer.write(plain_answer(200, "text/html", PORTAL_PAGE))
            return await writer.drain()
        if fault == "503":
            writer.write(plain_answer(503, "text/html", GATEWAY_PAGE % (503, b"Service Unavailable")))
            return await writer.drain()
        if fault == "delay":
            await asyncio.sleep(self.random.uniform(*self.delays))
        if fault == "duplicate":
            await self.forward(request)
        if fault == "duplicate-at-once":
            answers = await asyncio.gather(self.forward(request), self.forward(request))
            answer = next((a for a in answers if a), None)
        else:
            answer = await self.forward(request)
        exchange.status = status_of(answer)
        if answer is None or fault == "502":
            writer.write(plain_answer(502, "text/html", GATEWAY_PAGE % (502, b"Bad Gateway")))
            return await writer.drain()
        if fault == "delay":
            await asyncio.sleep(self.random.uniform(*self.delays))
        if fault == "hang":
            # Keep the connection open, silent, until the client closes it.
            waiting = asyncio.ensure_future(reader.read(1))
            stopping = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            stopping.cancel()
            return
        head, body = split_answer(answer)
        if fault == "cut-headers" or (fault == "cut-body" and not body):
            writer.write(head[: len(head) // 2])
        elif fault == "cut-body":
            writer.write(head + body[: len(body) // 2])
        else:
            writer.write(head + body)
        await writer.drain()

    async def forward(self, request):
        """Send the request to the server; return its whole answer (bytes) or None when it is down."""
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.upstream_port, limit=MAX_HEAD_BYTES
            )
        except OSError:
            return None
        try:
            upstream_writer.write(request.forwarded() + request.body)
            await upstream_writer.drain()
            answer = await asyncio.wait_for(upstream_reader.read(), self.upstream_timeout)
        except (TimeoutError, OSError):
            return None
        finally:
            upstream_writer.close()
        return answer if HEAD_END in answer else None


@dataclass
class Request:
    """A request as the client sent it: its line, its headers and its body."""

    method: str
    path: str
    line: bytes
    headers: list
    body: bytes

    def forwarded(self):
        """Return the request's head for the server: the same, on a connection of its own."""
        kept = [(name, value) for name, value in self.headers if name.lower() not in HOP_BY_HOP]
        lines = [self.line] + [name + b": " + value for name, value in kept] + [b"Connection: close"]
        return b"\r\n".join(lines) + HEAD_END


async def read_request(reader):
    """Read one request (its body by Content-Length); None when the client sent nothing."""
    try:
        head = await reader.readuntil(HEAD_END)
    except asyncio.IncompleteReadError:
        return None
    line, *header_lines = head[: -len(HEAD_END)].split(b"\r\n")
    headers = [tuple(part.strip() for part in h.split(b":", 1)) for h in header_lines if b":" in h]
    method, target, _ = line.decode("latin-1").split(" ", 2)
    length = int(next((v for n, v in headers if n.lower() == b"content-length"), b"0"))
    body = await reader.readexactly(length) if length else b""
    return Request(method, target.split("?", 1)[0], line, headers, body)


def split_answer(answer):
    """Return (head, body) of a server's answer, its head marked to close the connection."""
    end = answer.index(HEAD_END)
    line, *header_lines = answer[:end].split(b"\r\n")
    kept = [h for h in header_lines if h.split(b":", 1)[0].strip().lower() not in HOP_BY_HOP]
    head = b"\r\n".join([line, *kept, b"Connection: close"]) + HEAD_END
    return head, answer[end + len(HEAD_END) :]


def status_of(answer):
    """Return the status code of an answer, or None."""
    if not answer:
        return None
    try:
        return int(answer.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def plain_answer(status, content_type, body):
    """Return a whole answer the proxy makes itself."""
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    return head + body
