// rampart's HTTP/1.1 server: listens on one address, reads bounded requests over plain TCP or
// TLS, hands each complete request to a Handler as a `rampart::HttpRequest`, and writes the
// HttpResponse the handler gives back, asynchronously and from any thread. It knows nothing of
// IAM, SigV4 or the AWS protocols; the server layer wires those in through the Handler and the
// ErrorFormatter.
//
// What the server guarantees on the wire:
// - HTTP/1.1 keep-alive (HTTP/1.0 only with `Connection: keep-alive`); `Connection: close` is
//   honoured; pipelined requests are answered one at a time, in order (the next request is read
//   only after the previous response is written).
// - Limits, answered with the ErrorFormatter's body and `Connection: close`: header section larger
//   than `max_header_bytes` or with more than `max_header_count` fields -> 431; body larger than
//   `max_body_bytes` -> 413 (as soon as Content-Length says so, before reading any of the body;
//   for chunked bodies once the decoded size passes the limit); malformed HTTP -> 400; a request
//   not fully received within `request_timeout` of its first byte -> 408. An idle keep-alive
//   connection is closed silently after `idle_timeout`.
// - Every response carries `Date`, `Server: rampart` and `Content-Length` (never chunked
//   transfer coding); handler-set `Content-Length`, `Transfer-Encoding`, `Date`, `Server` and
//   `Connection` values are replaced.
// - One access-log line per request (see ServerOptions::access_logger): never the query string,
//   the Authorization header or any body.
//
// Threading: Start() spawns `io_threads` threads that run all network I/O; each connection is
// served on its own strand. The Handler is called on an io thread and must not block: it should
// hand the request to a worker pool and call the Responder from there. Server methods are
// thread-safe; Shutdown() may be called from any thread (for example a signal-handling thread).
//
// Typical wiring (in server/):
//
//   Result<std::unique_ptr<net::Server>> server = net::Server::Start(
//       options,
//       [&pool, &dispatcher](HttpRequest request, net::Responder respond) {
//         pool.Post([&dispatcher, request = std::move(request), respond = std::move(respond)] {
//           respond(dispatcher.Handle(request));  // store calls happen here, off the io threads
//         });
//       },
//       [](const Error& error) { return ErrorInServiceShape(error); });
//   if (!server) return Fail(server.error());
//   // SIGTERM thread: (*server)->Shutdown(std::chrono::seconds(20));
//   (*server)->Wait();
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/http.h"
#include "common/result.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace rampart::net {

// Sends the response for one request. May be called from any thread, at most once (later calls
// are ignored). If every copy is destroyed without a call, the client gets a 500 InternalFailure
// from the ErrorFormatter. Calls after Shutdown() has closed the connection are ignored.
using Responder = std::function<void(HttpResponse)>;

// Receives each complete request. Runs on an io thread: it must return quickly and never block
// on the store; it may call the responder inline or later from another thread. An exception
// escaping the handler is logged, and the request is answered 500 unless it already was.
using Handler = std::function<void(HttpRequest, Responder)>;

// Builds the response for an error the server detects by itself, before or instead of calling
// the Handler. `error.http_status` is one of 400, 408, 413, 431, 500; `error.code` is one of
// `BadRequest`, `RequestTimeout`, `RequestEntityTooLarge`, `RequestHeaderFieldsTooLarge`,
// `InternalFailure`; `error.message` is lowercase prose without client data. The server keeps
// the returned headers and body but forces the status and `Connection: close`. Called on io
// threads, concurrently: must be thread-safe and must not block.
using ErrorFormatter = std::function<HttpResponse(const Error& error)>;

// The default ErrorFormatter: `text/plain; charset=utf-8`, body "<code>: <message>\n".
HttpResponse PlainErrorResponse(const Error& error);

struct ServerOptions {
  // IPv4 or IPv6 literal ("127.0.0.1", "0.0.0.0", "::1", "[::1]", "::"), or "localhost"
  // (127.0.0.1). Names are not resolved.
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port, see Server::port()

