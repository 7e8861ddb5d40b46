"""HTTP/1.1 transport for the fake: keep-alive, chunked bodies, TLS, one thread per connection.

Knows nothing about AWS. It turns bytes into a ``Request``, hands it to ``app.handle`` and writes
the ``Response`` back. Everything AWS-shaped lives in the service modules.
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import struct
import sys
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from http.client import HTTPMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable, Optional
from urllib.parse import unquote

# Bodies above this are refused without being read. Lambda's own limits (6 MiB) are enforced by
# the Lambda module with Lambda's error; this only protects the fake's memory.
DEFAULT_MAX_BODY = 16 * 1024 * 1024
MAX_LINE = 65536


@dataclass
class Request:
    method: str
    target: str  # request-target exactly as received, e.g. /2015-03-31/functions/f%3A1/invocations
    headers: HTTPMessage
    body: bytes
    scheme: str = "http"
    client: tuple = ()

    @property
    def raw_path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def raw_query(self) -> str:
        return self.target.partition("?")[2]

    def query(self) -> dict[str, str]:
        """Decoded query parameters; the first value wins for repeated names."""
        out: dict[str, str] = {}
        for piece in self.raw_query.split("&"):
            if piece:
                name, _, value = piece.partition("=")
                out.setdefault(unquote(name), unquote(value))
        return out

    def header(self, name: str) -> Optional[str]:
        """One header's value; repeats joined with ',' as HTTP allows."""
        values = self.headers.get_all(name)
        return None if values is None else ",".join(values)

    def header_dict(self, exclude: Iterable[str] = ()) -> dict[str, str]:
        """Lower-cased name → value, repeats joined with ','."""
        skip = {e.lower() for e in exclude}
        out: dict[str, str] = {}
        for name in self.headers.keys():
            lname = name.lower()
            if lname not in skip and lname not in out:
                out[lname] = self.header(lname)
        return out


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    # Iterable of byte chunks sent with Transfer-Encoding: chunked, flushed one by one
    # (for response streaming). When set, ``body`` is ignored.
    stream: Optional[Iterable[bytes]] = None
    close: bool = False  # send Connection: close and close after the response
    reset: bool = False  # send nothing; abort the connection with a TCP RST (fault injection)
    drop: bool = False  # send nothing; close the connection normally (FIN) (fault injection)
    # Fault injection ("cut"): break the response off part-way, then close the connection
    # (FIN). For a stream: after this many chunks, without the terminating zero-size chunk.
    # Otherwise: after this many body bytes (Content-Length still announces the whole body).
    cut_after: Optional[int] = None
    # Not sent: the AWS error code, for the call log, when the service's wire format has no
    # x-amzn-ErrorType header (STS puts it in the XML body, the container endpoint in text).
    error_code: Optional[str] = None

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class BadRequest(Exception):
    pass


class BodyTooLarge(Exception):
    pass


