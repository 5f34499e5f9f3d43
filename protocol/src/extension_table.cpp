#include "rcl/protocol/extension_table.h"

#include <algorithm>

namespace rcl::protocol {

const ExtensionRow* findExtension(std::string_view name) {
  for (const ExtensionRow& row : extensionTable())
    if (name == row.name) return &row;
  return nullptr;
}

bool remoteListsExtension(std::string_view name) {
  const ExtensionRow* row = findExtension(name);
  return row != nullptr && row->status != ExtensionStatus::Masked;
}

bool isMaskedExtensionQuery(cl_uint param) {
  for (const ExtensionRow& row : extensionTable())
    if (row.status == ExtensionStatus::Masked && std::ranges::find(row.queries, param) != row.queries.end())
      return true;
  return false;
}

}  // namespace rcl::protocol
