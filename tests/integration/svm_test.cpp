// Coarse-grained buffer SVM: allocation, map/unmap, kernels on SVM pointers
// (offsets included), copies in every direction, fills, enqueued frees with
// and without a callback, a linked list built on the host and walked by a
// kernel, buffers on SVM memory, and pointers that are not SVM.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <utility>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

// Frees an SVM allocation at the end of a scope (unless released).
class Svm {
 public:
  Svm(cl_context context, size_t size, cl_svm_mem_flags flags = CL_MEM_READ_WRITE)
      : context_(context), pointer_(clSVMAlloc(context, flags, size, 0)) {}
  ~Svm() {
    if (pointer_ != nullptr) clSVMFree(context_, pointer_);
  }
  Svm(const Svm&) = delete;
  Svm& operator=(const Svm&) = delete;
  Svm(Svm&& other) noexcept : context_(other.context_), pointer_(std::exchange(other.pointer_, nullptr)) {}

  template <class T = void>
  T* get() const {
    return static_cast<T*>(pointer_);
  }
  void* release() { return std::exchange(pointer_, nullptr); }

 private:
  cl_context context_;
  void* pointer_;
};

class SvmTest : public ClTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ClTest::SetUp());
    CL_CHECK(queryInfo(&capabilities_, clGetDeviceInfo, device_, CL_DEVICE_SVM_CAPABILITIES));
    if ((capabilities_ & CL_DEVICE_SVM_COARSE_GRAIN_BUFFER) == 0) GTEST_SKIP() << "the device has no SVM";
  }

  Kernel kernel(const char* source, const char* name) {
    Program program;
    buildOrFail(source, &program);
    Kernel k;
    if (program) kernelOrFail(program, name, &k);
    return k;
  }

  // Writes `values` into SVM at `p` through a map (blocking) and an unmap.
  template <class T>
  void writeThroughMap(T* p, const std::vector<T>& values) {
    const size_t bytes = values.size() * sizeof(T);
    CL_CHECK(clEnqueueSVMMap(queue_, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION, p, bytes, 0, nullptr, nullptr));
    std::copy(values.begin(), values.end(), p);
    CL_CHECK(clEnqueueSVMUnmap(queue_, p, 0, nullptr, nullptr));
  }

  // The `count` values at `p`, read with a blocking SVM copy into host memory.
  template <class T>
  std::vector<T> readBack(const T* p, size_t count) {
    std::vector<T> values(count);
    EXPECT_EQ(clEnqueueSVMMemcpy(queue_, CL_TRUE, values.data(), p, count * sizeof(T), 0, nullptr, nullptr),
              CL_SUCCESS);
    return values;
  }

  cl_device_svm_capabilities capabilities_ = 0;
};

TEST_F(SvmTest, DeviceReportsCoarseGrainAndFinerAllocationsFollowTheCapabilities) {
  Svm coarse(context_, 4096);
  ASSERT_NE(coarse.get(), nullptr);
  Svm other(context_, 64);
  ASSERT_NE(other.get(), nullptr);
  EXPECT_NE(coarse.get(), other.get());
  Svm fine(context_, 64, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER);
  if ((capabilities_ & CL_DEVICE_SVM_FINE_GRAIN_BUFFER) == 0)
    EXPECT_EQ(fine.get(), nullptr) << "a fine-grain allocation on a device without fine grain";
  else
    EXPECT_NE(fine.get(), nullptr);
  if (isRemote()) {
    EXPECT_EQ(capabilities_, cl_device_svm_capabilities{CL_DEVICE_SVM_COARSE_GRAIN_BUFFER})
        << "remote devices report coarse-grained buffer SVM only";
  }
  EXPECT_EQ(clSVMAlloc(context_, CL_MEM_READ_WRITE, 0, 0), nullptr) << "size 0";
}

