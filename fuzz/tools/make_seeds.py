#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz/corpus: short sessions whose messages
lie about lengths (a value shorter than its size, a region past the bytes
sent, offsets and sizes whose sums or products wrap, counts past what the
options name), one file per kind of hand-written handler, in the framing of
fuzz/fuzz_requests.cpp. Recorded seeds come from make_corpus.py.

usage: make_seeds.py OUT_DIR [--call-ids build/generated/include/rcl/protocol/call_ids.h]

Call ids are protocol::CallId's, read from the generator's call_ids.h (no
number is kept here); regenerate the seeds when they or the wire format
change (kProtocolVersion).
Sizes stay within the harness's caps (kMaxSize), or at 2^63 and above, which
it lets through as ids: lies that wrap use those. The same-host and bulk
socket pieces are here only as calls to refuse: the harness's sessions have
neither shared memory nor a bulk socket (tests/failure/bad_input_test.cpp
lies to them).
"""
import argparse
import pathlib
import re
import struct
import sys

# protocol::CallId, by name: read from the generated call_ids.h (main()).
CALL = {}


def read_call_ids(header):
    """The enumerators of `enum class CallId` in the generator's call_ids.h."""
    text = pathlib.Path(header).read_text()
    body = text[text.index("enum class CallId"):]
    body = body[:body.index("};")]
    return {name: int(value) for name, value in re.findall(r"^\s*(\w+) = (\d+),", body, re.M)}

# The ids the harness's session gives the first platform and device.
PLATFORM = (1 << 63) | 1
DEVICE = (1 << 63) | 2
CONTEXT, QUEUE, BUFFER, IMAGE, PROGRAM, KERNEL = 1, 2, 3, 4, 5, 6
NEARLY_ALL = (1 << 64) - 8  # an offset or a size whose sum with a few bytes wraps

CL_CONTEXT_PLATFORM = 0x1084
CL_MEM_READ_WRITE = 1
CL_MEM_COPY_HOST_PTR = 1 << 5
CL_RGBA, CL_UNSIGNED_INT8 = 0x10B5, 0x10DA
CL_MEM_OBJECT_IMAGE2D = 0x10F1
CL_KERNEL_EXEC_INFO_SVM_PTRS = 0x11B6
CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM = 0x11B7
CL_RCL_ARG_SCALAR, CL_RCL_ARG_HOST_OUT = 1, 4


class Nil:
    pass


NIL = Nil()


class Bin(bytes):
    pass


class Bulk:
    """Bytes in a bulk frame of their own; the msgpack part names its index."""

    def __init__(self, data):
        self.data = data


def pack(value, bulk):
    if value is NIL:
        return b"\xc0"
    if isinstance(value, bool):
        return b"\xc3" if value else b"\xc2"
    if isinstance(value, Bulk):
        bulk.append(value.data)
        return pack(len(bulk), bulk)
    if isinstance(value, int):
        if 0 <= value < 0x80:
            return bytes([value])
        if 0 <= value:
            for tag, fmt, top in ((0xCC, ">B", 1 << 8), (0xCD, ">H", 1 << 16), (0xCE, ">I", 1 << 32), (0xCF, ">Q", 1 << 64)):
                if value < top:
                    return bytes([tag]) + struct.pack(fmt, value)
        if value >= -32:
            return struct.pack(">b", value)
        return b"\xd3" + struct.pack(">q", value)
    if isinstance(value, Bin):
        return b"\xc6" + struct.pack(">I", len(value)) + bytes(value)
    if isinstance(value, str):
        data = value.encode()
        return b"\xdb" + struct.pack(">I", len(data)) + data
    if isinstance(value, list):
        return b"\xdd" + struct.pack(">I", len(value)) + b"".join(pack(v, bulk) for v in value)
    raise TypeError(value)


def request(seq, call, *args):
    """One message: [Request, seq, call, args...] and its bulk frames, framed for the harness."""
    bulk = []
    head = pack([0, seq, CALL[call], *args], bulk)
    frames = [head] + bulk
    assert len(frames) <= 8 and all(len(f) <= 0xFFFF for f in frames)
    return bytes([len(frames) - 1]) + b"".join(struct.pack("<H", len(f)) + f for f in frames)


def u64s(*values):
    return Bin(struct.pack("<%dQ" % len(values), *values))


