// net_echo: the bare net/ layer answering every request with a fixed 200, for measuring the
// HTTP layer alone with wrk. Not a benchmark binary of its own; see docs/benchmarks.md.
//
//   net_echo [PORT] [IO_THREADS]     (defaults: 8080, one per core)
//
// Stops on SIGINT or SIGTERM with a 5 s drain. Access-log lines are formatted but go to a logger
// without sinks, so the figure is the HTTP layer's, not the terminal's; with
// NET_ECHO_NO_LOG_FORMAT set they are not even formatted.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include <spdlog/logger.h>

#include "net/server.h"

int main(int argc, char** argv) {
  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  rampart::net::ServerOptions options;
  options.port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 8080);
  options.io_threads = argc > 2 ? std::atoi(argv[2]) : 0;
  options.access_logger = std::make_shared<spdlog::logger>("null");
  if (std::getenv("NET_ECHO_NO_LOG_FORMAT") != nullptr) {
    options.access_logger->set_level(spdlog::level::off);
  }
  auto server = rampart::net::Server::Start(
      options, [](rampart::HttpRequest, rampart::net::Responder respond) {
        rampart::HttpResponse response;
        response.SetHeader("Content-Type", "text/plain");
        response.body = "ok\n";
        respond(std::move(response));
      });
  if (!server) {
    std::fprintf(stderr, "net_echo: %s\n", server.error().message.c_str());
    return 1;
  }
  std::printf("net_echo listening on http://127.0.0.1:%u/\n", (*server)->port());
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  (*server)->Shutdown(std::chrono::seconds(5));
  return 0;
}
