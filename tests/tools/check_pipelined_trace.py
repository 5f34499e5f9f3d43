#!/usr/bin/env python3
"""`remote-cl trace -- pipelined_app`: queues, samplers, user events, images,
contexts and programs of source the client knows the platform takes, and buffers (shared buffers on the same
host among them: their creations carry no bytes), are created without waiting for the server
(icd/include/rcl/icd/entry/pipelined.h), and what never changes of them (a queue's
context, device and properties, a sampler's settings, a user event's type,
context and status, a context's devices, a program's context and devices)
is answered by the client: no creation of theirs and no
query of that information is a round trip. And a kernel's arguments, set for
the first time on each of its kernels, are checked against the argument
information that came with the program's kernel names, though the program was
built without -cl-kernel-arg-info (the server adds it,
protocol/kernel_arg_info_option.h), and came with the reply of its
clBuildProgram: no clSetKernelArg (a typedef'd and a struct by-value argument
among them, which the server sized with the kernels), no clCreateKernel, no
ProgramKernels (traced as clGetProgramInfo) and no clGetKernelWorkGroupInfo
of a value that never changes after the build, nor KernelLaunchInfo (traced
as clGetKernelWorkGroupInfo), is a round trip. The program's
CL_PROGRAM_BINARY_SIZES, asked twice after the build, is one round trip: the
client keeps the first answer until the next build. And the platform's device list of CL_DEVICE_TYPE_ALL, asked three
times, is never asked of the server: it is the session's list (the hello's). Nor is any
platform or device information (the first ones ocl-icd's clGetPlatformIDs asks among them): they
came with the session's set-up (PlatformInfoAll, protocol/platform_info.h).
And a clFinish after small writes (their bytes went with the calls) is sent
without waiting (icd clFinish, queue_progress.h): none of them is a round
trip, the first of each round neither (what came before on its queue ended
with blocking reads).

usage: check_pipelined_trace.py --tool remote-cl --server remote-cl-server --vendors DIR --app pipelined_app"""

import tempfile

from tool_checks import parse_arguments, traced, fail as failed

ROUNDS = 3  # pipelined_app's
CREATIONS = ("clCreateCommandQueue", "clCreateCommandQueueWithProperties", "clCreateSampler",
             "clCreateSamplerWithProperties", "clCreateUserEvent", "clCreateImage", "clCreateBuffer",
             "clCreateContext", "clCreateProgramWithSource")
ONCE = ("clCreateContext", "clCreateProgramWithSource")  # pipelined_app makes one of each
BUFFERS = 5 * ROUNDS  # pipelined_app's: a small one and 4 of 256 KiB (shared buffers on the same host) a round
# pipelined_app's kernel has 9 arguments, and its 4 work-group values are asked each round
KERNEL_CALLS = {"clCreateKernel": ROUNDS, "clSetKernelArg": 9 * ROUNDS, "clGetKernelWorkGroupInfo": 4 * ROUNDS}
FINISHED_WRITES = 4 * ROUNDS  # pipelined_app's small writes, each followed by a clFinish
QUERIES = ("clGetCommandQueueInfo", "clGetSamplerInfo", "clGetEventInfo", "clGetContextInfo", "clGetKernelInfo")
FIRST_QUERIES = ("clGetPlatformInfo", "clGetDeviceInfo")


def fail(message):
    failed("check_pipelined_trace", message)


