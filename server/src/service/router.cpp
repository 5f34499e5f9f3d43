#include "rcl/server/service/router.h"

#include <unistd.h>

#include <thread>

#include <spdlog/spdlog.h>

#include "rcl/protocol/control.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/pushes.h"
#include "rcl/protocol/status.h"
#include "rcl/server/service/platforms.h"

namespace rcl::server {

using protocol::Channel;
using protocol::ControlCall;
using protocol::Kind;

namespace {
using Clock = std::chrono::steady_clock;

// After the grace period: how long the sessions it ended may take to free
// everything (a worker's own limit is 30 s, worker.cpp) before they are killed.
constexpr std::chrono::seconds kEndingLimit{35};

// ", key alice" for the logs ("" without keys).
std::string keyPart(const std::string& keyName) { return keyName.empty() ? std::string() : ", key " + keyName; }

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}
}  // namespace

Router::Router(RouterOptions options, std::vector<ExposedPlatform> platforms)
    : options_(std::move(options)), platforms_(std::move(platforms)), serverName_(hostName()),
      context_(1), admission_(options_.session.security), socket_(context_, zmq::socket_type::router) {
  socket_.set(zmq::sockopt::router_mandatory, 1);
  socket_.set(zmq::sockopt::linger, 0);
  if (options_.session.security) zap_ = options_.session.security->authenticator(context_);  // before any bind
  bindSecurely(socket_, options_.listen, options_.session.security.get());
}

