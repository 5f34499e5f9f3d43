// Every extension a platform or device lists works: each entry point of each
// listed extension is found, and the forwarded ones give real results.
// The entry points come from the one table remote-cl masks by
// (codegen/opencl_calls.toml [extensions], rcl/protocol/extension_table.h).
// Natively the same walk checks the real platform; what it lists without an
// entry point is reported (not failed), remotely it fails.

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <CL/cl_ext.h>

#include "rcl/protocol/extension_table.h"
#include "rcl_test.h"

namespace rcl::test {
namespace {

using protocol::ExtensionStatus;

std::set<std::string> words(const std::string& list) {
  std::set<std::string> names;
  std::istringstream in(list);
  for (std::string word; in >> word;) names.insert(word);
  return names;
}

std::set<std::string> names(const std::vector<cl_name_version>& list) {
  std::set<std::string> out;
  for (const auto& nv : list) out.insert(std::string(nv.name, strnlen(nv.name, sizeof nv.name)));
  return out;
}

class ExtensionsTest : public ClTest {
 protected:
  // Every listed extension, with the queries that list it.
  std::map<std::string, std::vector<std::string>> listed() {
    std::map<std::string, std::vector<std::string>> where;
    std::string list;
    EXPECT_EQ(queryString(&list, clGetPlatformInfo, platform_, CL_PLATFORM_EXTENSIONS), CL_SUCCESS);
    for (const auto& n : words(list)) where[n].push_back("CL_PLATFORM_EXTENSIONS");
    EXPECT_EQ(queryString(&list, clGetDeviceInfo, device_, CL_DEVICE_EXTENSIONS), CL_SUCCESS);
    for (const auto& n : words(list)) where[n].push_back("CL_DEVICE_EXTENSIONS");
    std::vector<cl_name_version> versioned;
    if (queryVector(&versioned, clGetPlatformInfo, platform_, CL_PLATFORM_EXTENSIONS_WITH_VERSION) == CL_SUCCESS)
      for (const auto& n : names(versioned)) where[n].push_back("CL_PLATFORM_EXTENSIONS_WITH_VERSION");
    if (queryVector(&versioned, clGetDeviceInfo, device_, CL_DEVICE_EXTENSIONS_WITH_VERSION) == CL_SUCCESS)
      for (const auto& n : names(versioned)) where[n].push_back("CL_DEVICE_EXTENSIONS_WITH_VERSION");
    return where;
  }

  bool lists(const std::string& extension) { return listed().count(extension) != 0; }

  std::string icdSuffix() {
    std::string suffix;
    if (queryString(&suffix, clGetPlatformInfo, platform_, CL_PLATFORM_ICD_SUFFIX_KHR) != CL_SUCCESS) return {};
    return suffix;
  }

