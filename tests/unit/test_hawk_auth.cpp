// SPDX-License-Identifier: LGPL-2.1-or-later
// The Hawk-style Authorization header of the signed REST calls. The expected
// strings were computed with Python's hashlib/hmac/base64 from the rule in
// docs/protocol.md §10, independently of this code.
#include "hawk_auth.h"
#include "test_support.h"

using namespace roborock;

namespace {

Rriot test_rriot() {
  Rriot rriot;
  rriot.u = "user123";
  rriot.s = "secretS";
  rriot.h = "hmacKeyH";
  rriot.k = "notSigned";
  return rriot;
}

// A plain GET: no query and no body end the signed string in "::".
void test_get_without_query() {
  HawkRequest request{"/v3/user/homes/1234", {}, ""};
  ASSERT_STR_EQ(hawk_signed_string(test_rriot(), request, 1700000000, "abcdefgh"),
                "user123:secretS:abcdefgh:1700000000:82814eccdc09e7d85642a60a2098b14a::");
  ASSERT_STR_EQ(hawk_authorization(test_rriot(), request, 1700000000, "abcdefgh"),
                "Hawk id=\"user123\",s=\"secretS\",ts=\"1700000000\",nonce=\"abcdefgh\","
                "mac=\"BWOdV3r+93B9MV0iA0wqJhGnNmA/qiQZNlvCsAzMc+U=\"");
}

// Query pairs are signed in key order, whatever order they were given in.
void test_query_and_body() {
  HawkRequest request{"/user/scene/order", {{"z", "1"}, {"a", "b c"}}, "{\"x\":1}"};
  ASSERT_STR_EQ(hawk_signed_string(test_rriot(), request, 1700000001, "n0nce_-"),
                "user123:secretS:n0nce_-:1700000001:eb46e82372f6e961b34073f56df1411e:"
                "5c10bda639151a470c387607b766cf47:ac3ef48caa08fa3ed5e025da69edc645");
  ASSERT_STR_EQ(hawk_authorization(test_rriot(), request, 1700000001, "n0nce_-"),
                "Hawk id=\"user123\",s=\"secretS\",ts=\"1700000001\",nonce=\"n0nce_-\","
                "mac=\"Ay/LYrF52IUmuvzmKp0MRPaSYdPuXr5ja/oNZssnM3E=\"");
}

// The MAC depends on the HMAC key and on the path.
void test_mac_depends_on_key_and_path() {
  HawkRequest request{"/v3/user/homes/1234", {}, ""};
  Rriot other = test_rriot();
  other.h = "otherKey";
  g_assert_true(hawk_authorization(test_rriot(), request, 1, "n") !=
                hawk_authorization(other, request, 1, "n"));
  HawkRequest other_path{"/v3/user/homes/1235", {}, ""};
  g_assert_true(hawk_authorization(test_rriot(), request, 1, "n") !=
                hawk_authorization(test_rriot(), other_path, 1, "n"));
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/hawk-auth/get-without-query", test_get_without_query);
  g_test_add_func("/hawk-auth/query-and-body", test_query_and_body);
  g_test_add_func("/hawk-auth/mac-depends-on-key-and-path", test_mac_depends_on_key_and_path);
  return g_test_run();
}
