// Bad input (bad_input_test.h): values whose length lies - kernel arguments,
// exec info, generated values and bulk bytes shorter than their length, gemm
// matrices outside their buffers.

#include "bad_input_test.h"

namespace rcl::test {
namespace {

// [clSetKernelArg]: a value is exactly `size` bytes (the implementation reads
// that many), an object is a handle's size, local memory has no value.
TEST_F(BadInputTest, ClSetKernelArgWhoseSizeLiesIsRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x5e7a);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_NO_FATAL_FAILURE(kernel(client, 10, 11));

  EXPECT_EQ(setArg(client, 11, 1, sizeof(cl_int), bytes(1)), CL_INVALID_ARG_SIZE) << "a value shorter than its size";
  EXPECT_EQ(setArg(client, 11, 1, 4096, bytes(sizeof(cl_int))), CL_INVALID_ARG_SIZE) << "a size past the value";
  EXPECT_EQ(setArg(client, 11, 1, kNearlyAll, bytes(sizeof(cl_int))), CL_INVALID_ARG_SIZE) << "a huge size";
  EXPECT_EQ(setArg(client, 11, 1, sizeof(cl_int), bytes(8)), CL_INVALID_ARG_SIZE) << "a value longer than its size";
  EXPECT_EQ(setArg(client, 11, 0, sizeof(cl_int), object(kBuffer)), CL_INVALID_ARG_SIZE) << "a buffer of 4 bytes";
  EXPECT_EQ(setArg(client, 11, 0, 4096, object(kBuffer)), CL_INVALID_ARG_SIZE) << "a buffer of 4096 bytes";
  EXPECT_EQ(setArg(client, 11, 0, 0, object(kBuffer)), CL_INVALID_ARG_SIZE) << "a buffer of no bytes";
  EXPECT_EQ(setArg(client, 11, 0, sizeof(cl_mem), object(kContext)), CL_INVALID_ARG_VALUE) << "a context";
  // An index that does not fit a cl_uint would be cut to index 0: malformed.
  auto wrapped = client.call(CallId::clSetKernelArg, [&](protocol::Writer& w) {
    w.u64(11);
    w.u64(std::uint64_t{1} << 32);
    w.u64(sizeof(cl_mem));
    w.u64(kBuffer);
  });
  EXPECT_EQ(wrapped.kind, Kind::Error) << "an index of 2^32";
  EXPECT_EQ(wrapped.status, CL_INVALID_VALUE) << "an index of 2^32";
  expectServing(client, "clSetKernelArg lies");

  // The same arguments, told truly, run the kernel.
  const cl_int value = 0x600d;
  EXPECT_EQ(setArg(client, 11, 0, sizeof(cl_mem), object(kBuffer)), CL_SUCCESS) << "the buffer";
  EXPECT_EQ(setArg(client, 11, 1, sizeof value, [&](protocol::Writer& w) { w.bin(&value, sizeof value); }),
            CL_SUCCESS)
      << "the value";
  EXPECT_EQ(setArg(client, 11, 2, 64, [](protocol::Writer& w) { w.nil(); }), CL_SUCCESS) << "local memory";
  auto run = client.call(CallId::clEnqueueNDRangeKernel, [&](protocol::Writer& w) {
    const std::size_t one = 1;
    w.u64(kQueue);
    w.u64(11);
    w.u64(1);  // work_dim
    w.nil();   // offset
    w.bin(&one, sizeof one);
    w.bin(&one, sizeof one);
    w.u64(0);
    w.nil();
    w.nil();
  });
  ASSERT_EQ(run.status, CL_SUCCESS) << "the kernel did not run";
  ASSERT_EQ(readBuffer(client, kBuffer, 0, sizeof value, 100).status, CL_SUCCESS);
  const auto out = readData(client, "the kernel's result");
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), sizeof value);
  cl_int seen = 0;
  std::memcpy(&seen, out->data(), sizeof seen);
  EXPECT_EQ(seen, value);
}

