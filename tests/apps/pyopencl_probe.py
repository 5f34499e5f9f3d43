#!/usr/bin/env python3
"""A PyOpenCL program (Debian's python3-pyopencl, unmodified) that reports, as
JSON on stdout, what an application sees of the OpenCL platforms the ICD
loader offers it, and what one PyOpenCL computation gives:

  platforms   per platform: its identity (name, vendor, version, profile,
              numeric version, ...), its extensions, its ICD suffix, the
              answers to remote-cl's own queries (CL/cl_remote.h; a native
              platform refuses them), pyopencl.characterize.get_pocl_version(),
              and per device its identity values and what
              pyopencl.characterize concludes about it
  kernel      on the first platform's first device: a kernel built from
              source, run on 1 Mi elements and read back, checked byte for
              byte against numpy; then pyopencl.array arithmetic and a
              reduction (kernels PyOpenCL generates), checked exactly

Run by compare_pyopencl.py natively and through remote-cl. Exit code 0 even
when a check fails: the JSON says what failed; 1 only if it cannot run.
"""

import ctypes
import hashlib
import json
import sys
import traceback

import numpy as np
import pyopencl as cl
import pyopencl.array as cl_array
import pyopencl.characterize as characterize

# remote-cl's platform queries (include/CL/cl_remote.h) and the ICD suffix
# (CL/cl_ext.h), which PyOpenCL does not know: asked through the loader.
CL_PLATFORM_ICD_SUFFIX_KHR = 0x0920
CL_PLATFORM_REMOTE_ENDPOINT_RCL = 0x52434C01
CL_PLATFORM_REMOTE_SERVER_RCL = 0x52434C02

PLATFORM_IDENTITY = ("NAME", "VENDOR", "VERSION", "PROFILE", "NUMERIC_VERSION", "HOST_TIMER_RESOLUTION")
# Everything an application may compare to recognise a device (extensions
# aside: remote-cl adds its own and drops what cannot work remotely).
DEVICE_IDENTITY = ("NAME", "VENDOR", "VENDOR_ID", "VERSION", "NUMERIC_VERSION", "DRIVER_VERSION",
                   "OPENCL_C_VERSION", "OPENCL_C_ALL_VERSIONS", "PROFILE", "TYPE", "IL_VERSION",
                   "MAX_COMPUTE_UNITS", "GLOBAL_MEM_SIZE", "LOCAL_MEM_SIZE", "MAX_WORK_GROUP_SIZE")
# pyopencl.characterize's conclusions that rest on identity and limits (the
# SVM ones are left out: remote-cl offers coarse-grained SVM only, on purpose).
CHARACTERIZE = (
    ("has_struct_arg_count_bug", lambda device: characterize.has_struct_arg_count_bug(device)),
    ("get_simd_group_size(4)", lambda device: characterize.get_simd_group_size(device, 4)),
    ("usable_local_mem_size", lambda device: characterize.usable_local_mem_size(device)),
    ("local_memory_bank_count", lambda device: characterize.local_memory_bank_count(device)),
    ("simultaneous_work_items_on_local_access",
     lambda device: characterize.simultaneous_work_items_on_local_access(device)),
    ("has_double_support", lambda device: characterize.has_double_support(device)),
    ("has_amd_double_support", lambda device: characterize.has_amd_double_support(device)),
    ("nv_compute_capability", lambda device: characterize.nv_compute_capability(device)),
    ("get_fast_inaccurate_build_options", lambda device: characterize.get_fast_inaccurate_build_options(device)),
    ("has_coarse_grain_buffer_svm", lambda device: characterize.has_coarse_grain_buffer_svm(device)),
)

ELEMENTS = 1 << 20
KERNEL_SOURCE = """
__kernel void scramble(__global const uint *a, __global const uint *b, __global uint *out) {
  const uint i = get_global_id(0);
  out[i] = (a[i] * 2654435761u) ^ (b[i] >> 3) ^ i;
}
"""


def plain(value):
    """A JSON-able form of a PyOpenCL info value."""
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if hasattr(value, "name") and hasattr(value, "version"):  # cl.NameVersion
        return [value.name, value.version]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def outcome(function):
    """function()'s value, or how it failed (the same failure must show on both sides)."""
    try:
        return plain(function())
    except cl.Error as error:
        return {"error": type(error).__name__, "code": getattr(error, "code", None)}
    except Exception as error:  # noqa: BLE001: what failed is the result
        return {"error": type(error).__name__, "message": str(error)}


