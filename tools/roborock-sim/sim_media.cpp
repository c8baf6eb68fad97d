// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sim_media.h"

#include <cmath>

#include <gst/rtp/gstrtpbuffer.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

namespace roborock::sim {

VideoSize video_size(VideoQuality quality) {
  return quality == VideoQuality::HD ? VideoSize{1280, 720} : VideoSize{640, 360};
}

const char *audio_codec_name(AudioCodec codec) {
  switch (codec) {
  case AudioCodec::Pcmu:
    return "PCMU";
  case AudioCodec::Pcma:
    return "PCMA";
  case AudioCodec::Opus:
    break;
  }
  return "OPUS";
}

namespace {

// How the robot's tone becomes RTP in each codec, and the codec preference of
// the audio transceiver.
struct AudioBranch {
  const char *source;     // audiotestsrc's buffer size (20 ms) and raw caps
  const char *encoder;    // ending in the payloader "apay"
  const char *rtp_caps;   // what reaches webrtcbin
  const char *preference; // the transceiver's codec-preferences
};

const AudioBranch &audio_branch(AudioCodec codec) {
  static const AudioBranch opus{
      // One microphone: mono, so sprop-stereo=0 like the viewer's talk-back
      // (webrtcbin 1.22 pairs a sendrecv m-line with our transceiver only
      // when the sprop-stereo values agree; otherwise it answers recvonly).
      "samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=1",
      "opusenc bitrate=64000 ! rtpopuspay name=apay pt=111",
      "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000",
      "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=111"};
  static const AudioBranch pcmu{
      "samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1",
      "mulawenc ! rtppcmupay name=apay pt=0",
      "application/x-rtp,media=audio,encoding-name=PCMU,payload=0,clock-rate=8000",
      "application/x-rtp,media=audio,encoding-name=PCMU,clock-rate=8000,payload=0"};
  static const AudioBranch pcma{
      "samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1",
      "alawenc ! rtppcmapay name=apay pt=8",
      "application/x-rtp,media=audio,encoding-name=PCMA,payload=8,clock-rate=8000",
      "application/x-rtp,media=audio,encoding-name=PCMA,clock-rate=8000,payload=8"};
  return codec == AudioCodec::Pcmu ? pcmu : codec == AudioCodec::Pcma ? pcma : opus;
}

// The depayloader and decoder ("tbdec") for what the viewer sends on `pad`:
// Opus unless the negotiated caps say G.711.
std::string talkback_decoder(GstPad *pad) {
  GstCaps *caps = gst_pad_get_current_caps(pad);
  if (!caps)
    caps = gst_pad_query_caps(pad, nullptr);
  std::string encoding;
  if (caps && !gst_caps_is_any(caps) && !gst_caps_is_empty(caps)) {
    const char *name = gst_structure_get_string(gst_caps_get_structure(caps, 0), "encoding-name");
    encoding = name ? name : "";
  }
  if (caps)
    gst_caps_unref(caps);
  if (g_ascii_strcasecmp(encoding.c_str(), "PCMU") == 0)
    return "rtppcmudepay ! mulawdec name=tbdec";
  if (g_ascii_strcasecmp(encoding.c_str(), "PCMA") == 0)
    return "rtppcmadepay ! alawdec name=tbdec";
  return "rtpopusdepay ! opusdec name=tbdec";
}

// I420: the room view is drawn in it, and x264enc takes it as it is.
std::string raw_video_caps(VideoQuality quality, int framerate) {
  VideoSize size = video_size(quality);
  return "video/x-raw,format=I420,width=" + std::to_string(size.width) +
         ",height=" + std::to_string(size.height) + ",framerate=" + std::to_string(framerate) +
         "/1";
}

// Sends an upstream force-key-unit event into the encoder, so a viewer that
// just connected gets a picture without waiting for the next periodic IDR.
void request_keyframe(GstElement *encoder) {
  GstPad *pad = gst_element_get_static_pad(encoder, "src");
  gst_pad_send_event(pad,
                     gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  gst_object_unref(pad);
}

std::string rewrite_answer_video(const std::string &sdp, const std::string &how);

// A mapped I420 frame, as the room view draws into it.
I420Image i420_image(GstVideoFrame &frame) {
  I420Image image;
  image.width = GST_VIDEO_FRAME_WIDTH(&frame);
  image.height = GST_VIDEO_FRAME_HEIGHT(&frame);
  for (int plane = 0; plane < 3; plane++) {
    image.planes[plane] = static_cast<uint8_t *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, plane));
    image.strides[plane] = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, plane);
  }
  return image;
}

} // namespace

