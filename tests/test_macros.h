// SPDX-License-Identifier: LGPL-2.1-or-later
// Assertion helpers shared by the unit and integration tests.
#pragma once

#include <string>

#include <glib.h>

// g_assert_cmpstr keeps raw pointers: comparing strings owned by temporaries
// would read freed memory. This holds both sides as strings first.
#define ASSERT_STR_EQ(actual, expected)                                                            \
  do {                                                                                             \
    const std::string assert_actual_ = (actual);                                                   \
    const std::string assert_expected_ = (expected);                                               \
    g_assert_cmpstr(assert_actual_.c_str(), ==, assert_expected_.c_str());                         \
  } while (0)
