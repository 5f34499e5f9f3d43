// Builds programs whose headers are on this machine only, and checks what
// their kernels compute. Run from a working directory holding `cwd.h`, with
// the include folder as the argument:
//   include_app INCLUDE_DIR            -I INCLUDE_DIR (a.h includes sub/b.h) and cwd.h:
//                                      clBuildProgram, then clCompileProgram + clLinkProgram
//   include_app --absolute HEADER      #include "/absolute/path": no -I; prints BUILD-FAILED
//                                      when the build fails (the control case)
// Prints "include_app: OK" when every kernel computed the right value.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <CL/cl.h>

namespace {

cl_device_id device;
cl_context context;
cl_command_queue queue;

std::string buildLog(cl_program program) {
  size_t size = 0;
  clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size);
  std::string log(size, '\0');
  clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, log.data(), nullptr);
  return log;
}

// Runs kernel `k` (one int out) of `program`; -1 if anything fails.
int runKernel(cl_program program) {
  cl_int status;
  cl_kernel kernel = clCreateKernel(program, "k", &status);
  if (status != CL_SUCCESS) return -1;
  cl_mem out = clCreateBuffer(context, CL_MEM_WRITE_ONLY, sizeof(cl_int), nullptr, &status);
  cl_int value = -1;
  const size_t one = 1;
  if (clSetKernelArg(kernel, 0, sizeof out, &out) != CL_SUCCESS ||
      clEnqueueNDRangeKernel(queue, kernel, 1, nullptr, &one, nullptr, 0, nullptr, nullptr) != CL_SUCCESS ||
      clEnqueueReadBuffer(queue, out, CL_TRUE, 0, sizeof value, &value, 0, nullptr, nullptr) != CL_SUCCESS)
    value = -1;
  clReleaseMemObject(out);
  clReleaseKernel(kernel);
  return value;
}

cl_program fromSource(const std::string& source) {
  const char* text = source.c_str();
  cl_int status;
  return clCreateProgramWithSource(context, 1, &text, nullptr, &status);
}

bool check(const char* what, int got, int expected) {
  std::printf("%-40s %d (expected %d)\n", what, got, expected);
  return got == expected;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: include_app INCLUDE_DIR | --absolute HEADER\n"), 2;
  cl_platform_id platform;
  cl_int status = clGetPlatformIDs(1, &platform, nullptr);
  if (status == CL_SUCCESS) status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr);
  if (status != CL_SUCCESS) return std::fprintf(stderr, "include_app: no device (%d)\n", status), 1;
  context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &status);
  queue = clCreateCommandQueueWithProperties(context, device, nullptr, &status);

  const std::string kernel = "__kernel void k(__global int* out) { out[0] = VALUE; }\n";
  if (std::strcmp(argv[1], "--absolute") == 0 && argc == 3) {
    cl_program program = fromSource("#include \"" + std::string(argv[2]) + "\"\n#define VALUE B\n" + kernel);
    if (clBuildProgram(program, 1, &device, "", nullptr, nullptr) != CL_SUCCESS) {
      std::printf("BUILD-FAILED\n%s\n", buildLog(program).c_str());
      return 0;
    }
    return check("absolute include", runKernel(program), 5) ? (std::printf("include_app: OK\n"), 0) : 1;
  }

  const std::string dir = argv[1];
  const std::string source = "#include \"a.h\"\n#include <cwd.h>\n#define VALUE (A + CWD)\n" + kernel;
  bool ok = true;
  // clBuildProgram, with the folder in each way options can name it.
  for (const std::string& options : {"-I " + dir, "-I" + dir, "-DUNUSED=1 -I " + dir + " -cl-std=CL1.2"}) {
    cl_program program = fromSource(source);
    if (clBuildProgram(program, 1, &device, options.c_str(), nullptr, nullptr) != CL_SUCCESS) {
      std::printf("build with [%s] failed:\n%s\n", options.c_str(), buildLog(program).c_str());
      ok = false;
    } else {
      ok &= check(("clBuildProgram " + options).c_str(), runKernel(program), 5 * 10 + 7);
    }
    clReleaseProgram(program);
  }
  // clCompileProgram + clLinkProgram.
  cl_program unit = fromSource(source);
  const std::string options = "-I " + dir;
  if (clCompileProgram(unit, 1, &device, options.c_str(), 0, nullptr, nullptr, nullptr, nullptr) != CL_SUCCESS) {
    std::printf("compile failed:\n%s\n", buildLog(unit).c_str());
    ok = false;
  } else {
    cl_program linked = clLinkProgram(context, 1, &device, "", 1, &unit, nullptr, nullptr, &status);
    ok &= status == CL_SUCCESS && check("clCompileProgram + clLinkProgram", runKernel(linked), 57);
  }
  if (!ok) return 1;
  std::printf("include_app: OK\n");
  return 0;
}
