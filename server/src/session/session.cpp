#include "rcl/server/session/session.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/control.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/pushes.h"
#include "rcl/server/session/outbox.h"
#include "rcl/server/support/security.h"

// A session's state: its socket and threads' roles, replies and pushes, the
// control channel, heartbeats, and what it admits. Its calls run in
// handlers/session_calls.cpp, its data paths attach in data/session_attach.cpp,
// and it ends in handlers/session_end.cpp.
namespace rcl::server {

using protocol::Kind;

using Clock = std::chrono::steady_clock;

Session::Session(zmq::context_t& zmq, const std::string& bindTo, std::uint64_t id, std::string client,
                 const std::vector<ExposedPlatform>& platforms, SessionOptions options)
    : id_(id), client_(std::move(client)), bindTo_(bindTo), options_(options), socket_(zmq, zmq::socket_type::router),
      lastHeard_(Clock::now()), outbox_(std::make_shared<Outbox>()) {
  socket_.set(zmq::sockopt::router_mandatory, 1);
  socket_.set(zmq::sockopt::sndhwm, 0);
  socket_.set(zmq::sockopt::rcvhwm, 0);
  socket_.set(zmq::sockopt::linger, 0);
  bindSecurely(socket_, bindTo, options_.security.get());  // CURVE, and the loopback rule
  endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  try {
    watch_ = std::make_unique<protocol::LinkWatch>(zmq, socket_, fmt::format("session-{:016x}", id_));
  } catch (const zmq::error_t& e) {
    spdlog::debug("session {:016x}: no watch on its connections ({}); a dead client is found by its silence", id_,
                  e.what());
  }
  for (const auto& p : platforms) {
    PlatformIds ids{table_.idOrAdopt(p.platform, ObjectKind::Platform), {}};
    for (cl_device_id d : p.devices) ids.devices.push_back(table_.idOrAdopt(d, ObjectKind::Device));
    platformIds_.push_back(std::move(ids));
  }
  // Platforms and root devices are never released: their count is fixed at one.
  table_.pinAll();
  std::lock_guard role(roleMutex_);
  threads_.emplace_back([this] { threadMain(true); });
  threads_.emplace_back([this] { threadMain(false); });  // the spare that watches it
}

Session::~Session() {
  close("server shutting down");
  for (;;) {  // the leader ends the session, then every spare leaves
    std::thread thread;
    {
      std::lock_guard role(roleMutex_);
      if (threads_.empty()) break;
      thread = std::move(threads_.back());
      threads_.pop_back();
    }
    thread.join();
  }
}

void Session::close(std::string reason, std::string detail) {
  {
    std::lock_guard lock(closeMutex_);
    if (closing_) return;
    closing_ = true;
    closeReason_ = std::move(reason);
    closeDetail_ = std::move(detail);
  }
  outbox_->wake();
}

void* Session::newCallbackTarget(std::uint64_t callbackId) {
  return callbackTargets_.add(CallbackTarget{outbox_, callbackId});
}

void Session::send(protocol::Frames frames) { reply(0, std::move(frames)); }

void Session::reply(std::uint64_t seq, protocol::Frames frames) {
  // A call that a spare took the lead from answers through the outbox: the
  // socket is the leader's.
  std::unique_lock socket(socketMutex_, std::try_to_lock);
  if (!socket.owns_lock() || !isLeader()) return outbox_->post(std::move(frames), seq);
  sendNow(seq, std::move(frames));
}

void Session::sendNow(std::uint64_t seq, protocol::Frames frames) {
  const std::uint32_t index = static_cast<std::uint32_t>(protocol::replyIndexOf(seq));
  if (index == 0 && !attached_) return;
  const auto to = index == 0 ? control_ : protocol::makeRoutingId(id_, protocol::Channel::Reply, index);
  forwardOutput(to);
  for (const auto& f : frames) stats_.bytesOut += f.size();
  try {
    protocol::sendFrames(socket_, frames, to.data(), to.size(), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    spdlog::debug("session {:016x}: dropped a message: {}", id_, e.what());
  }
}

void Session::forwardOutput(const protocol::RoutingId& to) {
  const int fd = outputFd_;
  if (fd < 0) return;
  std::fflush(stdout);
  std::string bytes;
  char buffer[65536];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) bytes.append(buffer, static_cast<std::size_t>(n));
  if (bytes.empty()) return;
  // In pieces the client takes (push::Output::kBytesMax).
  for (std::size_t at = 0; at < bytes.size(); at += protocol::push::Output::kBytesMax) {
    auto frames = protocol::push::Output{.bytes = bytes.substr(at, protocol::push::Output::kBytesMax)}.frames();
    try {
      protocol::sendFrames(socket_, frames, to.data(), to.size(), zmq::send_flags::dontwait);
    } catch (const zmq::error_t&) {
    }
  }
}

void Session::onMessage(protocol::Frames frames) {
  if (frames.size() < 2) return;
  zmq::message_t routing = std::move(frames.front());
  frames.erase(frames.begin());
  std::uint64_t session = 0;
  protocol::Channel channel{};
  if (!protocol::parseRoutingId(routing, session, channel) || session != id_) {
    spdlog::warn("session {:016x}: a message from another client; ignored", id_);
    return;
  }
  lastHeard_ = Clock::now();
  if (channel != protocol::Channel::Calls) {
    const int sourceFd = protocol::sourceFd(frames.front());  // a body frame: the routing id has none
    return onControl(routing, channel, std::move(frames), sourceFd);
  }
  handle(std::move(frames));
  noteHoldings();
}

void Session::noteHoldings() {
  stats_.peakObjects = std::max(stats_.peakObjects, table_.size());
  stats_.peakMemoryBytes = std::max(stats_.peakMemoryBytes, table_.memoryBytes() + svm_.bytes());
  stats_.objects = table_.objectCount() + svm_.count();
  stats_.memoryBytes = table_.memoryBytes() + svm_.bytes();
}

void Session::onControl(const zmq::message_t& routing, protocol::Channel channel, protocol::Frames message,
                        int sourceFd) {
  std::uint64_t seq = 0;
  try {
    protocol::Reader reader(std::move(message));
    const auto kind = reader.integer<Kind>();
    seq = reader.u64();
    if (kind == Kind::Ping) return;
    if (kind != Kind::Request) throw protocol::DecodeError("unexpected message on the control channel");
    switch (reader.integer<protocol::ControlCall>()) {
      case protocol::ControlCall::Attach: {
        // A socket says it is connected: from now on it can be answered.
        const auto attach = protocol::control::Attach::decodeBody(reader, seq);
        auto frames = protocol::control::AttachReply{.seq = seq}.frames();
        if (channel == protocol::Channel::Control) {
          std::memcpy(control_.data(), routing.data(), control_.size());
          controlFd_ = sourceFd;
          attached_ = true;
          deviceTimes_ = attach.device_times.value_or(false);
          return send(std::move(frames));
        }
        try {
          protocol::sendFrames(socket_, frames, routing.data(), routing.size(), zmq::send_flags::dontwait);
        } catch (const zmq::error_t&) {
        }
        return;
      }
      case protocol::ControlCall::Goodbye:
        protocol::control::Goodbye::decodeBody(reader, seq);
        return close("client said goodbye");
      case protocol::ControlCall::ShmAttach:
        return attachShm(protocol::control::ShmAttach::decodeBody(reader, seq));
      case protocol::ControlCall::BulkAttach:
        return attachBulk(protocol::control::BulkAttach::decodeBody(reader, seq));
      case protocol::ControlCall::PlatformInfoAll:
        protocol::control::PlatformInfoAll::decodeBody(reader, seq);
        if (options_.refusePlatformInfo) throw protocol::DecodeError("unknown control call");  // as before it
        if (channel != protocol::Channel::Control) throw protocol::DecodeError("PlatformInfoAll on a reply socket");
        return answerPlatformInfo(seq);
      default:
        throw protocol::DecodeError("unknown control call");
    }
  } catch (const protocol::DecodeError& e) {
    spdlog::warn("session {:016x}: malformed control message: {}", id_, e.what());
    sendError(seq, CL_INVALID_VALUE, std::string("malformed control message: ") + e.what());
  }
}

void Session::runHeld(std::function<void()> work, std::function<void()> done) {
  held_ = true;
  heldDone_ = false;
  heldThen_ = std::move(done);
  blocking_.run([this, work = std::move(work)] {
    work();
    heldDone_ = true;
    outbox_->wake();
  });
}

void Session::heartbeat() {
  // While no call is read, the client's pings wait in the socket: it counts as heard.
  if (readingPaused()) lastHeard_ = Clock::now();
  if (Clock::now() - lastHeard_ > options_.clientTimeout) {
    close("client silent", fmt::format("for more than {} ms", options_.clientTimeout.count()));
    return;
  }
  sendNow(0, protocol::push::Ping{}.frames());
}

void Session::sendError(std::uint64_t seq, cl_int status, const std::string& message) {
  reply(seq, protocol::push::Error{.seq = seq, .status = status, .message = message}.frames());
}

cl_int Session::admit(ObjectKind kind, void* handle, std::size_t& bytes) const {
  bytes = 0;
  if (kind != ObjectKind::Event && table_.objectCount() + svm_.count() >= options_.maxObjects)
    return CL_OUT_OF_RESOURCES;
  if (kind != ObjectKind::Mem) return CL_SUCCESS;
  auto mem = static_cast<cl_mem>(handle);
  cl_mem parent = nullptr;
  clGetMemObjectInfo(mem, CL_MEM_ASSOCIATED_MEMOBJECT, sizeof parent, &parent, nullptr);
  if (parent != nullptr) return CL_SUCCESS;  // a sub-buffer holds its parent's memory
  cl_bool usesSvm = CL_FALSE;
  clGetMemObjectInfo(mem, CL_MEM_USES_SVM_POINTER, sizeof usesSvm, &usesSvm, nullptr);
  if (usesSvm == CL_TRUE) return CL_SUCCESS;  // the SVM allocation it uses is counted already
  clGetMemObjectInfo(mem, CL_MEM_SIZE, sizeof bytes, &bytes, nullptr);
  if (options_.maxMemoryBytes != 0 && table_.memoryBytes() + svm_.bytes() + bytes > options_.maxMemoryBytes)
    return CL_MEM_OBJECT_ALLOCATION_FAILURE;
  return CL_SUCCESS;
}

cl_int Session::admitSvm(std::size_t bytes) const {
  if (table_.objectCount() + svm_.count() >= options_.maxObjects) return CL_OUT_OF_RESOURCES;
  if (options_.maxMemoryBytes != 0 && table_.memoryBytes() + svm_.bytes() + bytes > options_.maxMemoryBytes)
    return CL_MEM_OBJECT_ALLOCATION_FAILURE;
  return CL_SUCCESS;
}

void Session::keepUserEvent(cl_event event) {
  if (userEvents_.size() >= 1024) {  // forget the ones that completed
    std::erase_if(userEvents_, [](cl_event e) {
      cl_int status = CL_QUEUED;
      clGetEventInfo(e, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
      if (status > CL_COMPLETE) return false;
      clReleaseEvent(e);
      return true;
    });
  }
  if (clRetainEvent(event) == CL_SUCCESS) userEvents_.push_back(event);
}

void Session::keepQueue(cl_command_queue queue) { queues_.keep(queue, table_.progressFor(queue)); }

}  // namespace rcl::server
