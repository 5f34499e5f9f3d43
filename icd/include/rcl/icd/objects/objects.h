// The client's proxies for OpenCL objects. The ICD loader requires the
// dispatch table pointer to be the first thing in every object; the rest is
// what the client knows locally: the remote id, the connection, reference
// counts, and the facts that let it validate calls and answer without a
// round trip.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <CL/cl_icd.h>

#include "rcl/icd/objects/shared_buffer.h"
#include "rcl/protocol/object_kind.h"

namespace rcl::icd {

class Connection;
struct KernelFunction;
struct KernelArg;
struct KernelOfBuild;
using protocol::ObjectKind;

extern const cl_icd_dispatch kDispatchTable;

// A value that reads like a plain one, which one thread may change while
// others read it: platforms and root devices move to a new connection, with
// new ids, when their server comes back (server_link.h).
template <class T>
class Rebindable {
 public:
  Rebindable() = default;
  Rebindable(T v) : v_(v) {}  // NOLINT: converts like the plain value
  Rebindable(const Rebindable& other) : v_(other) {}
  Rebindable& operator=(const Rebindable& other) { return *this = static_cast<T>(other); }
  Rebindable& operator=(T v) {
    v_.store(v, std::memory_order_release);
    return *this;
  }
  operator T() const { return v_.load(std::memory_order_acquire); }  // NOLINT
  T operator->() const requires std::is_pointer_v<T> { return *this; }

 private:
  std::atomic<T> v_{};
};

struct Object {
  const cl_icd_dispatch* dispatch = &kDispatchTable;  // must stay first
  ObjectKind kind = ObjectKind::None;
  std::atomic<bool> live{false};    // false once the application released it
  Rebindable<std::uint64_t> id;          // the id both sides use (a rebound platform's or device's changes)
  Rebindable<Connection*> connection;
  std::atomic<std::uint32_t> refs{0};      // the application's references
  std::atomic<std::uint32_t> lifetime{0};  // refs plus the client's own holds; 0: recycled
  bool pinned = false;                  // platforms and root devices: never freed
  bool releaseWhenDone = false;         // the client's own object: release it on the server at the end
};

}  // namespace rcl::icd

struct _cl_platform_id : rcl::icd::Object {
  std::vector<cl_device_id> devices;
  // clGetDeviceIDs' answers (status, devices) by device type, once asked
  // (entry/custom_platform.cpp): a platform's root devices do not change.
  std::mutex deviceListsMutex;
  std::map<cl_device_type, std::pair<cl_int, std::vector<cl_device_id>>> deviceLists;
};

struct _cl_device_id : rcl::icd::Object {
  cl_platform_id platform = nullptr;
};

struct _cl_context : rcl::icd::Object {
  // The devices clCreateContext named (empty: made from a type, or not yet
  // known): what the client checks a creation's device against without asking.
  std::vector<cl_device_id> devices;
  // clGetSupportedImageFormats' answers, by flags and image type, once asked
  // (entry/image_checks.h): what a pipelined image creation is checked against.
  std::mutex formatsMutex;
  std::map<std::pair<cl_mem_flags, cl_mem_object_type>, std::vector<cl_image_format>> imageFormats;
  // Its error notification's callback id (0: none), forgotten with it.
  std::uint64_t notifyCallback = 0;
};

struct _cl_command_queue : rcl::icd::Object {
  cl_context context = nullptr;
  // Reads whose bytes have not arrived yet; clFinish waits for them.
  std::mutex pendingMutex;
  std::vector<cl_event> pendingReads;
  // clFinish's fast path (queue_progress.h): the last command sent, held,
  // if its event is known here; whether the queue runs in order (-1: not asked yet).
  std::mutex lastMutex;
  cl_event lastCommand = nullptr;
  std::atomic<int> inOrder{-1};
  cl_device_id device = nullptr;  // CL_QUEUE_DEVICE once asked (under lastMutex)
  // Commands sent, the last of them clFinish must wait for (not settled on
  // send) and its event if known here (held), up to which the queue is
  // known finished, and up to which the server said so (a clFinish it
  // answered, a completion it pushed; `serverFinished`: it ever did) (under
  // lastMutex).
  std::uint64_t commandsSent = 0;
  std::uint64_t lastToWaitFor = 0;
  cl_event lastToWaitForEvent = nullptr;
  std::uint64_t finishedUpTo = 0;
  std::uint64_t serverFinishedUpTo = 0;
  bool serverFinished = false;
};

