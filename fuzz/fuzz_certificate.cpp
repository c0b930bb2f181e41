// libFuzzer target: relucert-verify's own parsers (checker/json.cpp, checker/numbers.cpp,
// checker/certificate.cpp, checker/witness.cpp). The input is checked as a certificate and as
// a witness file against a fixed 2-input net (tests/fixtures/certificates/nets/ex2d.json);
// it must end in a verdict, Rejected or Malformed, never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "checker/checker.hpp"

namespace {
const rcv::Net& net() {
  static const rcv::Net n = rcv::load_net(RELUCERT_FUZZ_CERT_NET);
  return n;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)rcv::check_certificate(net(), text, "fuzz.cert");
  } catch (const rcv::Rejected&) {
  } catch (const rcv::Malformed&) {
  }
  try {
    (void)rcv::check_witness(net(), text, "fuzz.witness");
  } catch (const rcv::Rejected&) {
  } catch (const rcv::Malformed&) {
  }
  return 0;
}