  // Threads running network I/O. 0: one per core (std::thread::hardware_concurrency()).
  int io_threads = 0;
  // Open connections at most; a connection accepted beyond this is closed at once, so that
  // idle clients cannot exhaust file descriptors. 0: no limit.
  std::size_t max_connections = 10'000;

  // Request line plus header fields, in bytes; larger -> 431.
  std::size_t max_header_bytes = 16 * 1024;
  // Header fields per request; more -> 431. Envoy's default limit is also 100.
  std::size_t max_header_count = 100;
  // Decoded body, in bytes; larger -> 413.
  std::size_t max_body_bytes = 1024 * 1024;
  // From the first byte of a request to its last (headers and body; also bounds the TLS
  // handshake and the writing of each response). Exceeded -> 408 and close.
  std::chrono::milliseconds request_timeout{10'000};
  // How long a keep-alive connection may wait for the first byte of its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // After the last response of a connection: how long to keep reading and discarding what the
  // client still sends (for example the rest of a refused body) before closing, so that the
  // client reads our response instead of a connection reset.
  std::chrono::milliseconds linger_timeout{1'000};

  // TLS: both set -> every connection is TLS 1.2 or later with this PEM certificate chain and
  // PEM private key; both empty -> plain TCP. Requests then carry `secure = true`.
  std::string tls_cert_file;
  std::string tls_key_file;

  // Receives one info-level line per request and warn-level lines about server faults.
  // nullptr: spdlog's default logger. Shared with the caller; must be thread-safe (spdlog's
  // `_mt` sinks are).
  std::shared_ptr<spdlog::logger> access_logger;
  // Time for the `Date` header and the access log. nullptr: the system clock. Not owned; must
  // outlive the Server.
  const Clock* clock = nullptr;
};

// "HOST:PORT" as written on a command line: "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0",
// "localhost:9000". Fails with `InvalidArgument` on a missing or non-numeric port, a port above
// 65535, an empty host or an unbracketed IPv6 literal.
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
Result<ListenAddress> ParseListenAddress(std::string_view text);

// Counters since Start(), for a /metrics endpoint. Each field is read atomically, the set is not
// a consistent snapshot.
struct ServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_refused = 0;  // closed at once: max_connections or draining
  std::uint64_t connections_open = 0;     // including those waiting for a Responder
  std::uint64_t requests_handled = 0;     // passed to the Handler
  std::uint64_t requests_rejected = 0;    // answered 400/408/413/431 by the server itself
};

class Server {
 public:
  // Binds (with SO_REUSEADDR, so a restarted server rebinds its port at once), starts the io
  // threads and begins accepting. `formatter` may be empty (PlainErrorResponse is used). Fails
  // with `InvalidArgument` (bad host literal, bad limits, only one of the TLS files),
  // `TlsConfigurationError` (unreadable or mismatched certificate/key) or `ListenFailed` (the
  // address is in use or not local). The Handler and ErrorFormatter are kept until the last
  // connection is gone.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, Handler handler,
                                               ErrorFormatter formatter = nullptr);

  // Shuts down with a zero deadline if Shutdown() was not called.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the ephemeral one when ServerOptions::port was 0).
  std::uint16_t port() const { return port_; }

  ServerStats stats() const;

  // Graceful drain: stops accepting, closes idle keep-alive connections, lets requests already
  // being received or handled finish and their responses be written (with `Connection: close`),
  // and returns when no connection remains or `deadline` has passed; then closes whatever
  // remains, stops the io threads and returns. Responders called afterwards do nothing.
  // Thread-safe and idempotent: a second call waits for the first to finish. Must not be called
  // from the Handler or an ErrorFormatter (they run on the io threads it joins); the same holds
  // for destroying the Server.
  void Shutdown(std::chrono::milliseconds deadline);

  // Blocks until Shutdown() (called from another thread) has finished.
  void Wait();

  struct Core;  // implementation, in server.cc

 private:
  Server(std::shared_ptr<Core> core, std::uint16_t port);

  std::shared_ptr<Core> core_;
  std::uint16_t port_;
};

}  // namespace rampart::net
