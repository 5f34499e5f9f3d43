/* LD_PRELOAD recorder of the messages a process receives (for the fuzz seed
 * corpus; see fuzz/README.md). Interposes zmq_msg_recv and appends every
 * received frame to the file $RCL_RECORD_FILE as
 *   u64 socket, u8 more, u32 length, bytes
 * fuzz/tools/make_corpus.py turns the recording into corpus files. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE* out;

int zmq_msg_recv(zmq_msg_t* msg, void* socket, int flags) {
  static int (*real)(zmq_msg_t*, void*, int);
  if (real == NULL) real = (int (*)(zmq_msg_t*, void*, int))dlsym(RTLD_NEXT, "zmq_msg_recv");
  const int rc = real(msg, socket, flags);
  if (rc < 0) return rc;
  pthread_mutex_lock(&lock);
  if (out == NULL && getenv("RCL_RECORD_FILE") != NULL) out = fopen(getenv("RCL_RECORD_FILE"), "ab");
  if (out != NULL) {
    const uint64_t sock = (uint64_t)(uintptr_t)socket;
    const uint8_t more = (uint8_t)zmq_msg_more(msg);
    const uint32_t size = (uint32_t)zmq_msg_size(msg);
    fwrite(&sock, sizeof sock, 1, out);
    fwrite(&more, sizeof more, 1, out);
    fwrite(&size, sizeof size, 1, out);
    fwrite(zmq_msg_data(msg), 1, size, out);
    fflush(out);
  }
  pthread_mutex_unlock(&lock);
  return rc;
}