def session(*calls):
    """A session's messages: context, queue and a 4096-byte buffer first, then `calls`."""
    setup = [
        ("clCreateContext", CONTEXT, [CL_CONTEXT_PLATFORM, PLATFORM, 0], 1, [DEVICE], NIL),
        ("clCreateCommandQueueWithProperties", QUEUE, CONTEXT, DEVICE, NIL),
        ("clCreateBuffer", BUFFER, CONTEXT, CL_MEM_READ_WRITE, 4096, NIL),
    ]
    return b"".join(request(seq, call, *args) for seq, (call, *args) in enumerate(setup + list(calls), start=1))


KERNEL_SOURCE = """
kernel void k(global int* out, int value, local int* scratch) {
  scratch[get_local_id(0)] = value;
  barrier(CLK_LOCAL_MEM_FENCE);
  out[0] = scratch[0];
}
"""
NO_INCLUDES = [NIL, [], 0]


def kernel():
    return [
        ("clCreateProgramWithSource", PROGRAM, CONTEXT, 1, [KERNEL_SOURCE]),
        ("clBuildProgram", PROGRAM, 0, NIL, NO_INCLUDES, NIL),
        ("clCreateKernel", KERNEL, PROGRAM, "k"),
    ]


def set_arg(index, size, value):
    return ("clSetKernelArg", KERNEL, index, size, value)


def image_format():
    return Bin(struct.pack("<II", CL_RGBA, CL_UNSIGNED_INT8))


def image_desc(width=8, height=8, row_pitch=0):
    # cl_image_desc: type, width, height, depth, array size, row pitch, slice pitch, mip levels, samples, mem_object
    return Bin(struct.pack("<I4xQQQQQQIIQ", CL_MEM_OBJECT_IMAGE2D, width, height, 0, 0, row_pitch, 0, 0, 0, 0))


