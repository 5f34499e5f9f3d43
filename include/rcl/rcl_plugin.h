/* rcl_plugin.h: operations that an operator adds to remote-cl-server.
 *
 * A plugin is a shared library in the folder given to
 * `remote-cl-server --plugins DIR` (every `*.so` there is loaded; none
 * without the option). It exports one C function:
 *
 *   const rcl_plugin* rcl_plugin_ops(void);
 *
 * returning a description that lives as long as the library (a static).
 * Each operation then appears in clGetOpsRCL's list and can be called with
 * clEnqueueGenericOpRCL (see CL/cl_remote.h). Names must be unique across
 * the built-in operations and all plugins: a duplicate is refused at start.
 *
 * The server checks every call's arguments against the signature before it
 * calls `run`: the count, each kind, the size of scalars, and of host
 * arguments whose declared size is not 0; cl_mem arguments are valid buffers
 * of the queue's context. `run` is called on a server thread (never two at
 * once for one client session; different sessions may call concurrently):
 *
 *   queue        the real command queue of the call
 *   args         num_args checked arguments, in signature order:
 *                  SCALAR   `value` points to `size` bytes
 *                  MEM      `mem` is the real cl_mem
 *                  HOST_IN  `value` points to `size` bytes (valid until the event completes)
 *                  HOST_OUT `out` points to `size` bytes the operation fills before
 *                           its event completes (valid until then); they are sent
 *                           to the client when it completes
 *   wait list    events the operation must wait for (the client's wait list)
 *   event        must receive an event (retained for the server: it releases it)
 *                that completes when the operation is done, host-out bytes included
 *
 * It returns CL_SUCCESS or an OpenCL error (the command then fails with it).
 * A plugin may run a kernel it builds itself (on the queue's context) or host
 * code (e.g. with a user event it completes). It must not block for long:
 * the client's session takes no other call while `run` runs.
 */
#ifndef RCL_PLUGIN_H_
#define RCL_PLUGIN_H_

#include <CL/cl_remote.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RCL_PLUGIN_API_VERSION 1

typedef struct rcl_plugin_arg {
  cl_rcl_arg_kind kind;
  size_t size;
  const void *value; /* SCALAR, HOST_IN */
  void *out;         /* HOST_OUT */
  cl_mem mem;        /* MEM */
} rcl_plugin_arg;

typedef cl_int (*rcl_plugin_run_fn)(cl_command_queue queue, const rcl_plugin_arg *args, cl_uint num_args,
                                    cl_uint num_events_in_wait_list, const cl_event *event_wait_list,
                                    cl_event *event);

typedef struct rcl_plugin_op {
  const char *name;        /* unique; at most CL_RCL_OP_NAME_SIZE - 1 characters */
  const char *description;
  const char *required_extension; /* a device extension the op needs, or NULL */
  cl_uint num_args;        /* at most CL_RCL_OP_MAX_ARGS */
  const cl_rcl_arg_info *args;
  rcl_plugin_run_fn run;
} rcl_plugin_op;

typedef struct rcl_plugin {
  cl_uint api_version; /* RCL_PLUGIN_API_VERSION */
  cl_uint num_ops;
  const rcl_plugin_op *ops;
} rcl_plugin;

typedef const rcl_plugin *(*rcl_plugin_ops_fn)(void);
#define RCL_PLUGIN_ENTRY "rcl_plugin_ops"

#ifdef __cplusplus
}
#endif

#endif /* RCL_PLUGIN_H_ */
