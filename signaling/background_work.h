// SPDX-License-Identifier: LGPL-2.1-or-later
// Short jobs on threads of their own (blocking connects, certificate
// warm-up), and an orderly end for them and the signaling thread at process
// exit.
//
// A process may exit while such a job is inside OpenSSL. exit() runs
// OpenSSL's cleanup handler, which would free what the job is using. So the
// first use here makes sure OpenSSL's handler is registered first, then
// registers ours, which runs before it (handlers run in reverse order): it
// stops the signaling loop and waits, bounded, for running jobs.
#pragma once

#include <chrono>
#include <functional>

namespace roborock {

void run_in_background(std::function<void()> job);

// Waits, at most `max`, until no job runs. An element stopping waits here, so
// that a process that ends right after (gst-launch-1.0 after an early error)
// never exits while a job is inside OpenSSL: exit handlers are not the place
// to count on for that (a crash at exit under the DTLS key warm-up showed it).
void wait_for_background_jobs(std::chrono::milliseconds max);

// Called by EventLoop::shared(): makes exit stop the shared loop first.
void install_exit_handler();

} // namespace roborock
