// SPDX-License-Identifier: LGPL-2.1-or-later
#include "webrtc_media.h"

#include <dlfcn.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "background_work.h"
#include "talkback.h"

GST_DEBUG_CATEGORY_EXTERN(gst_roborock_src_debug);
#define GST_CAT_DEFAULT gst_roborock_src_debug

namespace roborock {
namespace {

// The robot's exact SDP was never published: offer the H.264 profiles browsers
// offer (constrained baseline, baseline, main, high; packetization mode 1),
// any of which our depayloader, parser and decoders handle.
constexpr const char *kVideoCodecs =
    "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=96,"
    "packetization-mode=(string)1,profile-level-id=(string)42e01f;"
    "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=97,"
    "packetization-mode=(string)1,profile-level-id=(string)42001f;"
    "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=98,"
    "packetization-mode=(string)1,profile-level-id=(string)4d001f;"
    "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=100,"
    "packetization-mode=(string)1,profile-level-id=(string)64001f";

// Receive-only audio as the clients proven on real robots offer it:
// Opus/48000/2 with in-band FEC, then G.711 for robot stacks that prefer it.
// With talk-back the m-line offers what the chain encodes (Talkback::link).
GstCaps *audio_codecs() {
  GstCaps *caps = Talkback::rtp_caps();
  gst_caps_append(
      caps, gst_caps_from_string("application/x-rtp,media=audio,encoding-name=PCMU,clock-rate=8000,"
                                 "payload=0;"
                                 "application/x-rtp,media=audio,encoding-name=PCMA,clock-rate=8000,"
                                 "payload=8"));
  return caps;
}

constexpr unsigned kAudioMline = 1;

// webrtcbin makes a DTLS certificate (an RSA key) the first time a process
// needs one, which takes a noticeable moment. Make it while MQTT connects,
// instead of when the offer is due.
void prewarm_dtls_certificate() {
  static std::once_flag once;
  std::call_once(once, [] {
    run_in_background([] {
      if (GstElement *dtls = gst_element_factory_make("dtlsdec", nullptr))
        gst_object_unref(dtls);
    });
  });
}

// libnice 0.1.21 warns "We still have alive TURN refreshes" whenever an agent
// that used TURN is freed without nice_agent_close_async(), which webrtcbin
// 1.22 never calls: every stop through a relay printed it. Close the agent
// first and wait (bounded) until it has. The function is looked up in the
// libnice that libgstnice loaded, so the plugin needs no libnice headers.
void close_ice_agent(GstElement *webrtc) {
  using CloseAsync = void (*)(GObject *, GAsyncReadyCallback, gpointer);
  static CloseAsync close_async = [] {
    void *libnice = dlopen("libnice.so.10", RTLD_NOW | RTLD_NOLOAD);
    return libnice ? reinterpret_cast<CloseAsync>(dlsym(libnice, "nice_agent_close_async"))
                   : nullptr;
  }();
  GObject *ice = nullptr;
  g_object_get(webrtc, "ice-agent", &ice, nullptr);
  GObject *agent = nullptr;
  if (ice && g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent"))
    g_object_get(ice, "agent", &agent, nullptr);
  if (agent && close_async) {
    // The callback comes in the caller's thread-default context (a GTask):
    // a context of our own, iterated here until it does or 2 s pass.
    GMainContext *context = g_main_context_new();
    bool closed = false;
    g_main_context_push_thread_default(context);
    close_async(
        agent, [](GObject *, GAsyncResult *, gpointer done) { *static_cast<bool *>(done) = true; },
        &closed);
    g_main_context_pop_thread_default(context);
    gint64 deadline = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
    while (!closed && g_get_monotonic_time() < deadline)
      if (!g_main_context_iteration(context, FALSE))
        g_usleep(1000);
    if (!closed) // the callback must not run later on a dead flag: keep the context
      GST_WARNING_OBJECT(webrtc, "the ICE agent did not close within 2 s");
    else
      g_main_context_unref(context);
  }
  if (agent)
    g_object_unref(agent);
  if (ice)
    g_object_unref(ice);
}

// webrtcbin's libnice agent (its ice-agent's NiceAgent), through plain
// GObject properties:
// - UPnP port mapping off: no use here (robots are reached through TURN
//   relays or direct paths), it floods the user's LAN with SSDP searches,
//   and its gssdp clients leak a little per session.
// - A connectivity check goes out twice, not three times: libnice (regular
//   nomination) holds a working pair back until every other check has
//   ended, and a check that will never be answered took 2 s (500 + 1000 +
//   500 ms); with two transmissions it ends after about 1 s (measured, see
//   docs/performance.md). That was most of the relay's time to first frame.
constexpr guint kCheckTransmissions = 2;

void tune_ice_agent(GstElement *webrtc) {
  GObject *ice = nullptr;
  g_object_get(webrtc, "ice-agent", &ice, nullptr);
  if (!ice)
    return;
  GObject *agent = nullptr;
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent"))
    g_object_get(ice, "agent", &agent, nullptr);
  if (agent && g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "upnp"))
    g_object_set(agent, "upnp", FALSE, nullptr);
  if (agent && g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "stun-max-retransmissions"))
    g_object_set(agent, "stun-max-retransmissions", kCheckTransmissions, nullptr);
  if (agent)
    g_object_unref(agent);
  g_object_unref(ice);
}

// webrtcbin 1.22 and its libnice backend log the TURN URI, credentials
// included, at DEBUG level while adding it ("Adding turn server: turn://u:p@..").
// The credentials are a token from the cloud and must not reach a log: those
// two categories are held below DEBUG for the duration of the call (at worst
// a few other debug lines of theirs are lost in that moment).
GstDebugCategory *find_debug_category(const char *name) {
  GstDebugCategory *found = nullptr;
  GSList *all = gst_debug_get_all_categories();
  for (GSList *l = all; l && !found; l = l->next)
    if (g_strcmp0(gst_debug_category_get_name(static_cast<GstDebugCategory *>(l->data)), name) == 0)
      found = static_cast<GstDebugCategory *>(l->data);
  g_slist_free(all);
  return found;
}

gboolean add_turn_server_quietly(GstElement *webrtc, const std::string &uri) {
  GstDebugCategory *categories[] = {find_debug_category("webrtcbin"),
                                    find_debug_category("webrtcnice")};
  GstDebugLevel saved[G_N_ELEMENTS(categories)];
  for (size_t i = 0; i < G_N_ELEMENTS(categories); i++) {
    if (!categories[i])
      continue;
    saved[i] = gst_debug_category_get_threshold(categories[i]);
    if (saved[i] > GST_LEVEL_INFO)
      gst_debug_category_set_threshold(categories[i], GST_LEVEL_INFO);
  }
  gboolean added = FALSE;
  g_signal_emit_by_name(webrtc, "add-turn-server", uri.c_str(), &added);
  for (size_t i = 0; i < G_N_ELEMENTS(categories); i++)
    if (categories[i] && saved[i] > GST_LEVEL_INFO)
      gst_debug_category_set_threshold(categories[i], saved[i]);
  return added;
}

// The nominal bandwidth of the robot's media session, in bit/s (a robot's
// H.264 stream at its highest quality, with audio). rtpsession sizes RTCP's
// share from it: unset on a receive-only session, it assumes 64 kbit/s, and
// its 5 % leaves one feedback packet per ~0.4 s (RFC 4585 allows one early
// packet between regular ones). NACKs and keyframe requests then reached the
// robot after the 200 ms jitter buffer had given the packets up: at 10 %
// loss 55 % of the frames decoded, at this bandwidth 97 % (bench-loss). The
// RTCP actually sent stays a few small packets a second.
constexpr double kMediaSessionBandwidth = 2'000'000;

// A jitter buffer holds the stream's first packet for the whole latency
// (200 ms by default) before it lets anything out, in case an earlier one
// comes late: that was the last 200 ms before the first frame. After this
// many packets in sequence the stream starts at once (a keyframe is tens of
// packets); a start with a gap still waits the latency.
constexpr guint kFaststartPackets = 5;

// Every jitter buffer of the session asks for lost packets again (NACK):
// webrtcbin 1.22 logs do-nack for the video transceiver, yet its jitter
// buffers still only wait out the loss ("Add Lost timer"). The requests go
// out at once (kMediaSessionBandwidth), and a clean start is let out at once
// (kFaststartPackets).
void tune_jitter_buffers(GstElement *webrtc) {
  GstElement *rtpbin = gst_bin_get_by_name(GST_BIN(webrtc), "rtpbin");
  if (!rtpbin)
    return;
  g_signal_connect(
      rtpbin, "new-jitterbuffer",
      G_CALLBACK(+[](GstElement *rtpbin, GstElement *jitterbuffer, guint session_id, guint) {
        g_object_set(jitterbuffer, "do-retransmission", TRUE, "faststart-min-packets",
                     kFaststartPackets, nullptr);
        GObject *session = nullptr;
        g_signal_emit_by_name(rtpbin, "get-internal-session", session_id, &session);
        if (session) {
          g_object_set(session, "bandwidth", kMediaSessionBandwidth, nullptr);
          g_object_unref(session);
        }
      }),
      nullptr);
  gst_object_unref(rtpbin);
}

} // namespace