TEST_F(SvmTest, MapWriteUnmapThenMapReadSeesTheBytes) {
  const size_t count = 1000;
  Svm data(context_, count * sizeof(cl_int));
  ASSERT_NE(data.get(), nullptr);
  std::vector<cl_int> values(count);
  std::iota(values.begin(), values.end(), 7);
  ASSERT_NO_FATAL_FAILURE(writeThroughMap(data.get<cl_int>(), values));

  // A non-blocking read map: the bytes are there once its event completes.
  Event mapped;
  CL_CHECK(clEnqueueSVMMap(queue_, CL_FALSE, CL_MAP_READ, data.get(), count * sizeof(cl_int), 0, nullptr,
                           mapped.out()));
  CL_CHECK(clWaitForEvents(1, mapped.address()));
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, mapped.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, cl_command_type{CL_COMMAND_SVM_MAP});
  EXPECT_TRUE(std::equal(values.begin(), values.end(), data.get<cl_int>()));
  CL_CHECK(clEnqueueSVMUnmap(queue_, data.get(), 0, nullptr, nullptr));

  // A map of part of the allocation, written: only that part changes.
  cl_int* middle = data.get<cl_int>() + 100;
  CL_CHECK(clEnqueueSVMMap(queue_, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, middle, 10 * sizeof(cl_int), 0, nullptr,
                           nullptr));
  EXPECT_EQ(middle[0], 107);
  for (int i = 0; i < 10; ++i) middle[i] = -i;
  Event unmapped;
  CL_CHECK(clEnqueueSVMUnmap(queue_, middle, 0, nullptr, unmapped.out()));
  CL_CHECK(queryInfo(&type, clGetEventInfo, unmapped.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, cl_command_type{CL_COMMAND_SVM_UNMAP});
  const auto seen = readBack(data.get<cl_int>(), count);
  for (size_t i = 0; i < count; ++i) {
    const cl_int expected = i >= 100 && i < 110 ? -static_cast<cl_int>(i - 100) : values[i];
    ASSERT_EQ(seen[i], expected) << "at " << i;
  }
}

TEST_F(SvmTest, KernelWritesThroughAnOffsetPointer) {
  const size_t count = 64;
  Svm data(context_, count * sizeof(cl_int));
  ASSERT_NE(data.get(), nullptr);
  ASSERT_NO_FATAL_FAILURE(writeThroughMap(data.get<cl_int>(), std::vector<cl_int>(count, -1)));
  Kernel k = kernel("__kernel void triple(__global int* p) { size_t i = get_global_id(0); p[i] = (int)i * 3; }",
                    "triple");
  ASSERT_TRUE(k);
  // The kernel sees the allocation from element 16 on.
  CL_CHECK(clSetKernelArgSVMPointer(k, 0, data.get<cl_int>() + 16));
  const size_t global = 32;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  CL_CHECK(clEnqueueSVMMap(queue_, CL_TRUE, CL_MAP_READ, data.get(), count * sizeof(cl_int), 0, nullptr, nullptr));
  for (size_t i = 0; i < count; ++i) {
    const cl_int expected = i >= 16 && i < 48 ? static_cast<cl_int>((i - 16) * 3) : -1;
    ASSERT_EQ(data.get<cl_int>()[i], expected) << "at " << i;
  }
  CL_CHECK(clEnqueueSVMUnmap(queue_, data.get(), 0, nullptr, nullptr));

  // Set again (another offset): the argument's new value is used.
  CL_CHECK(clSetKernelArgSVMPointer(k, 0, data.get<cl_int>()));
  const size_t one = 1;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &one, nullptr, 0, nullptr, nullptr));
  EXPECT_EQ(readBack(data.get<cl_int>(), 1)[0], 0);
  CL_CHECK(clFinish(queue_));
}

TEST_F(SvmTest, CopiesBetweenHostAndSvmBothWaysAndWithinEach) {
  const size_t size = 3 << 20;  // more than one piece on the wire
  Svm a(context_, size);
  Svm b(context_, size);
  ASSERT_NE(a.get(), nullptr);
  ASSERT_NE(b.get(), nullptr);
  std::vector<uint8_t> source(size);
  for (size_t i = 0; i < size; ++i) source[i] = static_cast<uint8_t>(i * 7 + i / 4096);

  // Host to SVM (blocking), SVM to SVM (an event), SVM to host (not blocking).
  CL_CHECK(clEnqueueSVMMemcpy(queue_, CL_TRUE, a.get(), source.data(), size, 0, nullptr, nullptr));
  Event copied;
  CL_CHECK(clEnqueueSVMMemcpy(queue_, CL_FALSE, b.get(), a.get(), size, 0, nullptr, copied.out()));
  std::vector<uint8_t> back(size, 0);
  Event read;
  CL_CHECK(clEnqueueSVMMemcpy(queue_, CL_FALSE, back.data(), b.get(), size, 1, copied.address(), read.out()));
  // Host to host, in queue order: it copies what the read brought.
  std::vector<uint8_t> again(size, 0);
  Event hostCopy;
  CL_CHECK(clEnqueueSVMMemcpy(queue_, CL_FALSE, again.data(), back.data(), size, 1, read.address(), hostCopy.out()));
  CL_CHECK(clWaitForEvents(1, hostCopy.address()));
  EXPECT_TRUE(back == source) << "SVM to host";
  EXPECT_TRUE(again == source) << "host to host";
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, read.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, cl_command_type{CL_COMMAND_SVM_MEMCPY});

  // Within one allocation, at offsets; overlapping copies are refused.
  uint8_t* p = a.get<uint8_t>();
  CL_CHECK(clEnqueueSVMMemcpy(queue_, CL_TRUE, p + 1000, p + 5000, 100, 0, nullptr, nullptr));
  const auto part = readBack(p + 1000, 100);
  EXPECT_TRUE(std::equal(part.begin(), part.end(), source.begin() + 5000));
  CL_EXPECT_ERROR(CL_MEM_COPY_OVERLAP, clEnqueueSVMMemcpy(queue_, CL_TRUE, p, p + 10, 100, 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueSVMMemcpy(queue_, CL_TRUE, nullptr, p, 100, 0, nullptr, nullptr));
}

