// buffers: cl_mem_flags combinations, host-pointer rules, host-access flags, sub-buffers, rect
// transfers, copy, fill, migration and mapping with every map flag.

#include <algorithm>
#include <array>
#include <sstream>

#include "conformance.h"

namespace rcl::conformance {
namespace {

class buffers : public Suite<buffers> {};  // NOLINT(readability-identifier-naming): the area's name

// 64 KiB: on the same host, a shared buffer (protocol/shm.h) like any big one.
constexpr size_t kSize = 64 * 1024;

std::string describeFlags(cl_mem_flags flags) {
  static const std::pair<cl_mem_flags, const char*> kNames[] = {
      {CL_MEM_READ_WRITE, "READ_WRITE"},         {CL_MEM_WRITE_ONLY, "WRITE_ONLY"},
      {CL_MEM_READ_ONLY, "READ_ONLY"},           {CL_MEM_USE_HOST_PTR, "USE_HOST_PTR"},
      {CL_MEM_ALLOC_HOST_PTR, "ALLOC_HOST_PTR"}, {CL_MEM_COPY_HOST_PTR, "COPY_HOST_PTR"},
      {CL_MEM_HOST_WRITE_ONLY, "HOST_WRITE_ONLY"}, {CL_MEM_HOST_READ_ONLY, "HOST_READ_ONLY"},
      {CL_MEM_HOST_NO_ACCESS, "HOST_NO_ACCESS"}};
  std::string text;
  for (const auto& [bit, name] : kNames) {
    if ((flags & bit) != 0) text += (text.empty() ? "" : "|") + std::string(name);
  }
  return text.empty() ? "0" : text;
}

// Every valid combination of device access x host pointer x host access: creation succeeds, the
// flags and host pointer read back, the initial contents are the host data where the flags say so,
// and host reads/writes are allowed or CL_INVALID_OPERATION exactly as the host-access flags say.
TEST_F(buffers, EveryValidFlagCombination) {
  const cl_mem_flags access[] = {0, CL_MEM_READ_WRITE, CL_MEM_WRITE_ONLY, CL_MEM_READ_ONLY};
  const cl_mem_flags hostPtr[] = {0, CL_MEM_USE_HOST_PTR, CL_MEM_ALLOC_HOST_PTR, CL_MEM_COPY_HOST_PTR,
                                  CL_MEM_ALLOC_HOST_PTR | CL_MEM_COPY_HOST_PTR};
  const cl_mem_flags hostAccess[] = {0, CL_MEM_HOST_WRITE_ONLY, CL_MEM_HOST_READ_ONLY, CL_MEM_HOST_NO_ACCESS};
  int combinations = 0;
  for (cl_mem_flags a : access) {
    for (cl_mem_flags p : hostPtr) {
      for (cl_mem_flags h : hostAccess) {
        const cl_mem_flags flags = a | p | h;
        SCOPED_TRACE(describeFlags(flags));
        ++combinations;
        alignas(128) std::array<uint8_t, kSize> host{};
        const std::vector<uint8_t> initial = counting(kSize, 7);
        std::copy(initial.begin(), initial.end(), host.begin());
        const bool passesPtr = (p & (CL_MEM_USE_HOST_PTR | CL_MEM_COPY_HOST_PTR)) != 0;
        cl_int error = CL_SUCCESS;
        Mem mem(clCreateBuffer(context_, flags, kSize, passesPtr ? host.data() : nullptr, &error));
        CL_EXPECT(error);
        if (error != CL_SUCCESS) continue;

        cl_mem_flags reported = 0;
        CL_EXPECT(queryInfo(&reported, clGetMemObjectInfo, mem.get(), CL_MEM_FLAGS));
        EXPECT_EQ(reported & flags, flags) << "CL_MEM_FLAGS " << describeFlags(reported);
        size_t size = 0;
        CL_EXPECT(queryInfo(&size, clGetMemObjectInfo, mem.get(), CL_MEM_SIZE));
        EXPECT_EQ(size, kSize);
        cl_mem_object_type type = 0;
        CL_EXPECT(queryInfo(&type, clGetMemObjectInfo, mem.get(), CL_MEM_TYPE));
        EXPECT_EQ(type, static_cast<cl_mem_object_type>(CL_MEM_OBJECT_BUFFER));
        void* reportedPtr = reinterpret_cast<void*>(1);
        CL_EXPECT(queryInfo(&reportedPtr, clGetMemObjectInfo, mem.get(), CL_MEM_HOST_PTR));
        EXPECT_EQ(reportedPtr, (p & CL_MEM_USE_HOST_PTR) != 0 ? host.data() : nullptr);

        const bool hostMayRead = (h & (CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_NO_ACCESS)) == 0;
        const bool hostMayWrite = (h & (CL_MEM_HOST_READ_ONLY | CL_MEM_HOST_NO_ACCESS)) == 0;
        std::vector<uint8_t> seen(kSize, 0xee);
        const cl_int readError =
            clEnqueueReadBuffer(queue_, mem, CL_TRUE, 0, kSize, seen.data(), 0, nullptr, nullptr);
        if (hostMayRead) {
          CL_EXPECT(readError);
          if (passesPtr) {
            EXPECT_EQ(seen, initial) << "initial contents";
          }
        } else {
          CL_EXPECT_ERROR(CL_INVALID_OPERATION, readError);
        }
        const std::vector<uint8_t> next = counting(kSize, 99);
        const cl_int writeError =
            clEnqueueWriteBuffer(queue_, mem, CL_TRUE, 0, kSize, next.data(), 0, nullptr, nullptr);
        if (hostMayWrite) {
          CL_EXPECT(writeError);
          if (hostMayRead) {
            CL_EXPECT(clEnqueueReadBuffer(queue_, mem, CL_TRUE, 0, kSize, seen.data(), 0, nullptr, nullptr));
            EXPECT_EQ(seen, next) << "after a write";
          }
        } else {
          CL_EXPECT_ERROR(CL_INVALID_OPERATION, writeError);
        }
        CL_EXPECT(clFinish(queue_));
      }
    }
  }
  EXPECT_EQ(combinations, 80);
}

TEST_F(buffers, InvalidFlagCombinationsAndHostPointers) {
  uint8_t host[64] = {};
  struct Case {
    cl_mem_flags flags;
    bool passPtr;
    size_t size;
    cl_int expected;
  };
  const Case cases[] = {
      {CL_MEM_READ_WRITE | CL_MEM_READ_ONLY, false, 64, CL_INVALID_VALUE},
      {CL_MEM_READ_WRITE | CL_MEM_WRITE_ONLY, false, 64, CL_INVALID_VALUE},
      {CL_MEM_READ_ONLY | CL_MEM_WRITE_ONLY, false, 64, CL_INVALID_VALUE},
      {CL_MEM_USE_HOST_PTR | CL_MEM_ALLOC_HOST_PTR, true, 64, CL_INVALID_VALUE},
      {CL_MEM_USE_HOST_PTR | CL_MEM_COPY_HOST_PTR, true, 64, CL_INVALID_VALUE},
      {CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_READ_ONLY, false, 64, CL_INVALID_VALUE},
      {CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_NO_ACCESS, false, 64, CL_INVALID_VALUE},
      {CL_MEM_HOST_READ_ONLY | CL_MEM_HOST_NO_ACCESS, false, 64, CL_INVALID_VALUE},
      {CL_MEM_USE_HOST_PTR, false, 64, CL_INVALID_HOST_PTR},
      {CL_MEM_COPY_HOST_PTR, false, 64, CL_INVALID_HOST_PTR},
      {CL_MEM_READ_WRITE, true, 64, CL_INVALID_HOST_PTR},
      {CL_MEM_ALLOC_HOST_PTR, true, 64, CL_INVALID_HOST_PTR},
      {CL_MEM_READ_WRITE, false, 0, CL_INVALID_BUFFER_SIZE},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(describeFlags(c.flags) + (c.passPtr ? " with host_ptr" : " without host_ptr") +
                 " size " + std::to_string(c.size));
    cl_int error = CL_SUCCESS;
    Mem mem(clCreateBuffer(context_, c.flags, c.size, c.passPtr ? host : nullptr, &error));
    EXPECT_EQ(mem.get(), nullptr);
    CL_EXPECT_ERROR(c.expected, error);
  }
}

TEST_F(buffers, UseHostPtrKernelWritesReachHostMemoryAtMap) {
  Kernel fill = kernel("__kernel void mark(__global uchar* p, uchar v) { p[get_global_id(0)] = v; }", "mark");
  ASSERT_TRUE(fill);
  alignas(4096) static uint8_t host[kSize];
  std::fill(std::begin(host), std::end(host), 0);
  cl_int error = CL_SUCCESS;
  Mem mem(clCreateBuffer(context_, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, kSize, host, &error));
  CL_CHECK(error);
  const cl_uchar value = 0x5a;
  CL_CHECK(clSetKernelArg(fill, 0, sizeof(cl_mem), mem.address()));
  CL_CHECK(clSetKernelArg(fill, 1, sizeof(value), &value));
  const size_t global = kSize;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, fill, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  void* mapped = clEnqueueMapBuffer(queue_, mem, CL_TRUE, CL_MAP_READ, 0, kSize, 0, nullptr, nullptr, &error);
  CL_CHECK(error);
  EXPECT_EQ(mapped, static_cast<void*>(host)) << "CL_MEM_USE_HOST_PTR: the mapped pointer must be host_ptr";
  EXPECT_TRUE(std::all_of(std::begin(host), std::end(host), [](uint8_t b) { return b == 0x5a; }))
      << "host memory does not hold the kernel's bytes while mapped; host[0] = " << int(host[0]);
  CL_CHECK(clEnqueueUnmapMemObject(queue_, mem, mapped, 0, nullptr, nullptr));
  CL_CHECK(clFinish(queue_));
}

// The spec: for a CL_MEM_USE_HOST_PTR buffer the pointer returned by clEnqueueMapBuffer is
// host_ptr + offset, for every map flag.
TEST_F(buffers, UseHostPtrMappedPointerIsHostPtrPlusOffset) {
  alignas(4096) static uint8_t host[kSize];
  const std::vector<uint8_t> initial = counting(kSize, 3);
  std::copy(initial.begin(), initial.end(), host);
  cl_int error = CL_SUCCESS;
  Mem mem(clCreateBuffer(context_, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, kSize, host, &error));
  CL_CHECK(error);
  const size_t offset = 64;
  const size_t length = 256;
  const cl_map_flags flags[] = {CL_MAP_READ, CL_MAP_WRITE, CL_MAP_READ | CL_MAP_WRITE,
                                CL_MAP_WRITE_INVALIDATE_REGION};
  uint8_t stamp = 0x10;
  for (cl_map_flags flag : flags) {
    SCOPED_TRACE("map flags " + std::to_string(flag));
    auto* mapped = static_cast<uint8_t*>(
        clEnqueueMapBuffer(queue_, mem, CL_TRUE, flag, offset, length, 0, nullptr, nullptr, &error));
    CL_CHECK(error);
    EXPECT_EQ(mapped, host + offset);
    if ((flag & CL_MAP_READ) != 0) {
      EXPECT_EQ(std::vector<uint8_t>(mapped, mapped + length),
                std::vector<uint8_t>(host + offset, host + offset + length));
    }
    if ((flag & (CL_MAP_WRITE | CL_MAP_WRITE_INVALIDATE_REGION)) != 0) {
      std::fill(mapped, mapped + length, ++stamp);
    }
    CL_CHECK(clEnqueueUnmapMemObject(queue_, mem, mapped, 0, nullptr, nullptr));
    CL_CHECK(clFinish(queue_));
  }
  std::vector<uint8_t> expected = initial;
  std::fill(expected.begin() + offset, expected.begin() + offset + length, stamp);
  EXPECT_EQ(readBytes(mem, kSize), expected) << "device view after the mapped writes";
}

TEST_F(buffers, MapEveryFlag) {
  const std::vector<uint8_t> initial = counting(kSize, 1);
  Mem mem = buffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kSize, const_cast<uint8_t*>(initial.data()));
  ASSERT_TRUE(mem);
  cl_int error = CL_SUCCESS;
  std::vector<uint8_t> expected = initial;
  {  // CL_MAP_READ sees the contents.
    auto* p = static_cast<uint8_t*>(
        clEnqueueMapBuffer(queue_, mem, CL_TRUE, CL_MAP_READ, 100, 200, 0, nullptr, nullptr, &error));
    CL_CHECK(error);
    EXPECT_EQ(std::vector<uint8_t>(p, p + 200), std::vector<uint8_t>(initial.begin() + 100, initial.begin() + 300));
    CL_CHECK(clEnqueueUnmapMemObject(queue_, mem, p, 0, nullptr, nullptr));
  }
  {  // CL_MAP_WRITE: what the host writes is there after the unmap.
    auto* p = static_cast<uint8_t*>(
        clEnqueueMapBuffer(queue_, mem, CL_TRUE, CL_MAP_WRITE, 0, 50, 0, nullptr, nullptr, &error));
    CL_CHECK(error);
    std::fill(p, p + 50, 0xa1);
    std::fill(expected.begin(), expected.begin() + 50, 0xa1);
    CL_CHECK(clEnqueueUnmapMemObject(queue_, mem, p, 0, nullptr, nullptr));
  }
  {  // CL_MAP_READ | CL_MAP_WRITE: read, modify half, write.
    auto* p = static_cast<uint8_t*>(clEnqueueMapBuffer(queue_, mem, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 512, 128, 0,
                                                       nullptr, nullptr, &error));
    CL_CHECK(error);
    EXPECT_EQ(std::vector<uint8_t>(p, p + 128), std::vector<uint8_t>(expected.begin() + 512, expected.begin() + 640));
    for (int i = 0; i < 64; ++i) p[i] = static_cast<uint8_t>(~p[i]);
    for (int i = 0; i < 64; ++i) expected[512 + i] = static_cast<uint8_t>(~expected[512 + i]);
    CL_CHECK(clEnqueueUnmapMemObject(queue_, mem, p, 0, nullptr, nullptr));
  }
  {  // CL_MAP_WRITE_INVALIDATE_REGION: the region is replaced, the rest of the buffer is untouched.
    auto* p = static_cast<uint8_t*>(clEnqueueMapBuffer(queue_, mem, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION, 700,
                                                       300, 0, nullptr, nullptr, &error));
    CL_CHECK(error);
    std::fill(p, p + 300, 0xc3);
    std::fill(expected.begin() + 700, expected.begin() + 1000, 0xc3);
    CL_CHECK(clEnqueueUnmapMemObject(queue_, mem, p, 0, nullptr, nullptr));
  }
  EXPECT_EQ(readBytes(mem, kSize), expected);
}

TEST_F(buffers, MapNonBlockingWithEventsAndTwoRegionsAtOnce) {
  const std::vector<uint8_t> initial = counting(kSize, 40);
  Mem mem = buffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kSize, const_cast<uint8_t*>(initial.data()));
  ASSERT_TRUE(mem);
  cl_int error = CL_SUCCESS;
  Event first;
  Event second;
  auto* a = static_cast<uint8_t*>(
      clEnqueueMapBuffer(queue_, mem, CL_FALSE, CL_MAP_READ, 0, 128, 0, nullptr, first.out(), &error));
  CL_CHECK(error);
  auto* b = static_cast<uint8_t*>(
      clEnqueueMapBuffer(queue_, mem, CL_FALSE, CL_MAP_WRITE, 512, 128, 0, nullptr, second.out(), &error));
  CL_CHECK(error);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const cl_event both[] = {first.get(), second.get()};
  CL_CHECK(clWaitForEvents(2, both));
  EXPECT_EQ(eventStatus(first), CL_COMPLETE);
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, first.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_MAP_BUFFER));
  EXPECT_EQ(std::vector<uint8_t>(a, a + 128), std::vector<uint8_t>(initial.begin(), initial.begin() + 128));
  std::fill(b, b + 128, 0x77);
  Event unmapped;
  CL_CHECK(clEnqueueUnmapMemObject(queue_, mem, b, 0, nullptr, unmapped.out()));
  CL_CHECK(clEnqueueUnmapMemObject(queue_, mem, a, 0, nullptr, nullptr));
  CL_CHECK(clWaitForEvents(1, unmapped.address()));
  CL_CHECK(queryInfo(&type, clGetEventInfo, unmapped.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_UNMAP_MEM_OBJECT));
  std::vector<uint8_t> expected = initial;
  std::fill(expected.begin() + 512, expected.begin() + 640, 0x77);
  EXPECT_EQ(readBytes(mem, kSize), expected);
}

