// CL_PROGRAM_BINARY_SIZES stays right through a program's life: after a
// build, a rebuild with other options, clCompileProgram and clLinkProgram,
// and for a program made from a binary. remote-cl asks it once after a build
// it waited for and answers it itself until the next build
// (custom_programs.cpp); CL_PROGRAM_BINARIES is
// asked of the platform each time, so a binary that fills exactly the sizes
// answered (checked with two fillings of the buffers) proves the sizes are
// the platform's live ones. Run natively and remotely: both must agree.

#include <cstring>
#include <string>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {


constexpr const char* kSource = R"CLC(
__kernel void scale(__global int* data, int factor) { data[get_global_id(0)] *= factor; }
#ifdef RCL_MORE
__kernel void more(__global float* data, float a, float b) {
  const size_t i = get_global_id(0);
  float x = data[i];
  for (int k = 0; k < 16; ++k) x = x * a + b / (x + (float)k + 1.0f) - sin(x) * cos(b * (float)k);
  data[i] = x;
}
__kernel void further(__global int* data, int shift) { data[get_global_id(0)] = (data[get_global_id(0)] << shift) ^ shift; }
#endif
)CLC";

std::vector<size_t> binarySizes(cl_program program) {
  std::vector<size_t> sizes;
  CL_EXPECT(queryVector(&sizes, clGetProgramInfo, program, CL_PROGRAM_BINARY_SIZES));
  return sizes;
}

// CL_PROGRAM_BINARIES into buffers of `sizes` (and a margin) filled with `fill`.
std::vector<std::vector<unsigned char>> binariesFilled(cl_program program, const std::vector<size_t>& sizes,
                                                       unsigned char fill) {
  constexpr size_t kMargin = 64;
  std::vector<std::vector<unsigned char>> binaries;
  std::vector<unsigned char*> pointers;
  for (size_t size : sizes) binaries.emplace_back(size + kMargin, fill);
  for (auto& b : binaries) pointers.push_back(b.data());
  CL_EXPECT(clGetProgramInfo(program, CL_PROGRAM_BINARIES, pointers.size() * sizeof(unsigned char*), pointers.data(),
                            nullptr));
  return binaries;
}

// `program`'s binary sizes (one per device, none 0) and its binaries, which
// fill exactly those sizes: the platform wrote no byte past them (the
// margins keep their filling) and every byte of them (the two fillings give
// the same bytes). `what` names the moment in the failures.
std::vector<std::vector<unsigned char>> sizesAndBinaries(cl_program program, const std::string& what,
                                                          std::vector<size_t>* sizesOut = nullptr) {
  const std::vector<size_t> sizes = binarySizes(program);
  EXPECT_EQ(sizes.size(), 1u) << what << ": one size per device of the program";
  for (size_t size : sizes) EXPECT_GT(size, 0u) << what << ": a size of 0";
  const auto a = binariesFilled(program, sizes, 0xA5);
  const auto b = binariesFilled(program, sizes, 0x5A);
  std::vector<std::vector<unsigned char>> exact;
  for (size_t d = 0; d < sizes.size(); ++d) {
    for (size_t i = sizes[d]; i < a[d].size(); ++i) {
      if (a[d][i] != 0xA5 || b[d][i] != 0x5A) {
        ADD_FAILURE() << what << ": the binary of device " << d << " is longer than CL_PROGRAM_BINARY_SIZES says ("
                      << sizes[d] << " bytes): byte " << i << " written";
        break;
      }
    }
    if (std::memcmp(a[d].data(), b[d].data(), sizes[d]) != 0) {
      size_t i = 0;
      while (a[d][i] == b[d][i]) ++i;
      ADD_FAILURE() << what << ": the binary of device " << d << " is shorter than CL_PROGRAM_BINARY_SIZES says ("
                    << sizes[d] << " bytes): byte " << i << " not written";
    }
    exact.emplace_back(a[d].begin(), a[d].begin() + static_cast<std::ptrdiff_t>(sizes[d]));
  }
  if (sizesOut != nullptr) *sizesOut = sizes;
  return exact;
}

