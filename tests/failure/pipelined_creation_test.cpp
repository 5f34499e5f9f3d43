// Creations the client sends without waiting (samplers, host queues, user
// events, images, contexts, programs of source: icd/include/rcl/icd/entry/pipelined.h) that the server then refuses: the
// call returned CL_SUCCESS, so the refusal must show at the object's first
// use, with the server's error, and the object's release must succeed and
// leave nothing behind on the server (its session's object count, as the
// status query reports it, is back where it was).

#include <gtest/gtest.h>

#include <CL/cl.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "child_process.h"
#include "cl_error_names.h"
#include "own_server_test.h"
#include "remote_device.h"
#include "rcl/protocol/status.h"
#include "rcl/protocol/transport.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The session's objects the server counts with this limit: the context, the
// queue, the program and its kernel, one queue and one sampler more.
constexpr int kMaxObjects = 6;

// The objects the server counts for the one running session (its worker
// reports them every second): waits up to 5 s for `expected`; the last
// count seen otherwise (-1: no answer).
long sessionObjects(const std::string& endpoint, long expected) {
  zmq::context_t zmq(1);
  zmq::socket_t socket(zmq, zmq::socket_type::dealer);
  std::random_device random;
  const auto id = protocol::makeRoutingId((std::uint64_t{random()} << 32) | random(), protocol::Channel::Control);
  socket.set(zmq::sockopt::routing_id, zmq::buffer(id));
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(endpoint);
  long seen = -1;
  const auto until = Clock::now() + 5s;
  for (std::uint64_t seq = 1; Clock::now() < until; ++seq) {
    const auto status = protocol::askStatus(socket, seq, Clock::now() + 2s);
    if (status && status->sessions.size() == 1) seen = static_cast<long>(status->sessions[0].objects);
    if (seen == expected) break;
    std::this_thread::sleep_for(200ms);
  }
  return seen;
}

// A launch of `kernel` whose event ends with `status` (CL_COMPLETE: it
// runs): "" or what went otherwise.
std::string launchFails(cl_command_queue queue, cl_kernel kernel, cl_int status) {
  cl_event event = nullptr;
  const std::size_t one = 1;
  cl_int error = clEnqueueNDRangeKernel(queue, kernel, 1, nullptr, &one, nullptr, 0, nullptr, &event);
  if (error != CL_SUCCESS) return "the launch was refused at the call: " + clErrorName(error);
  const cl_int waited = clWaitForEvents(1, &event);
  cl_int ended = CL_COMPLETE;
  clGetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof ended, &ended, nullptr);
  clReleaseEvent(event);
  if (ended != status || (waited == CL_SUCCESS) != (status == CL_COMPLETE))
    return "the launch's wait returned " + clErrorName(waited) + ", its status " + clErrorName(ended) + ", not " +
           clErrorName(status);
  return {};
}

class PipelinedCreationTest : public OwnServerTest {
 protected:
  PipelinedCreationTest() : OwnServerTest("rcl-pipelined", true) {}

  void SetUp() override {
    OwnServerTest::SetUp();
    if (IsSkipped()) return;
    startServer({"--max-objects", std::to_string(kMaxObjects)});
  }
};