def seeds():
    """Each seed's name and bytes."""
    return {
        # [clSetKernelArg], [clSetKernelExecInfo]
        "kernel-arg-size-lies": session(
            *kernel(),
            set_arg(1, 4, Bin(b"\x01")),  # a value shorter than its size
            set_arg(1, 4096, Bin(b"\x01\x00\x00\x00")),
            set_arg(1, NEARLY_ALL, Bin(b"\x01\x00\x00\x00")),
            set_arg(0, 4, BUFFER),  # an object of 4 bytes
            set_arg(0, NEARLY_ALL, BUFFER),
            set_arg(2, 64, NIL),  # local memory: no value
            set_arg(0, 8, BUFFER),
            set_arg(1, 4, Bin(b"\x2a\x00\x00\x00")),
            ("clSetKernelExecInfo", KERNEL, CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM, Bin(b"\x01")),
            ("clSetKernelExecInfo", KERNEL, CL_KERNEL_EXEC_INFO_SVM_PTRS, Bin(bytes(12))),
        ),
        # [clEnqueueReadBuffer], [clEnqueueWriteBuffer]
        "buffer-transfer-offset-wraps": session(
            ("clEnqueueReadBuffer", QUEUE, BUFFER, NEARLY_ALL, 16, NIL, 100),
            ("clEnqueueWriteBuffer", QUEUE, BUFFER, NEARLY_ALL, 16, [Bulk(b"w" * 16)], NIL, NIL),
            ("clEnqueueWriteBuffer", QUEUE, BUFFER, 0, (1 << 64) - 1, [Bulk(b"w" * 16)], NIL, NIL),
            ("clEnqueueWriteBuffer", QUEUE, BUFFER, 8, 16, [Bulk(b"w" * 16)], NIL, NIL),
            ("clEnqueueReadBuffer", QUEUE, BUFFER, 8, 16, NIL, 101),
        ),
        # [clEnqueueReadBufferRect], [clEnqueueWriteBufferRect]
        "rect-region-past-bytes-sent": session(
            ("clEnqueueWriteBufferRect", QUEUE, BUFFER, u64s(0, 0, 0), u64s(4, 4, 1), 0, 0, Bulk(b"r" * 8), NIL, NIL),
            ("clEnqueueReadBufferRect", QUEUE, BUFFER, u64s(0, 0, 0), u64s(64, 64, 2), 0, 0, NIL, 102),
            ("clEnqueueWriteBufferRect", QUEUE, BUFFER, u64s(0, 0, 0), u64s(4, 2, 1), 0, 0, Bulk(b"r" * 8), NIL, NIL),
            ("clEnqueueReadBufferRect", QUEUE, BUFFER, u64s(0, 0, 0), u64s(4, 2, 1), 0, 0, NIL, 103),
        ),
        # [clCreateImage], [clCreateImageWithProperties], [clEnqueueReadImage], [clEnqueueWriteImage]
        "image-host-bytes-short": session(
            ("clCreateImage", IMAGE, CONTEXT, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, image_format(), image_desc(),
             NIL, Bulk(b"h" * 16)),
            ("clCreateImage", IMAGE + 10, CONTEXT, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, image_format(),
             image_desc(row_pitch=4096), NIL, Bulk(b"h" * 256)),
            ("clCreateImageWithProperties", IMAGE + 11, CONTEXT, NIL, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
             Bin(bytes(image_format())[:4]), image_desc(), NIL, Bulk(b"h" * 256)),
            ("clCreateImage", IMAGE + 12, CONTEXT, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, image_format(), NIL, NIL,
             Bulk(b"h" * 256)),
            ("clCreateImage", IMAGE, CONTEXT, CL_MEM_READ_WRITE, image_format(), image_desc(), NIL, NIL),
            ("clEnqueueWriteImage", QUEUE, IMAGE, u64s(0, 0, 0), u64s(8, 8, 1), Bulk(b"i" * 16), NIL, NIL),
            ("clEnqueueReadImage", QUEUE, IMAGE, u64s(0, 0, 0), u64s(16, 16, 1), NIL, 104),
            ("clEnqueueWriteImage", QUEUE, IMAGE, u64s(0, 0, 0), u64s(8, 8, 1), Bulk(b"i" * 256), NIL, NIL),
        ),
        # [EnqueueOp]: host-out arguments over the limit together (decoded before the operation is looked up)
        "op-host-out-over-limit": session(
            ("EnqueueOp", QUEUE, "sgemm",
             [[CL_RCL_ARG_HOST_OUT, 3 << 30], [CL_RCL_ARG_HOST_OUT, 3 << 30], [CL_RCL_ARG_SCALAR, Bin(bytes(4))]],
             NIL, 105),
        ),
        # [DeviceInfoAll], [KernelLaunchInfo], [MapReadBuffer], [MapReadImage]; the pieces and shared-buffer
        # calls (token, where, length, queue, buffer, offset, waits), which find no segment, lanes or
        # direct copies in the harness's session and must refuse
        "stand-in-calls": session(
            *kernel(),
            ("DeviceInfoAll", DEVICE),
            ("KernelLaunchInfo", KERNEL, DEVICE),
            ("KernelLaunchInfo", BUFFER, DEVICE),
            ("MapReadBuffer", QUEUE, BUFFER, 0, 16, NIL, 106),
            ("MapReadBuffer", QUEUE, BUFFER, NEARLY_ALL, 16, NIL, 107),
            ("clCreateImage", IMAGE, CONTEXT, CL_MEM_READ_WRITE, image_format(), image_desc(), NIL, NIL),
            ("MapReadImage", QUEUE, IMAGE, u64s(0, 0, 0), u64s(4, 4, 1), NIL, 108),
            ("MapReadImage", QUEUE, IMAGE, u64s(4, 4, 0), u64s(8, 8, 1), NIL, 109),
            *((call, 1, 0, 16, QUEUE, BUFFER, 0, NIL)
              for call in ("WritePiece", "ReadPiece", "DirectWrite", "DirectRead", "BulkWrite", "BulkRead",
                           "SharedWrite", "SharedRead", "SharedWritten")),
            ("SharedMap", QUEUE, BUFFER, 1, 0, 16, NIL, 110, 0),
            ("SharedUnmap", QUEUE, BUFFER, 0, NIL, 111),
        ),
        # build options: more include roots than the options can name
        "include-roots-past-options": session(
            ("clCreateProgramWithSource", PROGRAM, CONTEXT, 1,
             ['#include "answer.h"\nkernel void k(global int* o) { o[0] = ANSWER; }\n']),
            ("clBuildProgram", PROGRAM, 0, NIL,
             ["-I \x1brcl-include-0\x1b", [[0, "answer.h", Bulk(b"#define ANSWER 42\n")]], 5000], NIL),
        ),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="the corpus directory")
    ap.add_argument("--call-ids", default=str(pathlib.Path(__file__).resolve().parents[2] / "build" / "generated" /
                                              "include" / "rcl" / "protocol" / "call_ids.h"),
                    help="the generated call_ids.h (default: the build's)")
    args = ap.parse_args()
    CALL.update(read_call_ids(args.call_ids))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    made = seeds()
    for name, blob in made.items():
        (out / name).write_bytes(blob)
    print(f"{len(made)} seeds in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
