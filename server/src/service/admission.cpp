#include "rcl/server/service/admission.h"

#include <algorithm>

#include <fmt/format.h>

#include "rcl/server/support/security.h"

namespace rcl::server {

Admission::Admission(std::shared_ptr<const Security> security) : security_(std::move(security)) {}

ClientIdentity Admission::identify(const zmq::message_t& frame) const {
  if (!security_ || !security_->curve()) return {};
  // ZAP's User-Id: the ZAP handler answers with the client's key (zap_handler.cpp).
  const char* userId = zmq_msg_gets(frame.handle(), "User-Id");
  if (userId == nullptr) return {};
  const auto* entry = security_->allowedClient(userId);
  if (entry == nullptr) return {};
  return {entry->name, entry};
}

std::optional<Refusal> Admission::check(const ClientIdentity& who) const {
  if (draining_)
    return Refusal{CL_DEVICE_NOT_AVAILABLE,
                   "the server is draining (shutting down): it takes no new sessions; use another server"};
  if (who.entry != nullptr && who.entry->sessions && sessionsOf(who.keyName) >= *who.entry->sessions)
    return Refusal{CL_OUT_OF_RESOURCES,
                   fmt::format("CL_OUT_OF_RESOURCES: the key {} has {} session(s) running, its quota (sessions={})",
                               who.keyName, sessionsOf(who.keyName), *who.entry->sessions)};
  return std::nullopt;
}

SessionOptions Admission::limitsFor(const ClientIdentity& who, const SessionOptions& base) const {
  SessionOptions limits = base;
  if (who.entry == nullptr) return limits;
  if (who.entry->memoryBytes) limits.maxMemoryBytes = static_cast<std::size_t>(*who.entry->memoryBytes);
  if (who.entry->objects) limits.maxObjects = static_cast<std::size_t>(*who.entry->objects);
  return limits;
}

void Admission::opened(std::uint64_t session, const ClientIdentity& who) { keyOf_[session] = who.keyName; }

void Admission::closed(std::uint64_t session) { keyOf_.erase(session); }

std::string Admission::keyOf(std::uint64_t session) const {
  const auto it = keyOf_.find(session);
  return it != keyOf_.end() ? it->second : std::string();
}

std::size_t Admission::sessionsOf(const std::string& keyName) const {
  return static_cast<std::size_t>(
      std::count_if(keyOf_.begin(), keyOf_.end(), [&](const auto& entry) { return entry.second == keyName; }));
}

}  // namespace rcl::server
