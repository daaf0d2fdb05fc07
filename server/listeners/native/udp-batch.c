// Batched UDP for the query path: recvmmsg(2) up to BATCH datagrams per readable event, one call
// into JavaScript for the whole batch, sendmmsg(2) the answers back. node:dgram costs a syscall,
// a buffer allocation, an rinfo object and a JS callback per datagram in and a SendWrap per
// datagram out; Knot and NSD batch the same way (recvmmsg/sendmmsg) for the same reason.
//
// The socket is ours: created, bound and watched here with libuv's uv_poll on Node's own loop, so
// the batch runs on the main thread between other events, like a dgram 'message' handler.
//
// Memory shared with JavaScript (allocated there, pinned here by references):
//   in    BATCH slots of `slot` bytes: the received datagrams
//   out   BATCH slots of `slot` bytes: the answers JavaScript wrote
//   meta  Int32Array(2 * BATCH): [i] the length received in slot i (-1: truncated, larger than a
//         slot), [BATCH + i] the answer's length JavaScript wrote for slot i (0: no answer)
#define _GNU_SOURCE
#define NAPI_VERSION 8
#define NODE_GYP_MODULE_NAME udp_batch
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
// batches per readable event before yielding to the rest of the loop (TCP, timers, the admin API)
#define ROUNDS_PER_EVENT 8

typedef struct {
  napi_env env;
  uv_poll_t poll;
  int fd;
  int closing;
  size_t slot;
  uint8_t *in;
  uint8_t *out;
  int32_t *meta;
  napi_ref in_ref, out_ref, meta_ref, callback_ref, resource_ref;
  napi_async_context async_context;
  double send_dropped, receive_errors;
  struct sockaddr_storage addrs[BATCH];
  struct iovec recv_iov[BATCH];
  struct mmsghdr recv_msgs[BATCH];
  struct iovec send_iov[BATCH];
  struct mmsghdr send_msgs[BATCH];
} udp_batch;

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_value code, message, error, syscall_value;
  const char *name = err == EADDRINUSE ? "EADDRINUSE" : err == EACCES ? "EACCES" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : "EIO";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_set_named_property(env, error, "code", code);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_value errno_value;
  napi_create_int32(env, -err, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_throw(env, error);
  return NULL;
}

static void *buffer_data(napi_env env, napi_value value, size_t *length) {
  void *data = NULL;
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return NULL;
  napi_typedarray_type type;
  napi_value arraybuffer;
  size_t offset;
  napi_get_typedarray_info(env, value, &type, length, &data, &arraybuffer, &offset);
  return data;
}