WebrtcMedia::WebrtcMedia(GstElement *element, Config config, CameraSessionConfig session_config,
                         std::shared_ptr<OutputPads> outputs, Events events)
    : element_(element), config_(config), events_(std::move(events)), outputs_(std::move(outputs)) {
  prewarm_dtls_certificate();
  webrtc_ = gst_element_factory_make("webrtcbin", "webrtc");
  g_object_set(webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
               config_.latency_ms, nullptr);
  tune_ice_agent(webrtc_);
  tune_jitter_buffers(webrtc_);
  outputs_->begin_session(config_.audio, config_.latency_ms * GST_MSECOND);
  g_signal_connect(webrtc_, "on-ice-candidate", G_CALLBACK(on_local_candidate), this);
  g_signal_connect(webrtc_, "notify::connection-state", G_CALLBACK(on_connection_state), this);
  g_signal_connect(webrtc_, "pad-added", G_CALLBACK(on_pad_added), this);
  gst_bin_add(GST_BIN(element_), webrtc_);
  session_ = std::make_shared<CameraSession>(std::move(session_config), this);
}

WebrtcMedia::~WebrtcMedia() {
  session_->stop(); // no listener call after this (at once if stopped before)
  teardown();
}

void WebrtcMedia::teardown() {
  GstElement *webrtc;
  {
    std::lock_guard<std::mutex> lock(mutex_); // add_stats may run meanwhile
    webrtc = webrtc_;
    webrtc_ = nullptr;
  }
  if (!webrtc)
    return;
  g_signal_handlers_disconnect_by_data(webrtc, this);
  if (config_.talkback)
    config_.talkback->unlink();
  close_ice_agent(webrtc);
  gst_element_set_locked_state(webrtc, TRUE);
  gst_element_set_state(webrtc, GST_STATE_NULL);
  gst_bin_remove(GST_BIN(element_), webrtc);
  outputs_->end_session();
  // The DTLS key warm-up of the process's first session may still run: an
  // application that ends right after this must not exit under it.
  wait_for_background_jobs(std::chrono::seconds(10));
}

