#!/usr/bin/env python3
"""Unit tests of compare_clinfo.compare() on captured PoCL clinfo output.

data/pocl-raw.txt is `clinfo --raw --all-props` and data/pocl-human.txt is
`clinfo` on Debian 12's PoCL 3.1. The "remote" outputs are edited copies.
"""

import re
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare_clinfo  # noqa: E402
from compare_clinfo import ClinfoOutput, compare  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
NATIVE_NAME = "Portable Computing Language"
# What remote-cl named its platforms before they had the real platform's identity.
OLD_REMOTE_NAME = "remote-cl: Portable Computing Language @ tcp://127.0.0.1:40000"


def set_property(raw, name, value):
    """Replace the value of every raw line of property `name`."""
    pattern = re.compile(rf"^(\S*[ \t]+{re.escape(name)}[ \t]+).*$", re.MULTILINE)
    edited, count = pattern.subn(lambda match: match[1] + value, raw)
    assert count, f"{name} not in the captured output"
    return edited


def get_property(raw, name):
    return re.search(rf"^\S*[ \t]+{re.escape(name)}[ \t]+(.*)$", raw, re.MULTILINE)[1].rstrip()


def delete_property(raw, name):
    edited, count = re.subn(rf"^\S*[ \t]+{re.escape(name)}[ \t].*\n", "", raw,
                            flags=re.MULTILINE)
    assert count, f"{name} not in the captured output"
    return edited


def native_output():
    return ClinfoOutput(raw=(DATA / "pocl-raw.txt").read_text(),
                        human=(DATA / "pocl-human.txt").read_text())


def add_to_property(raw, name, item):
    return set_property(raw, name, f"{get_property(raw, name)} {item}")


def as_remote(output):
    """What remote-cl is expected to show for the native `output`: the real
    identity, its own ICD suffix and extension, the masked device features."""
    raw = output.raw.replace("[POCL/", "[RCL/")
    raw = set_property(raw, "CL_PLATFORM_ICD_SUFFIX_KHR", "RCL")
    for prefix in ("CL_PLATFORM", "CL_DEVICE"):
        raw = add_to_property(raw, f"{prefix}_EXTENSIONS", "cl_rcl_ops")
        raw = add_to_property(raw, f"{prefix}_EXTENSIONS_WITH_VERSION", "cl_rcl_ops:0x400000")
    raw = set_property(raw, "CL_DEVICE_EXECUTION_CAPABILITIES", "CL_EXEC_KERNEL")
    raw = set_property(raw, "CL_DEVICE_SVM_CAPABILITIES", "CL_DEVICE_SVM_COARSE_GRAIN_BUFFER")
    raw = set_property(raw, "CL_DEVICE_HOST_UNIFIED_MEMORY", "CL_FALSE")
    # cl_khr_command_buffer is forwarded (codegen/opencl_calls.toml [extensions]):
    # listed, and its queries answered, as natively.
    human = output.human.replace("[POCL]", "[RCL]")
    return ClinfoOutput(raw=raw, human=human)


def with_raw(output, raw):
    return ClinfoOutput(raw=raw, human=output.human)