TEST_F(buffers, MapRespectsHostAccessFlagsAndRejectsBadFlags) {
  cl_int error = CL_SUCCESS;
  struct Case {
    cl_mem_flags memFlags;
    cl_map_flags mapFlags;
    cl_int expected;
  };
  const Case cases[] = {
      {CL_MEM_HOST_NO_ACCESS, CL_MAP_READ, CL_INVALID_OPERATION},
      {CL_MEM_HOST_NO_ACCESS, CL_MAP_WRITE, CL_INVALID_OPERATION},
      {CL_MEM_HOST_WRITE_ONLY, CL_MAP_READ, CL_INVALID_OPERATION},
      {CL_MEM_HOST_READ_ONLY, CL_MAP_WRITE, CL_INVALID_OPERATION},
      {CL_MEM_HOST_READ_ONLY, CL_MAP_WRITE_INVALIDATE_REGION, CL_INVALID_OPERATION},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(describeFlags(c.memFlags) + " map flags " + std::to_string(c.mapFlags));
    Mem mem = buffer(c.memFlags, kSize);
    ASSERT_TRUE(mem);
    void* p = clEnqueueMapBuffer(queue_, mem, CL_TRUE, c.mapFlags, 0, kSize, 0, nullptr, nullptr, &error);
    EXPECT_EQ(p, nullptr);
    CL_EXPECT_ERROR(c.expected, error);
  }
  Mem mem = buffer(CL_MEM_READ_WRITE, kSize);
  void* p = clEnqueueMapBuffer(queue_, mem, CL_TRUE, CL_MAP_READ, kSize - 24, 100, 0, nullptr, nullptr, &error);
  EXPECT_EQ(p, nullptr);
  CL_EXPECT_ERROR(CL_INVALID_VALUE, error) << "region past the end";
}

