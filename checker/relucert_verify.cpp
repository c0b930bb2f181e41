// relucert-verify NET.json CERT|WITNESS: the independent checker of docs/certificate.md.
// Exit 0 VERIFIED, 1 NOT VERIFIED, 2 malformed input (network, certificate or witness).
#include <exception>
#include <iostream>
#include <new>

#include "checker.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: relucert-verify NET.json CERTIFICATE|WITNESS.json\n"
                 "  prints VERIFIED (exit 0) or NOT VERIFIED: REASON (exit 1); malformed input: exit 2\n";
    return 2;
  }
  try {
    const rcv::Net net = rcv::load_net(argv[1]);
    const std::string text = rcv::read_file(argv[2]);
    std::size_t i = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    const bool witness = i < text.size() && text[i] == '{';
    const std::string claim = witness ? rcv::check_witness(net, text, argv[2]) : rcv::check_certificate(net, text, argv[2]);
    std::cout << "VERIFIED\n" << claim << "\n";
    return 0;
  } catch (const rcv::Rejected& r) {
    std::cout << "NOT VERIFIED: " << r.why << "\n";
    return 1;
  } catch (const rcv::Malformed& m) {
    // The message may quote the input: a hostile 10^6-character token is shown cut.
    const std::string what = m.what.size() > 1000 ? m.what.substr(0, 980) + "... [" + std::to_string(m.what.size()) + " characters]" : m.what;
    std::cerr << "relucert-verify: error: " << m.file << (m.line ? ":" + std::to_string(m.line) : std::string()) << ": " << what << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cout << "NOT VERIFIED: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cout << "NOT VERIFIED: internal error: " << e.what() << "\n";
    return 1;
  }
}
