// SPDX-License-Identifier: LGPL-2.1-or-later
// The simulated camera: a webrtcbin answerer streaming a live H.264 picture
// (the room seen from the robot's pose, clock, status overlay) and an Opus
// tone, and receiving talk-back audio, which it decodes and measures.
//
// Thread-safe: the robot calls it from the EventLoop thread; webrtcbin calls
// back from its own threads.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "camera_commands.h"
#include "event_log.h"
#include "payload.h"
#include "room_view.h"

namespace roborock::sim {

struct VideoSize {
  int width;
  int height;
};
VideoSize video_size(VideoQuality quality);

// The robot's audio codec (--audio-codec); talk-back is decoded as negotiated.
enum class AudioCodec { Opus, Pcmu, Pcma };
const char *audio_codec_name(AudioCodec codec); // "OPUS", "PCMU", "PCMA"

struct MediaOptions {
  bool ice_in_answer = false; // also list our candidates in the answer SDP
  int framerate = 15;
  // >= 0: every candidate we give is tagged with this m-line (and its mid),
  // as real robots do whatever transport the candidate belongs to.
  int candidate_mline = -1;
  AudioCodec audio_codec = AudioCodec::Opus;
  unsigned min_port = 0, max_port = 0; // UDP host candidate ports (0: any; then no TCP)
  // Faults, once per process, this many seconds after the first viewer's
  // media connects (-1: never): the robot stops sending media (ICE stays up),
  // or closes its peer connection without a word.
  double stall_after_s = -1;
  double close_after_s = -1;
  // Or: the packets of one video frame never reach the connection (no
  // retransmission brings them back), and the first `ignored_keyframe_requests`
  // keyframe requests after it are lost on the way, as a PLI can be.
  double lose_frame_after_s = -1;
  int ignored_keyframe_requests = 0;
  int keyframe_interval = 30; // frames between periodic keyframes
  // The first viewer's media path fails: its candidates are ignored and ours
  // are announced on a port nothing listens on (ICE fails on both sides).
  bool media_path_fails_once = false;
  bool bad_answer = false; // an answer without its last m-line (webrtcbin refuses it)
  // The answer's video, rewritten: "" as answered; "vp8" (VP8 on the H.264
  // payload type), "vp8-new-pt" (VP8 on a payload type not offered),
  // "rejected" (port 0, out of the BUNDLE group).
  std::string answer_video;
};

class SimMedia {
public:
  SimMedia(EventLog &log, MediaOptions options);
  ~SimMedia();

  // Starts the camera pipeline for a new viewer (replacing any previous one).
  bool start(VideoQuality quality, std::string *error);
  void stop();
  bool running() const;

  // The viewer's offer; the answer is produced asynchronously.
  bool set_offer(const std::string &sdp);
  std::optional<std::string> answer_sdp() const;
  void add_remote_candidate(const IceCandidate &candidate);
  std::vector<IceCandidate> local_candidates() const;

  void set_quality(VideoQuality quality);
  // Robot audio carries frames only while voice chat is on.
  void set_audio_enabled(bool enabled);
  // Talk-back is decoded and measured only while enabled (the default; the
  // robot closes it for voice chat without "play"). Not reset by start().
  void set_talkback_enabled(bool enabled);
  void set_status_text(const std::string &text);
  // Where the camera looks from (the robot's pose, which the picture shows).
  void set_pose(const Pose &pose);
  // Logs talk-back frames and level since the last report (call periodically).
  void report_talkback();

  struct Peer; // one viewer's pipeline

private:
  EventLog &log_;
  MediaOptions options_;
  mutable std::mutex mutex_;
  std::shared_ptr<Peer> peer_;
  std::atomic<bool> audio_enabled_{false};
  std::atomic<bool> talkback_enabled_{true};
  std::string status_text_;
  Pose pose_;
};

} // namespace roborock::sim