class CompareTest(unittest.TestCase):
    def setUp(self):
        self.native = native_output()
        self.remote = as_remote(self.native)

    def assert_passes(self, native, remote):
        comparison = compare(native, remote)
        self.assertEqual(comparison.problems, [])
        self.assertEqual(comparison.diff, [])
        self.assertTrue(comparison.passed)
        return comparison

    def assert_fails_with_diff(self, native, remote, *expected_lines):
        comparison = compare(native, remote)
        self.assertFalse(comparison.passed)
        for line in expected_lines:
            self.assertIn(line, comparison.diff)
        return comparison

    def assert_fails_with_problem(self, native, remote, expected_text):
        comparison = compare(native, remote)
        self.assertFalse(comparison.passed)
        self.assertTrue(any(expected_text in problem for problem in comparison.problems),
                        comparison.problems)

    def test_native_against_itself_passes(self):
        comparison = self.assert_passes(self.native, self.native)
        self.assertEqual(comparison.allowed, [])
        self.assertEqual(comparison.device_properties_compared, 110)
        self.assertEqual(comparison.null_platform_lines_compared, 15)

    def test_expected_remote_differences_are_allowed(self):
        comparison = self.assert_passes(self.native, self.remote)
        allowed = {name for _, name, _ in comparison.allowed}
        self.assertEqual(allowed, {
            "CL_PLATFORM_ICD_SUFFIX_KHR",
            "CL_PLATFORM_EXTENSIONS", "CL_PLATFORM_EXTENSIONS_WITH_VERSION",
            "CL_DEVICE_EXTENSIONS", "CL_DEVICE_EXTENSIONS_WITH_VERSION",
            "CL_DEVICE_EXECUTION_CAPABILITIES", "CL_DEVICE_SVM_CAPABILITIES",
            "CL_DEVICE_HOST_UNIFIED_MEMORY"})

    def test_listing_a_masked_extension_fails(self):
        raw = add_to_property(self.remote.raw, "CL_DEVICE_EXTENSIONS", "cl_khr_semaphore")
        comparison = self.assert_fails_with_diff(self.native, with_raw(self.remote, raw))
        self.assertTrue(any(line.startswith("+") and "cl_khr_semaphore" in line for line in comparison.diff))

    def test_removed_sharing_extensions_are_allowed(self):
        native_raw = self.native.raw
        for name in ("CL_DEVICE_EXTENSIONS", "CL_DEVICE_EXTENSIONS_WITH_VERSION"):
            extensions = get_property(native_raw, name)
            sharing = ("cl_khr_gl_sharing cl_khr_d3d10_sharing cl_khr_egl_image"
                       " cl_khr_dx9_media_sharing")
            if name.endswith("_WITH_VERSION"):
                sharing = " ".join(f"{item}:0x400000" for item in sharing.split())
            native_raw = set_property(native_raw, name, f"{extensions} {sharing}")
        self.assert_passes(with_raw(self.native, native_raw), self.remote)

    def test_changed_device_value_fails(self):
        raw = set_property(self.remote.raw, "CL_DEVICE_MAX_COMPUTE_UNITS", "3")
        self.assert_fails_with_diff(
            self.native, with_raw(self.remote, raw),
            "-device 0: CL_DEVICE_MAX_COMPUTE_UNITS = 2",
            "+device 0: CL_DEVICE_MAX_COMPUTE_UNITS = 3")

    def test_missing_device_property_fails(self):
        raw = delete_property(self.remote.raw, "CL_DEVICE_IMAGE_SUPPORT")
        self.assert_fails_with_diff(self.native, with_raw(self.remote, raw),
                                    "-device 0: CL_DEVICE_IMAGE_SUPPORT = CL_TRUE")

    def test_removed_other_extension_fails(self):
        for name in ("CL_DEVICE_EXTENSIONS", "CL_DEVICE_EXTENSIONS_WITH_VERSION"):
            raw = self.remote.raw
            extensions = get_property(raw, name)
            without_fp64 = " ".join(item for item in extensions.split()
                                    if not item.startswith("cl_khr_fp64"))
            raw = set_property(raw, name, without_fp64)
            with self.subTest(name):
                self.assert_fails_with_diff(self.native, with_raw(self.remote, raw),
                                            f"+device 0: {name} = {without_fp64}")

    def test_masking_more_than_native_kernels_fails(self):
        raw = set_property(self.remote.raw, "CL_DEVICE_EXECUTION_CAPABILITIES", "")
        self.assert_fails_with_diff(self.native, with_raw(self.remote, raw),
                                    "+device 0: CL_DEVICE_EXECUTION_CAPABILITIES = ")

    def test_svm_capability_not_native_fails(self):
        raw = set_property(self.remote.raw, "CL_DEVICE_SVM_CAPABILITIES",
                           "CL_DEVICE_SVM_FINE_GRAIN_SYSTEM")
        self.assert_fails_with_diff(
            self.native, with_raw(self.remote, raw),
            "+device 0: CL_DEVICE_SVM_CAPABILITIES = CL_DEVICE_SVM_FINE_GRAIN_SYSTEM")

    def test_svm_masked_entirely_fails(self):
        raw = set_property(self.remote.raw, "CL_DEVICE_SVM_CAPABILITIES", "")
        self.assert_fails_with_diff(self.native, with_raw(self.remote, raw),
                                    "+device 0: CL_DEVICE_SVM_CAPABILITIES = ")

    def test_svm_fine_grain_kept_fails(self):
        raw = set_property(self.remote.raw, "CL_DEVICE_SVM_CAPABILITIES",
                           "CL_DEVICE_SVM_COARSE_GRAIN_BUFFER | CL_DEVICE_SVM_FINE_GRAIN_BUFFER")
        self.assert_fails_with_diff(
            self.native, with_raw(self.remote, raw),
            "+device 0: CL_DEVICE_SVM_CAPABILITIES = "
            "CL_DEVICE_SVM_COARSE_GRAIN_BUFFER | CL_DEVICE_SVM_FINE_GRAIN_BUFFER")

    def test_old_remote_platform_name_fails(self):
        raw = set_property(self.remote.raw, "CL_PLATFORM_NAME", OLD_REMOTE_NAME)
        self.assert_fails_with_problem(self.native, with_raw(self.remote, raw),
                                       f"remote platform '{OLD_REMOTE_NAME}'")

    def test_changed_platform_identity_fails(self):
        for name in ("CL_PLATFORM_VENDOR", "CL_PLATFORM_VERSION", "CL_PLATFORM_PROFILE",
                     "CL_PLATFORM_NUMERIC_VERSION"):
            raw = set_property(self.remote.raw, name, "remote-cl")
            with self.subTest(name):
                self.assert_fails_with_diff(self.native, with_raw(self.remote, raw),
                                            f"+platform: {name} = remote-cl")

    def test_changed_device_identity_fails(self):
        for name in ("CL_DEVICE_NAME", "CL_DEVICE_VENDOR", "CL_DEVICE_VENDOR_ID", "CL_DEVICE_VERSION",
                     "CL_DEVICE_NUMERIC_VERSION", "CL_DRIVER_VERSION", "CL_DEVICE_OPENCL_C_VERSION",
                     "CL_DEVICE_PROFILE"):
            raw = set_property(self.remote.raw, name, "remote-cl")
            with self.subTest(name):
                self.assert_fails_with_diff(self.native, with_raw(self.remote, raw),
                                            f"+device 0: {name} = remote-cl")

    def test_icd_suffix_other_than_remote_cls_fails(self):
        raw = set_property(self.remote.raw, "CL_PLATFORM_ICD_SUFFIX_KHR", "XYZ")
        self.assert_fails_with_diff(self.native, with_raw(self.remote, raw),
                                    "+platform: CL_PLATFORM_ICD_SUFFIX_KHR = XYZ")

    def test_platform_extension_other_than_remote_cls_fails(self):
        for name, item in (("CL_PLATFORM_EXTENSIONS", "cl_khr_other"),
                           ("CL_PLATFORM_EXTENSIONS_WITH_VERSION", "cl_khr_other:0x400000")):
            raw = add_to_property(self.remote.raw, name, item)
            with self.subTest(name):
                self.assert_fails_with_diff(self.native, with_raw(self.remote, raw),
                                            f"+platform: {name} = {get_property(raw, name)}")

    def test_changed_null_platform_behavior_fails(self):
        human = self.remote.human.replace(
            "clCreateContextFromType(NULL, CL_DEVICE_TYPE_GPU)  No devices found in platform",
            "clCreateContextFromType(NULL, CL_DEVICE_TYPE_GPU)  Success (1)")
        self.assert_fails_with_diff(
            self.native, ClinfoOutput(raw=self.remote.raw, human=human),
            "+null platform:   clCreateContextFromType(NULL, CL_DEVICE_TYPE_GPU)  Success (1)")

    def test_no_remote_platform_fails(self):
        raw = "#PLATFORMS                                        0\n" + "".join(
            line + "\n" for line in self.remote.raw.splitlines() if "CL_ICDL_" in line)
        self.assert_fails_with_problem(self.native, with_raw(self.remote, raw),
                                       "found 0 platforms")

    def test_remote_without_devices_fails(self):
        raw = "".join(line + "\n" for line in self.remote.raw.splitlines()
                      if not line.startswith("[RCL/0]"))
        self.assert_fails_with_problem(self.native, with_raw(self.remote, raw), "no device")

    def test_too_few_device_properties_fails(self):
        def first_device_lines(raw, prefix, kept):
            lines = raw.splitlines()
            device_lines = [line for line in lines if line.startswith(prefix)]
            return "\n".join(line for line in lines
                             if not line.startswith(prefix) or line in device_lines[:kept])
        native = with_raw(self.native, first_device_lines(self.native.raw, "[POCL/0]", 50))
        remote = with_raw(self.remote, first_device_lines(self.remote.raw, "[RCL/0]", 50))
        self.assert_fails_with_problem(native, remote, "only 50 device properties")

    def test_served_platform_is_found_among_native_platforms(self):
        other_platform = "  CL_PLATFORM_NAME    Other Platform\n\n"
        other_device_list = ("[OTHER/*]    CL_PLATFORM_NAME    Other Platform\n"
                             "[OTHER/*]  #DEVICES    0\n\n")
        raw = re.sub(r"^#PLATFORMS .*\n", "#PLATFORMS    2\n" + other_platform,
                     self.native.raw, flags=re.MULTILINE)
        raw = raw.replace("[POCL/*]    CL_PLATFORM_NAME", other_device_list
                          + "[POCL/*]    CL_PLATFORM_NAME", 1)
        comparison = self.assert_passes(with_raw(self.native, raw), self.remote)
        self.assertEqual(comparison.device_properties_compared, 110)
        # The native NULL platform is now "Other Platform": not comparable.
        self.assertEqual(comparison.null_platform_lines_compared, 0)


class ParseTest(unittest.TestCase):
    def test_parses_captured_output(self):
        report = compare_clinfo.parse_raw((DATA / "pocl-raw.txt").read_text())
        self.assertEqual(report.platform_count, 1)
        self.assertEqual(report.platforms[0].name, NATIVE_NAME)
        self.assertEqual(report.platforms[0].properties["#DEVICES"], "1")
        self.assertEqual(report.platforms[0].devices[0]["CL_DEVICE_TYPE"],
                         "CL_DEVICE_TYPE_CPU")
        self.assertEqual(report.loader["CL_ICDL_NAME"], "OpenCL ICD Loader")

    def test_rejects_device_line_without_platform(self):
        with self.assertRaises(compare_clinfo.ClinfoFormatError):
            compare_clinfo.parse_raw("[X/0]    CL_DEVICE_NAME   cpu\n")


if __name__ == "__main__":
    unittest.main()
