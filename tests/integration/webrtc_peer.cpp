// SPDX-License-Identifier: LGPL-2.1-or-later
#include "webrtc_peer.h"

#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

namespace roborock::test {

WebrtcPeer::WebrtcPeer(Options options) : options_(options) {
  pipeline_ = gst_pipeline_new("peer");
  webrtc_ = gst_element_factory_make("webrtcbin", "webrtc");
  g_assert_nonnull(webrtc_);
  g_object_set(webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
  if (options_.relay_only)
    g_object_set(webrtc_, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY, nullptr);
  gst_bin_add(GST_BIN(pipeline_), webrtc_);

  struct {
    const char *caps;
  } transceivers[] = {
      {"application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=96,"
       "packetization-mode=(string)1,profile-level-id=(string)42e01f"},
      {"application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=111,"
       "encoding-params=(string)2"},
  };
  for (auto &transceiver : transceivers) {
    GstCaps *caps = gst_caps_from_string(transceiver.caps);
    GstWebRTCRTPTransceiver *added = nullptr;
    g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                          caps, &added);
    gst_caps_unref(caps);
    gst_clear_object(&added);
  }
  g_signal_connect(webrtc_, "on-ice-candidate", G_CALLBACK(on_local_candidate), this);
  g_signal_connect(webrtc_, "notify::connection-state", G_CALLBACK(on_connection_state), this);
  g_signal_connect(webrtc_, "pad-added", G_CALLBACK(on_pad_added), this);
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
}

WebrtcPeer::~WebrtcPeer() {
  g_signal_handlers_disconnect_by_data(webrtc_, this);
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  gst_object_unref(pipeline_);
}

void WebrtcPeer::on_session_state(SessionState state) {
  std::lock_guard<std::mutex> lock(mutex_);
  states_.push_back(state);
}

void WebrtcPeer::on_turn_server(const TurnServer &turn) {
  auto uri = turn_uri_with_credentials(turn);
  g_assert_true(uri.ok());
  gboolean added = FALSE;
  g_signal_emit_by_name(webrtc_, "add-turn-server", uri->c_str(), &added);
  g_assert_true(added);
}

void WebrtcPeer::on_offer_needed() {
  GstPromise *promise = gst_promise_new_with_change_func(on_offer_created, this, nullptr);
  g_signal_emit_by_name(webrtc_, "create-offer", nullptr, promise);
}

void WebrtcPeer::on_offer_created(GstPromise *promise, gpointer data) {
  auto *self = static_cast<WebrtcPeer *>(data);
  const GstStructure *reply = gst_promise_get_reply(promise);
  GstWebRTCSessionDescription *offer = nullptr;
  gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, nullptr);
  gst_promise_unref(promise);
  g_assert_nonnull(offer);
  g_signal_emit_by_name(self->webrtc_, "set-local-description", offer, nullptr);
  // The offer in the form real robots answer, as the element sends it.
  gchar *text = gst_sdp_message_as_text(offer->sdp);
  RobotOffer robot_offer = offer_for_robot(text);
  g_free(text);
  {
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->robot_offer_ = robot_offer;
  }
  self->session_->send_offer(robot_offer.sdp);
  gst_webrtc_session_description_free(offer);
}

void WebrtcPeer::on_answer(const SessionDescription &answer) {
  std::string local;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    robot_answer_ = answer.sdp;
    local = answer_for_webrtcbin(answer.sdp, robot_offer_);
  }
  GstSDPMessage *sdp = nullptr;
  gst_sdp_message_new_from_text(local.c_str(), &sdp);
  g_assert_nonnull(sdp);
  GstWebRTCSessionDescription *description =
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
  g_signal_emit_by_name(webrtc_, "set-remote-description", description, nullptr);
  gst_webrtc_session_description_free(description);
}

void WebrtcPeer::on_remote_candidate(const IceCandidate &candidate) {
  remote_candidates_++;
  int mline;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    mline = candidate_mline(robot_answer_, candidate);
  }
  g_signal_emit_by_name(webrtc_, "add-ice-candidate", guint(mline), candidate.candidate.c_str());
}

void WebrtcPeer::on_session_error(const Error &error, bool fatal) {
  std::lock_guard<std::mutex> lock(mutex_);
  errors_.emplace_back(error, fatal);
}