TEST_F(buffers, SubBuffersShareDataAndFollowFlagRules) {
  cl_uint alignBits = 0;
  CL_CHECK(queryInfo(&alignBits, clGetDeviceInfo, device_, CL_DEVICE_MEM_BASE_ADDR_ALIGN));
  const size_t align = alignBits / 8;
  const size_t size = 4 * align;
  alignas(4096) static uint8_t host[64 * 1024];
  ASSERT_LE(size, sizeof(host));
  const std::vector<uint8_t> initial = counting(size, 11);
  std::copy(initial.begin(), initial.end(), host);
  cl_int error = CL_SUCCESS;
  Mem parent(clCreateBuffer(context_, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR | CL_MEM_HOST_READ_ONLY, size, host,
                            &error));
  CL_CHECK(error);
  const cl_buffer_region region{align, 2 * align};
  Mem sub(clCreateSubBuffer(parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &error));
  CL_CHECK(error);
  void* subHost = nullptr;
  CL_CHECK(queryInfo(&subHost, clGetMemObjectInfo, sub.get(), CL_MEM_HOST_PTR));
  EXPECT_EQ(subHost, static_cast<void*>(host + align)) << "CL_MEM_HOST_PTR of a sub-buffer is host_ptr + origin";
  EXPECT_EQ(readBytes(sub, 2 * align),
            std::vector<uint8_t>(initial.begin() + align, initial.begin() + 3 * align));
  auto* mapped = static_cast<uint8_t*>(
      clEnqueueMapBuffer(queue_, sub, CL_TRUE, CL_MAP_READ, 16, 32, 0, nullptr, nullptr, &error));
  CL_CHECK(error);
  EXPECT_EQ(mapped, host + align + 16) << "map of a USE_HOST_PTR sub-buffer: host_ptr + origin + offset";
  CL_CHECK(clEnqueueUnmapMemObject(queue_, sub, mapped, 0, nullptr, nullptr));

  // Host access is inherited: the parent is HOST_READ_ONLY, so writes through the sub-buffer fail
  // and asking for HOST_WRITE_ONLY is invalid.
  const uint8_t byte = 1;
  CL_EXPECT_ERROR(CL_INVALID_OPERATION, clEnqueueWriteBuffer(queue_, sub, CL_TRUE, 0, 1, &byte, 0, nullptr, nullptr));
  Mem bad(clCreateSubBuffer(parent, CL_MEM_HOST_WRITE_ONLY, CL_BUFFER_CREATE_TYPE_REGION, &region, &error));
  EXPECT_EQ(bad.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_VALUE, error);
  Mem hostFlag(clCreateSubBuffer(parent, CL_MEM_USE_HOST_PTR, CL_BUFFER_CREATE_TYPE_REGION, &region, &error));
  EXPECT_EQ(hostFlag.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_VALUE, error) << "host pointer flags are not allowed for sub-buffers";

  Mem readOnly = buffer(CL_MEM_READ_ONLY, size);
  Mem widened(clCreateSubBuffer(readOnly, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &region, &error));
  EXPECT_EQ(widened.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_VALUE, error) << "READ_WRITE sub-buffer of a READ_ONLY buffer";
  Mem nested(clCreateSubBuffer(sub, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &error));
  EXPECT_EQ(nested.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_MEM_OBJECT, error) << "sub-buffer of a sub-buffer";
}

