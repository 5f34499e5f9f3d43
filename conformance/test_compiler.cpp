// compiler: programs from source, binary and IL; build options; build/compile/link callbacks;
// clCompileProgram with embedded headers; clLinkProgram of objects and libraries; #include with -I;
// binaries queried and rebuilt; program info.

#include <fstream>

#include "conformance.h"
#include "temp_directory.h"

namespace rcl::conformance {
namespace {

class compiler : public Suite<compiler> {  // NOLINT(readability-identifier-naming): the area's name
 protected:
  Program fromSource(const std::string& source) {
    const char* text = source.c_str();
    cl_int error = CL_SUCCESS;
    Program result(clCreateProgramWithSource(context_, 1, &text, nullptr, &error));
    EXPECT_EQ(error, CL_SUCCESS) << clErrorName(error);
    return result;
  }

  // Runs kernel `name` of `program` with one int buffer of `count` elements; returns the buffer.
  std::vector<cl_int> runIntKernel(cl_program program, const char* name, size_t count) {
    cl_int error = CL_SUCCESS;
    Kernel k(clCreateKernel(program, name, &error));
    EXPECT_EQ(error, CL_SUCCESS) << "clCreateKernel " << name << ": " << clErrorName(error);
    if (error != CL_SUCCESS) return {};
    Mem out = buffer(CL_MEM_READ_WRITE, count * sizeof(cl_int));
    EXPECT_EQ(clSetKernelArg(k, 0, sizeof(cl_mem), out.address()), CL_SUCCESS);
    EXPECT_EQ(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &count, nullptr, 0, nullptr, nullptr), CL_SUCCESS);
    return read<cl_int>(out, count);
  }