// One viewer's pipeline. Callbacks from GStreamer threads reach it through a
// weak reference (promises) or are disconnected before it is destroyed.
struct SimMedia::Peer : std::enable_shared_from_this<SimMedia::Peer> {
  EventLog &log;
  MediaOptions options;
  std::atomic<bool> *audio_enabled;
  std::atomic<bool> *talkback_enabled;
  GstElement *pipeline = nullptr;
  GstElement *webrtc = nullptr;
  GstElement *video_caps = nullptr;
  GstElement *encoder = nullptr;
  GstElement *overlay = nullptr;

  // The picture: the streaming thread draws the room seen from `pose`,
  // which the robot sets from its own thread.
  std::mutex pose_mutex;
  Pose pose;
  RoomViewCache room_view;   // streaming thread only
  GstVideoInfo video_info{}; // streaming thread only: the negotiated caps
  bool video_info_valid = false;

  mutable std::mutex mutex;
  std::optional<std::string> answer;
  bool gathering_done = false;
  std::string answer_text; // set once created, published per ice_in_answer
  std::vector<IceCandidate> candidates;
  std::vector<std::string> mids;

  // Talk-back measurement.
  std::atomic<uint64_t> talkback_frames{0};
  std::atomic<bool> talkback_ignored{false}; // logged once per viewer
  double window_sum_squares = 0;
  uint64_t window_samples = 0;
  double window_peak = 0;
  bool stopped = false;
  std::atomic<bool> stalled{false}; // --stall-after: media dropped at webrtcbin's sink pads
  // --lose-frame-after: the RTP timestamp of the frame being dropped, while
  // one is; then the keyframe requests still to be ignored.
  std::atomic<bool> losing_frame{false};
  std::optional<uint32_t> lost_frame_timestamp; // video streaming thread only
  std::atomic<int> requests_to_ignore{0};
  bool unreachable = false; // --media-path-fails-once, this viewer
  // Frames encoded for every viewer of the process (a viewer's restart does
  // not reset it, so loss figures span restarts).
  static std::atomic<uint64_t> &video_frames_sent() {
    static std::atomic<uint64_t> sent{0};
    return sent;
  }
  // Of those, keyframes; and the keyframe requests (PLI, as webrtcbin turns
  // them into force-key-unit events) that reached the encoder.
  static std::atomic<uint64_t> &keyframes_sent() {
    static std::atomic<uint64_t> sent{0};
    return sent;
  }
  static std::atomic<uint64_t> &keyframe_requests() {
    static std::atomic<uint64_t> requests{0};
    return requests;
  }

  Peer(EventLog &log, MediaOptions options, std::atomic<bool> *audio_enabled,
       std::atomic<bool> *talkback_enabled)
      : log(log), options(options), audio_enabled(audio_enabled),
        talkback_enabled(talkback_enabled) {}
  ~Peer();

  bool build(VideoQuality quality, const std::string &status, std::string *error);
  void set_pose(const Pose &new_pose);
  void paint_room_view_on(GstElement *camera);
  GstPadProbeReturn paint_room_view(GstPadProbeInfo *info);
  Pose current_pose();
  void on_offer_set();
  void on_answer_created(GstPromise *promise);
  void maybe_publish_answer();
  std::vector<IceCandidate> announced_candidates() const;
  bool accept_talkback_frame();
  void link_talkback(GstPad *pad);
  void report_talkback();
  void shutdown();
  void schedule_fault();
  GstPadProbeReturn lose_frame(GstPadProbeInfo *info);

  static void on_ice_candidate(GstElement *webrtc, guint mline, gchar *candidate, Peer *peer);
  static void on_gathering_state(GstElement *webrtc, GParamSpec *, Peer *peer);
  static void on_connection_state(GstElement *webrtc, GParamSpec *, Peer *peer);
  static void on_pad_added(GstElement *webrtc, GstPad *pad, Peer *peer);
};

void SimMedia::Peer::on_ice_candidate(GstElement *, guint mline, gchar *candidate, Peer *peer) {
  std::lock_guard<std::mutex> lock(peer->mutex);
  std::string mid = mline < peer->mids.size() ? peer->mids[mline] : "";
  peer->candidates.push_back(IceCandidate{candidate, mid, int(mline)});
}

void SimMedia::Peer::on_gathering_state(GstElement *webrtc, GParamSpec *, Peer *peer) {
  GstWebRTCICEGatheringState state;
  g_object_get(webrtc, "ice-gathering-state", &state, nullptr);
  if (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    return;
  std::lock_guard<std::mutex> lock(peer->mutex);
  peer->gathering_done = true;
  peer->maybe_publish_answer();
}

void SimMedia::Peer::on_connection_state(GstElement *webrtc, GParamSpec *, Peer *peer) {
  GstWebRTCPeerConnectionState state;
  g_object_get(webrtc, "connection-state", &state, nullptr);
  static const char *names[] = {"new",          "connecting", "connected",
                                "disconnected", "failed",     "closed"};
  peer->log.write(
      EventLog::begin("media").add_string("connection", state <= 5 ? names[state] : "unknown"));
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    request_keyframe(peer->encoder);
    peer->schedule_fault();
  }
}