// Reference for the rect transfers: copy a region between two 3D byte boxes.
void copyRect(const uint8_t* src, const size_t srcOrigin[3], size_t srcRow, size_t srcSlice, uint8_t* dst,
              const size_t dstOrigin[3], size_t dstRow, size_t dstSlice, const size_t region[3]) {
  for (size_t z = 0; z < region[2]; ++z) {
    for (size_t y = 0; y < region[1]; ++y) {
      const uint8_t* from = src + (srcOrigin[2] + z) * srcSlice + (srcOrigin[1] + y) * srcRow + srcOrigin[0];
      uint8_t* to = dst + (dstOrigin[2] + z) * dstSlice + (dstOrigin[1] + y) * dstRow + dstOrigin[0];
      std::copy(from, from + region[0], to);
    }
  }
}

TEST_F(buffers, ReadWriteCopyRect) {
  // The buffer is a 16 x 8 x 4 byte box; the host box is 32 x 10 x 3.
  const size_t bufRow = 16, bufSlice = 16 * 8, bufSize = bufSlice * 4;
  const size_t hostRow = 32, hostSlice = 32 * 10, hostSize = hostSlice * 3;
  const std::vector<uint8_t> zeros(bufSize, 0);
  Mem mem = buffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bufSize, const_cast<uint8_t*>(zeros.data()));
  ASSERT_TRUE(mem);
  const std::vector<uint8_t> hostData = counting(hostSize, 1);
  const size_t bufferOrigin[3] = {3, 2, 1};
  const size_t hostOrigin[3] = {2, 1, 0};
  const size_t region[3] = {5, 3, 2};
  CL_CHECK(clEnqueueWriteBufferRect(queue_, mem, CL_TRUE, bufferOrigin, hostOrigin, region, bufRow, bufSlice,
                                    hostRow, hostSlice, hostData.data(), 0, nullptr, nullptr));
  std::vector<uint8_t> expected = zeros;
  copyRect(hostData.data(), hostOrigin, hostRow, hostSlice, expected.data(), bufferOrigin, bufRow, bufSlice, region);
  EXPECT_EQ(readBytes(mem, bufSize), expected) << "clEnqueueWriteBufferRect";

  // Read a different region back into a host box, with zero pitches (= tightly packed).
  std::vector<uint8_t> readBack(4 * 4 * 3, 0xee);
  const size_t readOrigin[3] = {2, 1, 0};
  const size_t readRegion[3] = {4, 4, 3};
  const size_t zero[3] = {0, 0, 0};
  CL_CHECK(clEnqueueReadBufferRect(queue_, mem, CL_TRUE, readOrigin, zero, readRegion, bufRow, bufSlice, 0, 0,
                                   readBack.data(), 0, nullptr, nullptr));
  std::vector<uint8_t> expectedRead(readBack.size(), 0);
  copyRect(expected.data(), readOrigin, bufRow, bufSlice, expectedRead.data(), zero, 4, 16, readRegion);
  EXPECT_EQ(readBack, expectedRead) << "clEnqueueReadBufferRect";

  // Copy a rect into a second buffer with other pitches.
  const size_t dstRow = 8, dstSlice = 8 * 5, dstSize = dstSlice * 3;
  const std::vector<uint8_t> dstInitial(dstSize, 0x55);
  Mem dst = buffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, dstSize, const_cast<uint8_t*>(dstInitial.data()));
  ASSERT_TRUE(dst);
  const size_t srcOrigin[3] = {2, 1, 0};
  const size_t dstOrigin[3] = {1, 1, 1};
  const size_t copyRegion[3] = {6, 4, 2};
  Event copied;
  CL_CHECK(clEnqueueCopyBufferRect(queue_, mem, dst, srcOrigin, dstOrigin, copyRegion, bufRow, bufSlice, dstRow,
                                   dstSlice, 0, nullptr, copied.out()));
  CL_CHECK(clWaitForEvents(1, copied.address()));
  std::vector<uint8_t> expectedCopy = dstInitial;
  copyRect(expected.data(), srcOrigin, bufRow, bufSlice, expectedCopy.data(), dstOrigin, dstRow, dstSlice, copyRegion);
  EXPECT_EQ(readBytes(dst, dstSize), expectedCopy) << "clEnqueueCopyBufferRect";

  const size_t tooBig[3] = {17, 1, 1};
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueReadBufferRect(queue_, mem, CL_TRUE, zero, zero, tooBig, bufRow, bufSlice,
                                                            0, 0, readBack.data(), 0, nullptr, nullptr));
}

