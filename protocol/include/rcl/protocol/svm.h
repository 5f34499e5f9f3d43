// Shared virtual memory on the wire. An SVM pointer travels as the server's
// address (a u64); the client translates its own pointers (its shadow of the
// allocation) before sending, and the server checks that every address lies
// in an allocation of the session before it touches it.
//
//   clSVMAlloc        context, flags, size, alignment -> reply: status, address (0: none, as NULL)
//   clSVMFree         address (async)
//   clEnqueueSVMFree  queue, addresses (bin of u64), wait_list, event: the server frees them when
//                     the command runs (with a pfn_free_func the client sends a host step instead)
//   clEnqueueSVMMigrateMem  queue, addresses (bin of u64), sizes (bin or nil), flags, wait_list, event
//   clEnqueueSVMMemFill  as generated from its annotation (role "svm")
//   clSetKernelArgSVMPointer  kernel, index, address | nil
//   clSetKernelExecInfo  kernel, name, value (CL_KERNEL_EXEC_INFO_SVM_PTRS: a bin of u64 addresses)
//   clCreateBuffer(WithProperties)  host_ptr: a bin of one u64 address for CL_MEM_USE_HOST_PTR on SVM
//
// clEnqueueSVMMemcpy carries a direction after the queue; what follows depends
// on it (its `variants` in codegen/opencl_calls.toml: the generated
// clEnqueueSVMMemcpyRequest::SvmToSvm, ..., the tag being the layout's place):
//   SvmToSvm    dst_address, src_address, size, wait_list, event        (one real SVM copy)
//   HostToSvm   dst_address, size, [bulk...], wait_list, event          (the client's bytes, in pieces)
//   SvmToHost   src_address, size, wait_list, read_event                (bytes pushed as ReadData)
//   HostToHost  wait_list, read_event                                   (a marker; ReadData with one
//                                                                       empty piece, at which the client
//                                                                       copies, or calls a pfn_free_func)
// SvmCopy names the tags for the raw test clients, which hold them to the
// layouts' order (tests/failure/svm_input_test.cpp).
// SVM maps and unmaps are emulated by the client with these (server = "none").
#pragma once

#include <cstdint>

namespace rcl::protocol {

enum class SvmCopy : std::uint8_t {
  SvmToSvm = 0,
  HostToSvm = 1,
  SvmToHost = 2,
  HostToHost = 3,
};

}  // namespace rcl::protocol