// The first connected viewer of the process meets the configured fault; the
// ones after it (the viewer's restart) stream normally.
void SimMedia::Peer::schedule_fault() {
  static std::atomic<bool> fault_scheduled{false};
  enum class Kind { Stall, Close, LoseFrame };
  Kind kind = options.stall_after_s >= 0   ? Kind::Stall
              : options.close_after_s >= 0 ? Kind::Close
                                           : Kind::LoseFrame;
  double after = kind == Kind::Stall   ? options.stall_after_s
                 : kind == Kind::Close ? options.close_after_s
                                       : options.lose_frame_after_s;
  if (after < 0 || fault_scheduled.exchange(true))
    return;
  struct Fault {
    std::weak_ptr<Peer> peer;
    Kind kind;
  };
  auto *fault = new Fault{weak_from_this(), kind};
  g_timeout_add_full(
      G_PRIORITY_DEFAULT, guint(after * 1000),
      [](gpointer data) -> gboolean {
        auto *f = static_cast<Fault *>(data);
        auto peer = f->peer.lock();
        if (!peer)
          return G_SOURCE_REMOVE;
        if (f->kind == Kind::LoseFrame) {
          peer->losing_frame = true; // logged with the frame it hits
          return G_SOURCE_REMOVE;
        }
        bool close = f->kind == Kind::Close;
        peer->log.write(
            EventLog::begin("media-fault").add_string("kind", close ? "close" : "stall"));
        if (close)
          gst_element_set_state(peer->pipeline, GST_STATE_NULL); // no word to the viewer
        else
          peer->stalled = true;
        return G_SOURCE_REMOVE;
      },
      fault, [](gpointer data) { delete static_cast<Fault *>(data); });
}

// --lose-frame-after: drops every packet of the next frame before webrtcbin
// (the payloader pushes a frame's fragments as one list), so its sequence
// numbers are missing for good; the keyframe requests that follow are then
// ignored as configured.
GstPadProbeReturn SimMedia::Peer::lose_frame(GstPadProbeInfo *info) {
  if (!losing_frame)
    return GST_PAD_PROBE_OK;
  GstBuffer *packet = (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER_LIST)
                          ? gst_buffer_list_get(GST_PAD_PROBE_INFO_BUFFER_LIST(info), 0)
                          : GST_PAD_PROBE_INFO_BUFFER(info);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!packet || !gst_rtp_buffer_map(packet, GST_MAP_READ, &rtp))
    return GST_PAD_PROBE_OK;
  uint32_t timestamp = gst_rtp_buffer_get_timestamp(&rtp);
  guint16 seqnum = gst_rtp_buffer_get_seq(&rtp);
  gst_rtp_buffer_unmap(&rtp);
  if (!lost_frame_timestamp) {
    lost_frame_timestamp = timestamp;
    requests_to_ignore = options.ignored_keyframe_requests;
    log.write(EventLog::begin("media-fault")
                  .add_string("kind", "lost-frame")
                  .add_int("first-seqnum", seqnum));
  }
  if (timestamp == *lost_frame_timestamp)
    return GST_PAD_PROBE_DROP;
  losing_frame = false;
  return GST_PAD_PROBE_OK;
}

void SimMedia::Peer::on_pad_added(GstElement *, GstPad *pad, Peer *peer) {
  if (GST_PAD_DIRECTION(pad) == GST_PAD_SRC)
    peer->link_talkback(pad);
}

// Stops the pipeline on the caller's thread, so the last reference (which a
// webrtcbin callback may hold for a moment) only frees memory.
void SimMedia::Peer::shutdown() {
  if (!pipeline || stopped)
    return;
  stopped = true;
  g_signal_handlers_disconnect_by_data(webrtc, this);
  gst_element_set_state(pipeline, GST_STATE_NULL);
}

SimMedia::Peer::~Peer() {
  shutdown();
  if (pipeline) {
    gst_object_unref(webrtc);
    gst_object_unref(video_caps);
    gst_object_unref(encoder);
    gst_object_unref(overlay);
    gst_object_unref(pipeline);
  }
}

