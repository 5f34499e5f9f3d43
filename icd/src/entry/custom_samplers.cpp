// Hand-written entry points for samplers: a sampler whose settings the
// client knows the platform takes is created without waiting (pipelined.h),
// and its settings are answered here. Shapes and reasons:
// codegen/opencl_calls.toml.
#include <utility>

#include <CL/cl.h>

#include "rcl/icd/custom_calls.h"
#include "rcl/icd/entry/pipelined.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd::custom {
namespace {

struct SamplerSettings {
  cl_bool normalized = CL_TRUE;  // the defaults of a property list (OpenCL 3.0, 5.8.1)
  cl_addressing_mode addressing = CL_ADDRESS_CLAMP;
  cl_filter_mode filter = CL_FILTER_NEAREST;
};

// Whether the real platform takes these settings for sure: each a value the
// specification names, repeating modes only with normalized coordinates
// (PoCL 3.1 refuses them otherwise, CL_INVALID_VALUE), and every device of
// the context supports images (otherwise CL_INVALID_OPERATION). Anything
// else goes to the server, which answers with the platform's own error.
bool surelyTaken(cl_context context, const SamplerSettings& s) {
  if (s.normalized != CL_TRUE && s.normalized != CL_FALSE) return false;
  switch (s.addressing) {
    case CL_ADDRESS_NONE:
    case CL_ADDRESS_CLAMP_TO_EDGE:
    case CL_ADDRESS_CLAMP:
      break;
    case CL_ADDRESS_REPEAT:
    case CL_ADDRESS_MIRRORED_REPEAT:
      if (s.normalized != CL_TRUE) return false;
      break;
    default:
      return false;
  }
  if (s.filter != CL_FILTER_NEAREST && s.filter != CL_FILTER_LINEAR) return false;
  const auto devices = contextDevices(context);
  if (devices.empty()) return false;
  for (cl_device_id device : devices) {
    cl_bool images = CL_FALSE;
    if (!deviceValue(device, CL_DEVICE_IMAGE_SUPPORT, images) || images != CL_TRUE) return false;
  }
  return true;
}

// The settings a property list names: false unless each key is a sampler
// setting, named once (PoCL 3.1 refuses a NULL list, CL_INVALID_VALUE: it
// goes to the server).
bool readProperties(const cl_sampler_properties* list, SamplerSettings& s) {
  if (list == nullptr) return false;
  bool normalized = false, addressing = false, filter = false;
  for (std::size_t i = 0; list[i] != 0; i += 2) {
    const auto value = list[i + 1];
    switch (list[i]) {
      case CL_SAMPLER_NORMALIZED_COORDS:
        if (std::exchange(normalized, true)) return false;
        s.normalized = static_cast<cl_bool>(value);
        if (static_cast<cl_sampler_properties>(s.normalized) != value) return false;
        break;
      case CL_SAMPLER_ADDRESSING_MODE:
        if (std::exchange(addressing, true)) return false;
        s.addressing = static_cast<cl_addressing_mode>(value);
        if (static_cast<cl_sampler_properties>(s.addressing) != value) return false;
        break;
      case CL_SAMPLER_FILTER_MODE:
        if (std::exchange(filter, true)) return false;
        s.filter = static_cast<cl_filter_mode>(value);
        if (static_cast<cl_sampler_properties>(s.filter) != value) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

// What never changes of a sampler made without waiting, answered here.
void keepSettings(cl_sampler sampler, cl_context context, const SamplerSettings& s,
                  const cl_sampler_properties* properties) {
  constexpr CallId info = CallId::clGetSamplerInfo;
  keepSentInfo(info, sampler, CL_SAMPLER_CONTEXT, context);
  keepSentInfo(info, sampler, CL_SAMPLER_NORMALIZED_COORDS, s.normalized);
  keepSentInfo(info, sampler, CL_SAMPLER_ADDRESSING_MODE, s.addressing);
  keepSentInfo(info, sampler, CL_SAMPLER_FILTER_MODE, s.filter);
  keepSentProperties(info, sampler, CL_SAMPLER_PROPERTIES, properties);
}

}  // namespace

cl_sampler CL_API_CALL clCreateSampler(cl_context context, cl_bool normalized_coords, cl_addressing_mode addressing_mode,
                                       cl_filter_mode filter_mode, cl_int* errcode_ret) {
  const SamplerSettings settings{normalized_coords, addressing_mode, filter_mode};
  Call call(CallId::clCreateSampler);
  auto* created = call.newObject<_cl_sampler>();
  call.request(protocol::opencl::clCreateSamplerRequest{.created_id = created->id,
                                                        .context = call.handleId(context),
                                                        .normalized_coords = normalized_coords,
                                                        .addressing_mode = addressing_mode,
                                                        .filter_mode = filter_mode});
  cl_context c = call.unlessFailed(context);
  const bool pipelined = c != nullptr && surelyTaken(c, settings);
  cl_sampler s = createPipelined(call, created, pipelined, errcode_ret);
  if (s != nullptr && pipelined) keepSettings(s, c, settings, nullptr);
  return s;
}

cl_sampler CL_API_CALL clCreateSamplerWithProperties(cl_context context, const cl_sampler_properties* sampler_properties,
                                                     cl_int* errcode_ret) {
  SamplerSettings settings;
  const bool known = readProperties(sampler_properties, settings);
  Call call(CallId::clCreateSamplerWithProperties);
  auto* created = call.newObject<_cl_sampler>();
  call.request(protocol::opencl::clCreateSamplerWithPropertiesRequest{
      .created_id = created->id,
      .context = call.handleId(context),
      .sampler_properties = call.propertyValues(sampler_properties)});
  cl_context c = call.unlessFailed(context);
  const bool pipelined = known && c != nullptr && surelyTaken(c, settings);
  cl_sampler s = createPipelined(call, created, pipelined, errcode_ret);
  if (s != nullptr && pipelined) keepSettings(s, c, settings, sampler_properties);
  return s;
}

}  // namespace rcl::icd::custom