struct _cl_mem : rcl::icd::Object {
  cl_context context = nullptr;
  cl_mem_flags flags = 0;          // as the application gave them
  std::size_t size = 0;
  void* hostPtr = nullptr;         // CL_MEM_USE_HOST_PTR memory of the application
  cl_mem parent = nullptr;         // for sub-buffers
  std::size_t offset = 0;          // in the parent
  bool image = false;
  std::size_t elementSize = 0;     // images
  cl_image_format format{};        // images
  std::size_t hostRowPitch = 0;    // images with CL_MEM_USE_HOST_PTR: the layout of hostPtr
  std::size_t hostSlicePitch = 0;
  // Images: their type and extent in the units of an origin and a region
  // (1D array: {width, array size, 1}; 2D array: {width, height, array size}).
  cl_mem_object_type imageType = 0;
  std::size_t imageExtent[3] = {0, 0, 0};
  // A root buffer whose bytes live in memory the server maps too (shared_buffer.h).
  std::shared_ptr<rcl::icd::SharedBuffer> shared;
  // Mapped regions: pointer -> mapping. Owned memory is freed at unmap.
  struct Mapping {
    std::size_t offset = 0;
    std::size_t size = 0;
    std::size_t origin[3] = {0, 0, 0};
    std::size_t region[3] = {0, 0, 0};
    cl_map_flags flags = 0;
    std::size_t rowPitch = 0;     // images: the layout of the mapped memory
    std::size_t slicePitch = 0;
    std::shared_ptr<void> owned;
    // A shared buffer's region, mapped by the server at this offset of the memfd (shared_buffer.h).
    std::optional<std::uint64_t> sharedOffset;
  };
  std::mutex mapMutex;
  std::multimap<void*, Mapping> mappings;  // a region may be mapped twice (the same pointer)
};

// What the client learns of one kernel function of one build of a program,
// shared by every kernel of that name (a BLAS library makes a kernel per
// call): the argument shapes (kind, size, object kind) the server accepted,
// so an argument of a shape accepted once is never asked about again; its
// number of arguments, and per device what its launches are checked against,
// asked once per device, all at once (kernel_launch_info.h); its work-group
// information, asked once per device and __local argument sizes.
// One argument of a kernel function, as its argument information declares it
// (the platform's, fetched with its program's kernel names,
// entry/kernel_arg_info.h): what clSetKernelArg is checked against.
struct rcl::icd::KernelArg {
  enum class Type : std::uint8_t { Unknown, Local, Pointer, Image, Sampler, Value };
  Type type = Type::Unknown;         // Unknown: the server judges (a pipe, a queue, a struct or typedef not sized)
  std::size_t valueSize = 0;         // Value: the size a by-value type has (built-in, or the server's probe)
  bool anyValueSize = false;         // Value: the platform takes any size (the server's probe)
  cl_mem_object_type imageType = 0;  // Image: the image type it declares
};

struct rcl::icd::KernelFunction {
  // What never changes of the function on one device.
  struct OnDevice {
    std::size_t groupSize = 0;                // CL_KERNEL_WORK_GROUP_SIZE (0: unknown)
    std::size_t requiredSize[3] = {0, 0, 0};  // CL_KERNEL_COMPILE_WORK_GROUP_SIZE
    cl_ulong staticLocalBytes = 0;            // its own __local variables
    // From the build's reply (protocol/program_kernels.h): the values below
    // are known too, and clGetKernelWorkGroupInfo answers the four itself.
    bool ofBuild = false;
    std::size_t preferredMultiple = 0;        // CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE
    cl_ulong privateBytes = 0;                // CL_KERNEL_PRIVATE_MEM_SIZE
  };
  std::mutex mutex;
  std::map<cl_uint, std::set<std::uint64_t>> acceptedShapes;  // argument index -> shapes accepted
  std::optional<cl_uint> numArgs;  // CL_KERNEL_NUM_ARGS, once asked
  // Its arguments, when the platform said (set before the function is shared, then never changed).
  std::optional<std::vector<rcl::icd::KernelArg>> args;
  std::map<std::uint64_t, OnDevice> devices;  // device id -> its information, once asked
  // clGetKernelWorkGroupInfo's answers, by what they depend on: the device
  // (its id; 0: none given), the parameter and the sizes of the __local
  // arguments set (index, size; those not set count 0), which
  // CL_KERNEL_LOCAL_MEM_SIZE adds up.
  using WorkGroupKey = std::tuple<std::uint64_t, cl_uint, std::vector<std::pair<cl_uint, std::size_t>>>;
  std::map<WorkGroupKey, std::vector<unsigned char>> workGroupInfo;
};

// A kernel of a program's build as the server described it (with the
// build's reply, or ProgramKernels: entry/kernel_arg_info.h): what a new
// KernelFunction of that name starts with.
struct rcl::icd::KernelOfBuild {
  std::optional<std::vector<rcl::icd::KernelArg>> args;  // nullopt: no argument information
  std::optional<cl_uint> numArgs;  // the build's; else its arguments' information's count; nullopt: neither
  std::map<std::uint64_t, rcl::icd::KernelFunction::OnDevice> devices;  // device id -> its values
};