// A session started while the element is already PLAYING (a restart):
// webrtcbin joins the running pipeline, and the offer may go at once.
void WebrtcMedia::start_playing() {
  gst_element_sync_state_with_parent(webrtc_);
  allow_offer();
}

void WebrtcMedia::allow_offer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    offer_allowed_ = true;
    if (!offer_needed_ || offer_created_)
      return;
    offer_created_ = true;
  }
  create_offer();
}

void WebrtcMedia::on_offer_needed() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    offer_needed_ = true;
    if (!offer_allowed_ || offer_created_) {
      GST_DEBUG_OBJECT(element_, "offer due; waiting for PLAYING");
      return;
    }
    offer_created_ = true;
  }
  create_offer();
}

void WebrtcMedia::add_transceivers() {
  GstCaps *video = gst_caps_from_string(kVideoCodecs);
  GstWebRTCRTPTransceiver *added = nullptr;
  g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                        video, &added);
  // Lost video packets are asked for again (RTCP NACK, RTX when the robot's
  // answer takes it) before the jitter buffer gives up on them; a frame that
  // is still lost gets a keyframe request from the depayloader.
  if (added)
    g_object_set(added, "do-nack", TRUE, nullptr);
  gst_clear_object(&added);
  gst_caps_unref(video);
  // Talk-back: the sink pad's request creates the sendrecv audio transceiver.
  if (config_.talkback) {
    if (config_.talkback->link(webrtc_, kAudioMline))
      return;
    events_.on_error(Error{ErrorCode::NegotiationFailed,
                           "cannot link the talkback pad to webrtcbin; talk-back is off"},
                     false);
  }
  GstCaps *audio = audio_codecs();
  g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                        audio, &added);
  gst_clear_object(&added);
  gst_caps_unref(audio);
}

