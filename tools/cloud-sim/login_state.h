// SPDX-License-Identifier: LGPL-2.1-or-later
// What the simulated cloud remembers between the calls of a login: whether a
// code was sent (a code is good only after that, and once), how many were
// sent in the last minute (the rate limit), and the x-mercy key pairs that
// key/sign handed out (the v4 login needs one).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace roborock::cloud {

class LoginState {
public:
  static constexpr size_t kSendsPerMinute = 3;

  // False when kSendsPerMinute codes went out in the last 60 s (`now_us`:
  // monotonic); otherwise the code counts as sent.
  bool send_code(int64_t now_us);
  bool code_outstanding() const { return code_outstanding_; }
  // A successful login uses the code up.
  void use_code() { code_outstanding_ = false; }

  // A new x-mercy-k for the client's x-mercy-ks (the last few are kept).
  std::string sign_key(const std::string &ks);
  bool key_pair_issued(const std::string &ks, const std::string &k) const;

private:
  bool code_outstanding_ = false;
  std::deque<int64_t> sends_us_;
  std::map<std::string, std::string> keys_; // ks -> k
  std::deque<std::string> key_order_;
};

} // namespace roborock::cloud