TEST_F(SvmTest, MemFillRepeatsThePatternOverTheRegion) {
  const size_t size = 256;
  Svm data(context_, size);
  ASSERT_NE(data.get(), nullptr);
  ASSERT_NO_FATAL_FAILURE(writeThroughMap(data.get<uint8_t>(), std::vector<uint8_t>(size, 0)));
  const cl_ushort pattern = 0xbeef;
  CL_CHECK(clEnqueueSVMMemFill(queue_, data.get<uint8_t>() + 64, &pattern, sizeof pattern, 128, 0, nullptr,
                               nullptr));
  const auto seen = readBack(data.get<uint8_t>(), size);
  for (size_t i = 0; i < size; i += 2) {
    cl_ushort word = 0;
    std::memcpy(&word, seen.data() + i, sizeof word);
    ASSERT_EQ(word, i >= 64 && i < 192 ? pattern : 0) << "at " << i;
  }
  // A size that is not a multiple of the pattern, a pattern of 3 bytes.
  const cl_uint wide = 0;
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueSVMMemFill(queue_, data.get(), &wide, 2, 7, 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueSVMMemFill(queue_, data.get(), &wide, 3, 6, 0, nullptr, nullptr));
}

TEST_F(SvmTest, MigrationsKeepTheDataAndExecInfoNamesAllocations) {
  Svm a(context_, 1024);
  Svm b(context_, 256);
  ASSERT_NE(a.get(), nullptr);
  ASSERT_NE(b.get(), nullptr);
  std::vector<uint8_t> bytes(1024);
  std::iota(bytes.begin(), bytes.end(), uint8_t{1});
  CL_CHECK(clEnqueueSVMMemcpy(queue_, CL_TRUE, a.get(), bytes.data(), bytes.size(), 0, nullptr, nullptr));
  const void* pointers[2] = {a.get<uint8_t>() + 512, b.get()};
  const size_t sizes[2] = {512, 0};
  CL_CHECK(clEnqueueSVMMigrateMem(queue_, 2, pointers, sizes, 0, 0, nullptr, nullptr));
  CL_CHECK(clEnqueueSVMMigrateMem(queue_, 1, pointers, nullptr, CL_MIGRATE_MEM_OBJECT_HOST, 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueSVMMigrateMem(queue_, 0, pointers, nullptr, 0, 0, nullptr, nullptr));
  EXPECT_TRUE(readBack(a.get<uint8_t>(), bytes.size()) == bytes);

  Kernel k = kernel("__kernel void touch(__global int* p) { p[0] = 1; }", "touch");
  ASSERT_TRUE(k);
  void* reached[2] = {a.get(), b.get<uint8_t>() + 8};
  CL_EXPECT(clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof reached, reached));
  std::vector<cl_int> host(4);
  void* notSvm[1] = {host.data()};
  const cl_int hostList = clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof notSvm, notSvm);
  // (PoCL takes any list, even NULL; remote-cl checks what the spec says.)
  if (isRemote()) {
    EXPECT_EQ(hostList, CL_INVALID_VALUE) << "host memory the server cannot reach";
    CL_EXPECT_ERROR(CL_INVALID_VALUE, clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof reached, nullptr));
  }
}

