// SPDX-License-Identifier: LGPL-2.1-or-later
// The TLS context of a broker connection: the peer's chain verified against
// the CA file (or the system store) and its name checked against the host we
// dialled, both inside one OpenSSL verification, so that a refusal can say
// which certificate was refused and why ("names DNS:other.example, not
// 10.203.0.1") instead of OpenSSL's "certificate verify failed".
#pragma once

#include <memory>
#include <mutex>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct x509_store_ctx_st X509_STORE_CTX;

namespace roborock {

class BrokerTls {
public:
  explicit BrokerTls(std::string host) : host_(std::move(host)) {}

  // A new context (the caller owns one reference), or nullptr with *error set
  // (an unreadable CA file). An empty ca_file means the system store.
  SSL_CTX *make_context(const std::string &ca_file, std::string *error);

  // Why the last handshake refused the broker's certificate ("" if it did not).
  std::string refusal() const;

private:
  static int verify(X509_STORE_CTX *store, void *self);

  const std::string host_;
  mutable std::mutex mutex_; // verification runs on whichever thread drives the handshake
  std::string refusal_;
};

} // namespace roborock