bool SimMedia::Peer::build(VideoQuality quality, const std::string &status, std::string *error) {
  const AudioBranch &audio = audio_branch(options.audio_codec);
  std::string description =
      "webrtcbin name=webrtc bundle-policy=max-bundle "
      "videotestsrc name=camera is-live=true pattern=black ! capsfilter name=vcaps caps=" +
      raw_video_caps(quality, options.framerate) +
      " ! textoverlay name=overlay valignment=top halignment=left line-alignment=left "
      "font-desc=\"Sans 16\" shaded-background=true"
      " ! clockoverlay valignment=bottom halignment=right time-format=\"%H:%M:%S\" "
      "font-desc=\"Sans 16\""
      " ! videoconvert ! queue max-size-buffers=2 leaky=downstream"
      // qp-min: the room is static between moves, so the bitrate's budget
      // went into ever finer keyframes (56 kB, 3.6 kB frames between): at
      // 32 a keyframe is about 25 kB (the old moving ball's 18 kB), which
      // keeps the loss tests' figures comparable.
      " ! x264enc name=venc tune=zerolatency speed-preset=ultrafast key-int-max=" +
      std::to_string(options.keyframe_interval) +
      " bitrate=1500 qp-min=32 threads=1"
      " ! video/x-h264,profile=constrained-baseline"
      " ! rtph264pay config-interval=-1 pt=96 aggregate-mode=zero-latency"
      // Announce the profile as browsers and phones do; decoders go by the SPS.
      " ! capssetter caps=\"application/x-rtp,profile-level-id=(string)42e01f\""
      " ! application/x-rtp,media=video,encoding-name=H264,payload=96,clock-rate=90000"
      " ! webrtc.sink_0 "
      "audiotestsrc is-live=true wave=sine freq=440 volume=0.3 " +
      audio.source + " ! audioconvert ! " + audio.encoder + " ! " + audio.rtp_caps +
      " ! webrtc.sink_1";
  GError *parse_error = nullptr;
  pipeline = gst_parse_launch(description.c_str(), &parse_error);
  if (!pipeline) {
    *error = parse_error ? parse_error->message : "pipeline does not build";
    g_clear_error(&parse_error);
    return false;
  }
  webrtc = gst_bin_get_by_name(GST_BIN(pipeline), "webrtc");
  if (options.min_port) {
    GObject *ice = nullptr;
    g_object_get(webrtc, "ice-agent", &ice, nullptr);
    g_object_set(ice, "min-rtp-port", options.min_port, "max-rtp-port", options.max_port, "ice-tcp",
                 FALSE, nullptr);
    g_object_unref(ice);
  }
  // Match offers by codec, not by exact fmtp strings (x264's constrained
  // baseline says 42c01f where browsers offer 42e01f): like a robot that
  // answers whatever H.264 and Opus payloads it is offered. The audio
  // preference is the --audio-codec one, so the answer picks that codec.
  const char *preferences[] = {
      "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=96",
      audio.preference};
  for (int mline = 0; mline < 2; mline++) {
    std::string name = "sink_" + std::to_string(mline);
    GstPad *pad = gst_element_get_static_pad(webrtc, name.c_str());
    GstWebRTCRTPTransceiver *transceiver = nullptr;
    g_object_get(pad, "transceiver", &transceiver, nullptr);
    GstCaps *caps = gst_caps_from_string(preferences[mline]);
    g_object_set(transceiver, "codec-preferences", caps, nullptr);
    if (mline == 0) // retransmits what a viewer NACKs, as WebRTC stacks do
      g_object_set(transceiver, "do-nack", TRUE, nullptr);
    gst_caps_unref(caps);
    gst_object_unref(transceiver);
    gst_object_unref(pad);
  }
  for (const char *name : {"sink_0", "sink_1"}) { // a stalled robot sends nothing
    GstPad *pad = gst_element_get_static_pad(webrtc, name);
    gst_pad_add_probe(
        pad, GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad *, GstPadProbeInfo *, gpointer data) {
          return static_cast<Peer *>(data)->stalled ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
        },
        this, nullptr);
    gst_object_unref(pad);
  }
  GstPad *video_in = gst_element_get_static_pad(webrtc, "sink_0");
  gst_pad_add_probe(
      video_in, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      [](GstPad *, GstPadProbeInfo *info, gpointer data) {
        return static_cast<Peer *>(data)->lose_frame(info);
      },
      this, nullptr);
  gst_object_unref(video_in);
  video_caps = gst_bin_get_by_name(GST_BIN(pipeline), "vcaps");
  encoder = gst_bin_get_by_name(GST_BIN(pipeline), "venc");
  // Frames sent, for loss figures (what the viewer decoded, out of these).
  GstPad *encoded = gst_element_get_static_pad(encoder, "src");
  gst_pad_add_probe(
      encoded, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *, GstPadProbeInfo *info, gpointer data) {
        auto *peer = static_cast<Peer *>(data);
        if (!peer->stalled) {
          peer->video_frames_sent()++;
          if (!GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT))
            peer->keyframes_sent()++;
        }
        return GST_PAD_PROBE_OK;
      },
      this, nullptr);
  gst_pad_add_probe(
      encoded, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      [](GstPad *, GstPadProbeInfo *info, gpointer data) {
        if (!gst_video_event_is_force_key_unit(GST_PAD_PROBE_INFO_EVENT(info)))
          return GST_PAD_PROBE_OK;
        keyframe_requests()++;
        auto *peer = static_cast<Peer *>(data);
        int left = peer->requests_to_ignore.load();
        while (left > 0 && !peer->requests_to_ignore.compare_exchange_weak(left, left - 1)) {
        }
        if (left <= 0)
          return GST_PAD_PROBE_OK;
        peer->log.write(EventLog::begin("keyframe-request-ignored"));
        return GST_PAD_PROBE_DROP;
      },
      this, nullptr);
  gst_object_unref(encoded);
  overlay = gst_bin_get_by_name(GST_BIN(pipeline), "overlay");
  g_object_set(overlay, "text", status.c_str(), nullptr);
  GstElement *camera = gst_bin_get_by_name(GST_BIN(pipeline), "camera");
  paint_room_view_on(camera);
  gst_object_unref(camera);

  // Robot audio exists but carries no frames until start_voice_chat.
  GstElement *payloader = gst_bin_get_by_name(GST_BIN(pipeline), "apay");
  GstPad *audio_out = gst_element_get_static_pad(payloader, "src");
  gst_pad_add_probe(
      audio_out, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *, GstPadProbeInfo *, gpointer enabled) {
        return static_cast<std::atomic<bool> *>(enabled)->load() ? GST_PAD_PROBE_OK
                                                                 : GST_PAD_PROBE_DROP;
      },
      audio_enabled, nullptr);
  gst_object_unref(audio_out);
  gst_object_unref(payloader);

  g_signal_connect(webrtc, "on-ice-candidate", G_CALLBACK(on_ice_candidate), this);
  g_signal_connect(webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering_state), this);
  g_signal_connect(webrtc, "notify::connection-state", G_CALLBACK(on_connection_state), this);
  g_signal_connect(webrtc, "pad-added", G_CALLBACK(on_pad_added), this);

  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = "pipeline does not start";
    return false;
  }
  return true;
}