struct FreeRecord {
  cl_command_queue queue = nullptr;
  std::vector<void*> pointers;
  void* userData = nullptr;
  cl_context context = nullptr;
  int calls = 0;
};

void CL_CALLBACK recordAndFree(cl_command_queue queue, cl_uint count, void* pointers[], void* userData) {
  auto* record = static_cast<FreeRecord*>(userData);
  record->queue = queue;
  record->pointers.assign(pointers, pointers + count);
  record->userData = userData;
  ++record->calls;
  for (cl_uint i = 0; i < count; ++i) clSVMFree(record->context, pointers[i]);
}

TEST_F(SvmTest, EnqueuedFreeCallsTheCallbackWithTheApplicationsPointers) {
  Svm a(context_, 128);
  Svm b(context_, 4096);
  ASSERT_NE(a.get(), nullptr);
  ASSERT_NE(b.get(), nullptr);
  // The queue is busy first: the free waits for the kernel.
  Kernel k = kernel("__kernel void set(__global int* p) { p[get_global_id(0)] = 5; }", "set");
  ASSERT_TRUE(k);
  CL_CHECK(clSetKernelArgSVMPointer(k, 0, a.get()));
  const size_t global = 32;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));

  FreeRecord record;
  record.context = context_;
  void* const first = a.release();
  void* const second = b.release();
  void* pointers[2] = {first, second};
  Event freed;
  CL_CHECK(clEnqueueSVMFree(queue_, 2, pointers, &recordAndFree, &record, 0, nullptr, freed.out()));
  pointers[0] = pointers[1] = nullptr;  // the implementation keeps its own copy of the list
  CL_CHECK(clFinish(queue_));
  cl_int status = CL_QUEUED;
  CL_CHECK(queryInfo(&status, clGetEventInfo, freed.get(), CL_EVENT_COMMAND_EXECUTION_STATUS));
  EXPECT_EQ(status, CL_COMPLETE);
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, freed.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, cl_command_type{CL_COMMAND_SVM_FREE});
  ASSERT_EQ(record.calls, 1) << "the callback runs once, before clFinish returns";
  EXPECT_EQ(record.queue, queue_.get());
  EXPECT_EQ(record.userData, &record);
  ASSERT_EQ(record.pointers.size(), 2u);
  EXPECT_EQ(record.pointers[0], first);
  EXPECT_EQ(record.pointers[1], second);
}

TEST_F(SvmTest, EnqueuedFreeWithoutCallbackFreesAndCanBeReallocated) {
  for (int round = 0; round < 3; ++round) {
    void* pointers[3] = {clSVMAlloc(context_, CL_MEM_READ_WRITE, 100, 0),
                         clSVMAlloc(context_, CL_MEM_READ_WRITE, 1 << 16, 0),
                         clSVMAlloc(context_, CL_MEM_READ_ONLY, 24, 0)};
    for (void* p : pointers) ASSERT_NE(p, nullptr);
    const cl_uint pattern = 0x01020304;
    CL_CHECK(clEnqueueSVMMemFill(queue_, pointers[1], &pattern, sizeof pattern, 1 << 16, 0, nullptr, nullptr));
    Event freed;
    CL_CHECK(clEnqueueSVMFree(queue_, 3, pointers, nullptr, nullptr, 0, nullptr, freed.out()));
    CL_CHECK(clWaitForEvents(1, freed.address()));
  }
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueSVMFree(queue_, 0, nullptr, nullptr, nullptr, 0, nullptr, nullptr));
}

// A list whose nodes point at each other with the host's pointers: the
// kernel follows them, which works only where the device's addresses are
// the host's (natively always; through remote-cl when the client's shadow
// of every allocation sits at the server's address).
struct Node {
  Node* next;
  cl_int value;
};

constexpr const char* kListSource = R"(
typedef struct Node { __global struct Node* next; int value; } Node;
__kernel void where(__global Node* p, __global ulong* seen, int i) { seen[i] = (ulong)p; }
__kernel void walk(__global Node* head, __global int* out) {
  int sum = 0, count = 0;
  for (__global Node* p = head; p != 0 && count < 1000; p = p->next) { sum += p->value; ++count; }
  out[0] = sum;
  out[1] = count;
}
)";

