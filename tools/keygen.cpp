// remote-cl-keygen: makes a CURVE key pair for a remote-cl server or client.
//   remote-cl-keygen [-o NAME] [--force]
// writes NAME.key, the secret key (mode 0600: only its owner may read it), and
// NAME.pub, the public key, and prints the public key. The server takes its
// NAME.key as --curve-secret-key-file and a list of its clients' public keys
// as --allowed-clients; a client takes its own NAME.key as
// REMOTE_CL_CURVE_SECRET_KEY_FILE and the server's public key as
// REMOTE_CL_CURVE_SERVER_KEY (or REMOTE_CL_CURVE_SERVER_KEY_FILE).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "rcl/protocol/curve.h"

namespace {

// Writes `text` to a new file of mode `mode` (exactly, whatever the umask).
void writeNewFile(const std::string& path, const std::string& text, mode_t mode, bool force) {
  if (force && ::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw std::runtime_error("cannot replace " + path + ": " + std::strerror(errno));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    const std::string why = errno == EEXIST ? "it exists (--force replaces it)" : std::strerror(errno);
    throw std::runtime_error("cannot write " + path + ": " + why);
  }
  const bool ok = ::fchmod(fd, mode) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int error = errno;
  if (::close(fd) != 0 || !ok) throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"remote-cl-keygen: makes a CURVE key pair (NAME.key secret, NAME.pub public) for remote-cl"};
  std::string name = "remote-cl";
  bool force = false;
  app.add_option("-o,--output", name, "the files' name, without .key and .pub")->capture_default_str();
  app.add_flag("-f,--force", force, "replace existing files");
  CLI11_PARSE(app, argc, argv);
  try {
    if (!rcl::protocol::curveAvailable()) throw std::runtime_error("this libzmq was built without CURVE (libsodium)");
    for (const std::string& path : {name + ".key", name + ".pub"})
      if (!force && ::access(path.c_str(), F_OK) == 0)
        throw std::runtime_error(path + " exists (--force replaces it)");
    const auto keys = rcl::protocol::newCurveKeyPair();
    writeNewFile(name + ".key", "# remote-cl CURVE secret key: keep it to yourself\n" + keys.secretKey + "\n", 0600,
                 force);
    writeNewFile(name + ".pub", "# remote-cl CURVE public key\n" + keys.publicKey + "\n", 0644, force);
    std::printf("%s\n", keys.publicKey.c_str());
    std::fprintf(stderr, "remote-cl-keygen: secret key in %s.key (mode 0600), public key in %s.pub\n", name.c_str(),
                 name.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "remote-cl-keygen: %s\n", e.what());
    return 1;
  }
  return 0;
}