void SimMedia::Peer::set_pose(const Pose &new_pose) {
  std::lock_guard<std::mutex> lock(pose_mutex);
  pose = new_pose;
}

// videotestsrc stays the live source (clock timestamps, the frame rate, the
// caps vcaps asks for, renegotiated on a quality switch) and makes black
// frames; this probe paints the room over each one before the overlays.
void SimMedia::Peer::paint_room_view_on(GstElement *camera) {
  GstPad *pad = gst_element_get_static_pad(camera, "src");
  gst_pad_add_probe(
      pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
      [](GstPad *, GstPadProbeInfo *info, gpointer data) {
        return static_cast<Peer *>(data)->paint_room_view(info);
      },
      this, nullptr);
  gst_object_unref(pad);
}

// The caps event comes before the buffers, on the same streaming thread.
GstPadProbeReturn SimMedia::Peer::paint_room_view(GstPadProbeInfo *info) {
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
      GstCaps *caps = nullptr;
      gst_event_parse_caps(event, &caps);
      video_info_valid = gst_video_info_from_caps(&video_info, caps) &&
                         GST_VIDEO_INFO_FORMAT(&video_info) == GST_VIDEO_FORMAT_I420;
    }
    return GST_PAD_PROBE_OK;
  }
  if (!video_info_valid)
    return GST_PAD_PROBE_OK;
  GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = buffer;
  GstVideoFrame frame;
  if (gst_video_frame_map(&frame, &video_info, buffer, GST_MAP_WRITE)) {
    room_view.fill(current_pose(), i420_image(frame));
    gst_video_frame_unmap(&frame);
  }
  return GST_PAD_PROBE_OK;
}

Pose SimMedia::Peer::current_pose() {
  std::lock_guard<std::mutex> lock(pose_mutex);
  return pose;
}

