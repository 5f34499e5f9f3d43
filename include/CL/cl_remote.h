/* cl_remote.h: remote-cl's own OpenCL additions: the platform queries that
 * say where a platform is (below), and the cl_rcl_ops extension.
 *
 * ---- Where a platform is ---------------------------------------------------
 * A remote-cl platform reports the real platform's identity unchanged (name,
 * vendor, version, profile; its devices' too): applications recognise
 * implementations by these strings. What it adds is asked for separately,
 * with clGetPlatformInfo and the parameters CL_PLATFORM_REMOTE_*_RCL below,
 * which every remote-cl platform answers (with or without cl_rcl_ops) and
 * which every other platform refuses with CL_INVALID_VALUE: that is how a
 * program tells a remote platform from a local one. CL_PLATFORM_ICD_SUFFIX_KHR
 * is remote-cl's own, "RCL", on every remote platform.
 *
 * ---- cl_rcl_ops ------------------------------------------------------------
 * A remote-cl platform whose server offers operations lists `cl_rcl_ops` in
 * its platform and device extension strings (CL_PLATFORM_EXTENSIONS,
 * CL_DEVICE_EXTENSIONS). Operations run on the server, on the real device,
 * as one command: they take a command queue, cl_mem buffers, a wait list and
 * return an event, so data stays on the remote device and the calls pipeline
 * like any clEnqueue*.
 *
 * Find the functions with clGetExtensionFunctionAddressForPlatform (or
 * clGetExtensionFunctionAddress), under the names of the typedefs below
 * without the `_fn` suffix, e.g.
 *
 *   clEnqueueSgemmRCL_fn sgemm = (clEnqueueSgemmRCL_fn)
 *       clGetExtensionFunctionAddressForPlatform(platform, "clEnqueueSgemmRCL");
 *
 * On a platform whose server runs without operations (remote-cl-server
 * --no-ops) the extension is absent and every function returns
 * CL_INVALID_OPERATION.
 *
 * Errors returned at the call: CL_INVALID_COMMAND_QUEUE, CL_INVALID_CONTEXT,
 * CL_INVALID_EVENT_WAIT_LIST, CL_INVALID_MEM_OBJECT (a cl_mem argument that is
 * not a valid buffer), CL_INVALID_VALUE (unknown operation, wrong number of
 * arguments, NULL host pointers), CL_INVALID_ARG_VALUE (an argument of the
 * wrong kind), CL_INVALID_ARG_SIZE (a scalar or host argument of the wrong
 * size), CL_INVALID_OPERATION (no operations on this platform, or the
 * operation needs a device extension the queue's device lacks, e.g. HGEMM
 * without cl_khr_fp16). Errors the server finds when it runs the command
 * (e.g. a buffer too small for the matrix) fail the returned event, as for
 * any command: its CL_EVENT_COMMAND_EXECUTION_STATUS is that error.
 */
#ifndef CL_REMOTE_H_
#define CL_REMOTE_H_

#include <CL/cl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Where a platform is: clGetPlatformInfo parameters ---------------------
 * Values chosen by remote-cl (not registered with Khronos): "RCL" in ASCII,
 * far from every value Khronos has given out. The client answers them itself,
 * also while the server is lost. */

/* char[]: the endpoint of the server that offers the platform, as configured
 * (REMOTE_CL_SERVERS or the client config's `servers`), e.g.
 * "tcp://gpu-host:5555". Platforms of two servers differ here. */
#define CL_PLATFORM_REMOTE_ENDPOINT_RCL 0x52434C01
/* char[]: the host name that server reported when the client connected
 * (what `remote-cl status` prints for it). */
#define CL_PLATFORM_REMOTE_SERVER_RCL 0x52434C02

#define cl_rcl_ops 1
#define CL_RCL_OPS_EXTENSION_NAME "cl_rcl_ops"

/* ---- GEMM: C = alpha * op(A) * op(B) + beta * C ---------------------------
 * op(A) is m x k, op(B) is k x n, C is m x n. Matrices live in buffers at the
 * given element offsets, with leading dimensions (elements between the starts
 * of two rows (row-major) or columns (column-major)) as in BLAS. Computed on
 * the server with CLBlast. */
typedef cl_uint cl_rcl_layout;
#define CL_RCL_ROW_MAJOR 101
#define CL_RCL_COL_MAJOR 102

typedef cl_uint cl_rcl_transpose;
#define CL_RCL_NO_TRANS 111
#define CL_RCL_TRANS 112

#define CL_RCL_GEMM_PARAMS(T)                                                               \
  cl_command_queue queue, cl_rcl_layout layout, cl_rcl_transpose a_transpose,              \
      cl_rcl_transpose b_transpose, size_t m, size_t n, size_t k, T alpha, cl_mem a,        \
      size_t a_offset, size_t a_ld, cl_mem b, size_t b_offset, size_t b_ld, T beta, cl_mem c, \
      size_t c_offset, size_t c_ld, cl_uint num_events_in_wait_list,                        \
      const cl_event *event_wait_list, cl_event *event

