#include "rcl/protocol/object_kind.h"

namespace rcl::protocol {

const char* kindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::None: return "none";
    case ObjectKind::Platform: return "platform";
    case ObjectKind::Device: return "device";
    case ObjectKind::Context: return "context";
    case ObjectKind::Queue: return "command queue";
    case ObjectKind::Mem: return "memory object";
    case ObjectKind::Program: return "program";
    case ObjectKind::Kernel: return "kernel";
    case ObjectKind::Event: return "event";
    case ObjectKind::Sampler: return "sampler";
    case ObjectKind::CommandBuffer: return "command buffer";
  }
  return "?";
}

cl_int invalidErrorFor(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Platform: return CL_INVALID_PLATFORM;
    case ObjectKind::Device: return CL_INVALID_DEVICE;
    case ObjectKind::Context: return CL_INVALID_CONTEXT;
    case ObjectKind::Queue: return CL_INVALID_COMMAND_QUEUE;
    case ObjectKind::Mem: return CL_INVALID_MEM_OBJECT;
    case ObjectKind::Program: return CL_INVALID_PROGRAM;
    case ObjectKind::Kernel: return CL_INVALID_KERNEL;
    case ObjectKind::Event: return CL_INVALID_EVENT;
    case ObjectKind::Sampler: return CL_INVALID_SAMPLER;
    case ObjectKind::CommandBuffer: return CL_INVALID_COMMAND_BUFFER_KHR;
    case ObjectKind::None: break;
  }
  return CL_INVALID_VALUE;
}

}  // namespace rcl::protocol