  template <class F>
  F function(const char* name) {
    return reinterpret_cast<F>(clGetExtensionFunctionAddressForPlatform(platform_, name));
  }
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

TEST_F(ExtensionsTest, EveryListedExtensionHasAllItsEntryPoints) {
  const auto where = listed();
  ASSERT_FALSE(where.empty());
  const std::string suffix = icdSuffix();
  std::size_t looked = 0;
  for (const auto& [name, queries] : where) {
    SCOPED_TRACE(name + " (listed by " + joined(queries) + ")");
    const protocol::ExtensionRow* row = protocol::findExtension(name);
    if (row == nullptr) {
      ADD_FAILURE() << name << " has no row in codegen/opencl_calls.toml [extensions]: remote-cl cannot tell "
                    << "whether it has entry points (remotely it masks it)";
      continue;
    }
    if (isRemote()) {
      EXPECT_NE(row->status, ExtensionStatus::Masked) << "a remote platform lists the masked " << name;
    }
    for (const char* f : row->functions) {
      ++looked;
      void* forPlatform = clGetExtensionFunctionAddressForPlatform(platform_, f);
      void* any = clGetExtensionFunctionAddress(f);
      if (!isRemote() && forPlatform == nullptr && any == nullptr) {
        // The real platform's own inconsistency, which remote-cl masks.
        std::cout << "native: " << name << " is listed, but the platform has no " << f
                  << (row->status == ExtensionStatus::Masked ? " (remote-cl masks it: " + std::string(row->why) + ")"
                                                             : "")
                  << "\n";
        continue;
      }
      EXPECT_NE(forPlatform, nullptr) << "clGetExtensionFunctionAddressForPlatform(" << f << ") of listed " << name;
      // Without a platform, ocl-icd sends a name only to the ICD whose suffix
      // ends it (and answers the dispatch table's KHR/EXT entries itself).
      const std::string fn(f);
      const bool routed = !suffix.empty() && fn.size() > suffix.size() && fn.ends_with(suffix);
      if (routed) {
        EXPECT_NE(any, nullptr) << "clGetExtensionFunctionAddress(" << f << ") of listed " << name;
      } else if (any == nullptr) {
        std::cout << "the ICD loader finds " << f << " only with a platform (suffix " << suffix << ")\n";
      }
    }
  }
  std::cout << where.size() << " extensions listed, " << looked << " entry points looked up\n";
}

// What the ICD loader cannot show: remote-cl's own clGetExtensionFunctionAddress
// (ocl-icd routes a name without a platform only by the ICD suffix) answers
// every function of every forwarded extension, and none of a masked one.
TEST_F(ExtensionsTest, TheDriversOwnLookupAnswersEveryForwardedFunction) {
  if (!isRemote()) GTEST_SKIP() << "remote-cl's driver";
  const char* vendors = std::getenv("RCL_VENDORS_DIR");
  ASSERT_NE(vendors, nullptr);
  std::ifstream icd(std::string(vendors) + "/remote-cl.icd");
  std::string library;
  ASSERT_TRUE(std::getline(icd, library)) << vendors << "/remote-cl.icd";
  // Already loaded by the ICD loader: RTLD_NOLOAD gives the same instance.
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(handle, nullptr) << library << ": " << dlerror();
  using Lookup = void*(CL_API_CALL*)(const char*);
  auto lookup = reinterpret_cast<Lookup>(dlsym(handle, "clGetExtensionFunctionAddress"));
  ASSERT_NE(lookup, nullptr);
  std::size_t forwarded = 0;
  for (const auto& row : protocol::extensionTable()) {
    for (const char* f : row.functions) {
      if (row.status == ExtensionStatus::Forwarded) {
        ++forwarded;
        EXPECT_NE(lookup(f), nullptr) << f << " of forwarded " << row.name;
      } else {
        EXPECT_EQ(lookup(f), nullptr) << f << " of masked " << row.name;
      }
    }
  }
  EXPECT_GT(forwarded, 10u);
  dlclose(handle);
}

// Both lists of the platform, and both of the device, name the same set.
TEST_F(ExtensionsTest, StringAndVersionedListsNameTheSameSet) {
  std::string list;
  std::vector<cl_name_version> versioned;
  CL_CHECK(queryString(&list, clGetDeviceInfo, device_, CL_DEVICE_EXTENSIONS));
  if (queryVector(&versioned, clGetDeviceInfo, device_, CL_DEVICE_EXTENSIONS_WITH_VERSION) != CL_SUCCESS)
    GTEST_SKIP() << "an OpenCL 1.x/2.x device: no CL_DEVICE_EXTENSIONS_WITH_VERSION";
  EXPECT_EQ(words(list), names(versioned)) << "device";
  CL_CHECK(queryString(&list, clGetPlatformInfo, platform_, CL_PLATFORM_EXTENSIONS));
  CL_CHECK(queryVector(&versioned, clGetPlatformInfo, platform_, CL_PLATFORM_EXTENSIONS_WITH_VERSION));
  if (isRemote()) {
    EXPECT_EQ(words(list), names(versioned)) << "platform";
  } else if (words(list) != names(versioned)) {
    std::cout << "native: the platform's two lists differ (remote-cl names each extension in both)\n";
  }
}

// A masked extension's capability queries go with its name.
TEST_F(ExtensionsTest, MaskedExtensionsQueriesAreRefused) {
  if (!isRemote()) GTEST_SKIP() << "remote-cl's masking";
  const std::set<std::string> device = [&] {
    std::string list;
    EXPECT_EQ(queryString(&list, clGetDeviceInfo, device_, CL_DEVICE_EXTENSIONS), CL_SUCCESS);
    return words(list);
  }();
  std::size_t checked = 0;
  for (const auto& row : protocol::extensionTable()) {
    if (row.status != ExtensionStatus::Masked) continue;
    EXPECT_EQ(device.count(row.name), 0u) << row.name;
    for (cl_uint param : row.queries) {
      size_t size = 0;
      EXPECT_EQ(clGetDeviceInfo(device_, param, 0, nullptr, &size), CL_INVALID_VALUE)
          << row.name << " query 0x" << std::hex << param;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0u) << "cl_khr_command_buffer_mutable_dispatch's query is in the table";
}

TEST_F(ExtensionsTest, SetContentSizeBufferPoCLWorks) {
  if (!lists("cl_pocl_content_size")) GTEST_SKIP() << "cl_pocl_content_size not listed";
  using Fn = cl_int(CL_API_CALL*)(cl_mem, cl_mem);
  auto set = function<Fn>("clSetContentSizeBufferPoCL");
  ASSERT_NE(set, nullptr);
  Mem buffer, size;
  bufferOrFail(CL_MEM_READ_WRITE, 1024, nullptr, &buffer);
  bufferOrFail(CL_MEM_READ_WRITE, sizeof(cl_ulong), nullptr, &size);
  EXPECT_EQ(set(buffer.get(), size.get()), CL_SUCCESS);
  // The buffer still works: the content size only bounds what migrations copy.
  const cl_ulong content = 16;
  CL_CHECK(clEnqueueWriteBuffer(queue_.get(), size.get(), CL_TRUE, 0, sizeof content, &content, 0, nullptr, nullptr));
  std::vector<unsigned char> bytes(1024, 7), back(16, 0);
  CL_CHECK(clEnqueueWriteBuffer(queue_.get(), buffer.get(), CL_TRUE, 0, bytes.size(), bytes.data(), 0, nullptr, nullptr));
  CL_CHECK(clEnqueueReadBuffer(queue_.get(), buffer.get(), CL_TRUE, 0, back.size(), back.data(), 0, nullptr, nullptr));
  EXPECT_EQ(back, std::vector<unsigned char>(16, 7));
}

// Forwarded extensions the device may not list: when it does, they answer as
// the core calls they mirror; when it does not, a remote call is refused
// (the server's platform has no such function) rather than crashing.
TEST_F(ExtensionsTest, CreateProgramWithILKHRAnswersAsTheCoreCall) {
  using Fn = cl_program(CL_API_CALL*)(cl_context, const void*, size_t, cl_int*);
  auto create = function<Fn>("clCreateProgramWithILKHR");
  if (create == nullptr) GTEST_SKIP() << "natively: no clCreateProgramWithILKHR";
  const unsigned char notSpirv[20] = {1, 2, 3, 4};  // not a SPIR-V module: refused by every device
  cl_int khr = CL_SUCCESS, core = CL_SUCCESS;
  Program a(create(context_.get(), notSpirv, sizeof notSpirv, &khr));
  Program b(clCreateProgramWithIL(context_.get(), notSpirv, sizeof notSpirv, &core));
  // PoCL 3.1 has the function without listing the extension: the call then
  // answers as the core one, natively and remotely. A server whose platform
  // lacks it refuses the call.
  if (lists("cl_khr_il_program") || !isRemote()) {
    EXPECT_EQ(khr, core) << "clCreateProgramWithILKHR against clCreateProgramWithIL";
  } else {
    EXPECT_TRUE(khr == core || khr == CL_INVALID_OPERATION) << khr << " against the core call's " << core;
  }
  EXPECT_NE(khr, CL_SUCCESS) << "bytes that are not SPIR-V";
}

TEST_F(ExtensionsTest, SuggestedLocalWorkSizeIsSane) {
  using Fn = cl_int(CL_API_CALL*)(cl_command_queue, cl_kernel, cl_uint, const size_t*, const size_t*, size_t*);
  auto suggest = function<Fn>("clGetKernelSuggestedLocalWorkSizeKHR");
  if (suggest == nullptr) GTEST_SKIP() << "natively: no clGetKernelSuggestedLocalWorkSizeKHR";
  Program program;
  buildOrFail("__kernel void k(__global int* a) { a[get_global_id(0)] = 1; }", &program);
  Kernel kernel;
  kernelOrFail(program.get(), "k", &kernel);
  const size_t global[2] = {64, 32};
  size_t local[2] = {0, 0};
  const cl_int status = suggest(queue_.get(), kernel.get(), 2, nullptr, global, local);
  if (status != CL_SUCCESS) {
    EXPECT_FALSE(lists("cl_khr_suggested_local_work_size")) << "listed, but refused: " << status;
    if (isRemote()) {
      EXPECT_EQ(status, CL_INVALID_OPERATION);
    }
    return;
  }
  size_t maxGroup = 0;
  CL_CHECK(queryInfo(&maxGroup, clGetKernelWorkGroupInfo, kernel.get(), device_, CL_KERNEL_WORK_GROUP_SIZE));
  for (int d = 0; d < 2; ++d) {
    EXPECT_GT(local[d], 0u) << "dimension " << d;
    if (local[d] != 0) {
      EXPECT_EQ(global[d] % local[d], 0u) << "dimension " << d << ": " << local[d];
    }
  }
  EXPECT_LE(local[0] * local[1], maxGroup);
}

TEST_F(ExtensionsTest, CreateCommandQueueWithPropertiesKHRMakesAQueue) {
  using Fn = cl_command_queue(CL_API_CALL*)(cl_context, cl_device_id, const cl_queue_properties_khr*, cl_int*);
  auto create = function<Fn>("clCreateCommandQueueWithPropertiesKHR");
  if (create == nullptr) GTEST_SKIP() << "natively: no clCreateCommandQueueWithPropertiesKHR";
  const cl_queue_properties_khr properties[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE, 0};
  cl_int status = CL_SUCCESS;
  CommandQueue queue(create(context_.get(), device_, properties, &status));
  if (status != CL_SUCCESS) {
    EXPECT_FALSE(lists("cl_khr_create_command_queue")) << "listed, but refused: " << status;
    if (isRemote()) {
      EXPECT_EQ(status, CL_INVALID_OPERATION);
    }
    return;
  }
  cl_command_queue_properties got = 0;
  CL_CHECK(queryInfo(&got, clGetCommandQueueInfo, queue.get(), CL_QUEUE_PROPERTIES));
  EXPECT_EQ(got & CL_QUEUE_PROFILING_ENABLE, static_cast<cl_command_queue_properties>(CL_QUEUE_PROFILING_ENABLE));
  CL_CHECK(clFinish(queue.get()));
}

// Where cl_khr_create_command_queue is listed, its call answers every input
// as clCreateCommandQueueWithProperties does (natively and remotely, where
// both are created without waiting when the client is sure of them).
TEST_F(ExtensionsTest, CreateCommandQueueWithPropertiesKHRAnswersAsTheCoreCall) {
  using Fn = cl_command_queue(CL_API_CALL*)(cl_context, cl_device_id, const cl_queue_properties_khr*, cl_int*);
  auto create = function<Fn>("clCreateCommandQueueWithPropertiesKHR");
  if (create == nullptr || !lists("cl_khr_create_command_queue"))
    GTEST_SKIP() << "cl_khr_create_command_queue not listed";
  const cl_queue_properties fine[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE, 0};
  const cl_queue_properties outOfOrder[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, 0};
  const cl_queue_properties twice[] = {CL_QUEUE_PROPERTIES, 0, CL_QUEUE_PROPERTIES, 0, 0};
  const cl_queue_properties unknownKey[] = {0x7777, 0, 0};
  const cl_queue_properties unknownBits[] = {CL_QUEUE_PROPERTIES, 0x1000, 0};
  const struct {
    const char* name;
    cl_context context;
    cl_device_id device;
    const cl_queue_properties* list;
  } rows[] = {{"fine", context_.get(), device_, fine},        {"out of order", context_.get(), device_, outOfOrder},
              {"NULL list", context_.get(), device_, nullptr}, {"NULL context", nullptr, device_, nullptr},
              {"NULL device", context_.get(), nullptr, nullptr}, {"a key twice", context_.get(), device_, twice},
              {"an unknown key", context_.get(), device_, unknownKey},
              {"unknown properties", context_.get(), device_, unknownBits}};
  for (const auto& row : rows) {
    cl_int core = CL_SUCCESS, twin = CL_SUCCESS;
    CommandQueue a(clCreateCommandQueueWithProperties(row.context, row.device, row.list, &core));
    CommandQueue b(create(row.context, row.device, row.list, &twin));
    EXPECT_EQ(twin, core) << row.name;
    EXPECT_EQ(b.get() != nullptr, a.get() != nullptr) << row.name;
    if (b.get() != nullptr) {
      EXPECT_EQ(clFinish(b.get()), CL_SUCCESS) << row.name;
    }
  }
}

TEST_F(ExtensionsTest, TerminateContextKHRTerminatesOnlyWhenListed) {
  using Fn = cl_int(CL_API_CALL*)(cl_context);
  auto terminate = function<Fn>("clTerminateContextKHR");
  if (terminate == nullptr) GTEST_SKIP() << "natively: no clTerminateContextKHR";
  if (!lists("cl_khr_terminate_context")) {
    if (!isRemote()) GTEST_SKIP() << "cl_khr_terminate_context not listed: not called natively";
    cl_int error = CL_SUCCESS;
    Context other = createContext(platform_, device_, &error);
    CL_CHECK(error);
    EXPECT_EQ(terminate(other.get()), CL_INVALID_OPERATION) << "the server's platform has no clTerminateContextKHR";
    return;
  }
  cl_int error = CL_SUCCESS;
  Context other = createContext(platform_, device_, &error);
  CL_CHECK(error);
  const cl_int status = terminate(other.get());
  EXPECT_TRUE(status == CL_SUCCESS || status == CL_INVALID_CONTEXT) << status;
}

}  // namespace
}  // namespace rcl::test