namespace {

// Why a webrtcbin promise did not succeed, or "" when it did. An interrupted
// promise (webrtcbin shutting down) is not a failure of the robot's.
std::string promise_failure(GstPromise *promise, bool *interrupted) {
  GstPromiseResult result = gst_promise_wait(promise);
  *interrupted = result == GST_PROMISE_RESULT_INTERRUPTED || result == GST_PROMISE_RESULT_EXPIRED;
  if (result != GST_PROMISE_RESULT_REPLIED)
    return "webrtcbin gave no reply";
  const GstStructure *reply = gst_promise_get_reply(promise);
  GError *error = nullptr;
  if (reply && gst_structure_get(reply, "error", G_TYPE_ERROR, &error, nullptr) && error) {
    std::string message = error->message;
    g_error_free(error);
    return message.empty() ? "webrtcbin refused it" : message;
  }
  return "";
}

} // namespace

// Media failures end the session (which frees the robot's viewer slot and
// reports once); they never go to the bus directly.
void WebrtcMedia::media_failed(const Error &error) {
  GST_DEBUG_OBJECT(element_, "media failed: %s", error.message.c_str());
  session_->media_failed(error);
}

// A set-*-description promise: a refusal fails the media (an interrupted
// promise means webrtcbin is shutting down, not a refusal).
void WebrtcMedia::check_description_set(GstPromise *promise, const char *what) {
  bool interrupted = false;
  std::string failure = promise_failure(promise, &interrupted);
  gst_promise_unref(promise);
  if (!failure.empty() && !interrupted)
    media_failed(Error{ErrorCode::NegotiationFailed, std::string(what) + ": " + failure});
}

void WebrtcMedia::on_description_set(GstPromise *promise, gpointer data) {
  static_cast<WebrtcMedia *>(data)->check_description_set(promise,
                                                          "webrtcbin rejected the robot's answer");
}

void WebrtcMedia::on_local_description_set(GstPromise *promise, gpointer data) {
  static_cast<WebrtcMedia *>(data)->check_description_set(promise,
                                                          "webrtcbin refused its own offer");
}

void WebrtcMedia::create_offer() {
  add_transceivers();
  GstPromise *promise = gst_promise_new_with_change_func(on_offer_created, this, nullptr);
  g_signal_emit_by_name(webrtc_, "create-offer", nullptr, promise);
}

void WebrtcMedia::on_offer_created(GstPromise *promise, gpointer data) {
  auto *self = static_cast<WebrtcMedia *>(data);
  GstWebRTCSessionDescription *offer = nullptr;
  bool interrupted = false;
  std::string failure = promise_failure(promise, &interrupted);
  if (failure.empty())
    gst_structure_get(gst_promise_get_reply(promise), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                      &offer, nullptr);
  gst_promise_unref(promise);
  if (!offer) {
    if (!interrupted)
      self->media_failed(Error{ErrorCode::NegotiationFailed,
                               "webrtcbin could not create an offer: " +
                                   (failure.empty() ? std::string("no offer") : failure)});
    return;
  }
  g_signal_emit_by_name(self->webrtc_, "set-local-description", offer,
                        gst_promise_new_with_change_func(on_local_description_set, self, nullptr));
  gchar *sdp = gst_sdp_message_as_text(offer->sdp);
  RobotOffer robot_offer = offer_for_robot(sdp);
  g_free(sdp);
  GST_DEBUG_OBJECT(self->element_, "offer of %zu bytes", robot_offer.sdp.size());
  {
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->robot_offer_ = robot_offer;
  }
  self->session_->send_offer(robot_offer.sdp);
  gst_webrtc_session_description_free(offer);
}