void SimMedia::Peer::link_talkback(GstPad *pad) {
  // Decode whatever the viewer sends and measure it.
  std::string description = "queue ! " + talkback_decoder(pad) +
                            " ! audioconvert ! audio/x-raw,format=S16LE"
                            " ! fakesink name=tbsink sync=false async=false";
  GstElement *chain = gst_parse_bin_from_description(description.c_str(), TRUE, nullptr);
  if (!chain)
    return;
  gst_bin_add(GST_BIN(pipeline), chain);
  GstElement *decoder = gst_bin_get_by_name(GST_BIN(chain), "tbdec");
  GstPad *decoder_in = gst_element_get_static_pad(decoder, "sink");
  gst_pad_add_probe(
      decoder_in, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *, GstPadProbeInfo *, gpointer data) {
        return static_cast<Peer *>(data)->accept_talkback_frame() ? GST_PAD_PROBE_OK
                                                                  : GST_PAD_PROBE_DROP;
      },
      this, nullptr);
  gst_object_unref(decoder_in);
  gst_object_unref(decoder);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(chain), "tbsink");
  GstPad *sink_in = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(
      sink_in, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *, GstPadProbeInfo *info, gpointer data) {
        auto *peer = static_cast<Peer *>(data);
        GstMapInfo map;
        GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
        if (!gst_buffer_map(buffer, &map, GST_MAP_READ))
          return GST_PAD_PROBE_OK;
        auto *samples = reinterpret_cast<const int16_t *>(map.data);
        size_t count = map.size / 2;
        std::lock_guard<std::mutex> lock(peer->mutex);
        for (size_t i = 0; i < count; i++) {
          double v = samples[i] / 32768.0;
          peer->window_sum_squares += v * v;
          peer->window_peak = std::max(peer->window_peak, std::fabs(v));
        }
        peer->window_samples += count;
        gst_buffer_unmap(buffer, &map);
        return GST_PAD_PROBE_OK;
      },
      this, nullptr);
  gst_object_unref(sink_in);
  gst_object_unref(sink);
  gst_element_sync_state_with_parent(chain);
  GstPad *chain_in = gst_element_get_static_pad(chain, "sink");
  gst_pad_link(pad, chain_in);
  gst_object_unref(chain_in);
  log.write(EventLog::begin("talkback-stream"));
}

// Counts a talk-back frame on its way to the decoder, or drops it while the
// robot does not play talk-back (voice chat without "play").
bool SimMedia::Peer::accept_talkback_frame() {
  if (!talkback_enabled->load()) {
    if (!talkback_ignored.exchange(true))
      log.write(EventLog::begin("talkback-ignored"));
    return false;
  }
  talkback_frames++;
  return true;
}

void SimMedia::Peer::report_talkback() {
  uint64_t frames = talkback_frames;
  double rms_db, peak_db;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (window_samples == 0)
      return;
    double rms = std::sqrt(window_sum_squares / double(window_samples));
    rms_db = rms > 0 ? 20 * std::log10(rms) : -200;
    peak_db = window_peak > 0 ? 20 * std::log10(window_peak) : -200;
    window_sum_squares = 0;
    window_samples = 0;
    window_peak = 0;
  }
  log.write(EventLog::begin("talkback")
                .add_int("frames", int64_t(frames))
                .add_double("rms_db", std::round(rms_db * 10) / 10)
                .add_double("peak_db", std::round(peak_db * 10) / 10));
}

void SimMedia::Peer::on_offer_set() {
  std::weak_ptr<Peer> *weak = new std::weak_ptr<Peer>(shared_from_this());
  GstPromise *promise = gst_promise_new_with_change_func(
      [](GstPromise *promise, gpointer data) {
        if (auto peer = static_cast<std::weak_ptr<Peer> *>(data)->lock())
          peer->on_answer_created(promise);
      },
      weak, [](gpointer data) { delete static_cast<std::weak_ptr<Peer> *>(data); });
  g_signal_emit_by_name(webrtc, "create-answer", nullptr, promise);
}

void SimMedia::Peer::on_answer_created(GstPromise *promise) {
  const GstStructure *reply = gst_promise_get_reply(promise);
  GstWebRTCSessionDescription *answer = nullptr;
  if (reply)
    gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, nullptr);
  if (!answer) {
    log.write(EventLog::begin("media").add_string("error", "create-answer failed"));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (guint i = 0; i < gst_sdp_message_medias_len(answer->sdp); i++) {
      const char *mid =
          gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(answer->sdp, i), "mid");
      mids.push_back(mid ? mid : std::to_string(i));
    }
    for (IceCandidate &candidate : candidates) // gathered before we knew the mids
      if (candidate.sdp_mid.empty() && size_t(candidate.sdp_mline_index) < mids.size())
        candidate.sdp_mid = mids[candidate.sdp_mline_index];
  }
  g_signal_emit_by_name(webrtc, "set-local-description", answer, nullptr);
  gchar *text = gst_sdp_message_as_text(answer->sdp);
  {
    std::lock_guard<std::mutex> lock(mutex);
    answer_text = text;
    // --bad-answer: the last m-line left out, which no offerer can accept.
    size_t last_media = answer_text.rfind("\r\nm=");
    if (options.bad_answer && last_media != std::string::npos)
      answer_text.resize(last_media + 2);
    if (!options.answer_video.empty())
      answer_text = rewrite_answer_video(answer_text, options.answer_video);
    maybe_publish_answer();
  }
  g_free(text);
  gst_webrtc_session_description_free(answer);
}