def main():
    args = parse_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="rcl-pipelined-trace-") as scratch:
        result, events = traced(args, scratch, [args.app])
        if result.returncode != 0 or "pipelined_app: OK" not in result.stdout:
            fail(f"pipelined_app: exit code {result.returncode}\n{result.stdout}")
        calls = [e for e in events if e["ph"] == "X" and e.get("cat") in ("sync", "async", "transfer")]
        for name in CREATIONS:
            made = [e for e in calls if e["name"] == name]
            least = BUFFERS if name == "clCreateBuffer" else 1 if name in ONCE else ROUNDS
            if len(made) < least:
                fail(f"{len(made)} {name} calls traced, not at least {least}")
            waited = [e for e in made if e["args"]["round_trip"] or e["args"]["status"] != 0]
            if waited:
                fail(f"{len(waited)} of the {len(made)} {name} calls waited for the server or failed: {waited[0]}")
        # The 256 KiB buffers with initial bytes are shared buffers: their creations carry a memfd, not the bytes.
        heavy = [e for e in calls if e["name"] == "clCreateBuffer" and e["args"]["bytes_sent"] >= 64 << 10]
        if heavy:
            fail(f"{len(heavy)} clCreateBuffer calls sent their bytes (no shared buffer on the same host): {heavy[0]}")
        for name, count in KERNEL_CALLS.items():
            made = [e for e in calls if e["name"] == name]
            if len(made) != count:
                fail(f"{len(made)} {name} calls traced, not {count}")
            waited = [e for e in made if e["args"]["round_trip"] or e["args"]["status"] != 0]
            if waited:
                fail(f"{len(waited)} of the {count} {name} calls waited for the server or failed: {waited[0]}")
        listed = [e for e in calls if e["name"] == "clGetDeviceIDs" and e["args"]["round_trip"]]
        if listed:
            fail(f"{len(listed)} clGetDeviceIDs round trips traced, not 0 for the 3 calls of CL_DEVICE_TYPE_ALL")
        # (ProgramKernels is traced as clGetProgramInfo: the build's reply brought the kernels,
        # so the one round trip is the first of the two binary sizes queries.)
        sizes = [e for e in calls if e["name"] == "clGetProgramInfo"]
        if len(sizes) < 2:
            fail(f"{len(sizes)} clGetProgramInfo calls traced, not at least the 2 of CL_PROGRAM_BINARY_SIZES")
        asked_sizes = [e for e in sizes if e["args"]["round_trip"]]
        if len(asked_sizes) != 1:
            fail(f"{len(asked_sizes)} clGetProgramInfo round trips (program kernel lists or binary sizes) after a "
                 f"build that waited, not the 1 of the first CL_PROGRAM_BINARY_SIZES: {asked_sizes[:2]}")
        # Its build's log and options, each asked four times (size, value, twice): asked once each.
        build_info = [e for e in calls if e["name"] == "clGetProgramBuildInfo"]
        if len(build_info) != 8:
            fail(f"{len(build_info)} clGetProgramBuildInfo calls traced, not 8")
        asked_build = [e for e in build_info if e["args"]["round_trip"]]
        if len(asked_build) != 2:
            fail(f"{len(asked_build)} clGetProgramBuildInfo round trips, not the 2 first queries of the log and the "
                 f"options of a build that waited")
        asked = [e for e in calls if e["name"] in QUERIES and e["args"]["round_trip"]]
        if asked:
            fail(f"{len(asked)} information queries asked the server, the first {asked[0]}")
        # ocl-icd's clGetPlatformIDs asks CL_PLATFORM_EXTENSIONS, which the client makes from the
        # platform's extension lists and its first device's extensions (DeviceInfoAll, traced as
        # clGetDeviceInfo): they came with the session's set-up (protocol/platform_info.h).
        first = [e for e in calls if e["name"] in FIRST_QUERIES and e["args"]["round_trip"]]
        if first:
            fail(f"{len(first)} platform or device information queries asked the server, not 0 (the set-up "
                 f"brings them): {first[0]}")
        # (Commands and finishes only: a release may come between.)
        in_order = sorted((e for e in calls if e["name"].startswith("clEnqueue") or e["name"] == "clFinish"),
                          key=lambda e: e["ts"])
        finishes = [e for before, e in zip(in_order, in_order[1:])
                    if e["name"] == "clFinish" and before["name"] == "clEnqueueWriteBuffer"]
        if len(finishes) != FINISHED_WRITES:
            fail(f"{len(finishes)} clFinish calls right after a write traced, not {FINISHED_WRITES}")
        waited = [e for e in finishes if e["args"]["round_trip"] or e["args"]["status"] != 0]
        if waited:
            fail(f"{len(waited)} of the {len(finishes)} clFinish calls after a small write waited for the server "
                 f"or failed: {waited[0]}")
        # A clFinish right after another (each queue's second, 2 a round) has nothing to ask.
        again = [e for before, e in zip(in_order, in_order[1:]) if e["name"] == "clFinish" and before["name"] == "clFinish"]
        if len(again) < 2 * ROUNDS:
            fail(f"{len(again)} clFinish calls right after a clFinish traced, not at least {2 * ROUNDS}")
        asked_again = [e for e in again if e["args"]["round_trip"] or e["args"]["status"] != 0]
        if asked_again:
            fail(f"{len(asked_again)} of the {len(again)} clFinish calls right after a clFinish asked the server "
                 f"or failed: {asked_again[0]}")
        # Per round, a wait for each of two markers and one for a user event the app set complete:
        # traced although nothing is sent, and the last one no round trip (nothing left to wait for).
        waits = [e for e in calls if e["name"] == "clWaitForEvents"]
        if len(waits) != 3 * ROUNDS:
            fail(f"{len(waits)} clWaitForEvents calls traced, not {3 * ROUNDS}")
        answered = [e for e in waits if not e["args"]["round_trip"]]
        if len(answered) < ROUNDS:
            fail(f"{len(answered)} clWaitForEvents calls traced without a round trip, not at least the {ROUNDS} "
                 f"waits for a complete user event: {waits[:3]}")
        print(f"check_pipelined_trace: OK ({ROUNDS * (len(CREATIONS) - 1 - len(ONCE)) + len(ONCE) + BUFFERS} creations and {sum(KERNEL_CALLS.values())} "
              "kernel calls, none waited; no query asked, the device list and the platform's and device's "
              "information neither; the binary sizes once; no clFinish waited)")


if __name__ == "__main__":
    main()