// The caps of the audio the answer sends us (what its depayloader will put
// out), or null if it sends none: a live audio m-line the robot sends on.
static GstCaps *answer_audio_caps(const std::vector<SdpMedia> &media) {
  for (const SdpMedia &m : media) {
    if (m.kind != "audio" || m.rejected() || m.codecs.empty() ||
        (m.direction != "sendrecv" && m.direction != "sendonly"))
      continue;
    std::string codec = m.codecs[0].substr(0, m.codecs[0].find('/'));
    if (g_ascii_strcasecmp(codec.c_str(), "PCMU") == 0)
      return gst_caps_from_string("audio/x-mulaw, channels=(int)1, rate=(int)8000");
    if (g_ascii_strcasecmp(codec.c_str(), "PCMA") == 0)
      return gst_caps_from_string("audio/x-alaw, channels=(int)1, rate=(int)8000");
    // Exactly what rtpopusdepay 1.22 will put out, or a muxer downstream
    // (mp4mux takes no caps change) fails when audio starts: stereo unless
    // sprop-stereo=0, and a rate only with sprop-maxcapturerate.
    const std::string &fmtp = m.fmtps[0];
    bool mono = fmtp.find("sprop-stereo=0") != std::string::npos;
    GstCaps *caps = gst_caps_new_simple("audio/x-opus", "channel-mapping-family", G_TYPE_INT, 0,
                                        "channels", G_TYPE_INT, mono ? 1 : 2, nullptr);
    size_t rate_at = fmtp.find("sprop-maxcapturerate=");
    if (rate_at != std::string::npos) {
      int rate = atoi(fmtp.c_str() + rate_at + strlen("sprop-maxcapturerate="));
      if (rate > 0)
        gst_caps_set_simple(caps, "rate", G_TYPE_INT, rate, nullptr);
    }
    return caps;
  }
  return nullptr;
}

// Why the answer's video cannot play here (H.264 is all we offer), if so.
static std::optional<Error> unplayable_video(const std::vector<SdpMedia> &media) {
  auto video =
      std::find_if(media.begin(), media.end(), [](const SdpMedia &m) { return m.kind == "video"; });
  if (video == media.end())
    return Error{ErrorCode::VideoRefused, "the robot's answer has no video stream"};
  if (video->rejected() || video->direction == "recvonly" || video->direction == "inactive")
    return Error{ErrorCode::VideoRefused, "the robot refused to send video (its answer rejects "
                                          "the video stream)"};
  for (const std::string &codec : video->codecs)
    if (g_ascii_strncasecmp(codec.c_str(), "H264/", 5) == 0)
      return std::nullopt;
  // An encoding that is still a number had no rtpmap.
  std::string name = video->codecs.empty() ? "" : video->codecs[0];
  name = name.substr(0, name.find('/'));
  if (name.empty() || g_ascii_isdigit(name[0]))
    name = "an unknown codec (payload type " +
           (video->payloads.empty() ? "none" : video->payloads[0]) + ")";
  return Error{ErrorCode::CodecUnsupported,
               "the robot sends video as " + name +
                   ", which roborocksrc cannot play (it asks for H.264)"};
}

void WebrtcMedia::on_answer(const SessionDescription &answer) {
  std::vector<SdpMedia> media = parse_sdp_media(answer.sdp);
  if (auto problem = unplayable_video(media)) {
    media_failed(*problem);
    return;
  }
  std::string local_answer;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    robot_answer_ = answer.sdp;
    local_answer = answer_for_webrtcbin(answer.sdp, robot_offer_);
  }
  GstSDPMessage *sdp = nullptr;
  if (gst_sdp_message_new_from_text(local_answer.c_str(), &sdp) != GST_SDP_OK || !sdp ||
      gst_sdp_message_medias_len(sdp) == 0) {
    if (sdp)
      gst_sdp_message_free(sdp);
    media_failed(Error{ErrorCode::NegotiationFailed, "the robot's answer SDP does not parse"});
    return;
  }
  GstWebRTCSessionDescription *description =
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
  g_signal_emit_by_name(webrtc_, "set-remote-description", description,
                        gst_promise_new_with_change_func(on_description_set, this, nullptr));
  gst_webrtc_session_description_free(description);
  // The pads now, before any data: linking "audio" is what asks for voice chat.
  GstCaps *audio_caps = answer_audio_caps(media);
  GST_DEBUG_OBJECT(element_, "the robot's answer sends %" GST_PTR_FORMAT, audio_caps);
  outputs_->announce(audio_caps);
}