static void send_answers(udp_batch *u, int received) {
  int count = 0;
  for (int i = 0; i < received; i++) {
    int32_t length = u->meta[BATCH + i];
    if (length <= 0 || (size_t)length > u->slot) continue;
    u->send_iov[count].iov_base = u->out + (size_t)i * u->slot;
    u->send_iov[count].iov_len = (size_t)length;
    struct msghdr *h = &u->send_msgs[count].msg_hdr;
    memset(h, 0, sizeof *h);
    h->msg_name = &u->addrs[i];
    h->msg_namelen = u->recv_msgs[i].msg_hdr.msg_namelen;
    h->msg_iov = &u->send_iov[count];
    h->msg_iovlen = 1;
    count++;
  }
  int done = 0;
  while (done < count) {
    int r = sendmmsg(u->fd, u->send_msgs + done, (unsigned)(count - done), MSG_DONTWAIT);
    if (r > 0) {
      done += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      // the send buffer is full: UDP answers are dropped, as the kernel would drop them anyway
      u->send_dropped += count - done;
      break;
    } else {
      // this one datagram failed (an unreachable client, say); the rest still go
      u->send_dropped += 1;
      done += 1;
    }
  }
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  udp_batch *u = poll->data;
  if (status < 0 || u->closing) return;
  napi_env env = u->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value resource, callback, global;
  napi_get_reference_value(env, u->resource_ref, &resource);
  napi_get_reference_value(env, u->callback_ref, &callback);
  napi_get_global(env, &global);
  for (int round = 0; round < ROUNDS_PER_EVENT && !u->closing; round++) {
    for (int i = 0; i < BATCH; i++) {
      u->recv_iov[i].iov_base = u->in + (size_t)i * u->slot;
      u->recv_iov[i].iov_len = u->slot;
      struct msghdr *h = &u->recv_msgs[i].msg_hdr;
      h->msg_name = &u->addrs[i];
      h->msg_namelen = sizeof u->addrs[i];
      h->msg_iov = &u->recv_iov[i];
      h->msg_iovlen = 1;
      h->msg_control = NULL;
      h->msg_controllen = 0;
      h->msg_flags = 0;
    }
    int received = recvmmsg(u->fd, u->recv_msgs, BATCH, MSG_DONTWAIT, NULL);
    if (received <= 0) {
      if (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) u->receive_errors++;
      break;
    }
    for (int i = 0; i < received; i++) {
      int truncated = (u->recv_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
      u->meta[i] = truncated ? -1 : (int32_t)u->recv_msgs[i].msg_len;
      u->meta[BATCH + i] = 0;
    }
    napi_value argv[1], result;
    napi_create_int32(env, received, &argv[0]);
    // napi_make_callback runs the nextTick queue and microtasks afterwards, as any I/O callback does
    napi_status call = napi_make_callback(env, u->async_context, resource, callback, 1, argv, &result);
    if (call == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);
      break;
    }
    send_answers(u, received);
    if (received < BATCH) break;
  }
  napi_close_handle_scope(env, scope);
}

static void on_closed(uv_handle_t *handle) {
  udp_batch *u = handle->data;
  close(u->fd);
  napi_delete_reference(u->env, u->in_ref);
  napi_delete_reference(u->env, u->out_ref);
  napi_delete_reference(u->env, u->meta_ref);
  napi_delete_reference(u->env, u->callback_ref);
  napi_delete_reference(u->env, u->resource_ref);
  napi_async_destroy(u->env, u->async_context);
  free(u);
}

// The handle (first argument) of a call, and up to `count` arguments into argv.
static udp_batch *handle_arg(napi_env env, napi_callback_info info, napi_value *argv, size_t count) {
  size_t argc = count;
  void *data = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok) return NULL;
  return data;
}

static int parse_address(const char *host, int port, struct sockaddr_storage *addr, socklen_t *length) {
  memset(addr, 0, sizeof *addr);
  struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *length = sizeof *v4;
    return AF_INET;
  }
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *length = sizeof *v6;
    return AF_INET6;
  }
  return -1;
}

// open(host, port, in, out, meta, onBatch) -> handle: bind a UDP socket and start answering
static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "open(host, port, in, out, meta, onBatch)");
    return NULL;
  }
  char host[64];
  size_t host_length = 0;
  int32_t port = 0;
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_length) != napi_ok ||
      napi_get_value_int32(env, argv[1], &port) != napi_ok || port < 0 || port > 65535) {
    napi_throw_type_error(env, NULL, "host must be an IP literal and port 0-65535");
    return NULL;
  }
  size_t in_length = 0, out_length = 0, meta_length = 0;
  uint8_t *in = buffer_data(env, argv[2], &in_length);
  uint8_t *out = buffer_data(env, argv[3], &out_length);
  int32_t *meta = buffer_data(env, argv[4], &meta_length);
  if (in == NULL || out == NULL || meta == NULL || in_length != out_length || in_length % BATCH != 0 || meta_length != 2 * BATCH) {
    napi_throw_type_error(env, NULL, "in and out must be equal buffers of BATCH slots, meta an Int32Array(2 * BATCH)");
    return NULL;
  }
  struct sockaddr_storage addr;
  socklen_t addr_length;
  int family = parse_address(host, port, &addr, &addr_length);
  if (family < 0) {
    napi_throw_type_error(env, NULL, "host must be an IPv4 or IPv6 literal");
    return NULL;
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int one = 1;
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  // generous kernel buffers keep bursts from being dropped before we read them (capped by rmem_max)
  int buffer = 4 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  if (bind(fd, (struct sockaddr *)&addr, addr_length) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err);
  }
  udp_batch *u = calloc(1, sizeof *u);
  if (u == NULL) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM);
  }
  u->env = env;
  u->fd = fd;
  u->slot = in_length / BATCH;
  u->in = in;
  u->out = out;
  u->meta = meta;
  napi_create_reference(env, argv[2], 1, &u->in_ref);
  napi_create_reference(env, argv[3], 1, &u->out_ref);
  napi_create_reference(env, argv[4], 1, &u->meta_ref);
  napi_create_reference(env, argv[5], 1, &u->callback_ref);
  napi_value resource, name;
  napi_create_object(env, &resource);
  napi_create_reference(env, resource, 1, &u->resource_ref);
  napi_create_string_utf8(env, "meshdns:udp-batch", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, resource, name, &u->async_context);
  uv_loop_t *loop = NULL;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init(loop, &u->poll, fd);
  u->poll.data = u;
  uv_poll_start(&u->poll, UV_READABLE, on_readable);
  napi_value handle;
  napi_create_external(env, u, NULL, NULL, &handle);
  return handle;
}