  cl_build_status buildStatus(cl_program program) {
    cl_build_status status = 1234;
    EXPECT_EQ(queryInfo(&status, clGetProgramBuildInfo, program, device_, CL_PROGRAM_BUILD_STATUS), CL_SUCCESS);
    return status;
  }
};

std::vector<cl_int> iota(size_t count, cl_int scale, cl_int add) {
  std::vector<cl_int> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = cl_int(i) * scale + add;
  return values;
}

struct ProgramCall {
  cl_program program;
  void* userData;
};

void CL_CALLBACK recordProgram(cl_program program, void* userData) {
  static_cast<CallLog<ProgramCall>*>(userData)->add(ProgramCall{program, userData});
}

TEST_F(compiler, BuildFromSourceAndProgramInfo) {
  const std::string source =
      "__kernel void first(__global int* p) { p[get_global_id(0)] = 1; }\n"
      "__kernel void second(__global int* p) { p[get_global_id(0)] = 2; }\n";
  Program program = fromSource(source);
  ASSERT_TRUE(program);
  EXPECT_EQ(buildStatus(program), CL_BUILD_NONE);
  CL_CHECK(clBuildProgram(program, 1, &device_, nullptr, nullptr, nullptr));
  EXPECT_EQ(buildStatus(program), CL_BUILD_SUCCESS);
  std::string text;
  CL_CHECK(queryString(&text, clGetProgramInfo, program.get(), CL_PROGRAM_SOURCE));
  EXPECT_EQ(text, source);
  size_t numKernels = 0;
  CL_CHECK(queryInfo(&numKernels, clGetProgramInfo, program.get(), CL_PROGRAM_NUM_KERNELS));
  EXPECT_EQ(numKernels, 2u);
  std::string names;
  CL_CHECK(queryString(&names, clGetProgramInfo, program.get(), CL_PROGRAM_KERNEL_NAMES));
  EXPECT_TRUE(names == "first;second" || names == "second;first") << names;
  std::vector<cl_device_id> devices;
  CL_CHECK(queryVector(&devices, clGetProgramInfo, program.get(), CL_PROGRAM_DEVICES));
  EXPECT_EQ(devices, std::vector<cl_device_id>{device_});
  cl_program_binary_type binaryType = 0;
  CL_CHECK(queryInfo(&binaryType, clGetProgramBuildInfo, program.get(), device_, CL_PROGRAM_BINARY_TYPE));
  EXPECT_EQ(binaryType, static_cast<cl_program_binary_type>(CL_PROGRAM_BINARY_TYPE_EXECUTABLE));
  EXPECT_EQ(runIntKernel(program, "second", 8), std::vector<cl_int>(8, 2));
}

TEST_F(compiler, BuildFailureGivesALog) {
  Program program = fromSource("__kernel void broken(__global int* p) { p[0] = undefined_name; }");
  ASSERT_TRUE(program);
  CL_EXPECT_ERROR(CL_BUILD_PROGRAM_FAILURE, clBuildProgram(program, 1, &device_, nullptr, nullptr, nullptr));
  EXPECT_EQ(buildStatus(program), CL_BUILD_ERROR);
  const std::string log = programBuildLog(program, device_);
  EXPECT_NE(log.find("undefined_name"), std::string::npos) << "build log:\n" << log;
  cl_int error = CL_SUCCESS;
  Kernel k(clCreateKernel(program, "broken", &error));
  EXPECT_EQ(k.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_PROGRAM_EXECUTABLE, error);
}

TEST_F(compiler, BuildOptions) {
  const std::string source = "__kernel void value(__global int* p) { p[get_global_id(0)] = VALUE * SCALE; }";
  Program program = fromSource(source);
  ASSERT_TRUE(program);
  const std::string options = "-D VALUE=7 -DSCALE=3 -cl-fast-relaxed-math -w";
  CL_CHECK(clBuildProgram(program, 1, &device_, options.c_str(), nullptr, nullptr));
  std::string reported;
  CL_CHECK(queryString(&reported, clGetProgramBuildInfo, program.get(), device_, CL_PROGRAM_BUILD_OPTIONS));
  EXPECT_EQ(reported, options);
  EXPECT_EQ(runIntKernel(program, "value", 4), std::vector<cl_int>(4, 21));
  // Rebuilding with other options replaces the executable.
  CL_CHECK(clBuildProgram(program, 1, &device_, "-DVALUE=2 -DSCALE=5", nullptr, nullptr));
  EXPECT_EQ(runIntKernel(program, "value", 4), std::vector<cl_int>(4, 10));
  Program bad = fromSource(source);
  CL_EXPECT_ERROR(CL_INVALID_BUILD_OPTIONS,
                  clBuildProgram(bad, 1, &device_, "-DVALUE=1 -DSCALE=1 --no-such-option-xyz", nullptr, nullptr));
}

TEST_F(compiler, BuildCallback) {
  Program program = fromSource("__kernel void k(__global int* p) { p[get_global_id(0)] = 5; }");
  ASSERT_TRUE(program);
  CallLog<ProgramCall> log;
  CL_CHECK(clBuildProgram(program, 1, &device_, nullptr, recordProgram, &log));
  ASSERT_TRUE(log.waitFor(1)) << "build callback not called";
  const ProgramCall call = log.records().at(0);
  EXPECT_EQ(call.program, program.get());
  EXPECT_EQ(call.userData, static_cast<void*>(&log));
  EXPECT_EQ(buildStatus(program), CL_BUILD_SUCCESS) << "status once the callback ran";
  EXPECT_EQ(runIntKernel(program, "k", 4), std::vector<cl_int>(4, 5));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clBuildProgram(program, 1, &device_, nullptr, nullptr, &log))
      << "user_data without pfn_notify";

  Program failing = fromSource("__kernel void k(__global int* p) { p[0] = nope; }");
  CallLog<ProgramCall> failLog;
  const cl_int error = clBuildProgram(failing, 1, &device_, nullptr, recordProgram, &failLog);
  EXPECT_TRUE(error == CL_BUILD_PROGRAM_FAILURE || error == CL_SUCCESS) << clErrorName(error);
  ASSERT_TRUE(failLog.waitFor(1)) << "build callback not called for a failing build";
  EXPECT_EQ(failLog.records().at(0).program, failing.get());
  EXPECT_EQ(buildStatus(failing), CL_BUILD_ERROR);
}

