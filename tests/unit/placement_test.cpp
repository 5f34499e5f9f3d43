// Placement (icd/include/rcl/icd/transport/placement.h) and the order of SRV targets
// (icd/include/rcl/icd/transport/srv_targets.h), without servers or a name server.
#include <map>
#include <optional>
#include <random>

#include <gtest/gtest.h>

#include "rcl/icd/transport/placement.h"
#include "rcl/icd/transport/srv_targets.h"
#include "rcl/protocol/transport.h"

namespace rcl::icd {
namespace {

ServerLoad load(std::uint64_t busy, std::uint64_t sessions, std::uint64_t memory, bool draining = false) {
  return ServerLoad{busy, sessions, memory, draining};
}

TEST(Placement, ParsesTheTwoNames) {
  EXPECT_EQ(parsePlacement("listed"), Placement::Listed);
  EXPECT_EQ(parsePlacement("least-loaded"), Placement::LeastLoaded);
  EXPECT_EQ(parsePlacement("random"), std::nullopt);
  EXPECT_EQ(parsePlacement(""), std::nullopt);
}

TEST(Placement, BusyQueuesThenSessionsThenMemory) {
  EXPECT_TRUE(lessLoaded(load(0, 9, 9), load(1, 0, 0)));   // busy queues decide first
  EXPECT_TRUE(lessLoaded(load(1, 1, 9), load(1, 2, 0)));   // then sessions
  EXPECT_TRUE(lessLoaded(load(1, 2, 10), load(1, 2, 11)));  // then memory
  EXPECT_FALSE(lessLoaded(load(1, 2, 3), load(1, 2, 3)));
}

TEST(Placement, LeastLoadedFirstEqualsKeepTheirListedOrder) {
  const std::vector<std::optional<ServerLoad>> loads{load(0, 2, 1 << 20), load(0, 1, 1 << 20), load(0, 0, 0),
                                                     load(0, 1, 1 << 20)};
  EXPECT_EQ(orderByLoad(loads), (std::vector<std::size_t>{2, 1, 3, 0}));
}

TEST(Placement, DrainingServersAreLeftOutSilentOnesComeLast) {
  const std::vector<std::optional<ServerLoad>> loads{std::nullopt, load(3, 5, 0), load(0, 0, 0, /*draining=*/true),
                                                     load(1, 0, 0)};
  EXPECT_EQ(orderByLoad(loads), (std::vector<std::size_t>{3, 1, 0}));
}

TEST(SrvTargets, EntriesAndEndpoints) {
  EXPECT_TRUE(isSrvEntry("dns+srv://_remote-cl._tcp.gpus.test"));
  EXPECT_FALSE(isSrvEntry("tcp://gpu:5555"));
  EXPECT_EQ(tcpEndpoint("10.1.2.3", 5555), "tcp://10.1.2.3:5555");
  EXPECT_EQ(tcpEndpoint("fd00::1", 5555), "tcp://[fd00::1]:5555");
  EXPECT_EQ(tcpEndpoint("::1", 7), "tcp://[::1]:7");
}

TEST(SrvTargets, OneAddressPerTargetIpv4First) {
  EXPECT_EQ(preferredAddress({}), std::nullopt);
  EXPECT_EQ(preferredAddress({"::1"}), "::1");  // only an AAAA record
  EXPECT_EQ(preferredAddress({"10.0.0.2"}), "10.0.0.2");
  EXPECT_EQ(preferredAddress({"fd00::2", "10.0.0.2", "10.0.0.3"}), "10.0.0.2");  // both: one server, IPv4
  EXPECT_EQ(preferredAddress({"fd00::2", "fd00::3"}), "fd00::2");  // the resolver's order
}

TEST(SrvTargets, Ipv6EndpointsAskForZmqIpv6) {
  // The client's sockets set ZMQ_IPV6 only for an IPv6 literal: with it, a
  // name such as localhost would resolve to ::1 and miss a server on 127.0.0.1.
  EXPECT_TRUE(protocol::isIpv6Endpoint(tcpEndpoint("::1", 5555)));
  EXPECT_TRUE(protocol::isIpv6Endpoint("tcp://[fd00::1]:*"));
  EXPECT_TRUE(protocol::isIpv6Endpoint("tcp://[::]:5555"));
  EXPECT_FALSE(protocol::isIpv6Endpoint(tcpEndpoint("127.0.0.1", 5555)));
  EXPECT_FALSE(protocol::isIpv6Endpoint("tcp://localhost:5555"));
  EXPECT_FALSE(protocol::isIpv6Endpoint("tcp://*:5555"));
  EXPECT_FALSE(protocol::isIpv6Endpoint("ipc:///tmp/remote-cl"));
}

TEST(SrvTargets, LowerPriorityAlwaysFirst) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 50; ++round) {
    const auto ordered = orderSrvTargets({{"c", 3, 20, 100}, {"a", 1, 10, 1}, {"b", 2, 10, 0}, {"d", 4, 30, 5}}, random);
    ASSERT_EQ(ordered.size(), 4u);
    EXPECT_EQ(ordered[0].priority, 10);
    EXPECT_EQ(ordered[1].priority, 10);
    EXPECT_EQ(ordered[2].host, "c");
    EXPECT_EQ(ordered[3].host, "d");
  }
}

TEST(SrvTargets, WeightsDrawTheOrderWithinAPriority) {
  // Weight 90 against 10: the heavy one comes first about nine times in ten;
  // 2000 draws put that far from chance (the bounds are 10 standard deviations wide).
  std::mt19937_64 random(42);
  std::map<std::string, int> first;
  for (int round = 0; round < 2000; ++round)
    ++first[orderSrvTargets({{"light", 1, 0, 10}, {"heavy", 2, 0, 90}}, random).front().host];
  EXPECT_GT(first["heavy"], 1600);
  EXPECT_LT(first["heavy"], 1990);
  EXPECT_EQ(first["heavy"] + first["light"], 2000);
}

}  // namespace
}  // namespace rcl::icd