struct _cl_program : rcl::icd::Object {
  cl_context context = nullptr;
  std::string source;  // from clCreateProgramWithSource: its #include lines are followed at build time
  // Kernel function name -> what is known of it; forgotten when the program
  // is built again (the functions may change).
  std::mutex functionsMutex;
  std::map<std::string, std::shared_ptr<rcl::icd::KernelFunction>> functions;
  // CL_PROGRAM_KERNEL_NAMES of its current build, once asked (a creation of
  // a kernel it names is pipelined), each with its arguments when the
  // platform gives their information; forgotten at the next build.
  std::optional<std::map<std::string, rcl::icd::KernelOfBuild>> kernelNames;
  // CL_PROGRAM_BINARY_SIZES of its current build, kept from the first query
  // after a build the client waited for; forgotten when it is built or
  // compiled again.
  std::optional<std::vector<std::size_t>> binarySizes;
  // clGetProgramBuildInfo's answers (device, name -> value) for its current
  // build, kept from the first query after a build the client waited for
  // (none changes once the build is over); forgotten like binarySizes.
  std::map<std::pair<cl_device_id, cl_program_build_info>, std::vector<unsigned char>> buildInfo;
  // Builds and compiles started (a query answered across one is not kept).
  std::uint64_t builds = 0;
  // Its last build, compile or link asked for uniform work-groups
  // (-cl-uniform-work-group-size, or -cl-std=CL1.x): its kernels' launches
  // must divide the range (build_options.h).
  std::atomic<bool> uniformGroups{false};
  // Its last build, compile or link gave options without -cl-kernel-arg-info,
  // which the server added: hidden from the application
  // (protocol/kernel_arg_info_option.h).
  std::atomic<bool> argInfoHidden{false};
};

struct _cl_kernel : rcl::icd::Object {
  cl_context context = nullptr;
  std::mutex infoMutex;  // guards acceptedArgs and functionName
  // Arguments set (index -> the shape they were last set with).
  std::map<cl_uint, std::uint64_t> acceptedArgs;
  // Its function (shared by the kernels of that name in its program's build:
  // set by clCreateKernel before the kernel is the application's; its own
  // for a kernel made otherwise).
  std::shared_ptr<rcl::icd::KernelFunction> function = std::make_shared<rcl::icd::KernelFunction>();
  bool uniformGroups = false;  // its program's, when the kernel was made (a program with kernels is not rebuilt)
  bool argInfoHidden = false;  // its program's, likewise
  std::string functionName;  // CL_KERNEL_FUNCTION_NAME: from clCreateKernel, or asked once when tracing
};

struct _cl_sampler : rcl::icd::Object {
  cl_context context = nullptr;
};

// cl_khr_command_buffer: the recorded commands live on the server; the
// client keeps what lets it check an enqueue at the call.
struct _cl_command_buffer_khr : rcl::icd::Object {
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;    // the queue it was recorded for (the first), held
  std::vector<cl_command_queue> queues;                     // as made: the client answers them
  std::vector<cl_command_buffer_properties_khr> properties;  // as made, with their 0 (empty: none)
  cl_uint numQueues = 0;
  bool simultaneousUse = false;        // CL_COMMAND_BUFFER_SIMULTANEOUS_USE_KHR
  std::atomic<bool> finalized{false};  // clFinalizeCommandBufferKHR succeeded
  // The event of its last enqueue, held (nullptr: none, or not known here):
  // while it is not complete here, the buffer may still be pending.
  std::mutex lastMutex;
  cl_event lastRun = nullptr;
  bool everEnqueued = false;
};

struct _cl_event : rcl::icd::Object {
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
  cl_command_type commandType = 0;   // set when the client knows better than the server (maps)
  bool awaitsData = false;           // a read: complete only once its bytes are here
  std::atomic<bool> userStatusSet{false};  // a user event whose status the application set
  std::atomic<cl_int> rejectedWith{CL_SUCCESS};  // the server refused the command itself (its error)
  std::uint64_t ranNs = 0;  // how long the command ran on the device (server's count; set before completion)

  // Local status: CL_QUEUED until the server says otherwise; <= CL_COMPLETE is final.
  std::mutex mutex;
  std::condition_variable changed;
  cl_int status = CL_QUEUED;
  // The server refused a command without naming its event (refused before it
  // read that far): this one may be it, and only the server can say (waitForEvent).
  bool askServer = false;
  // Its profiling timestamps, pushed with its completion when the real
  // platform has them (protocol/profiling_times.h: QUEUED, SUBMIT, START, END, COMPLETE).
  std::array<std::optional<cl_ulong>, 5> profilingTimes{};
  struct CompleteCallback {
    void(CL_CALLBACK* fn)(cl_event, cl_int, void*);
    void* userData;
  };
  std::vector<CompleteCallback> completeCallbacks;
  std::vector<std::function<void(cl_int)>> completeActions;  // the client's own
};