TEST_F(compiler, BinaryQueriedAndRebuilt) {
  Program program = fromSource("__kernel void bin(__global int* p) { p[get_global_id(0)] = get_global_id(0) * 3; }");
  ASSERT_TRUE(program);
  CL_CHECK(clBuildProgram(program, 1, &device_, nullptr, nullptr, nullptr));
  std::vector<size_t> sizes;
  CL_CHECK(queryVector(&sizes, clGetProgramInfo, program.get(), CL_PROGRAM_BINARY_SIZES));
  ASSERT_EQ(sizes.size(), 1u);
  ASSERT_GT(sizes[0], 0u);
  std::vector<unsigned char> binary(sizes[0], 0);
  unsigned char* pointers[1] = {binary.data()};
  CL_CHECK(clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof(pointers), pointers, nullptr));
  EXPECT_NE(std::count(binary.begin(), binary.end(), 0), static_cast<long>(binary.size())) << "binary is all zeros";

  const unsigned char* binaries[1] = {binary.data()};
  const size_t lengths[1] = {binary.size()};
  cl_int binaryStatus = 1234;
  cl_int error = CL_SUCCESS;
  Program rebuilt(clCreateProgramWithBinary(context_, 1, &device_, lengths, binaries, &binaryStatus, &error));
  CL_CHECK(error);
  EXPECT_EQ(binaryStatus, CL_SUCCESS);
  CL_CHECK(clBuildProgram(rebuilt, 1, &device_, nullptr, nullptr, nullptr));
  EXPECT_EQ(runIntKernel(rebuilt, "bin", 16), iota(16, 3, 0));
  std::vector<size_t> rebuiltSizes;
  CL_CHECK(queryVector(&rebuiltSizes, clGetProgramInfo, rebuilt.get(), CL_PROGRAM_BINARY_SIZES));
  EXPECT_EQ(rebuiltSizes.size(), 1u);

  const unsigned char garbage[64] = {1, 2, 3, 4, 5};
  const unsigned char* garbagePointers[1] = {garbage};
  const size_t garbageLength[1] = {sizeof(garbage)};
  Program invalid(clCreateProgramWithBinary(context_, 1, &device_, garbageLength, garbagePointers, &binaryStatus,
                                            &error));
  EXPECT_EQ(invalid.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_BINARY, error);
  CL_EXPECT_ERROR(CL_INVALID_BINARY, binaryStatus);
}

TEST_F(compiler, ProgramFromILWhereSupported) {
  std::string ilVersion;
  CL_CHECK(queryString(&ilVersion, clGetDeviceInfo, device_, CL_DEVICE_IL_VERSION));
  const uint32_t notSpirv[4] = {0x01020304, 0, 0, 0};
  cl_int error = CL_SUCCESS;
  Program program(clCreateProgramWithIL(context_, notSpirv, sizeof(notSpirv), &error));
  EXPECT_EQ(program.get(), nullptr);
  if (ilVersion.empty()) {
    // The spec says CL_INVALID_OPERATION; PoCL 3.1 answers CL_INVALID_VALUE.
    EXPECT_TRUE(error == CL_INVALID_OPERATION || error == CL_INVALID_VALUE)
        << "no device of the context takes IL: " << clErrorName(error);
  } else {
    CL_EXPECT_ERROR(CL_INVALID_VALUE, error) << "not valid IL for " << ilVersion;
  }
}

TEST_F(compiler, CompileWithHeadersAndLink) {
  const char* headerSource = "#define HEADER_VALUE 11\nint helper(int x);\n";
  const char* nestedHeader = "#include \"dir/values.h\"\n#define NESTED (HEADER_VALUE + 1)\n";
  Program header = fromSource(headerSource);
  Program nested = fromSource(nestedHeader);
  Program mainUnit =
      fromSource("#include \"nested.h\"\n"
                 "__kernel void linked(__global int* p) { p[get_global_id(0)] = helper(NESTED); }\n");
  Program helperUnit = fromSource("#include \"dir/values.h\"\nint helper(int x) { return x * HEADER_VALUE; }\n");
  ASSERT_TRUE(header && nested && mainUnit && helperUnit);
  const cl_program headers[2] = {header.get(), nested.get()};
  const char* names[2] = {"dir/values.h", "nested.h"};
  CallLog<ProgramCall> compileLog;
  CL_CHECK(clCompileProgram(mainUnit, 1, &device_, nullptr, 2, headers, names, recordProgram, &compileLog));
  ASSERT_TRUE(compileLog.waitFor(1)) << "compile callback not called";
  EXPECT_EQ(compileLog.records()[0].program, mainUnit.get());
  EXPECT_EQ(buildStatus(mainUnit), CL_BUILD_SUCCESS) << programBuildLog(mainUnit, device_);
  CL_CHECK(clCompileProgram(helperUnit, 1, &device_, nullptr, 1, headers, names, nullptr, nullptr));
  cl_program_binary_type type = 0;
  CL_CHECK(queryInfo(&type, clGetProgramBuildInfo, mainUnit.get(), device_, CL_PROGRAM_BINARY_TYPE));
  EXPECT_EQ(type, static_cast<cl_program_binary_type>(CL_PROGRAM_BINARY_TYPE_COMPILED_OBJECT));

  const cl_program objects[2] = {mainUnit.get(), helperUnit.get()};
  CallLog<ProgramCall> linkLog;
  cl_int error = CL_SUCCESS;
  Program linked(clLinkProgram(context_, 1, &device_, nullptr, 2, objects, recordProgram, &linkLog, &error));
  CL_CHECK(error);
  ASSERT_TRUE(linkLog.waitFor(1)) << "link callback not called";
  EXPECT_EQ(linkLog.records()[0].program, linked.get());
  CL_CHECK(queryInfo(&type, clGetProgramBuildInfo, linked.get(), device_, CL_PROGRAM_BINARY_TYPE));
  EXPECT_EQ(type, static_cast<cl_program_binary_type>(CL_PROGRAM_BINARY_TYPE_EXECUTABLE));
  EXPECT_EQ(runIntKernel(linked, "linked", 4), std::vector<cl_int>(4, 12 * 11));

  // Compiling without the headers fails.
  Program orphan = fromSource("#include \"nested.h\"\n__kernel void k(__global int* p) { p[0] = NESTED; }\n");
  CL_EXPECT_ERROR(CL_COMPILE_PROGRAM_FAILURE,
                  clCompileProgram(orphan, 1, &device_, nullptr, 0, nullptr, nullptr, nullptr, nullptr));
}

