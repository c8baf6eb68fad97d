// SPDX-License-Identifier: LGPL-2.1-or-later
#include "talkback.h"

#include <gst/webrtc/webrtc.h>

#include <string>

namespace roborock {
namespace {

// With the fmtp the offer carries (minptime, in-band FEC), so the pad's caps
// equal the transceiver's first codec preference exactly.
constexpr const char *kRtpCaps =
    "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=111,"
    "encoding-params=(string)2,minptime=(string)10,useinbandfec=(string)1";

// Frames every 20 ms at 48 kHz mono; the mixer's latency lets a live source
// that is a little late still be mixed instead of dropped.
constexpr const char *kChain =
    "audioconvert name=tb_convert ! audioresample ! queue max-size-time=200000000 "
    "! mixer.sink_0 "
    "audiotestsrc is-live=true wave=silence samplesperbuffer=960 "
    "! audio/x-raw,format=S16LE,rate=48000,channels=1 ! mixer.sink_1 "
    "audiomixer name=mixer latency=40000000 output-buffer-duration=20000000 "
    "! audio/x-raw,format=S16LE,rate=48000,channels=1 "
    "! opusenc name=tb_encoder frame-size=20 bitrate=32000 "
    "! rtpopuspay name=tb_payloader pt=111 "
    "! capsfilter name=tb_rtp";

} // namespace

Talkback::Talkback(GstBin *bin, GstPadTemplate *templ) : bin_(bin) {
  GError *error = nullptr;
  chain_ = gst_parse_bin_from_description_full(kChain, FALSE, nullptr, GST_PARSE_FLAG_NONE, &error);
  // The elements were checked first (missing_talkback_element).
  g_assert_no_error(error);
  gst_object_set_name(GST_OBJECT(chain_), "talkback_chain");
  gst_object_ref_sink(chain_); // ours too: the bin drops its reference when disposed
  GstElement *rtp = gst_bin_get_by_name(GST_BIN(chain_), "tb_rtp");
  GstCaps *caps = rtp_caps();
  g_object_set(rtp, "caps", caps, nullptr);
  gst_caps_unref(caps);

  GstPad *rtp_out = gst_element_get_static_pad(rtp, "src");
  GstPad *chain_out = gst_ghost_pad_new("src", rtp_out);
  // Until webrtcbin takes the stream, drop it: an unlinked live source would
  // otherwise stop with not-linked. Count what goes out.
  gst_pad_add_probe(
      chain_out, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *pad, GstPadProbeInfo *, gpointer data) {
        if (!gst_pad_is_linked(pad))
          return GST_PAD_PROBE_DROP;
        (*static_cast<std::atomic<uint64_t> *>(data))++;
        return GST_PAD_PROBE_OK;
      },
      &frames_, nullptr);
  gst_element_add_pad(chain_, chain_out);
  gst_object_unref(rtp_out);
  gst_object_unref(rtp);

  GstElement *convert = gst_bin_get_by_name(GST_BIN(chain_), "tb_convert");
  GstPad *convert_in = gst_element_get_static_pad(convert, "sink");
  gst_bin_add(bin_, chain_);
  GstPad *chain_in = gst_ghost_pad_new("sink", convert_in);
  gst_element_add_pad(chain_, chain_in);
  pad_ = GST_PAD(gst_object_ref_sink(gst_ghost_pad_new_from_template("talkback", chain_in, templ)));
  gst_object_unref(convert_in);
  gst_object_unref(convert);
  gst_element_sync_state_with_parent(chain_);
}

Talkback::~Talkback() {
  unlink();
  gst_element_set_locked_state(chain_, TRUE);
  gst_element_set_state(chain_, GST_STATE_NULL);
  // Still in the bin unless the element is being disposed.
  if (GST_OBJECT_PARENT(chain_) == GST_OBJECT(bin_))
    gst_bin_remove(bin_, chain_);
  gst_object_unref(chain_);
  gst_object_unref(pad_);
}

GstCaps *Talkback::rtp_caps() {
  return gst_caps_from_string(kRtpCaps);
}

bool Talkback::link(GstElement *webrtc, unsigned mline) {
  unlink();
  std::string name = "sink_" + std::to_string(mline);
  // By explicit name, before any audio transceiver exists: the request makes
  // the m-line's transceiver, which we then configure. (Binding a pad to a
  // transceiver added before makes webrtcbin 1.22 offer a third m-line.)
  webrtc_pad_ = gst_element_request_pad_simple(webrtc, name.c_str());
  if (!webrtc_pad_)
    return false;
  webrtc_ = GST_ELEMENT(gst_object_ref(webrtc));
  GstWebRTCRTPTransceiver *transceiver = nullptr;
  g_object_get(webrtc_pad_, "transceiver", &transceiver, nullptr);
  if (transceiver) {
    GstCaps *caps = rtp_caps();
    g_object_set(transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV,
                 "codec-preferences", caps, nullptr);
    gst_caps_unref(caps);
    gst_object_unref(transceiver);
  }
  GstPad *out = gst_element_get_static_pad(chain_, "src");
  bool linked = gst_pad_link(out, webrtc_pad_) == GST_PAD_LINK_OK;
  gst_object_unref(out);
  return linked;
}

void Talkback::unlink() {
  if (!webrtc_pad_)
    return;
  GstPad *out = gst_element_get_static_pad(chain_, "src");
  gst_pad_unlink(out, webrtc_pad_);
  gst_object_unref(out);
  gst_element_release_request_pad(webrtc_, webrtc_pad_);
  gst_object_unref(webrtc_pad_);
  gst_object_unref(webrtc_);
  webrtc_pad_ = nullptr;
  webrtc_ = nullptr;
}

} // namespace roborock