TEST_F(buffers, CopyBufferOffsetsAndOverlap) {
  const std::vector<uint8_t> data = counting(kSize, 5);
  Mem src = buffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, kSize, const_cast<uint8_t*>(data.data()));
  Mem dst = buffer(CL_MEM_READ_WRITE, kSize);
  ASSERT_TRUE(src && dst);
  const std::vector<uint8_t> zeros(kSize, 0);
  CL_CHECK(clEnqueueWriteBuffer(queue_, dst, CL_TRUE, 0, kSize, zeros.data(), 0, nullptr, nullptr));
  CL_CHECK(clEnqueueCopyBuffer(queue_, src, dst, 100, 300, 200, 0, nullptr, nullptr));
  std::vector<uint8_t> expected = zeros;
  std::copy(data.begin() + 100, data.begin() + 300, expected.begin() + 300);
  EXPECT_EQ(readBytes(dst, kSize), expected);
  CL_EXPECT_ERROR(CL_MEM_COPY_OVERLAP, clEnqueueCopyBuffer(queue_, dst, dst, 0, 100, 200, 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueCopyBuffer(queue_, src, dst, kSize - 100, 0, 200, 0, nullptr, nullptr));
  CL_CHECK(clFinish(queue_));
}

TEST_F(buffers, FillEveryPatternSize) {
  for (size_t patternSize = 1; patternSize <= 128; patternSize *= 2) {
    SCOPED_TRACE("pattern size " + std::to_string(patternSize));
    const std::vector<uint8_t> zeros(kSize, 0);
    Mem mem = buffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kSize, const_cast<uint8_t*>(zeros.data()));
    ASSERT_TRUE(mem);
    const std::vector<uint8_t> pattern = counting(patternSize, static_cast<uint8_t>(0x80 + patternSize));
    const size_t offset = 2 * patternSize;
    const size_t size = 3 * patternSize;
    Event filled;
    CL_CHECK(clEnqueueFillBuffer(queue_, mem, pattern.data(), patternSize, offset, size, 0, nullptr, filled.out()));
    CL_CHECK(clWaitForEvents(1, filled.address()));
    cl_command_type type = 0;
    CL_CHECK(queryInfo(&type, clGetEventInfo, filled.get(), CL_EVENT_COMMAND_TYPE));
    EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_FILL_BUFFER));
    std::vector<uint8_t> expected = zeros;
    for (size_t i = 0; i < size; ++i) expected[offset + i] = pattern[i % patternSize];
    EXPECT_EQ(readBytes(mem, kSize), expected);
  }
  Mem mem = buffer(CL_MEM_READ_WRITE, kSize);
  const uint8_t pattern[3] = {1, 2, 3};
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueFillBuffer(queue_, mem, pattern, 3, 0, 6, 0, nullptr, nullptr))
      << "pattern size 3";
  const uint32_t word = 7;
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueFillBuffer(queue_, mem, &word, 4, 2, 8, 0, nullptr, nullptr))
      << "offset not a multiple of the pattern size";
  CL_CHECK(clFinish(queue_));
}

