// SPDX-License-Identifier: LGPL-2.1-or-later
#include "login_state.h"

#include <glib.h>

namespace roborock::cloud {
namespace {

constexpr int64_t kMinuteUs = 60 * G_USEC_PER_SEC;
constexpr size_t kKeysKept = 32; // a client retrying is fine; a flood does not grow memory

std::string random_alphanumerics(size_t length) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (size_t i = 0; i < length; i++)
    out += alphabet[g_random_int_range(0, sizeof alphabet - 1)];
  return out;
}

} // namespace

bool LoginState::send_code(int64_t now_us) {
  while (!sends_us_.empty() && now_us - sends_us_.front() >= kMinuteUs)
    sends_us_.pop_front();
  if (sends_us_.size() >= kSendsPerMinute)
    return false;
  sends_us_.push_back(now_us);
  code_outstanding_ = true;
  return true;
}

std::string LoginState::sign_key(const std::string &ks) {
  std::string k = random_alphanumerics(32);
  if (keys_.count(ks) == 0)
    key_order_.push_back(ks);
  keys_[ks] = k;
  while (key_order_.size() > kKeysKept) {
    keys_.erase(key_order_.front());
    key_order_.pop_front();
  }
  return k;
}

bool LoginState::key_pair_issued(const std::string &ks, const std::string &k) const {
  auto it = keys_.find(ks);
  return it != keys_.end() && it->second == k;
}

} // namespace roborock::cloud