class BinarySizesTest : public ClTest {
 protected:
  // A program made from `binaries` for device_, built: its binary fills its
  // sizes exactly, and it makes a kernel of `kernelName`.
  void fromBinaries(const std::vector<std::vector<unsigned char>>& binaries, const char* kernelName) {
    ASSERT_EQ(binaries.size(), 1u);
    const size_t length = binaries[0].size();
    const unsigned char* bytes = binaries[0].data();
    cl_int status = CL_SUCCESS, binaryStatus = CL_SUCCESS;
    Program program(clCreateProgramWithBinary(context_, 1, &device_, &length, &bytes, &binaryStatus, &status));
    CL_CHECK(status);
    CL_CHECK(binaryStatus);
    // Before its build: the lengths given, or refused as PoCL 3.1 refuses a
    // program with no executable yet (asked of the platform either way).
    size_t before = 0;
    const cl_int asked = clGetProgramInfo(program.get(), CL_PROGRAM_BINARY_SIZES, sizeof before, &before, nullptr);
    if (asked == CL_SUCCESS) EXPECT_EQ(before, length) << "a program from a binary, before its build";
    else CL_EXPECT_ERROR(CL_INVALID_PROGRAM, asked);
    CL_CHECK(clBuildProgram(program.get(), 1, &device_, "", nullptr, nullptr));
    sizesAndBinaries(program.get(), "a program from a binary, built");
    Kernel kernel;
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program.get(), kernelName, &kernel));
  }
};

TEST_F(BinarySizesTest, AfterABuildAndForAProgramFromItsBinary) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kSource, &program));
  // Asked twice (an application asks the size of the answer, then the answer).
  const std::vector<size_t> first = binarySizes(program.get());
  EXPECT_EQ(binarySizes(program.get()), first);
  const auto binaries = sizesAndBinaries(program.get(), "after the build");
  ASSERT_FALSE(HasFailure());
  fromBinaries(binaries, "scale");
}

TEST_F(BinarySizesTest, AfterARebuildWithOtherOptions) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kSource, &program));
  std::vector<size_t> before, after, fresh;
  sizesAndBinaries(program.get(), "after the first build", &before);
  CL_CHECK(clBuildProgram(program.get(), 1, &device_, "-D RCL_MORE=1", nullptr, nullptr));
  const auto binaries = sizesAndBinaries(program.get(), "after the rebuild with more kernels", &after);
  ASSERT_EQ(before.size(), after.size());
  EXPECT_GT(after[0], before[0]) << "the rebuild with two more kernels answers the first build's binary size";
  // The same as a program built so at once.
  Program other;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kSource, &other, "-D RCL_MORE=1"));
  sizesAndBinaries(other.get(), "a program built with more kernels at once", &fresh);
  EXPECT_EQ(fresh, after);
  // And back: the rebuild without them.
  CL_CHECK(clBuildProgram(program.get(), 1, &device_, "", nullptr, nullptr));
  std::vector<size_t> again;
  sizesAndBinaries(program.get(), "after the rebuild without them", &again);
  EXPECT_LT(again[0], after[0]);
  ASSERT_FALSE(HasFailure());
  fromBinaries(binaries, "more");
}

TEST_F(BinarySizesTest, AfterCompileAndLink) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kSource, &program));
  std::vector<size_t> built;
  sizesAndBinaries(program.get(), "after the build", &built);
  // Compiled again, with more kernels: an object now, of other sizes.
  CL_CHECK(clCompileProgram(program.get(), 1, &device_, "-D RCL_MORE=1", 0, nullptr, nullptr, nullptr, nullptr));
  std::vector<size_t> compiled;
  sizesAndBinaries(program.get(), "after clCompileProgram", &compiled);
  cl_program objects[] = {program.get()};
  cl_int status = CL_SUCCESS;
  Program linked(clLinkProgram(context_, 1, &device_, "", 1, objects, nullptr, nullptr, &status));
  CL_CHECK(status);
  std::vector<size_t> executable;
  const auto binaries = sizesAndBinaries(linked.get(), "after clLinkProgram", &executable);
  Kernel kernel;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(linked.get(), "further", &kernel));
  // The compiled object still answers its own sizes.
  std::vector<size_t> object;
  sizesAndBinaries(program.get(), "the compiled object, after the link", &object);
  EXPECT_EQ(object, compiled);
  ASSERT_FALSE(HasFailure());
  fromBinaries(binaries, "further");
}

}  // namespace
}  // namespace rcl::test
