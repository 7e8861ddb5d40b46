"""AWS event-stream encoding (application/vnd.amazon.eventstream), for InvokeWithResponseStream.

Written from the framing in aws-protocols.md §4, with zlib's CRC-32. It only encodes; the
self-test decodes what it sends with botocore's own parser (``botocore.eventstream``), which
is an independent implementation.

    message = [total_len u32][headers_len u32][prelude_crc u32][headers][payload][message_crc u32]

prelude_crc covers the first 8 bytes; message_crc covers everything before it (prelude CRC
included). All integers are big-endian. Each header is [name_len u8][name][type u8][value].
"""

from __future__ import annotations

import json
import struct
import zlib

# Header value types (only the ones the fake sends are encoded).
_TYPE_BYTES = 6
_TYPE_STRING = 7

MAX_HEADERS_LENGTH = 128 * 1024
MAX_PAYLOAD_LENGTH = 24 * 1024 * 1024


def _header(name: str, value) -> bytes:
    raw_name = name.encode("utf-8")
    if not 0 < len(raw_name) < 256:
        raise ValueError(f"header name length {len(raw_name)} out of range")
    if isinstance(value, str):
        kind, raw = _TYPE_STRING, value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray)):
        kind, raw = _TYPE_BYTES, bytes(value)
    else:
        raise TypeError(f"unsupported header value type {type(value).__name__}")
    if len(raw) > 0xFFFF:
        raise ValueError("header value over 65535 bytes")
    return struct.pack(">B", len(raw_name)) + raw_name + struct.pack(">BH", kind, len(raw)) + raw


def encode_message(headers, payload: bytes = b"") -> bytes:
    """One event-stream message. ``headers`` is an ordered iterable of (name, value) pairs;
    values are str (type 7) or bytes (type 6)."""
    seen = set()
    parts = []
    for name, value in headers:
        if name in seen:
            raise ValueError(f"header {name!r} appears twice")
        seen.add(name)
        parts.append(_header(name, value))
    raw_headers = b"".join(parts)
    if len(raw_headers) > MAX_HEADERS_LENGTH or len(payload) > MAX_PAYLOAD_LENGTH:
        raise ValueError("event-stream message too large")
    total = 16 + len(raw_headers) + len(payload)
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", zlib.crc32(prelude) & 0xFFFFFFFF)
    body = prelude + raw_headers + payload
    return body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def event(event_type: str, payload: bytes, content_type: str) -> bytes:
    """A ``:message-type=event`` message, headers in the order Lambda sends them."""
    return encode_message([(":event-type", event_type), (":content-type", content_type),
                           (":message-type", "event")], payload)


def payload_chunk(data: bytes) -> bytes:
    """InvokeWithResponseStream ``PayloadChunk``: raw function output bytes."""
    return event("PayloadChunk", data, "application/octet-stream")


def invoke_complete(error_code: str | None = None, error_details: str | None = None,
                    log_result: str | None = None) -> bytes:
    """InvokeWithResponseStream ``InvokeComplete``: ``{}`` on success, else ErrorCode,
    ErrorDetails and LogResult. ``log_result`` (base64) is added whenever it is given."""
    body: dict = {}
    if error_code:
        body = {"ErrorCode": error_code, "ErrorDetails": error_details or "",
                "LogResult": log_result or ""}
    elif log_result:
        body = {"LogResult": log_result}
    return event("InvokeComplete", json.dumps(body, separators=(",", ":")).encode(),
                 "application/json")
