#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/eventstream_fuzz.cpp into corpus/eventstream/.

Each seed is [control][k piece sizes][stream], the input layout the target reads: control bits 0-2
give k, bit 3 selects the small limits (512-byte messages, 128-byte headers), bit 4 has the target
fix up the CRCs of mutated frames; pieces are size+1 bytes. The streams are built independently of the C++ encoder, with zlib's CRC-32.
Run it again after changing that layout: python3 tests/fuzz/corpus/make_eventstream_seeds.py
"""
import base64
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "eventstream")


def header(name, wire_type, value=b""):
    name = name.encode()
    return bytes([len(name)]) + name + bytes([wire_type]) + value


def string(name, text):
    data = text.encode()
    return header(name, 7, struct.pack(">H", len(data)) + data)


def message(headers, payload):
    block = b"".join(headers)
    prelude = struct.pack(">II", 16 + len(block) + len(payload), len(block))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + block + payload
    return body + struct.pack(">I", zlib.crc32(body))


def event(event_type, payload):
    return message(
        [string(":event-type", event_type), string(":content-type", "application/octet-stream"),
         string(":message-type", "event")],
        payload)


def seed(piece_sizes=(), small_limits=False, fix_crcs=False):
    assert len(piece_sizes) <= 7 and all(1 <= n <= 256 for n in piece_sizes)
    control = len(piece_sizes) | (0x08 if small_limits else 0) | (0x10 if fix_crcs else 0)
    return bytes([control] + [n - 1 for n in piece_sizes])


SEEDS = {
    # A successful stream of a dozen chunks, in pieces that straddle messages (past 1 KiB, so the
    # decoder compacts its buffer).
    "ok_stream": seed([97, 200]) + b"".join(event("PayloadChunk", b"chunk %02d " % i + b"." * i) for i in range(12))
    + event("InvokeComplete", b"{}"),
    # An HTTP-integration prelude and body, then a function error, fed one byte at a time.
    "function_error_bytewise": seed([1]) + event(
        "PayloadChunk", b'{"statusCode":201,"headers":{"x-a":"1"}}' + b"\0" * 8 + b"body")
    + event("InvokeComplete", b'{"ErrorCode":"Unhandled","ErrorDetails":"boom","LogResult":"'
            + base64.b64encode(b"START RequestId: 1\nEND\n") + b'"}'),
    # Stream-level failures of both kinds, then a malformed InvokeComplete, in uneven pieces.
    "stream_errors": seed([4, 16, 100], fix_crcs=True) + message(
        [string(":message-type", "exception"), string(":exception-type", "ServiceException"),
         string(":content-type", "application/json")],
        b'{"message":"Lambda was unable to complete the stream"}')
    + message([string(":message-type", "error"), string(":error-code", "InternalFailure"),
               string(":error-message", "An internal error occurred")], b"")
    + event("InvokeComplete", b'{"ErrorCode":5}'),
    # Every header value type, an event type the gateway does not know, 20 distinct headers, then 20
    # headers with one name twice (the decoder's hash-set duplicate check).
    "header_types": seed([10, 2], fix_crcs=True) + message(
        [header("t", 0), header("f", 1), header("i8", 2, struct.pack(">b", -128)),
         header("i16", 3, struct.pack(">h", -2)), header("i32", 4, struct.pack(">i", 1 << 30)),
         header("i64", 5, struct.pack(">q", -(1 << 62))), header("b", 6, struct.pack(">H", 3) + b"\0\1\2"),
         string("s", "h\u00e9llo"), header("ts", 8, struct.pack(">q", 1700000000123)),
         header("id", 9, bytes(range(16))), string(":message-type", "event")], b"\xff\0")
    + event("SomethingNew", b"{}")
    + message([header("h%d" % i, 0) for i in range(20)], b"")
    + message([header("h%d" % i, 0) for i in range(19)] + [header("h7", 1)], b""),
    # The self-test vectors of aws-protocols.md section 4, then headers over the small limits.
    "vectors_small_limits": seed([30], small_limits=True) + message([], b'{"foo": "bar"}')
    + event("PayloadChunk", b"hello") + message([string("big", "x" * 130)], b""),
    # A complete chunk, then a stream cut off in the middle of a message with a duplicate header.
    "duplicate_truncated": seed([7], fix_crcs=True) + event("PayloadChunk", b"complete")
    + message([string(":event-type", "PayloadChunk"), string(":event-type", "PayloadChunk")], b"")
    + event("PayloadChunk", b"cut off here")[:40],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
