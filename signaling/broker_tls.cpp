// SPDX-License-Identifier: LGPL-2.1-or-later
#include "broker_tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

namespace roborock {
namespace {

bool is_ip_address(const std::string &host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

std::string ip_text(const ASN1_OCTET_STRING *ip) {
  char text[INET6_ADDRSTRLEN] = "?";
  int length = ASN1_STRING_length(ip);
  const unsigned char *bytes = ASN1_STRING_get0_data(ip);
  if (length == 4)
    inet_ntop(AF_INET, bytes, text, sizeof text);
  else if (length == 16)
    inet_ntop(AF_INET6, bytes, text, sizeof text);
  return text;
}

// "CN=broker, DNS:a.example, IP:10.0.0.1": who the certificate says it is.
std::string certificate_names(X509 *cert) {
  std::string names;
  char common_name[256] = "";
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, common_name,
                                sizeof common_name) > 0)
    names = std::string("CN=") + common_name;
  auto *alt =
      static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; alt && i < sk_GENERAL_NAME_num(alt); i++) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(alt, i);
    std::string entry;
    if (name->type == GEN_DNS)
      entry = "DNS:" +
              std::string(reinterpret_cast<const char *>(ASN1_STRING_get0_data(name->d.dNSName)),
                          size_t(ASN1_STRING_length(name->d.dNSName)));
    else if (name->type == GEN_IPADD)
      entry = "IP:" + ip_text(name->d.iPAddress);
    if (!entry.empty())
      names += (names.empty() ? "" : ", ") + entry;
  }
  GENERAL_NAMES_free(alt);
  return names.empty() ? "without a name" : names;
}

std::string describe_refusal(X509 *cert, int error, const std::string &host) {
  std::string who = "the broker's certificate (" + (cert ? certificate_names(cert) : "none") + ")";
  switch (error) {
  case X509_V_ERR_HOSTNAME_MISMATCH:
  case X509_V_ERR_IP_ADDRESS_MISMATCH:
    return who + " does not name " + host + ", the host in the broker URL";
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
  case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
  case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    return who + " is not signed by a trusted CA (" + X509_verify_cert_error_string(error) +
           "); give the broker's CA with tls-ca-file";
  case X509_V_ERR_CERT_HAS_EXPIRED:
  case X509_V_ERR_CERT_NOT_YET_VALID:
    return who + " is outside its validity period (" + X509_verify_cert_error_string(error) +
           "); check the clock";
  default:
    return who + " was refused: " + X509_verify_cert_error_string(error);
  }
}

} // namespace

SSL_CTX *BrokerTls::make_context(const std::string &ca_file, std::string *error) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    *error = "OpenSSL cannot create a TLS context";
    return nullptr;
  }
  int loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                               : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (loaded != 1) {
    unsigned long code = ERR_get_error();
    char reason[256] = "";
    ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    *error = ca_file.empty() ? std::string("cannot load the system's CA certificates: ") + reason
                             : "cannot use the CA file \"" + ca_file + "\": " + reason;
    SSL_CTX_free(ctx);
    return nullptr;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, verify, this);
  return ctx;
}

std::string BrokerTls::refusal() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return refusal_;
}

// Replaces OpenSSL's own chain verification by the same call with the host
// name (or address) added to its checks, and keeps the reason of a refusal.
int BrokerTls::verify(X509_STORE_CTX *store, void *data) {
  auto *self = static_cast<BrokerTls *>(data);
  X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(store);
  if (is_ip_address(self->host_))
    X509_VERIFY_PARAM_set1_ip_asc(param, self->host_.c_str());
  else
    X509_VERIFY_PARAM_set1_host(param, self->host_.c_str(), 0);
  int ok = X509_verify_cert(store);
  std::lock_guard<std::mutex> lock(self->mutex_);
  self->refusal_ = ok == 1 ? ""
                           : describe_refusal(X509_STORE_CTX_get0_cert(store),
                                              X509_STORE_CTX_get_error(store), self->host_);
  return ok == 1 ? 1 : 0;
}

} // namespace roborock