TEST_F(SvmTest, LinkedListBuiltOnTheHostIsWalkedByAKernel) {
  ASSERT_EQ(sizeof(Node), 16u);
  // Nodes of their own (the server's heap packs small allocations into shared
  // pages) and a block of nodes in one allocation.
  std::vector<Svm> single;
  for (int i = 0; i < 6; ++i) {
    single.emplace_back(context_, sizeof(Node));
    ASSERT_NE(single.back().get(), nullptr);
  }
  const int blockCount = 10;
  Svm block(context_, blockCount * sizeof(Node));
  ASSERT_NE(block.get(), nullptr);
  Svm results(context_, 64 * sizeof(cl_ulong));
  ASSERT_NE(results.get(), nullptr);

  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kListSource, &program));
  Kernel where;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "where", &where));
  Kernel walk;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "walk", &walk));

  // Where the device sees each allocation: the list can only be walked where it is the host's address.
  std::vector<Node*> allocations;
  for (const auto& s : single) allocations.push_back(s.get<Node>());
  allocations.push_back(block.get<Node>());
  const size_t one = 1;
  for (cl_int i = 0; i < static_cast<cl_int>(allocations.size()); ++i) {
    CL_CHECK(clSetKernelArgSVMPointer(where, 0, allocations[i]));
    CL_CHECK(clSetKernelArgSVMPointer(where, 1, results.get()));
    CL_CHECK(clSetKernelArg(where, 2, sizeof i, &i));
    CL_CHECK(clEnqueueNDRangeKernel(queue_, where, 1, nullptr, &one, nullptr, 0, nullptr, nullptr));
  }
  const auto seen = readBack(results.get<cl_ulong>(), allocations.size());
  for (size_t i = 0; i < allocations.size(); ++i) {
    if (seen[i] != reinterpret_cast<cl_ulong>(allocations[i])) {
      ASSERT_TRUE(isRemote()) << "natively the device sees the host's SVM addresses";
      GTEST_SKIP() << "the client could not place the shadow of allocation " << i << " at the server's address "
                   << std::hex << seen[i] << " (it is at " << allocations[i] << "): stored pointers differ";
    }
  }

  // The list: single[0] -> block[0..9] -> single[1..5], values 1, 2, 3, ...
  std::vector<Node*> order{single[0].get<Node>()};
  for (int i = 0; i < blockCount; ++i) order.push_back(block.get<Node>() + i);
  for (size_t i = 1; i < single.size(); ++i) order.push_back(single[i].get<Node>());
  for (const auto& s : single)
    CL_CHECK(clEnqueueSVMMap(queue_, CL_TRUE, CL_MAP_WRITE, s.get(), sizeof(Node), 0, nullptr, nullptr));
  CL_CHECK(clEnqueueSVMMap(queue_, CL_TRUE, CL_MAP_WRITE, block.get(), blockCount * sizeof(Node), 0, nullptr,
                           nullptr));
  int expectedSum = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    order[i]->value = static_cast<cl_int>(i + 1);
    order[i]->next = i + 1 < order.size() ? order[i + 1] : nullptr;
    expectedSum += static_cast<int>(i + 1);
  }
  for (const auto& s : single) CL_CHECK(clEnqueueSVMUnmap(queue_, s.get(), 0, nullptr, nullptr));
  CL_CHECK(clEnqueueSVMUnmap(queue_, block.get(), 0, nullptr, nullptr));

  // The allocations the kernel reaches through the list, not through its arguments.
  std::vector<void*> reached;
  for (size_t i = 1; i < single.size(); ++i) reached.push_back(single[i].get());
  reached.push_back(block.get());
  CL_CHECK(clSetKernelExecInfo(walk, CL_KERNEL_EXEC_INFO_SVM_PTRS, reached.size() * sizeof(void*), reached.data()));
  CL_CHECK(clSetKernelArgSVMPointer(walk, 0, single[0].get()));
  CL_CHECK(clSetKernelArgSVMPointer(walk, 1, results.get()));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, walk, 1, nullptr, &one, nullptr, 0, nullptr, nullptr));
  const auto out = readBack(results.get<cl_int>(), 2);
  EXPECT_EQ(out[1], static_cast<cl_int>(order.size())) << "nodes visited";
  EXPECT_EQ(out[0], expectedSum);
}

