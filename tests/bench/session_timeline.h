// SPDX-License-Identifier: LGPL-2.1-or-later
// Where a session's time goes, for the first-frame benchmark: what the
// element and its signaling library log (MQTT states, each RPC sent and
// answered, the offer, the answer), what webrtcbin signals (ICE and peer
// connection states, its first src pad: the first RTP packet), the first
// depayloaded keyframe and the first decoded frame, each in ms after PLAYING.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <gst/gst.h>

namespace roborock::bench {

class SessionTimeline {
public:
  struct Mark {
    double ms;
    std::string what;
  };

  // Records from now on (the start of the run is `start_us`, monotonic).
  void begin(gint64 start_us);
  void end();
  // Follows webrtcbin and the depayloader as `pipeline` builds them.
  void watch(GstElement *pipeline);
  void mark(const std::string &what);
  std::vector<Mark> marks() const;
  // The first mark whose text starts with `prefix`, or -1.
  double first(const std::string &prefix) const;

private:
  static void on_log(GstDebugCategory *category, GstDebugLevel level, const gchar *file,
                     const gchar *function, gint line, GObject *object, GstDebugMessage *message,
                     gpointer self);
  static void on_element_added(GstBin *, GstBin *, GstElement *element, gpointer self);

  mutable std::mutex mutex_;
  gint64 start_us_ = 0;
  bool recording_ = false;
  std::vector<Mark> marks_;
};

} // namespace roborock::bench
