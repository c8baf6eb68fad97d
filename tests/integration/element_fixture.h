// SPDX-License-Identifier: LGPL-2.1-or-later
// What the element tests share: the element's properties for the testbed's
// robot, streaming until frames arrive, and error assertions.
#pragma once

#include <cstring>
#include <string>

#include <gst/gst.h>

#include "pipeline_probe.h"
#include "testbed.h"

namespace roborock::test {

using testbed::TestAccount;
using testbed::Testbed;

// The element's properties for the testbed's robot, as gst-launch syntax.
inline std::string source(const Testbed &testbed, const std::string &extra = "") {
  const TestAccount &a = testbed.account();
  return "roborocksrc name=src mqtt-url=" + testbed.broker_url() +
         " tls-ca-file=" + testbed.ca_file() + " rriot-u=" + a.u + " rriot-s=" + a.s +
         " rriot-k=" + a.k + " duid=" + a.duid + " local-key=" + a.local_key +
         " password=" + a.pattern + " client-id=element-test timeout=3 " + extra;
}

inline void attach(PadProbe &probe, Pipeline &pipeline, const char *element) {
  GstPad *pad = gst_element_get_static_pad(pipeline.element(element), "sink");
  probe.attach(pad);
  gst_object_unref(pad);
}

inline void assert_no_errors(Pipeline &pipeline) {
  auto errors = pipeline.errors();
  if (!errors.empty())
    g_error("unexpected error: %s", parse_error(errors.front()).text.c_str());
}

inline void wait_buffers(Pipeline &pipeline, PadProbe &probe, int count,
                         unsigned timeout_ms = 20000) {
  if (!pipeline.wait_until([&] { return probe.buffers() >= count || !pipeline.errors().empty(); },
                           timeout_ms) ||
      probe.buffers() < count) {
    auto errors = pipeline.errors();
    g_error("%d of %d buffers; %s", probe.buffers(), count,
            errors.empty() ? "no error" : parse_error(errors.front()).text.c_str());
  }
}

// "<source extra> <tail>" playing until `frames` frames reached the sink named
// "out". Members in this order: the probe goes before the pipeline.
struct Streaming {
  Pipeline pipeline;
  PadProbe video;

  Streaming(const Testbed &testbed, const std::string &extra, const std::string &tail, int frames)
      : pipeline(source(testbed, extra) + tail) {
    attach(video, pipeline, "out");
    pipeline.set_state(GST_STATE_PLAYING);
    wait_buffers(pipeline, video, frames);
  }
  GstElement *src() const { return pipeline.element("src"); }
};

inline void assert_error(Pipeline &pipeline, GQuark domain, gint code, const char *text_contains,
                         unsigned timeout_ms = 8000) {
  GstMessage *message = pipeline.wait_error(timeout_ms);
  if (!message)
    g_error("no error within %u ms", timeout_ms);
  ErrorInfo error = parse_error(message);
  g_test_message("error: %s", error.text.c_str());
  if (error.domain != domain || error.code != code)
    g_error("error %s/%d \"%s\", expected %s/%d", g_quark_to_string(error.domain), error.code,
            error.text.c_str(), g_quark_to_string(domain), code);
  if (!strstr(error.text.c_str(), text_contains))
    g_error("error text \"%s\" lacks \"%s\"", error.text.c_str(), text_contains);
  g_assert_cmpstr(error.source.c_str(), ==, "src");
}

} // namespace roborock::test