void WebrtcMedia::on_remote_candidate(const IceCandidate &candidate) {
  int mline;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    mline = candidate_mline(robot_answer_, candidate);
  }
  if (mline != candidate.sdp_mline_index)
    GST_DEBUG_OBJECT(element_, "robot candidate for m-line %d (mid \"%s\") added to m-line %d",
                     candidate.sdp_mline_index, candidate.sdp_mid.c_str(), mline);
  g_signal_emit_by_name(webrtc_, "add-ice-candidate", guint(mline), candidate.candidate.c_str());
}

void WebrtcMedia::on_turn_server(const TurnServer &turn) {
  auto uri = turn_uri_with_credentials(turn);
  if (!uri) {
    events_.on_error(Error{uri.error().code, uri.error().message + "; trying without it"}, false);
    return;
  }
  gboolean added = add_turn_server_quietly(webrtc_, *uri);
  if (!added)
    events_.on_error(Error{ErrorCode::BadMessage,
                           "webrtcbin refused the robot's TURN server; trying without it"},
                     false);
}

void WebrtcMedia::on_session_state(SessionState state) {
  events_.on_state(state);
}

void WebrtcMedia::on_session_error(const Error &error, bool fatal) {
  events_.on_error(error, fatal);
}

void WebrtcMedia::on_local_candidate(GstElement *webrtc, guint mline, gchar *candidate,
                                     WebrtcMedia *self) {
  // The m-line's mid as the robot knows it from our offer ("0", "1").
  self->session_->add_local_candidate(IceCandidate{candidate, std::to_string(mline), int(mline)});
}

void WebrtcMedia::on_connection_state(GstElement *webrtc, GParamSpec *, WebrtcMedia *self) {
  GstWebRTCPeerConnectionState state;
  g_object_get(webrtc, "connection-state", &state, nullptr);
  GST_DEBUG_OBJECT(self->element_, "peer connection state %d", state);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && !self->connected_) {
    self->connected_ = true;
    self->session_->set_media_connected();
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    self->media_failed(
        self->connected_
            ? Error{ErrorCode::ConnectionLost, "the media connection to the robot was lost"}
            : Error{ErrorCode::MediaPathFailed,
                    "no media connection to the robot (ICE failed: no direct "
                    "path and no working TURN relay)"});
  }
}

void WebrtcMedia::on_pad_added(GstElement *, GstPad *pad, WebrtcMedia *self) {
  if (GST_PAD_DIRECTION(pad) == GST_PAD_SRC)
    self->outputs_->add_webrtc_pad(pad);
}

namespace {

// "host", "srflx", "prflx" or "relay": the type of the candidate `id` names
// in a get-stats reply (webrtcbin 1.22 reports the selected pair only).
std::string candidate_type(const GstStructure *reply, const char *id) {
  const GValue *value = id ? gst_structure_get_value(reply, id) : nullptr;
  if (!value || !GST_VALUE_HOLDS_STRUCTURE(value))
    return "none";
  const char *type = gst_structure_get_string(gst_value_get_structure(value), "candidate-type");
  return type ? type : "none";
}

} // namespace

