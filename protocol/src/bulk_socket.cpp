#include "rcl/protocol/bulk_socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rcl::protocol::bulk {

namespace {
// The addresses of host:port (numeric or a name), TCP only; nullptr on failure.
addrinfo* resolve(const std::string& host, std::uint16_t port, bool passive, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host == "*" ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    error = std::string("cannot resolve ") + host + ": " + ::gai_strerror(rc);
    return nullptr;
  }
  return found;
}

}  // namespace

bool plausible(const Header& header, std::uint64_t maxTotal) {
  return header.total <= maxTotal && header.length > 0 && header.offset <= header.total &&
         header.length <= header.total - header.offset;
}

std::vector<Piece> piecesOf(std::size_t total, unsigned lanes, std::size_t leastBytes) {
  constexpr std::size_t kPage = 4096;
  const std::size_t most = std::max<std::size_t>(1, total / std::max<std::size_t>(leastBytes, 1));
  const std::size_t count = std::clamp<std::size_t>(lanes, 1, most);
  // Rounded up twice (to the count, then to pages): never more pieces than `count`.
  const std::size_t each = ((total + count - 1) / count + kPage - 1) / kPage * kPage;
  std::vector<Piece> pieces;
  for (std::size_t at = 0; at < total; at += each) pieces.push_back({at, std::min(each, total - at)});
  return pieces;
}

void tuneForBulk(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool sendAll(int fd, const void* data, std::size_t size, bool more) {
  const auto* p = static_cast<const unsigned char*>(data);
  while (size > 0) {
    const ssize_t n = ::send(fd, p, size, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool recvAll(int fd, void* data, std::size_t size) {
  auto* p = static_cast<unsigned char*>(data);
  while (size > 0) {
    const ssize_t n = ::recv(fd, p, size, MSG_WAITALL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

UniqueFd listenOn(const std::string& host, std::uint16_t& port, std::string& error) {
  addrinfo* found = resolve(host, port, true, error);
  if (found == nullptr) return UniqueFd();
  UniqueFd fd;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    UniqueFd s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!s) continue;
    const int one = 1;
    ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(s.get(), a->ai_addr, a->ai_addrlen) == 0 && ::listen(s.get(), 4) == 0) {
      fd = std::move(s);
      break;
    }
    error = std::string("cannot listen on ") + host + ": " + std::strerror(errno);
  }
  ::freeaddrinfo(found);
  if (!fd) return fd;
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &length);
  port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return fd;
}

UniqueFd connectTo(const std::string& host, std::uint16_t port, int timeoutMs, std::string& error) {
  addrinfo* found = resolve(host, port, false, error);
  if (found == nullptr) return UniqueFd();
  UniqueFd fd;
  for (addrinfo* a = found; a != nullptr && !fd; a = a->ai_next) {
    UniqueFd s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
    if (!s) continue;
    int rc = ::connect(s.get(), a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{s.get(), POLLOUT, 0};
      int soError = 0;
      socklen_t len = sizeof soError;
      if (::poll(&p, 1, timeoutMs) == 1 && ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &soError, &len) == 0 &&
          soError == 0)
        rc = 0;
      else
        errno = soError != 0 ? soError : ETIMEDOUT;
    }
    if (rc == 0) {
      const int flags = ::fcntl(s.get(), F_GETFL);
      ::fcntl(s.get(), F_SETFL, flags & ~O_NONBLOCK);
      tuneForBulk(s.get());
      fd = std::move(s);
    } else {
      error = std::string("cannot connect to ") + host + ":" + std::to_string(port) + ": " + std::strerror(errno);
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

void setReceiveTimeout(int fd, int timeoutMs) {
  timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void setSendTimeout(int fd, int timeoutMs) {
  timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string tcpHost(const std::string& endpoint) {
  constexpr std::string_view kTcp = "tcp://";
  if (endpoint.rfind(kTcp, 0) != 0) return {};
  std::string rest = endpoint.substr(kTcp.size());
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) return {};
  rest.resize(colon);
  if (const auto semicolon = rest.find(';'); semicolon != std::string::npos) rest = rest.substr(semicolon + 1);
  if (rest.size() >= 2 && rest.front() == '[' && rest.back() == ']') rest = rest.substr(1, rest.size() - 2);
  return rest;
}

}  // namespace rcl::protocol::bulk