typedef cl_int(CL_API_CALL *clEnqueueSgemmRCL_fn)(CL_RCL_GEMM_PARAMS(cl_float));
typedef cl_int(CL_API_CALL *clEnqueueDgemmRCL_fn)(CL_RCL_GEMM_PARAMS(cl_double));
/* Half precision: alpha and beta are IEEE 754 binary16 bit patterns. Needs
 * cl_khr_fp16 on the queue's device, else CL_INVALID_OPERATION. */
typedef cl_int(CL_API_CALL *clEnqueueHgemmRCL_fn)(CL_RCL_GEMM_PARAMS(cl_half));

/* ---- Generic operations --------------------------------------------------- */

/* The kind of one argument. */
typedef cl_uint cl_rcl_arg_kind;
#define CL_RCL_ARG_SCALAR 1   /* `size` bytes at `value`, passed by value */
#define CL_RCL_ARG_MEM 2      /* the buffer `mem` (size and value unused) */
#define CL_RCL_ARG_HOST_IN 3  /* `size` bytes at `value`, read by the operation (copied at the call) */
#define CL_RCL_ARG_HOST_OUT 4 /* `size` bytes at `out`, written by the operation: in place when the
                                 returned event completes (keep the memory valid until then) */

/* One argument of clEnqueueGenericOpRCL. */
typedef struct cl_rcl_arg {
  cl_rcl_arg_kind kind;
  size_t size;       /* SCALAR, HOST_IN, HOST_OUT: the byte count */
  const void *value; /* SCALAR, HOST_IN */
  void *out;         /* HOST_OUT */
  cl_mem mem;        /* MEM */
} cl_rcl_arg;

/* Runs the operation `name` with `num_args` arguments. Host-out arguments
 * are written before `event` completes; clFinish and clWaitForEvents wait
 * for them. */
typedef cl_int(CL_API_CALL *clEnqueueGenericOpRCL_fn)(cl_command_queue queue, const char *name,
                                                      cl_uint num_args, const cl_rcl_arg *args,
                                                      cl_uint num_events_in_wait_list,
                                                      const cl_event *event_wait_list, cl_event *event);

/* ---- Listing the operations of a server ------------------------------------ */

#define CL_RCL_OP_NAME_SIZE 64
#define CL_RCL_OP_DESCRIPTION_SIZE 256
#define CL_RCL_ARG_NAME_SIZE 32
#define CL_RCL_OP_MAX_ARGS 32

/* One argument of an operation's signature. */
typedef struct cl_rcl_arg_info {
  cl_rcl_arg_kind kind;
  cl_uint size; /* SCALAR: the exact size; HOST_IN/HOST_OUT: the exact size, or 0 for any; MEM: 0 */
  char name[CL_RCL_ARG_NAME_SIZE]; /* NUL-terminated */
} cl_rcl_arg_info;

/* One operation. Strings are NUL-terminated (truncated if longer). */
typedef struct cl_rcl_op_info {
  char name[CL_RCL_OP_NAME_SIZE];
  char description[CL_RCL_OP_DESCRIPTION_SIZE];
  char required_extension[CL_RCL_OP_NAME_SIZE]; /* a device extension the op needs, or "" */
  cl_uint num_args;
  cl_rcl_arg_info args[CL_RCL_OP_MAX_ARGS];
} cl_rcl_op_info;

/* The operations the platform's server offers, as an array of
 * cl_rcl_op_info, like a clGet*Info query: `value_size` is the size in bytes
 * of `value` (CL_INVALID_VALUE if too small), `value_size_ret` receives the
 * size needed (a multiple of sizeof(cl_rcl_op_info)). Built-in operations:
 * "sgemm", "dgemm", "hgemm" (the arguments of clEnqueue?gemmRCL after the
 * queue and before the wait list, in order; layout and transposes are cl_uint,
 * sizes, offsets and leading dimensions cl_ulong, alpha and beta the element
 * type), then the server's plugins. */
typedef cl_int(CL_API_CALL *clGetOpsRCL_fn)(cl_platform_id platform, size_t value_size, void *value,
                                            size_t *value_size_ret);

/* Prototypes, for documentation and for code that links the functions by
 * other means; applications use clGetExtensionFunctionAddressForPlatform. */
extern CL_API_ENTRY cl_int CL_API_CALL clEnqueueSgemmRCL(CL_RCL_GEMM_PARAMS(cl_float));
extern CL_API_ENTRY cl_int CL_API_CALL clEnqueueDgemmRCL(CL_RCL_GEMM_PARAMS(cl_double));
extern CL_API_ENTRY cl_int CL_API_CALL clEnqueueHgemmRCL(CL_RCL_GEMM_PARAMS(cl_half));
extern CL_API_ENTRY cl_int CL_API_CALL clEnqueueGenericOpRCL(cl_command_queue queue, const char *name,
                                                             cl_uint num_args, const cl_rcl_arg *args,
                                                             cl_uint num_events_in_wait_list,
                                                             const cl_event *event_wait_list, cl_event *event);
extern CL_API_ENTRY cl_int CL_API_CALL clGetOpsRCL(cl_platform_id platform, size_t value_size, void *value,
                                                   size_t *value_size_ret);

#ifdef __cplusplus
}
#endif

#endif /* CL_REMOTE_H_ */
