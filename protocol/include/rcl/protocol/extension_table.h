// The extensions a remote platform or device may list, and their entry
// points: codegen/opencl_calls.toml's [extensions] table, generated into
// extension_table.cpp. One table decides what the server masks
// (server/src/calls/info_filters.cpp), what the client's
// clGetExtensionFunctionAddress[ForPlatform] answers, and what the tests look
// up (tests/integration/extensions_test.cpp).
#pragma once

#include <span>
#include <string_view>

#include <CL/cl.h>

namespace rcl::protocol {

enum class ExtensionStatus {
  Forwarded,      // listed as the real platform lists it; every entry point works remotely
  Masked,         // removed from every list of extensions; its queries are refused
  NoEntryPoints,  // kernel language or information only: listed as it is
};

struct ExtensionRow {
  const char* name;
  ExtensionStatus status;
  std::span<const char* const> functions;
  std::span<const cl_uint> queries;  // device information that belongs to the extension
  const char* why;                   // why it is masked
};

std::span<const ExtensionRow> extensionTable();

// The row of `name`, or nullptr: a name no row knows may have entry points.
const ExtensionRow* findExtension(std::string_view name);

// Whether a remote platform or device may list `name`: forwarded, or without
// entry points. Unknown names are not (they may have entry points remote-cl
// cannot forward).
bool remoteListsExtension(std::string_view name);

// Whether `param` (device information) belongs to a masked extension.
bool isMaskedExtensionQuery(cl_uint param);

}  // namespace rcl::protocol