// [clSetKernelExecInfo]: CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM is a cl_bool, SVM_PTRS a list of pointers.
TEST_F(BadInputTest, ClSetKernelExecInfoWhoseValueLiesIsRefused) {
  RawClient client(zmq_, server_->endpoint(), 0xe8ec);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_NO_FATAL_FAILURE(kernel(client, 10, 11));
  const auto execInfo = [&](cl_kernel_exec_info name, std::size_t n) {
    return client
        .call(CallId::clSetKernelExecInfo,
              [&](protocol::Writer& w) {
                w.u64(11);
                w.u64(name);
                bytes(n)(w);
              })
        .status;
  };
  EXPECT_EQ(execInfo(CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM, 1), CL_INVALID_VALUE) << "a cl_bool of 1 byte";
  EXPECT_EQ(execInfo(CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM, 64), CL_INVALID_VALUE) << "a cl_bool of 64 bytes";
  EXPECT_EQ(execInfo(CL_KERNEL_EXEC_INFO_SVM_PTRS, 12), CL_INVALID_VALUE) << "a pointer and a half";
  expectServing(client, "clSetKernelExecInfo lies");
}
// Generated handlers: a value or bulk bytes shorter than the annotation's
// length ([clCreateSubBuffer] buffer_create_info, [clEnqueueFillImage]
// fill_color, [clCreateProgramWithIL] il) are refused before the
// implementation reads them.
TEST_F(BadInputTest, GeneratedValuesAndBulkBytesShorterThanTheirLengthAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x9e4e);
  ASSERT_NO_FATAL_FAILURE(open(client));
  const auto subBuffer = [&](std::uint64_t id, std::size_t infoBytes) {
    return client
        .call(CallId::clCreateSubBuffer,
              [&](protocol::Writer& w) {
                w.u64(id);
                w.u64(kBuffer);
                w.u64(CL_MEM_READ_WRITE);
                w.u64(CL_BUFFER_CREATE_TYPE_REGION);
                const cl_buffer_region region{0, 16};  // its first infoBytes bytes
                w.bin(&region, std::min(infoBytes, sizeof region));
              })
        .status;
  };
  EXPECT_EQ(subBuffer(40, 8), CL_INVALID_VALUE) << "a cl_buffer_region of 8 bytes";
  const auto il = [&](std::uint64_t id, std::size_t sent, std::uint64_t length) {
    return client
        .call(CallId::clCreateProgramWithIL,
              [&](protocol::Writer& w) {
                w.u64(id);
                w.u64(kContext);
                const std::string body(sent, '\x07');
                w.bulkCopy(body.data(), body.size());
                w.u64(length);
              })
        .status;
  };
  EXPECT_EQ(il(41, 16, 1 << 20), CL_INVALID_VALUE) << "an IL of 16 bytes said to be 1 MiB";
  expectServing(client, "generated value lies");
  // The right lengths: a sub-buffer is made (the IL is not SPIR-V: the platform's own error).
  EXPECT_EQ(subBuffer(42, sizeof(cl_buffer_region)), CL_SUCCESS) << "a true cl_buffer_region";
  EXPECT_NE(il(43, 16, 16), CL_SUCCESS) << "16 bytes that are no IL";
  expectServing(client, "true lengths");
}
// [EnqueueOp] sgemm: every matrix within its buffer, however its offset and
// leading dimension would wrap CLBlast's own check; host-out arguments
// together under the limit.
TEST_F(BadInputTest, GemmMatricesOutsideTheirBuffersAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x6e33);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_EQ(client.createBuffer(4, kContext, kBufferBytes).status, CL_SUCCESS);
  ASSERT_EQ(client.createBuffer(5, kContext, kBufferBytes).status, CL_SUCCESS);
  // sgemm of 4 x 4 matrices in buffers of 1024 floats; `replace(w, i)` may write argument i instead.
  const auto sgemm = [&](const std::function<bool(protocol::Writer&, std::uint32_t)>& replace) {
    return client
        .call(CallId::EnqueueOp,
              [&](protocol::Writer& w) {
                w.u64(kQueue);
                w.str("sgemm");
                w.array(17);
                for (std::uint32_t i = 0; i < 17; ++i) {
                  w.array(2);
                  if (replace(w, i)) continue;
                  if (i == 7 || i == 10 || i == 14) {  // a, b, c
                    w.u64(CL_RCL_ARG_MEM);
                    w.u64(i == 7 ? kBuffer : i == 10 ? 4 : 5);
                    continue;
                  }
                  w.u64(CL_RCL_ARG_SCALAR);
                  if (i == 0 || i == 1 || i == 2) {
                    const cl_uint v = i == 0 ? CL_RCL_COL_MAJOR : CL_RCL_NO_TRANS;
                    w.bin(&v, sizeof v);
                  } else if (i == 6 || i == 13) {
                    const cl_float v = 1.0f;
                    w.bin(&v, sizeof v);
                  } else {
                    const cl_ulong v = (i == 8 || i == 11 || i == 15) ? 0 : 4;  // offsets 0, m, n, k, lds 4
                    w.bin(&v, sizeof v);
                  }
                }
                w.nil();
                w.nil();
              },
              30s)
        .status;
  };
  const auto scalar = [&](std::uint32_t bad, cl_ulong value) {
    return sgemm([bad, value](protocol::Writer& w, std::uint32_t i) {
      if (i != bad) return false;
      w.u64(CL_RCL_ARG_SCALAR);
      w.bin(&value, sizeof value);
      return true;
    });
  };
  EXPECT_EQ(scalar(8, cl_ulong{1} << 62), CL_INVALID_VALUE) << "a's offset: its bytes wrap to 64";
  EXPECT_EQ(scalar(12, cl_ulong{1} << 62), CL_INVALID_VALUE) << "b's leading dimension: its bytes wrap";
  EXPECT_EQ(scalar(15, 2000), CL_INVALID_VALUE) << "c's offset past its buffer";
  EXPECT_EQ(scalar(3, cl_ulong{1} << 40), CL_INVALID_VALUE) << "m of 2^40";
  EXPECT_EQ(scalar(16, kNearlyAll), CL_INVALID_VALUE) << "c's leading dimension of 2^64 - 8";
  // Two host-out arguments of 3 GiB: 6 GiB together, refused as the arguments are read.
  EXPECT_EQ(sgemm([](protocol::Writer& w, std::uint32_t i) {
              if (i > 1) return false;
              w.u64(CL_RCL_ARG_HOST_OUT);
              w.u64(std::uint64_t{3} << 30);
              return true;
            }),
            CL_INVALID_VALUE)
      << "6 GiB of host-out arguments";
  expectServing(client, "GEMM lies");
}

}  // namespace
}  // namespace rcl::test