TEST_F(buffers, MigrateMemObjects) {
  const std::vector<uint8_t> data = counting(kSize, 21);
  Mem a = buffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kSize, const_cast<uint8_t*>(data.data()));
  Mem b = buffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kSize, const_cast<uint8_t*>(data.data()));
  ASSERT_TRUE(a && b);
  const cl_mem both[] = {a.get(), b.get()};
  Event toHost;
  CL_CHECK(clEnqueueMigrateMemObjects(queue_, 2, both, CL_MIGRATE_MEM_OBJECT_HOST, 0, nullptr, toHost.out()));
  Event toDevice;
  CL_CHECK(clEnqueueMigrateMemObjects(queue_, 2, both, 0, 1, toHost.address(), toDevice.out()));
  CL_CHECK(clWaitForEvents(1, toDevice.address()));
  EXPECT_EQ(eventStatus(toHost), CL_COMPLETE);
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, toDevice.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_MIGRATE_MEM_OBJECTS));
  EXPECT_EQ(readBytes(a, kSize), data);
  EXPECT_EQ(readBytes(b, kSize), data);
  CL_CHECK(clEnqueueMigrateMemObjects(queue_, 1, both, CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED, 0, nullptr, nullptr));
  const std::vector<uint8_t> next = counting(kSize, 200);
  CL_CHECK(clEnqueueWriteBuffer(queue_, a, CL_TRUE, 0, kSize, next.data(), 0, nullptr, nullptr));
  EXPECT_EQ(readBytes(a, kSize), next) << "after a CONTENT_UNDEFINED migration and a write";
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueMigrateMemObjects(queue_, 0, both, 0, 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueMigrateMemObjects(queue_, 1, both, 0x100, 0, nullptr, nullptr));
  CL_CHECK(clFinish(queue_));
}

