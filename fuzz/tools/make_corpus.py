#!/usr/bin/env python3
"""Turns a recording of record_frames.so (the messages a real server received)
into fuzz corpus files: one file per piece of a client session, cut before
each clCreateContext*, in the framing of fuzz/fuzz_requests.cpp.

usage: make_corpus.py RECORDING OUT_DIR [--max-files N] [--max-bytes B]
"""
import argparse
import hashlib
import pathlib
import struct
import sys

CALLS_CHANNEL = 1
ROUTING_ID_SIZE = 13
MAX_MESSAGES = 48


def read_messages(path):
    data = pathlib.Path(path).read_bytes()
    at, pending = 0, {}
    while at + 13 <= len(data):
        sock, more, size = struct.unpack_from("<QBI", data, at)
        at += 13
        frame = data[at:at + size]
        at += size
        pending.setdefault(sock, []).append(frame)
        if not more:
            yield pending.pop(sock)


def msgpack_call_id(head):
    """The call id of a request [0, seq, call, ...] without a msgpack library."""
    def skip_uint(b, i):
        t = b[i]
        if t <= 0x7F:
            return t, i + 1
        sizes = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8, 0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8}
        n = sizes.get(t)
        if n is None:
            raise ValueError
        return int.from_bytes(b[i + 1:i + 1 + n], "big"), i + 1 + n
    i = {0xDC: 3, 0xDD: 5}.get(head[0], 1)
    kind, i = skip_uint(head, i)
    _, i = skip_uint(head, i)
    call, i = skip_uint(head, i)
    return kind, call


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("recording")
    ap.add_argument("out")
    ap.add_argument("--max-files", type=int, default=40)
    ap.add_argument("--max-bytes", type=int, default=16384)
    ap.add_argument("--context-calls", default="4,5", help="call ids of clCreateContext, clCreateContextFromType")
    args = ap.parse_args()
    cut = {int(c) for c in args.context_calls.split(",")}

    sessions = {}
    for frames in read_messages(args.recording):
        if len(frames) < 2 or len(frames[0]) != ROUTING_ID_SIZE or frames[0][8] != CALLS_CHANNEL:
            continue
        try:
            kind, call = msgpack_call_id(frames[1])
        except (ValueError, IndexError):
            continue
        if kind != 0:
            continue
        sessions.setdefault(frames[0][:8], []).append((call, frames[1:]))

    pieces = []
    for messages in sessions.values():
        piece = []
        for call, frames in messages:
            if call in cut and piece:
                pieces.append(piece)
                piece = []
            piece.append((call, frames))
        if piece:
            pieces.append(piece)

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seen, written = set(), 0
    for piece in pieces:
        blob, calls = bytearray(), []
        for call, frames in piece[:MAX_MESSAGES]:
            if len(frames) > 8 or any(len(f) > 0xFFFF for f in frames):
                continue
            encoded = bytes([len(frames) - 1]) + b"".join(struct.pack("<H", len(f)) + f for f in frames)
            if len(blob) + len(encoded) > args.max_bytes:
                break
            blob += encoded
            calls.append(call)
        signature = tuple(calls)
        if not calls or signature in seen:
            continue
        seen.add(signature)
        name = hashlib.sha1(blob).hexdigest()[:16]
        (out / f"session-{name}").write_bytes(blob)
        written += 1
        if written >= args.max_files:
            break
    print(f"{written} corpus files from {len(pieces)} session pieces in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
