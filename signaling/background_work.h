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

#include <functional>

namespace roborock {

void run_in_background(std::function<void()> job);

// Called by EventLoop::shared(): makes exit stop the shared loop first.
void install_exit_handler();

} // namespace roborock