TEST_F(buffers, ReadWriteOffsetsNonBlockingAndBounds) {
  Mem mem = buffer(CL_MEM_READ_WRITE, kSize);
  ASSERT_TRUE(mem);
  const std::vector<uint8_t> data = counting(kSize, 9);
  Event written;
  CL_CHECK(clEnqueueWriteBuffer(queue_, mem, CL_FALSE, 0, kSize, data.data(), 0, nullptr, written.out()));
  std::vector<uint8_t> part(100, 0);
  Event read;
  CL_CHECK(clEnqueueReadBuffer(queue_, mem, CL_FALSE, 333, 100, part.data(), 1, written.address(), read.out()));
  CL_CHECK(clWaitForEvents(1, read.address()));
  EXPECT_EQ(part, std::vector<uint8_t>(data.begin() + 333, data.begin() + 433));
  CL_EXPECT_ERROR(CL_INVALID_VALUE,
                  clEnqueueReadBuffer(queue_, mem, CL_TRUE, kSize - 24, 100, part.data(), 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE,
                  clEnqueueWriteBuffer(queue_, mem, CL_TRUE, 0, 100, nullptr, 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_EVENT_WAIT_LIST,
                  clEnqueueReadBuffer(queue_, mem, CL_TRUE, 0, 100, part.data(), 1, nullptr, nullptr));
}

}  // namespace
}  // namespace rcl::conformance