namespace {

// webrtcbin answers get-stats on its own thread. Application code can run
// on that thread (a deep-element-added handler, when webrtcbin adds its
// transport elements) and read our stats property from there: waiting for
// the answer then waited for ever on itself. There the stats go without
// webrtcbin's part at once (1.22 names the thread "NAME:pc" after the
// element); elsewhere the wait is bounded all the same.
constexpr auto kStatsWait = std::chrono::milliseconds(500);

bool on_webrtcbin_thread(GstElement *webrtc) {
  char thread[16] = ""; // Linux keeps 15 characters of a thread's name
  if (pthread_getname_np(pthread_self(), thread, sizeof thread) != 0)
    return false;
  gchar *name = gst_object_get_name(GST_OBJECT(webrtc));
  std::string expected = std::string(name ? name : "") + ":pc";
  g_free(name);
  return expected.compare(0, sizeof thread - 1, thread) == 0;
}

struct StatsReply {
  std::mutex mutex;
  std::condition_variable changed;
  bool done = false;
};

// webrtcbin's statistics, or null if they did not come within kStatsWait.
GstPromise *webrtc_stats(GstElement *webrtc) {
  if (on_webrtcbin_thread(webrtc)) {
    GST_DEBUG_OBJECT(webrtc, "statistics asked for on its own thread: left out");
    return nullptr;
  }
  auto reply = std::make_shared<StatsReply>();
  GstPromise *promise = gst_promise_new_with_change_func(
      [](GstPromise *, gpointer data) {
        StatsReply &r = **static_cast<std::shared_ptr<StatsReply> *>(data);
        std::lock_guard<std::mutex> lock(r.mutex);
        r.done = true;
        r.changed.notify_all();
      },
      new std::shared_ptr<StatsReply>(reply),
      [](gpointer data) { delete static_cast<std::shared_ptr<StatsReply> *>(data); });
  g_signal_emit_by_name(webrtc, "get-stats", nullptr, promise);
  bool done;
  {
    std::unique_lock<std::mutex> lock(reply->mutex);
    done = reply->changed.wait_for(lock, kStatsWait, [&] { return reply->done; });
  }
  if (!done) {
    GST_DEBUG_OBJECT(webrtc, "no statistics within %lld ms (asked on its own thread?)",
                     static_cast<long long>(kStatsWait.count()));
    gst_promise_interrupt(promise); // its reply, if one comes, is dropped
  }
  if (done && gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED)
    return promise;
  gst_promise_unref(promise);
  return nullptr;
}

} // namespace

void WebrtcMedia::add_stats(GstStructure *stats) {
  GstElement *webrtc = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (webrtc_)
      webrtc = GST_ELEMENT(gst_object_ref(webrtc_));
  }
  if (!webrtc)
    return;
  GstPromise *promise = webrtc_stats(webrtc);
  gst_object_unref(webrtc);
  if (!promise)
    return;
  const GstStructure *reply = gst_promise_get_reply(promise);
  guint64 bytes = 0, packets = 0;
  gint64 lost = 0;
  gdouble rtt = -1, jitter = -1;
  std::string local_type = "none", remote_type = "none";
  for (gint i = 0; reply && i < gst_structure_n_fields(reply); i++) {
    const GValue *value = gst_structure_get_value(reply, gst_structure_nth_field_name(reply, i));
    if (!GST_VALUE_HOLDS_STRUCTURE(value))
      continue;
    const GstStructure *entry = gst_value_get_structure(value);
    GstWebRTCStatsType type;
    if (!gst_structure_get(entry, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, nullptr))
      continue;
    guint64 u64;
    gint64 i64;
    gdouble d;
    if (type == GST_WEBRTC_STATS_INBOUND_RTP) {
      if (gst_structure_get_uint64(entry, "bytes-received", &u64))
        bytes += u64;
      if (gst_structure_get_uint64(entry, "packets-received", &u64))
        packets += u64;
      if (gst_structure_get_int64(entry, "packets-lost", &i64))
        lost += i64;
      if (gst_structure_get_double(entry, "jitter", &d))
        jitter = std::max(jitter, d);
    } else if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP ||
               type == GST_WEBRTC_STATS_CANDIDATE_PAIR) {
      if (gst_structure_get_double(entry, "round-trip-time", &d) ||
          gst_structure_get_double(entry, "current-round-trip-time", &d))
        rtt = std::max(rtt, d);
    }
    if (type == GST_WEBRTC_STATS_CANDIDATE_PAIR) {
      local_type = candidate_type(reply, gst_structure_get_string(entry, "local-candidate-id"));
      remote_type = candidate_type(reply, gst_structure_get_string(entry, "remote-candidate-id"));
    }
  }
  gst_promise_unref(promise);
  gst_structure_set(stats, "bytes-received", G_TYPE_UINT64, bytes, "packets-received",
                    G_TYPE_UINT64, packets, "packets-lost", G_TYPE_INT64, lost, "round-trip-time",
                    G_TYPE_DOUBLE, rtt, "jitter", G_TYPE_DOUBLE, jitter, "local-candidate-type",
                    G_TYPE_STRING, local_type.c_str(), "remote-candidate-type", G_TYPE_STRING,
                    remote_type.c_str(), nullptr);
}

} // namespace roborock
