#pragma once
// The independent checker (checker/, relucert-verify's code) called from a test: a network as the
// checker reads it, and its answer to a certificate as text.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "checker/checker.hpp"
#include "core/network.hpp"
#include "support/random_nets.hpp"

namespace relucert::testing {

// The net written exactly and read back by the checker's own loader; `tag` names the temporary
// folder (one per test program, so parallel CTest runs do not share files).
inline rcv::Net checker_net(const Network& net, const std::string& tag) {
  const auto dir = std::filesystem::temp_directory_path() / ("relucert_" + tag);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / ("net_" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(path) << network_to_json(net);
  return rcv::load_net(path);
}

// "" when the checker accepts, else its reason.
inline std::string checker_says(const rcv::Net& net, const std::string& cert) {
  try {
    (void)rcv::check_certificate(net, cert, "cert");
    return "";
  } catch (const rcv::Rejected& r) {
    return "rejected: " + r.why;
  } catch (const rcv::Malformed& m) {
    return "malformed: line " + std::to_string(m.line) + ": " + m.what;
  }
}

}  // namespace relucert::testing