Router::~Router() {
  for (auto& [id, session] : sessions_) session->close("server shutting down");
  sessions_.clear();  // joins each worker after it has freed its objects
  // Workers free their sessions on SIGTERM; give them a moment, then they are killed.
  for (auto& [id, worker] : workers_) worker->terminate();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    std::erase_if(workers_, [](auto& w) { return w.second->ended().has_value(); });
    if (workers_.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string Router::endpoint() const { return socket_.get(zmq::sockopt::last_endpoint); }

std::string Router::sessionBindAddress(std::uint64_t sessionId) const {
  const std::string bound = endpoint();
  if (bound.rfind("tcp://", 0) == 0)
    return bound.substr(0, bound.rfind(':')) + ":" + (options_.sessionPorts.empty() ? "*" : options_.sessionPorts);
  return fmt::format("{}.{:016x}", bound, sessionId);
}

void Router::run(const std::atomic<int>& request, int wakeFd) {
  for (;;) {
    const auto asked = static_cast<StopRequest>(request.load());
    if (asked == StopRequest::Now) {
      spdlog::info("stopping now: ending {} session(s)", workers_.size() + sessions_.size() + starting_.size());
      return;
    }
    if (asked == StopRequest::Drain && !admission_.draining()) startDraining();
    if (admission_.draining() && drained()) return;
    // The socket, the signals' wake fd, the stdout of every worker still
    // starting and the exit fd of every running one.
    std::vector<zmq::pollitem_t> items{{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    if (wakeFd >= 0) items.push_back({nullptr, wakeFd, ZMQ_POLLIN, 0});
    const std::size_t firstStarting = items.size();
    std::vector<std::uint64_t> startingIds;
    for (const auto& [id, w] : starting_) {
      items.push_back({nullptr, w.process->readyFd(), ZMQ_POLLIN, 0});
      startingIds.push_back(id);
    }
    for (const auto& [id, w] : workers_)
      if (w->exitFd() >= 0) items.push_back({nullptr, w->exitFd(), ZMQ_POLLIN, 0});
    protocol::pollOnce(items.data(), items.size(), sleepLimit(wakeFd >= 0));
    if ((items[0].revents & ZMQ_POLLIN) != 0) {
      while (auto frames = protocol::recvFrames(socket_, zmq::recv_flags::dontwait)) onMessage(std::move(*frames));
    }
    if (wakeFd >= 0 && (items[1].revents & ZMQ_POLLIN) != 0) {
      char drained[64];
      while (read(wakeFd, drained, sizeof drained) > 0) {
      }
    }
    for (std::size_t i = 0; i < startingIds.size(); ++i)
      if ((items[firstStarting + i].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) != 0) onWorkerReady(startingIds[i]);
    collectEnded();
  }
}

void Router::onMessage(protocol::Frames frames) {
  if (frames.size() < 2) return;
  zmq::message_t routing = std::move(frames.front());
  frames.erase(frames.begin());
  std::uint64_t sessionId = 0;
  Channel channel{};
  if (!protocol::parseRoutingId(routing, sessionId, channel) || channel != Channel::Control) {
    sendError(routing, 0, CL_INVALID_VALUE, "not a remote-cl handshake: unexpected routing id");
    return;
  }
  std::uint64_t seq = 0;
  const ClientIdentity who = admission_.identify(frames.front());
  try {
    protocol::Reader reader(std::move(frames));
    const auto kind = reader.integer<Kind>();
    seq = reader.u64();
    if (kind != Kind::Request) throw protocol::DecodeError("this endpoint takes only requests");
    switch (reader.integer<ControlCall>()) {
      case ControlCall::Hello:
        return onHello(sessionId, routing, seq, reader, who);
      case ControlCall::Status:
        return onStatus(routing, seq, reader);
      default:
        throw protocol::DecodeError("this endpoint takes only the handshake and the status query");
    }
  } catch (const protocol::DecodeError& e) {
    spdlog::warn("malformed handshake: {}", e.what());
    sendError(routing, seq, CL_INVALID_VALUE, std::string("malformed handshake: ") + e.what());
  }
}

void Router::onHello(std::uint64_t sessionId, const zmq::message_t& routing, std::uint64_t seq,
                     protocol::Reader& reader, const ClientIdentity& who) {
  // The version first: a hello of another protocol may be laid out
  // differently, and is refused as a version mismatch, not as malformed.
  const auto version = protocol::control::Hello::decodeVersion(reader);
  if (version != protocol::kProtocolVersion) {
    const auto message = fmt::format("protocol version mismatch: client speaks {}, server speaks {}", version,
                                      protocol::kProtocolVersion);
    spdlog::warn("refused a client{}: {}", who.describe(), message);
    noteRefused("protocol version mismatch");
    return sendError(routing, seq, CL_INVALID_OPERATION, message);
  }
  const auto hello = protocol::control::Hello::decodeRest(reader, seq, version);
  const std::string& client = hello.client_name;
  if (sessions_.count(sessionId) != 0 || starting_.count(sessionId) != 0 || workers_.count(sessionId) != 0) {
    noteRefused("session id already in use");
    return sendError(routing, seq, CL_INVALID_VALUE, "session id already in use");
  }
  if (const auto refusal = admission_.check(who)) {
    noteRefused(admission_.draining() ? "draining" : "key's session quota");
    spdlog::warn("refused client {}{}: {}", client, who.describe(), refusal->message);
    return sendError(routing, seq, refusal->status, refusal->message);
  }
  if (options_.isolate) return startWorker(sessionId, routing, seq, client, who, hello.takes_pending.value_or(false));

  std::unique_ptr<Session> session;
  try {
    session = std::make_unique<Session>(context_, sessionBindAddress(sessionId), sessionId, client, platforms_,
                                        admission_.limitsFor(who, options_.session));
  } catch (const zmq::error_t& e) {
    spdlog::error("cannot open a session for {}{}: {}", client, who.describe(), e.what());
    noteRefused("session could not start");
    return sendError(routing, seq, CL_OUT_OF_RESOURCES, std::string("cannot open a session: ") + e.what());
  }
  spdlog::info("session {:016x} started: client {}{}, at {}", sessionId, client, who.describe(), session->endpoint());
  replyHello(routing, seq, session->endpoint(), session->platformIds());
  sessions_.emplace(sessionId, std::move(session));
  admission_.opened(sessionId, who);
}

void Router::replyHello(const zmq::message_t& routing, std::uint64_t seq, const std::string& endpoint,
                        const std::vector<Session::PlatformIds>& platforms) {
  protocol::control::HelloReply reply{
      .seq = seq, .protocol_version = protocol::kProtocolVersion, .server_name = serverName_, .session_endpoint = endpoint};
  for (const auto& p : platforms) reply.platforms.push_back({p.platform, p.devices});
  auto frames = reply.frames();
  sendTo(routing, frames);
}

void Router::startWorker(std::uint64_t sessionId, const zmq::message_t& routing, std::uint64_t seq,
                         const std::string& client, const ClientIdentity& who, bool takesPending) {
  std::vector<std::string> args{"--worker", fmt::format("{:016x}", sessionId), "--bind", sessionBindAddress(sessionId),
                                "--client", client};
  args.insert(args.end(), options_.workerArgs.begin(), options_.workerArgs.end());
  // The session's limits: the server's, or its key's (allowed-clients).
  const auto limits = admission_.limitsFor(who, options_.session);
  args.insert(args.end(), {"--max-objects", std::to_string(limits.maxObjects), "--max-memory",
                           std::to_string(limits.maxMemoryBytes), "--max-message",
                           std::to_string(limits.maxMessageBytes)});
  StartingWorker starting;
  try {
    starting.process = std::make_unique<WorkerProcess>(options_.workerExe, args, client);
  } catch (const std::exception& e) {
    spdlog::error("cannot start a worker for {}{}: {}", client, who.describe(), e.what());
    noteRefused("session could not start");
    return sendError(routing, seq, CL_OUT_OF_RESOURCES, e.what());
  }
  admission_.opened(sessionId, who);
  starting.routing.rebuild(routing.data(), routing.size());
  starting.seq = seq;
  starting.client = client;
  starting.deadline = std::chrono::steady_clock::now() + options_.workerStartTimeout;
  starting_.emplace(sessionId, std::move(starting));
  // The worker may take seconds (a vendor driver initialising on a busy
  // host): a client that can wait is told at once that the server is alive.
  if (takesPending) {
    auto frames = protocol::control::HelloPending{
        .seq = seq, .start_timeout_ms = static_cast<std::uint64_t>(options_.workerStartTimeout.count())}
                      .frames();
    sendTo(routing, frames);
  }
}

void Router::onWorkerReady(std::uint64_t sessionId) {
  auto it = starting_.find(sessionId);
  if (it == starting_.end()) return;
  auto& w = it->second;
  if (!w.process->readReady()) {
    if (auto ended = w.process->ended()) {
      spdlog::error("the worker for {}{} ended before it was ready: {}", w.client, keyPart(admission_.keyOf(sessionId)),
                    *ended);
      sendError(w.routing, w.seq, CL_OUT_OF_RESOURCES, "the session's worker failed to start: " + *ended);
      noteRefused("session could not start");
      starting_.erase(it);
      admission_.closed(sessionId);
    }
    return;
  }
  spdlog::info("session {:016x} started: client {}{}, worker {} at {}", sessionId, w.client,
               keyPart(admission_.keyOf(sessionId)), w.process->pid(), w.process->endpoint());
  replyHello(w.routing, w.seq, w.process->endpoint(), w.process->platformIds());
  workers_.emplace(sessionId, std::move(w.process));
  starting_.erase(it);
}

void Router::onStatus(const zmq::message_t& routing, std::uint64_t seq, protocol::Reader& reader) {
  // [Status] asks version 1; [Status, version] a later one (status.h).
  const std::uint64_t version = protocol::control::Status::decodeBody(reader, seq).version.value_or(1);
  const auto now = std::chrono::steady_clock::now();
  const auto secondsSince = [now](std::chrono::steady_clock::time_point t) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(now - t).count());
  };
  protocol::ServerStatus status;
  status.version = RCL_VERSION;
  status.protocolVersion = protocol::kProtocolVersion;
  status.serverName = serverName_;
  status.uptimeSeconds = secondsSince(started_);
  status.endedSessions = endedSessions_;
  // Each running session: what it holds now and what it moved so far.
  for (const auto& [id, worker] : workers_) {
    const auto& r = worker->report();
    status.sessions.push_back({id, worker->client(), admission_.keyOf(id), secondsSince(worker->started()), r.objects,
                               r.memoryBytes, r.bytesIn, r.bytesOut, r.busyQueues,
                               static_cast<std::uint64_t>(worker->pid())});
  }
  for (const auto& [id, session] : sessions_) {
    const auto& st = session->stats();
    status.sessions.push_back({id, session->client(), admission_.keyOf(id), secondsSince(session->started()),
                               st.objects, st.memoryBytes, st.bytesIn, st.bytesOut, session->busyQueues(), 0});
  }
  status.activeSessions = status.sessions.size() + starting_.size();
  status.draining = admission_.draining();
  status.bytesIn = endedBytesIn_;
  status.bytesOut = endedBytesOut_;
  for (const auto& row : status.sessions) {
    status.bytesIn += row.bytesIn;
    status.bytesOut += row.bytesOut;
  }
  for (const auto& p : platforms_) {
    protocol::PlatformStatus platform{platformName(p.platform), platformString(p.platform, CL_PLATFORM_VERSION), {}};
    for (auto d : p.devices) platform.devices.push_back(deviceName(d));
    status.platforms.push_back(std::move(platform));
  }
  for (const auto& e : recentlyEnded_) {
    status.recentlyEnded.push_back(e.row);
    status.recentlyEnded.back().secondsAgo = secondsSince(e.at);
  }
  status.endedByReason.assign(endedByReason_.begin(), endedByReason_.end());
  status.refusedByReason.assign(refusedByReason_.begin(), refusedByReason_.end());
  if (zap_ && zap_->refused() != 0) status.refusedByReason.emplace_back("CURVE key not allowed", zap_->refused());

  auto frames = protocol::statusReply(status, seq, version).frames();
  sendTo(routing, frames);
}

void Router::sendTo(const zmq::message_t& routing, protocol::Frames& frames) {
  try {
    protocol::sendFrames(socket_, frames, routing.data(), routing.size(), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    spdlog::debug("dropped a message to a client that is gone: {}", e.what());
  }
}

void Router::sendError(const zmq::message_t& routing, std::uint64_t seq, cl_int status, const std::string& message) {
  auto frames = protocol::push::Error{.seq = seq, .status = status, .message = message}.frames();
  sendTo(routing, frames);
}

std::chrono::milliseconds Router::sleepLimit(bool wakeable) const {
  constexpr std::chrono::milliseconds kTick{200};
  if (!wakeable || !sessions_.empty()) return kTick;
  for (const auto& [id, w] : workers_)
    if (w->exitFd() < 0) return kTick;
  std::optional<Clock::time_point> next;
  const auto earliest = [&next](Clock::time_point t) { next = next ? std::min(*next, t) : t; };
  for (const auto& [id, w] : starting_) earliest(w.deadline);
  if (admission_.draining()) earliest(endingDeadline_ ? *endingDeadline_ : drainDeadline_);
  if (!next) return std::chrono::milliseconds(-1);
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

void Router::collectEnded() {
  std::erase_if(sessions_, [this](const auto& entry) {
    if (!entry.second->finished()) return false;
    spdlog::info("session {:016x} ended: client {}{}", entry.first, entry.second->client(),
                 keyPart(admission_.keyOf(entry.first)));
    noteEnded(entry.first, entry.second->client(), 0, entry.second->started(), entry.second->stats().bytesIn,
              entry.second->stats().bytesOut, entry.second->ending());
    admission_.closed(entry.first);
    ++endedSessions_;
    endedBytesIn_ += entry.second->stats().bytesIn;
    endedBytesOut_ += entry.second->stats().bytesOut;
    return true;
  });
  std::erase_if(workers_, [this](const auto& entry) {
    const auto ended = entry.second->ended();
    if (!ended) return false;
    const std::string key = keyPart(admission_.keyOf(entry.first));
    if (*ended != "exited with code 0")
      spdlog::warn("session {:016x}: its worker {} ({}): the client's calls now fail", entry.first,
                   entry.second->pid(), *ended);
    spdlog::info("session {:016x} ended: client {}{}, worker {} gone", entry.first, entry.second->client(), key,
                 entry.second->pid());
    const auto& last = entry.second->report();
    // Its own words on how the session ended; none: it died (or gave up freeing) first.
    SessionEnding ending = entry.second->lastWords() ? *entry.second->lastWords()
                                                     : SessionEnding{"worker failed", "worker " + *ended, last.memoryBytes, {}, 0};
    if (entry.second->lastWords() && *ended != "exited with code 0") ending.detail += "; then its worker " + *ended;
    noteEnded(entry.first, entry.second->client(), static_cast<std::uint64_t>(entry.second->pid()),
              entry.second->started(), last.bytesIn, last.bytesOut, ending);
    admission_.closed(entry.first);
    ++endedSessions_;
    endedBytesIn_ += last.bytesIn;
    endedBytesOut_ += last.bytesOut;
    return true;
  });
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(starting_, [&](auto& entry) {
    if (now < entry.second.deadline) return false;
    spdlog::error("the worker for {}{} did not get ready in time", entry.second.client,
                  keyPart(admission_.keyOf(entry.first)));
    sendError(entry.second.routing, entry.second.seq, CL_OUT_OF_RESOURCES, "the session's worker did not start");
    noteRefused("session could not start");
    admission_.closed(entry.first);
    return true;
  });
}

void Router::noteEnded(std::uint64_t id, const std::string& client, std::uint64_t workerPid,
                       std::chrono::steady_clock::time_point started, std::uint64_t bytesIn, std::uint64_t bytesOut,
                       const SessionEnding& ending) {
  const auto now = Clock::now();
  protocol::EndedSessionStatus row;
  row.id = id;
  row.client = client;
  row.keyName = admission_.keyOf(id);
  row.workerPid = workerPid;
  row.reason = ending.reason.empty() ? "unknown" : ending.reason;
  row.detail = ending.detail.empty() ? row.reason : ending.detail;
  row.durationSeconds = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(now - started).count());
  row.bytesIn = bytesIn;
  row.bytesOut = bytesOut;
  row.memoryBytesFreed = ending.memoryBytesFreed;
  row.freed = ending.freed;
  row.releasesFailed = ending.releasesFailed;
  ++endedByReason_[row.reason];
  recentlyEnded_.push_back({std::move(row), now});
  while (recentlyEnded_.size() > protocol::kEndedHistory) recentlyEnded_.pop_front();
}

void Router::startDraining() {
  admission_.startDraining();
  drainDeadline_ = Clock::now() + options_.drainGrace;
  spdlog::info("draining (SIGTERM): new sessions are refused; {} running session(s) may go on for up to {} s "
               "(another SIGTERM or SIGINT ends them now)",
               workers_.size() + sessions_.size() + starting_.size(),
               std::chrono::duration<double>(options_.drainGrace).count());
}

bool Router::drained() {
  if (workers_.empty() && sessions_.empty() && starting_.empty()) {
    spdlog::info("drained: no session left; stopping");
    return true;
  }
  const auto now = Clock::now();
  if (!endingDeadline_ && now >= drainDeadline_) {
    endingDeadline_ = now + kEndingLimit;
    endSessions("the drain's grace period is over");
  }
  if (endingDeadline_ && now >= *endingDeadline_) {
    spdlog::error("drain: {} session(s) still freeing {} s after they were ended; they are killed",
                  workers_.size() + sessions_.size(), kEndingLimit.count());
    return true;
  }
  return false;
}

void Router::endSessions(const std::string& reason) {
  spdlog::warn("drain: {}; ending {} session(s) as a client death does", reason,
               workers_.size() + sessions_.size() + starting_.size());
  for (auto& [id, worker] : workers_) {
    spdlog::info("session {:016x} ending ({}): client {}{}, worker {}", id, reason, worker->client(),
                 keyPart(admission_.keyOf(id)), worker->pid());
    worker->terminate();  // the worker frees its session, as when its client dies, and exits
  }
  for (auto& [id, session] : sessions_) {
    spdlog::info("session {:016x} ending ({}): client {}{}", id, reason, session->client(),
                 keyPart(admission_.keyOf(id)));
    session->close(reason);
  }
  for (auto& [id, starting] : starting_) {
    sendError(starting.routing, starting.seq, CL_DEVICE_NOT_AVAILABLE, "the server is shutting down");
    admission_.closed(id);
  }
  starting_.clear();  // their workers are killed
}

}  // namespace rcl::server