void WebrtcPeer::on_local_candidate(GstElement *, guint mline, gchar *candidate, WebrtcPeer *self) {
  self->session_->add_local_candidate(IceCandidate{candidate, "", int(mline)});
}

void WebrtcPeer::on_connection_state(GstElement *webrtc, GParamSpec *, WebrtcPeer *self) {
  GstWebRTCPeerConnectionState state;
  g_object_get(webrtc, "connection-state", &state, nullptr);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    self->session_->set_media_connected();
}

void WebrtcPeer::on_pad_added(GstElement *, GstPad *pad, WebrtcPeer *self) {
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
    return;
  GstCaps *caps = gst_pad_get_current_caps(pad);
  const char *media = gst_structure_get_string(gst_caps_get_structure(caps, 0), "media");
  bool video = g_strcmp0(media, "video") == 0;
  gst_caps_unref(caps);
  const char *description =
      video
          ? (self->options_.decode ? "queue ! rtph264depay ! h264parse ! avdec_h264 ! fakesink "
                                     "name=out sync=false"
                                   : "queue ! rtph264depay ! h264parse ! fakesink name=out "
                                     "sync=false")
          : (self->options_.decode ? "queue ! rtpopusdepay ! opusdec ! fakesink name=out sync=false"
                                   : "queue ! rtpopusdepay ! fakesink name=out sync=false");
  GstElement *chain = gst_parse_bin_from_description(description, TRUE, nullptr);
  gst_bin_add(GST_BIN(self->pipeline_), chain);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(chain), "out");
  GstPad *sink_pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(sink_pad, GST_PAD_PROBE_TYPE_BUFFER,
                    video ? GstPadProbeCallback([](GstPad *, GstPadProbeInfo *, gpointer data) {
                      auto *peer = static_cast<WebrtcPeer *>(data);
                      gint64 none = 0;
                      peer->first_frame_us_.compare_exchange_strong(none, g_get_monotonic_time());
                      peer->video_frames_++;
                      return GST_PAD_PROBE_OK;
                    })
                          : GstPadProbeCallback([](GstPad *, GstPadProbeInfo *, gpointer data) {
                              static_cast<WebrtcPeer *>(data)->audio_buffers_++;
                              return GST_PAD_PROBE_OK;
                            }),
                    self, nullptr);
  gst_object_unref(sink_pad);
  gst_object_unref(sink);
  gst_element_sync_state_with_parent(chain);
  GstPad *chain_pad = gst_element_get_static_pad(chain, "sink");
  gst_pad_link(pad, chain_pad);
  gst_object_unref(chain_pad);
}

std::vector<SessionState> WebrtcPeer::states() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return states_;
}

std::vector<Error> WebrtcPeer::errors(bool fatal_only) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Error> out;
  for (auto &entry : errors_)
    if (entry.second || !fatal_only)
      out.push_back(entry.first);
  return out;
}

std::string WebrtcPeer::selected_pair_types() {
  GstPromise *promise = gst_promise_new();
  g_signal_emit_by_name(webrtc_, "get-stats", nullptr, promise);
  gst_promise_wait(promise);
  const GstStructure *stats = gst_promise_get_reply(promise);
  std::string result;
  // Find a candidate pair, then the types of its local and remote candidates.
  auto type_of = [stats](const char *id) -> std::string {
    const GValue *value = gst_structure_get_value(stats, id);
    if (!value || !GST_VALUE_HOLDS_STRUCTURE(value))
      return "";
    const GstStructure *candidate = gst_value_get_structure(value);
    const char *type = gst_structure_get_string(candidate, "candidate-type");
    return type ? type : "";
  };
  for (int i = 0; i < gst_structure_n_fields(stats) && result.empty(); i++) {
    const GValue *value = gst_structure_get_value(stats, gst_structure_nth_field_name(stats, i));
    if (!GST_VALUE_HOLDS_STRUCTURE(value))
      continue;
    const GstStructure *entry = gst_value_get_structure(value);
    GstWebRTCStatsType type;
    if (!gst_structure_get(entry, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, nullptr) ||
        type != GST_WEBRTC_STATS_CANDIDATE_PAIR)
      continue;
    const char *local = gst_structure_get_string(entry, "local-candidate-id");
    const char *remote = gst_structure_get_string(entry, "remote-candidate-id");
    if (local && remote)
      result = type_of(local) + "/" + type_of(remote);
  }
  gst_promise_unref(promise);
  return result;
}

} // namespace roborock::test
