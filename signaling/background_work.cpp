// SPDX-License-Identifier: LGPL-2.1-or-later
#include "background_work.h"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <openssl/crypto.h>

#include "event_loop.h"

namespace roborock {
namespace {

// How long exit waits for a job still running (e.g. an RSA key being made on
// a loaded machine) before giving up and exiting anyway.
constexpr auto kExitGrace = std::chrono::seconds(3);

struct Jobs {
  std::mutex mutex;
  std::condition_variable idle;
  int running = 0;
};

Jobs &jobs() {
  static auto *instance = new Jobs(); // immortal: used during exit
  return *instance;
}

void on_exit() {
  EventLoop::shared().stop_for_exit(kExitGrace);
  Jobs &j = jobs();
  std::unique_lock<std::mutex> lock(j.mutex);
  j.idle.wait_for(lock, kExitGrace, [&j] { return j.running == 0; });
}

} // namespace

void install_exit_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    OPENSSL_init_crypto(0, nullptr); // its exit handler first, so ours runs before it
    atexit(on_exit);
  });
}

void wait_for_background_jobs(std::chrono::milliseconds max) {
  Jobs &j = jobs();
  std::unique_lock<std::mutex> lock(j.mutex);
  j.idle.wait_for(lock, max, [&j] { return j.running == 0; });
}

void run_in_background(std::function<void()> job) {
  install_exit_handler();
  {
    std::lock_guard<std::mutex> lock(jobs().mutex);
    jobs().running++;
  }
  std::thread([job = std::move(job)] {
    job();
    std::lock_guard<std::mutex> lock(jobs().mutex);
    if (--jobs().running == 0)
      jobs().idle.notify_all();
  }).detach();
}

} // namespace roborock