// --answer-video: the answer's video section made unplayable for an H.264
// client, as a robot (or a broken firmware) could answer.
namespace {
std::string rewrite_answer_video(const std::string &sdp, const std::string &how) {
  std::vector<std::string> lines;
  for (size_t start = 0; start < sdp.size();) {
    size_t end = sdp.find("\r\n", start);
    if (end == std::string::npos)
      end = sdp.size();
    lines.push_back(sdp.substr(start, end - start));
    start = end + 2;
  }
  bool in_video = false;
  std::string video_mid;
  for (std::string &line : lines) {
    if (line.rfind("m=", 0) == 0)
      in_video = line.rfind("m=video ", 0) == 0;
    if (!in_video)
      continue;
    if (line.rfind("m=video ", 0) == 0) {
      size_t port_end = line.find(' ', 8);
      size_t formats = line.find(' ', port_end + 1); // after the protocol
      if (how == "rejected")
        line = "m=video 0" + line.substr(port_end);
      else if (how == "vp8-new-pt")
        line = line.substr(0, formats) + " 100";
    } else if (line.rfind("a=mid:", 0) == 0) {
      video_mid = line.substr(6);
    } else if (line.find(" H264/90000") != std::string::npos && how != "rejected") {
      std::string pt = how == "vp8-new-pt" ? "100" : line.substr(9, line.find(' ') - 9);
      line = "a=rtpmap:" + pt + " VP8/90000";
    }
  }
  std::string out;
  for (std::string &line : lines) {
    if (how == "rejected" && line.rfind("a=group:BUNDLE", 0) == 0) {
      std::string group = "a=group:BUNDLE";
      for (size_t at = 15; at <= line.size();) {
        size_t end = line.find(' ', at);
        std::string mid = line.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (!mid.empty() && mid != video_mid)
          group += " " + mid;
        at = end == std::string::npos ? line.size() + 1 : end + 1;
      }
      line = group;
    }
    if (!line.empty())
      out += line + "\r\n";
  }
  return out;
}
} // namespace

// Appends "a=candidate" lines to each media section of `sdp`.
static std::string sdp_with_candidates(const std::string &sdp,
                                       const std::vector<IceCandidate> &candidates) {
  std::string out;
  int media = -1;
  auto flush_candidates = [&] {
    for (const IceCandidate &candidate : candidates)
      if (candidate.sdp_mline_index == media)
        out += "a=" + candidate.candidate + "\r\n";
  };
  size_t start = 0;
  while (start < sdp.size()) {
    size_t end = sdp.find("\r\n", start);
    std::string line =
        sdp.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.rfind("m=", 0) == 0) {
      flush_candidates();
      media++;
    }
    out += line + "\r\n";
    if (end == std::string::npos)
      break;
    start = end + 2;
  }
  flush_candidates();
  return out;
}

// With ice_in_answer the answer waits for gathering and lists the candidates
// (robots may do either; clients must cope with both). Caller holds `mutex`.
void SimMedia::Peer::maybe_publish_answer() {
  if (answer_text.empty() || answer)
    return;
  if (!options.ice_in_answer)
    answer = answer_text;
  else if (gathering_done)
    answer = sdp_with_candidates(answer_text, announced_candidates());
}

// The gathered candidates as we give them to the viewer: as gathered, or all
// tagged with options.candidate_mline. Caller holds `mutex`.
// "candidate:F C UDP PRIO ADDR PORT typ ..." with PORT replaced.
std::string with_port(const std::string &candidate, const char *port) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t space; (space = candidate.find(' ', start)) != std::string::npos; start = space + 1)
    fields.push_back(candidate.substr(start, space - start));
  fields.push_back(candidate.substr(start));
  if (fields.size() > 5)
    fields[5] = port;
  std::string out;
  for (const std::string &field : fields)
    out += (out.empty() ? "" : " ") + field;
  return out;
}

std::vector<IceCandidate> SimMedia::Peer::announced_candidates() const {
  std::vector<IceCandidate> announced = candidates;
  for (IceCandidate &candidate : announced) {
    if (unreachable)
      candidate.candidate = with_port(candidate.candidate, "9"); // discard: nothing listens
    if (options.candidate_mline >= 0) {
      size_t mline = size_t(options.candidate_mline);
      candidate.sdp_mline_index = options.candidate_mline;
      candidate.sdp_mid = mline < mids.size() ? mids[mline] : std::to_string(mline);
    }
  }
  return announced;
}