// port(handle) -> the bound port (the kernel's pick when opened with port 0)
static napi_value bound_port(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  udp_batch *u = handle_arg(env, info, argv, 1);
  struct sockaddr_storage addr;
  socklen_t length = sizeof addr;
  int port = 0;
  if (u != NULL && getsockname(u->fd, (struct sockaddr *)&addr, &length) == 0) {
    port = addr.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&addr)->sin6_port) : ntohs(((struct sockaddr_in *)&addr)->sin_port);
  }
  napi_create_int32(env, port, &result);
  return result;
}

// peer(handle, i) -> the address slot i came from, as text (only valid during its batch)
static napi_value peer_address(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  udp_batch *u = handle_arg(env, info, argv, 2);
  int32_t i = -1;
  napi_get_value_int32(env, argv[1], &i);
  char text[INET6_ADDRSTRLEN] = "";
  if (u != NULL && i >= 0 && i < BATCH) {
    struct sockaddr_storage *addr = &u->addrs[i];
    if (addr->ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)addr)->sin_addr, text, sizeof text);
    else if (addr->ss_family == AF_INET6) inet_ntop(AF_INET6, &((struct sockaddr_in6 *)addr)->sin6_addr, text, sizeof text);
  }
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &result);
  return result;
}

// counters(handle) -> [answers dropped by a full send buffer or a send error, receive errors]
static napi_value counters(napi_env env, napi_callback_info info) {
  napi_value argv[1], result, value;
  udp_batch *u = handle_arg(env, info, argv, 1);
  napi_create_array_with_length(env, 2, &result);
  double figures[2] = {u ? u->send_dropped : 0, u ? u->receive_errors : 0};
  for (uint32_t i = 0; i < 2; i++) {
    napi_create_double(env, figures[i], &value);
    napi_set_element(env, result, i, value);
  }
  return result;
}

// close(handle): stop reading; the socket closes on the loop's next turn
static napi_value close_socket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  udp_batch *u = handle_arg(env, info, argv, 1);
  if (u != NULL && !u->closing) {
    u->closing = 1;
    uv_poll_stop(&u->poll);
    uv_close((uv_handle_t *)&u->poll, on_closed);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    {"open", NULL, open_socket, NULL, NULL, NULL, napi_enumerable, NULL},
    {"port", NULL, bound_port, NULL, NULL, NULL, napi_enumerable, NULL},
    {"peer", NULL, peer_address, NULL, NULL, NULL, napi_enumerable, NULL},
    {"counters", NULL, counters, NULL, NULL, NULL, napi_enumerable, NULL},
    {"close", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  napi_value batch;
  napi_create_int32(env, BATCH, &batch);
  napi_set_named_property(env, exports, "BATCH", batch);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