def read_chunked(rfile, limit: int) -> bytes:
    """Decode a Transfer-Encoding: chunked body (extensions and trailers are skipped)."""
    body = bytearray()
    while True:
        line = rfile.readline(MAX_LINE + 1)
        if not line.endswith(b"\n"):
            raise BadRequest("bad chunk size line")
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise BadRequest("bad chunk size") from None
        if size < 0:
            raise BadRequest("bad chunk size")
        if size == 0:
            break
        if len(body) + size > limit:
            raise BodyTooLarge()
        data = rfile.read(size)
        if len(data) != size or rfile.read(2) != b"\r\n":
            raise BadRequest("truncated chunk")
        body += data
    while True:  # trailer section, ends with an empty line
        line = rfile.readline(MAX_LINE + 1)
        if line in (b"\r\n", b"\n", b""):
            break
    return bytes(body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake_aws"
    sys_version = ""

    def setup(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(sock, ssl.SSLSocket):
            # Handshake here, in the connection's own thread, not in the accept loop: a slow or
            # failing client must not stall every other connection.
            sock.settimeout(10)
            sock.do_handshake()
        self.timeout = self.server.idle_timeout
        super().setup()

    # BaseHTTPRequestHandler calls do_<METHOD>; all go through one dispatcher.
    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass  # the app logs one line per request itself

    def _read_body(self) -> bytes:
        limit = self.server.max_body
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te:
            if te.split(",")[-1].strip() != "chunked":
                raise BadRequest(f"unsupported Transfer-Encoding: {te}")
            return read_chunked(self.rfile, limit)
        cl = self.headers.get_all("Content-Length")
        if not cl:
            return b""
        if len(set(cl)) != 1 or not cl[0].strip().isdigit():
            raise BadRequest("bad Content-Length")
        length = int(cl[0])
        if length > limit:
            raise BodyTooLarge()
        body = self.rfile.read(length)
        if len(body) != length:
            raise BadRequest("truncated body")
        return body

    def _serve(self):
        app = self.server.app
        target = self._request_target()
        try:
            body = self._read_body()
        except BodyTooLarge:
            self._write(app.transport_error(413, "RequestTooLargeException",
                                            "Request must be smaller than "
                                            f"{self.server.max_body} bytes.",
                                            self.command, target), force_close=True)
            return
        except BadRequest as exc:
            self._write(app.transport_error(400, "BadRequest", str(exc), self.command, target),
                        force_close=True)
            return
        req = Request(self.command, target, self.headers, body,
                      scheme="https" if isinstance(self.request, ssl.SSLSocket) else "http",
                      client=self.client_address)
        self._write(app.handle(req))

    def _request_target(self) -> str:
        """The request-target as sent. ``self.path`` is not quite that: http.server rewrites a
        leading '//' to '/' (gh-87389), and the client signed what it sent."""
        words = self.raw_requestline.decode("iso-8859-1").rstrip("\r\n").split()
        target = words[1] if len(words) >= 2 else self.path
        if target.startswith(("http://", "https://")):  # absolute-form (proxy style)
            rest = target.split("://", 1)[1]
            target = "/" + rest.partition("/")[2]
        return target

    def _write(self, resp: Response, force_close: bool = False):
        if resp.reset:
            # SO_LINGER with zero timeout makes close() send RST instead of FIN.
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.request.close()
            return
        if resp.drop:
            # Nothing written; the server closes the socket after this request (FIN), so the
            # client sees the connection end without a response.
            self.close_connection = True
            return
        try:
            reason = HTTPStatus(resp.status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {resp.status} {reason}", f"Date: {formatdate(usegmt=True)}"]
        lines += [f"{k}: {v}" for k, v in resp.headers]
        no_body = resp.status in (204, 304) or 100 <= resp.status < 200
        if resp.stream is not None and not no_body:
            lines.append("Transfer-Encoding: chunked")
        elif not no_body:  # RFC 9110: no Content-Length on 204/304
            lines.append(f"Content-Length: {len(resp.body)}")
        if resp.close or force_close or self.close_connection:
            lines.append("Connection: close")
            self.close_connection = True
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        send_body = self.command != "HEAD" and not no_body
        if resp.stream is not None and send_body:
            self.wfile.write(head)
            self._write_stream(resp)
        elif resp.cut_after is not None and send_body:
            self.wfile.write(head + resp.body[:resp.cut_after])
            self.close_connection = True
        else:
            # One write for head and body: two small writes can stall on Nagle/delayed ACK.
            self.wfile.write(head + resp.body if send_body else head)

    def _write_stream(self, resp: Response):
        """Chunked body, one chunk per item, each flushed as it comes (wfile is unbuffered).
        The iterator is closed however this ends (client gone, cut), so a generator can tell."""
        stream = iter(resp.stream)
        try:
            cut, sent = resp.cut_after, 0
            if cut is None or cut > 0:
                for chunk in stream:
                    if not chunk:
                        continue
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += 1
                    if cut is not None and sent >= cut:
                        break  # at once: don't pull (and wait for) the next item
                else:
                    self.wfile.write(b"0\r\n\r\n")
                    return
            # Cut: no terminating chunk; the connection closes (FIN) after this request.
            self.close_connection = True
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # connection threads never block exit
    request_queue_size = 1024  # listen backlog for bursts of new keep-alive connections
    allow_reuse_address = True

    def __init__(self, address, app, ssl_context: Optional[ssl.SSLContext] = None,
                 idle_timeout: Optional[float] = 120.0, max_body: int = DEFAULT_MAX_BODY,
                 on_error: Optional[Callable[[str], None]] = None):
        self.app = app
        self.idle_timeout = idle_timeout
        self.max_body = max_body
        self.on_error = on_error or (lambda msg: print(msg, file=sys.stderr, flush=True))
        super().__init__(address, _Handler)
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True,
                                                  do_handshake_on_connect=False)

    def server_bind(self):
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that can take
        # seconds on a machine with a slow resolver. We never need the name.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError, OSError)):
            # Clients that hang up, reset, or fail the TLS handshake (the "untrusted cert" tests
            # do this on purpose) are normal here: one short line, no traceback.
            self.on_error(f"fake_aws: connection from {client_address[0]}:{client_address[1]} "
                          f"ended: {type(exc).__name__}: {exc}")
        else:
            super().handle_error(request, client_address)