SimMedia::SimMedia(EventLog &log, MediaOptions options) : log_(log), options_(options) {}

SimMedia::~SimMedia() {
  stop();
}

bool SimMedia::start(VideoQuality quality, std::string *error) {
  stop();
  auto peer = std::make_shared<Peer>(log_, options_, &audio_enabled_, &talkback_enabled_);
  static std::atomic<bool> path_failed_once{false};
  if (options_.media_path_fails_once && !path_failed_once.exchange(true)) {
    peer->unreachable = true;
    log_.write(EventLog::begin("media-fault").add_string("kind", "unreachable"));
  }
  audio_enabled_ = false;
  std::string status;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status = status_text_;
    peer->set_pose(pose_);
  }
  if (!peer->build(quality, status, error))
    return false;
  std::lock_guard<std::mutex> lock(mutex_);
  peer_ = peer;
  return true;
}

void SimMedia::stop() {
  std::shared_ptr<Peer> peer;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    peer.swap(peer_);
  }
  if (peer) {
    peer->shutdown();
    peer->report_talkback();
    log_.write(EventLog::begin("talkback-total").add_int("frames", int64_t(peer->talkback_frames)));
  }
  audio_enabled_ = false;
}

bool SimMedia::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peer_ != nullptr;
}

bool SimMedia::set_offer(const std::string &sdp) {
  std::shared_ptr<Peer> peer;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    peer = peer_;
  }
  if (!peer)
    return false;
  GstSDPMessage *message = nullptr;
  gst_sdp_message_new_from_text(sdp.c_str(), &message);
  if (!message || gst_sdp_message_medias_len(message) == 0) {
    if (message)
      gst_sdp_message_free(message);
    return false;
  }
  GstWebRTCSessionDescription *offer =
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, message);
  std::weak_ptr<Peer> *weak = new std::weak_ptr<Peer>(peer);
  GstPromise *promise = gst_promise_new_with_change_func(
      [](GstPromise *, gpointer data) {
        if (auto target = static_cast<std::weak_ptr<Peer> *>(data)->lock())
          target->on_offer_set();
      },
      weak, [](gpointer data) { delete static_cast<std::weak_ptr<Peer> *>(data); });
  g_signal_emit_by_name(peer->webrtc, "set-remote-description", offer, promise);
  gst_webrtc_session_description_free(offer);
  return true;
}

std::optional<std::string> SimMedia::answer_sdp() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!peer_)
    return std::nullopt;
  std::lock_guard<std::mutex> peer_lock(peer_->mutex);
  return peer_->answer;
}

void SimMedia::add_remote_candidate(const IceCandidate &candidate) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (peer_ && !peer_->unreachable)
    g_signal_emit_by_name(peer_->webrtc, "add-ice-candidate", guint(candidate.sdp_mline_index),
                          candidate.candidate.c_str());
}

std::vector<IceCandidate> SimMedia::local_candidates() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!peer_)
    return {};
  std::lock_guard<std::mutex> peer_lock(peer_->mutex);
  if (peer_->answer_text.empty())
    return {}; // not before the answer: the mids are not known yet
  return peer_->announced_candidates();
}

void SimMedia::set_quality(VideoQuality quality) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!peer_)
    return;
  GstCaps *caps = gst_caps_from_string(raw_video_caps(quality, options_.framerate).c_str());
  g_object_set(peer_->video_caps, "caps", caps, nullptr);
  gst_caps_unref(caps);
  request_keyframe(peer_->encoder);
}

void SimMedia::report_talkback() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!peer_)
    return;
  peer_->report_talkback();
  log_.write(EventLog::begin("video-sent")
                 .add_int("frames", int64_t(Peer::video_frames_sent()))
                 .add_int("keyframes", int64_t(Peer::keyframes_sent()))
                 .add_int("keyframe-requests", int64_t(Peer::keyframe_requests())));
}

void SimMedia::set_audio_enabled(bool enabled) {
  audio_enabled_ = enabled;
}

void SimMedia::set_talkback_enabled(bool enabled) {
  talkback_enabled_ = enabled;
}

void SimMedia::set_pose(const Pose &pose) {
  std::lock_guard<std::mutex> lock(mutex_);
  pose_ = pose;
  if (peer_)
    peer_->set_pose(pose);
}

void SimMedia::set_status_text(const std::string &text) {
  std::lock_guard<std::mutex> lock(mutex_);
  status_text_ = text;
  if (peer_)
    g_object_set(peer_->overlay, "text", text.c_str(), nullptr);
}

} // namespace roborock::sim
