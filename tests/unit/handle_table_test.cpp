#include <gtest/gtest.h>

#include "rcl/protocol/message.h"
#include "rcl/server/session/handle_table.h"

namespace rcl::server {
namespace {

cl_mem fakeMem(std::uintptr_t n) { return reinterpret_cast<cl_mem>(n); }

TEST(HandleTable, ChecksExistenceAndType) {
  HandleTable table;
  table.add(1, ObjectKind::Mem, fakeMem(0x1000));
  EXPECT_EQ(table.get<cl_mem>(1), fakeMem(0x1000));
  try {
    table.get<cl_kernel>(1);
    FAIL() << "a memory object's id must not pass as a kernel";
  } catch (const CallError& e) {
    EXPECT_EQ(e.status(), CL_INVALID_KERNEL);
  }
  try {
    table.get<cl_mem>(2);
    FAIL() << "an unknown id must be refused";
  } catch (const CallError& e) {
    EXPECT_EQ(e.status(), CL_INVALID_MEM_OBJECT);
  }
}

TEST(HandleTable, RefusesTakenAndServerRangeIds) {
  HandleTable table;
  table.add(1, ObjectKind::Mem, fakeMem(0x1000));
  EXPECT_THROW(table.add(1, ObjectKind::Mem, fakeMem(0x2000)), CallError);
  EXPECT_THROW(table.add(protocol::kServerIdBit | 1, ObjectKind::Mem, fakeMem(0x3000)), CallError);
}

TEST(HandleTable, EntryGoesWhenTheClientsLastReferenceGoes) {
  HandleTable table;
  table.add(7, ObjectKind::Mem, fakeMem(0x1000));
  table.retained(7);
  table.released(7);
  EXPECT_EQ(table.size(), 1u);
  table.released(7);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.idOf(fakeMem(0x1000)), 0u);
}

TEST(HandleTable, PinnedEntriesStay) {
  HandleTable table;
  const auto id = table.idOrAdopt(reinterpret_cast<void*>(0x10), ObjectKind::Device);
  table.pinAll();
  table.released(id);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_NE(id & protocol::kServerIdBit, 0u);
}

}  // namespace
}  // namespace rcl::server