TEST_F(compiler, LinkALibrary) {
  Program lib = fromSource("int triple(int x) { return 3 * x; }\n");
  Program app = fromSource(
      "int triple(int x);\n__kernel void use(__global int* p) { p[get_global_id(0)] = triple(get_global_id(0)); }\n");
  ASSERT_TRUE(lib && app);
  CL_CHECK(clCompileProgram(lib, 1, &device_, nullptr, 0, nullptr, nullptr, nullptr, nullptr));
  CL_CHECK(clCompileProgram(app, 1, &device_, nullptr, 0, nullptr, nullptr, nullptr, nullptr));
  cl_int error = CL_SUCCESS;
  const cl_program libObject = lib.get();
  Program library(clLinkProgram(context_, 1, &device_, "-create-library", 1, &libObject, nullptr, nullptr, &error));
  CL_CHECK(error);
  cl_program_binary_type type = 0;
  CL_CHECK(queryInfo(&type, clGetProgramBuildInfo, library.get(), device_, CL_PROGRAM_BINARY_TYPE));
  EXPECT_EQ(type, static_cast<cl_program_binary_type>(CL_PROGRAM_BINARY_TYPE_LIBRARY));
  const cl_program parts[2] = {app.get(), library.get()};
  Program linked(clLinkProgram(context_, 1, &device_, nullptr, 2, parts, nullptr, nullptr, &error));
  CL_CHECK(error);
  EXPECT_EQ(runIntKernel(linked, "use", 8), iota(8, 3, 0));
  const cl_program appOnly = app.get();
  Program unresolved(clLinkProgram(context_, 1, &device_, nullptr, 1, &appOnly, nullptr, nullptr, &error));
  EXPECT_EQ(error, CL_LINK_PROGRAM_FAILURE) << "link with an unresolved symbol: " << clErrorName(error);
}

// `#include` with a -I path that exists on the machine of the application. remote-cl must make the
// client's include directories available to the server's compiler.
TEST_F(compiler, IncludeWithIPath) {
  TempDirectory directory("rcl-conformance-include-");
  {
    std::ofstream header(directory.file("conformance_include.h"));
    header << "#define INCLUDED_VALUE 4242\n";
  }
  Program program = fromSource(
      "#include \"conformance_include.h\"\n"
      "__kernel void inc(__global int* p) { p[get_global_id(0)] = INCLUDED_VALUE; }\n");
  ASSERT_TRUE(program);
  const std::string options = "-I " + directory.path();
  const cl_int error = clBuildProgram(program, 1, &device_, options.c_str(), nullptr, nullptr);
  CL_CHECK(error) << "build log:\n" << programBuildLog(program, device_);
  EXPECT_EQ(runIntKernel(program, "inc", 4), std::vector<cl_int>(4, 4242));
}

}  // namespace
}  // namespace rcl::conformance