def loader():
    library = ctypes.CDLL("libOpenCL.so.1")
    library.clGetPlatformInfo.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_size_t, ctypes.c_void_p,
                                          ctypes.POINTER(ctypes.c_size_t)]
    library.clGetPlatformInfo.restype = ctypes.c_int
    return library


def platform_string(library, platform, param):
    """A string clGetPlatformInfo returns, or {"status": the error}."""
    size = ctypes.c_size_t(0)
    status = library.clGetPlatformInfo(platform.int_ptr, param, 0, None, ctypes.byref(size))
    if status != 0:
        return {"status": status}
    text = ctypes.create_string_buffer(size.value)
    status = library.clGetPlatformInfo(platform.int_ptr, param, size.value, text, None)
    return text.value.decode(errors="replace") if status == 0 else {"status": status}


def describe_device(device):
    return {
        "identity": {name: outcome(lambda name=name: device.get_info(getattr(cl.device_info, name)))
                     for name in DEVICE_IDENTITY},
        "characterize": {name: outcome(lambda check=check: check(device)) for name, check in CHARACTERIZE},
    }


def describe_platform(library, platform):
    return {
        "identity": {name: outcome(lambda name=name: platform.get_info(getattr(cl.platform_info, name)))
                     for name in PLATFORM_IDENTITY},
        "extensions": outcome(lambda: platform.extensions),
        "icd_suffix": platform_string(library, platform, CL_PLATFORM_ICD_SUFFIX_KHR),
        "remote_endpoint": platform_string(library, platform, CL_PLATFORM_REMOTE_ENDPOINT_RCL),
        "remote_server": platform_string(library, platform, CL_PLATFORM_REMOTE_SERVER_RCL),
        "pocl_version": outcome(lambda: characterize.get_pocl_version(platform)),
        "devices": [describe_device(device) for device in platform.get_devices()],
    }


def first_difference(got, expected):
    differing = np.flatnonzero(got != expected)
    if differing.size == 0:
        return None
    i = int(differing[0])
    return {"index": i, "got": int(got[i]), "expected": int(expected[i]), "count": int(differing.size)}


def run_kernel(device):
    """Source kernel and PyOpenCL's generated kernels on `device`, each checked exactly."""
    context = cl.Context([device])
    queue = cl.CommandQueue(context)
    rng = np.random.default_rng(14)
    a = rng.integers(0, 2**32, ELEMENTS, dtype=np.uint32)
    b = rng.integers(0, 2**32, ELEMENTS, dtype=np.uint32)
    index = np.arange(ELEMENTS, dtype=np.uint32)
    expected = (a * np.uint32(2654435761)) ^ (b >> np.uint32(3)) ^ index

    flags = cl.mem_flags
    a_buffer = cl.Buffer(context, flags.READ_ONLY | flags.COPY_HOST_PTR, hostbuf=a)
    b_buffer = cl.Buffer(context, flags.READ_ONLY | flags.COPY_HOST_PTR, hostbuf=b)
    out_buffer = cl.Buffer(context, flags.WRITE_ONLY, expected.nbytes)
    program = cl.Program(context, KERNEL_SOURCE).build()
    program.scramble(queue, (ELEMENTS,), None, a_buffer, b_buffer, out_buffer)
    out = np.empty_like(expected)
    cl.enqueue_copy(queue, out, out_buffer)
    queue.finish()

    x = cl_array.to_device(queue, a.astype(np.int64))
    affine = (3 * x + 7).get()
    total = int(cl_array.sum(x).get())
    return {
        "kernel_bytes_equal": out.tobytes() == expected.tobytes(),
        "kernel_first_difference": first_difference(out, expected),
        "kernel_sha256": hashlib.sha256(out.tobytes()).hexdigest(),
        "array_affine_equal": bool(np.array_equal(affine, 3 * a.astype(np.int64) + 7)),
        "array_sum": total,
        "array_sum_expected": int(a.astype(np.int64).sum()),
    }


def main():
    library = loader()
    platforms = cl.get_platforms()
    report = {"platforms": [describe_platform(library, platform) for platform in platforms]}
    devices = platforms[0].get_devices() if platforms else []
    try:
        report["kernel"] = run_kernel(devices[0]) if devices else {"error": "no device"}
    except Exception:  # noqa: BLE001: the report says how the computation failed
        report["kernel"] = {"error": traceback.format_exc()}
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        sys.exit(1)