TEST_F(PipelinedCreationTest, ARefusedCreationFailsItsFirstUseAndLeavesNothing) {
  ChildProcess child([&]() -> Outcome {
    const RemoteDevice remote = openRemoteDevice(vendors_, server_->endpoint());
    if (!remote.failed.empty()) return remote.failed;
    cl_device_id device = remote.device;
    cl_context context = remote.context;
    cl_command_queue queue = remote.queue;
    cl_int error = CL_SUCCESS;
    const char* source = "kernel void k(global int* p, sampler_t s) { if (p) p[0] = 1; }";
    cl_program program = clCreateProgramWithSource(context, 1, &source, nullptr, &error);
    // (With its arguments' information: setting them then never waits.)
    if (error != CL_SUCCESS || clBuildProgram(program, 1, &device, "-cl-kernel-arg-info", nullptr, nullptr) != CL_SUCCESS)
      return "the program did not build";
    cl_kernel kernel = clCreateKernel(program, "k", &error);
    if (error != CL_SUCCESS) return "clCreateKernel: " + clErrorName(error);
    // Within the limit: 5 and 6 objects.
    cl_command_queue fits = clCreateCommandQueueWithProperties(context, device, nullptr, &error);
    if (error != CL_SUCCESS) return "a queue within the limit: " + clErrorName(error);
    cl_sampler fitting = clCreateSampler(context, CL_FALSE, CL_ADDRESS_CLAMP, CL_FILTER_NEAREST, &error);
    if (error != CL_SUCCESS) return "a sampler within the limit: " + clErrorName(error);

    // Over it: sent without waiting, so CL_SUCCESS at the call.
    cl_sampler over = clCreateSampler(context, CL_FALSE, CL_ADDRESS_CLAMP, CL_FILTER_NEAREST, &error);
    if (over == nullptr || error != CL_SUCCESS) return "a sampler over the limit failed at the call: " + clErrorName(error);
    const cl_queue_properties profiling[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE, 0};
    cl_command_queue overQueue = clCreateCommandQueueWithProperties(context, device, profiling, &error);
    if (overQueue == nullptr || error != CL_SUCCESS) return "a queue over the limit failed at the call: " + clErrorName(error);
    const cl_image_format format{CL_RGBA, CL_UNORM_INT8};
    cl_image_desc desc{};
    desc.image_type = CL_MEM_OBJECT_IMAGE2D;
    desc.image_width = 4;
    desc.image_height = 4;
    cl_mem overImage = clCreateImage(context, CL_MEM_READ_WRITE, &format, &desc, nullptr, &error);
    if (overImage == nullptr || error != CL_SUCCESS)
      return "an image over the limit failed at the call: " + clErrorName(error);
    // Its settings are the client's: answered, as for any sampler.
    cl_addressing_mode addressing = 0;
    if (clGetSamplerInfo(over, CL_SAMPLER_ADDRESSING_MODE, sizeof addressing, &addressing, nullptr) != CL_SUCCESS ||
        addressing != CL_ADDRESS_CLAMP)
      return "the refused sampler's addressing mode was not answered";

    // First uses: the sampler as a kernel argument (sent without waiting: the kernel's argument
    // information decides it), whose refusal fails the kernel's next launch; the queue with a clFinish
    // and a marker.
    if ((error = clSetKernelArg(kernel, 0, sizeof(cl_mem), nullptr)) != CL_SUCCESS)
      return "a NULL buffer as an argument: " + clErrorName(error);
    error = clSetKernelArg(kernel, 1, sizeof over, &over);
    if (error != CL_SUCCESS) return "the refused sampler's setting as an argument returned " + clErrorName(error);
    if (const std::string launch = launchFails(queue, kernel, CL_INVALID_KERNEL_ARGS); !launch.empty())
      return "with the refused sampler as an argument: " + launch;
    if ((error = clSetKernelArg(kernel, 1, sizeof fitting, &fitting)) != CL_SUCCESS)
      return "the sampler within the limit, as an argument: " + clErrorName(error);
    if (const std::string launch = launchFails(queue, kernel, CL_COMPLETE); !launch.empty())
      return "with the sampler within the limit as an argument: " + launch;
    // (A clFinish with no command sent asks the server; after a command it waits for that command.)
    if ((error = clFinish(overQueue)) != CL_OUT_OF_RESOURCES)
      return "clFinish of the refused queue returned " + clErrorName(error);
    cl_event marker = nullptr;
    if ((error = clEnqueueMarkerWithWaitList(overQueue, 0, nullptr, &marker)) != CL_SUCCESS)
      return "a marker on the refused queue was refused at the call: " + clErrorName(error);
    const cl_int waited = clWaitForEvents(1, &marker);
    cl_int status = CL_COMPLETE;
    clGetEventInfo(marker, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
    clReleaseEvent(marker);
    if (waited != CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST || status != CL_OUT_OF_RESOURCES)
      return "the wait for a marker on the refused queue returned " + clErrorName(waited) + ", its status " +
             clErrorName(status);

    // The image's first use, a blocking read, fails with the server's error.
    unsigned char pixels[4 * 4 * 4] = {};
    const size_t origin[3] = {0, 0, 0}, region[3] = {4, 4, 1};
    error = clEnqueueReadImage(queue, overImage, CL_TRUE, origin, region, 0, 0, pixels, 0, nullptr, nullptr);
    if (error != CL_OUT_OF_RESOURCES) return "the refused image's first use returned " + clErrorName(error);

    // Released: nothing was left to release; the server counts the 6 objects within the limit.
    if (clReleaseMemObject(overImage) != CL_SUCCESS) return "the refused image's release failed";
    if (clReleaseSampler(over) != CL_SUCCESS) return "the refused sampler's release failed";
    if (clReleaseCommandQueue(overQueue) != CL_SUCCESS) return "the refused queue's release failed";
    if (const long objects = sessionObjects(server_->endpoint(), kMaxObjects); objects != kMaxObjects)
      return "the server counts " + std::to_string(objects) + " objects after the refused ones were released, not " +
             std::to_string(kMaxObjects);
    // The ones within the limit released, the limit lets a sampler and a queue in again, and they work.
    clReleaseSampler(fitting);
    clReleaseCommandQueue(fits);
    cl_sampler again = clCreateSampler(context, CL_TRUE, CL_ADDRESS_REPEAT, CL_FILTER_LINEAR, &error);
    if (error != CL_SUCCESS) return "a sampler after the releases: " + clErrorName(error);
    if ((error = clSetKernelArg(kernel, 1, sizeof again, &again)) != CL_SUCCESS)
      return "the sampler made after the releases, as an argument: " + clErrorName(error);
    cl_command_queue queueAgain = clCreateCommandQueueWithProperties(context, device, profiling, &error);
    if (error != CL_SUCCESS) return "a queue after the releases: " + clErrorName(error);
    if ((error = clEnqueueMarkerWithWaitList(queueAgain, 0, nullptr, &marker)) != CL_SUCCESS ||
        (error = clWaitForEvents(1, &marker)) != CL_SUCCESS)
      return "a marker on the queue made after the releases: " + clErrorName(error);
    clReleaseEvent(marker);
    if ((error = clFinish(queueAgain)) != CL_SUCCESS) return "clFinish of the new queue: " + clErrorName(error);
    clReleaseCommandQueue(queueAgain);
    clReleaseSampler(again);
    clReleaseKernel(kernel);
    clReleaseProgram(program);
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
    return {};
  });
  EXPECT_EQ(child.waitForOutcome(60s), "");
}

// A context and a program of source over the limit: both returned at the
// call; the program's build fails with the server's error, and so does
// whatever the refused context is first used for (a program made in it,
// itself sent without waiting, then built; a query only the server answers);
// what the client sent (devices, source) is still answered. Released,
// nothing is left on the server, and new ones work.
TEST_F(PipelinedCreationTest, ARefusedContextOrProgramFailsItsFirstUseAndLeavesNothing) {
  ChildProcess child([&]() -> Outcome {
    const RemoteDevice remote = openRemoteDevice(vendors_, server_->endpoint(), RemoteOpening::Device);
    if (!remote.failed.empty()) return remote.failed;
    cl_platform_id platform = remote.platform;
    cl_device_id device = remote.device;
    cl_int error = CL_SUCCESS;
    const char* source = "kernel void k(global int* p) { p[0] = 7; }";
    // Within the limit: a context and 5 programs.
    cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error);
    if (error != CL_SUCCESS) return "clCreateContext: " + clErrorName(error);
    cl_program fitting[kMaxObjects - 1] = {};
    for (cl_program& p : fitting) {
      p = clCreateProgramWithSource(context, 1, &source, nullptr, &error);
      if (error != CL_SUCCESS) return "a program within the limit: " + clErrorName(error);
    }
    // Over it: sent without waiting, so CL_SUCCESS at the call.
    cl_program over = clCreateProgramWithSource(context, 1, &source, nullptr, &error);
    if (over == nullptr || error != CL_SUCCESS) return "a program over the limit failed at the call: " + clErrorName(error);
    const cl_context_properties properties[] = {CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(platform), 0};
    cl_context overContext = clCreateContext(properties, 1, &device, nullptr, nullptr, &error);
    if (overContext == nullptr || error != CL_SUCCESS)
      return "a context over the limit failed at the call: " + clErrorName(error);
    cl_program inRefused = clCreateProgramWithSource(overContext, 1, &source, nullptr, &error);
    if (inRefused == nullptr || error != CL_SUCCESS)
      return "a program in the refused context failed at the call: " + clErrorName(error);
    // What the client sent is answered, as for any context and program.
    cl_uint count = 0;
    if (clGetContextInfo(overContext, CL_CONTEXT_NUM_DEVICES, sizeof count, &count, nullptr) != CL_SUCCESS || count != 1)
      return "the refused context's number of devices was not answered";
    char text[128] = {};
    if (clGetProgramInfo(over, CL_PROGRAM_SOURCE, sizeof text, text, nullptr) != CL_SUCCESS || std::string(text) != source)
      return "the refused program's source was not answered";

    // First uses fail with the server's error.
    if ((error = clBuildProgram(over, 1, &device, nullptr, nullptr, nullptr)) != CL_OUT_OF_RESOURCES)
      return "the refused program's build returned " + clErrorName(error);
    if ((error = clBuildProgram(inRefused, 1, &device, nullptr, nullptr, nullptr)) != CL_OUT_OF_RESOURCES)
      return "the build of a program in the refused context returned " + clErrorName(error);
    cl_uint refs = 0;
    if ((error = clGetContextInfo(overContext, CL_CONTEXT_REFERENCE_COUNT, sizeof refs, &refs, nullptr)) !=
        CL_OUT_OF_RESOURCES)
      return "the refused context's reference count returned " + clErrorName(error);

    // Released: nothing was left to release; the server counts the objects within the limit.
    if (clReleaseProgram(inRefused) != CL_SUCCESS) return "the release of the program in the refused context failed";
    if (clReleaseProgram(over) != CL_SUCCESS) return "the refused program's release failed";
    if (clReleaseContext(overContext) != CL_SUCCESS) return "the refused context's release failed";
    if (const long objects = sessionObjects(server_->endpoint(), kMaxObjects); objects != kMaxObjects)
      return "the server counts " + std::to_string(objects) + " objects after the refused ones were released, not " +
             std::to_string(kMaxObjects);
    // Room again: a new context, a program in it that builds, and its kernel.
    for (cl_program p : fitting) clReleaseProgram(p);
    cl_context again = clCreateContext(properties, 1, &device, nullptr, nullptr, &error);
    if (error != CL_SUCCESS) return "a context after the releases: " + clErrorName(error);
    cl_program program = clCreateProgramWithSource(again, 1, &source, nullptr, &error);
    if (error != CL_SUCCESS) return "a program after the releases: " + clErrorName(error);
    if ((error = clBuildProgram(program, 1, &device, nullptr, nullptr, nullptr)) != CL_SUCCESS)
      return "the build after the releases: " + clErrorName(error);
    cl_kernel kernel = clCreateKernel(program, "k", &error);
    if (error != CL_SUCCESS) return "the kernel after the releases: " + clErrorName(error);
    clReleaseKernel(kernel);
    clReleaseProgram(program);
    clReleaseContext(again);
    clReleaseContext(context);
    if (const long objects = sessionObjects(server_->endpoint(), 0); objects != 0)
      return "the server counts " + std::to_string(objects) + " objects after every release, not 0";
    return {};
  });
  EXPECT_EQ(child.waitForOutcome(60s), "");
}

}  // namespace
}  // namespace rcl::test