TEST_F(SvmTest, BuffersOnSvmMemoryUseIt) {
  const size_t size = 512;
  Svm data(context_, size);
  ASSERT_NE(data.get(), nullptr);
  uint8_t* base = data.get<uint8_t>();
  cl_int error = CL_SUCCESS;
  Mem whole(clCreateBuffer(context_, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, size, base, &error));
  CL_CHECK(error);
  // (PoCL answers CL_TRUE only for a buffer at the allocation's start.)
  cl_bool usesSvm = CL_FALSE;
  CL_CHECK(queryInfo(&usesSvm, clGetMemObjectInfo, whole.get(), CL_MEM_USES_SVM_POINTER));
  EXPECT_EQ(usesSvm, CL_TRUE);
  Mem part(clCreateBuffer(context_, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, size / 2, base + 128, &error));
  CL_CHECK(error);
  void* hostPtr = nullptr;
  CL_CHECK(queryInfo(&hostPtr, clGetMemObjectInfo, part.get(), CL_MEM_HOST_PTR));
  EXPECT_EQ(hostPtr, base + 128);

  // Bytes written to the buffers are in the SVM allocation, where each starts.
  std::vector<uint8_t> zeros(size, 0);
  CL_CHECK(clEnqueueWriteBuffer(queue_, whole, CL_TRUE, 0, size, zeros.data(), 0, nullptr, nullptr));
  std::vector<uint8_t> bytes(size / 2);
  std::iota(bytes.begin(), bytes.end(), uint8_t{3});
  CL_CHECK(clEnqueueWriteBuffer(queue_, part, CL_TRUE, 0, bytes.size(), bytes.data(), 0, nullptr, nullptr));
  CL_CHECK(clFinish(queue_));
  const auto seen = readBack(base, size);
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), seen.begin() + 128));
  EXPECT_EQ(seen[127], 0);
  // Before the SVM they use is freed.
  whole.reset();
  part.reset();
}

// Host memory (not from clSVMAlloc) where SVM is expected. Where the spec
// leaves it undefined PoCL accepts it; remote-cl refuses it with the spec's
// error when the server would need the client's memory (kernel arguments,
// fills), and handles it as host memory where it can (maps, copies).
TEST_F(SvmTest, HostMemoryWhereSvmIsExpected) {
  std::vector<cl_int> host(64, 1);
  std::vector<cl_int> other(64, 2);
  CL_EXPECT(clEnqueueSVMMemcpy(queue_, CL_TRUE, other.data(), host.data(), 64 * sizeof(cl_int), 0, nullptr, nullptr));
  EXPECT_EQ(other[63], 1);
  CL_EXPECT(clEnqueueSVMMap(queue_, CL_TRUE, CL_MAP_READ, host.data(), sizeof(cl_int), 0, nullptr, nullptr));
  CL_EXPECT(clEnqueueSVMUnmap(queue_, host.data(), 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueSVMMap(queue_, CL_TRUE, CL_MAP_READ, nullptr, 4, 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueSVMUnmap(queue_, nullptr, 0, nullptr, nullptr));

  Kernel k = kernel("__kernel void touch(__global int* p) { p[0] = 1; }", "touch");
  ASSERT_TRUE(k);
  const cl_int asArgument = clSetKernelArgSVMPointer(k, 0, host.data());
  const cl_uint pattern = 0;
  const cl_int fill = clEnqueueSVMMemFill(queue_, host.data(), &pattern, sizeof pattern, 16, 0, nullptr, nullptr);
  CL_CHECK(clFinish(queue_));
  if (isRemote()) {
    EXPECT_EQ(asArgument, CL_INVALID_ARG_VALUE) << "the server cannot reach the client's memory";
    EXPECT_EQ(fill, CL_INVALID_VALUE);
    // A pointer just past an allocation is not in it.
    Svm data(context_, 64);
    ASSERT_NE(data.get(), nullptr);
    CL_EXPECT_ERROR(CL_INVALID_ARG_VALUE, clSetKernelArgSVMPointer(k, 0, data.get<uint8_t>() + 64));
    CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueSVMMemFill(queue_, data.get<uint8_t>() + 32, &pattern,
                                                          sizeof pattern, 64, 0, nullptr, nullptr));
  } else {
    // PoCL takes host memory as if it were SVM (the spec leaves it undefined).
    EXPECT_TRUE(asArgument == CL_SUCCESS || asArgument == CL_INVALID_ARG_VALUE) << asArgument;
    EXPECT_TRUE(fill == CL_SUCCESS || fill == CL_INVALID_VALUE) << fill;
  }
  CL_EXPECT(clSetKernelArgSVMPointer(k, 0, nullptr));  // NULL is a valid argument value
}

}  // namespace
}  // namespace rcl::test
