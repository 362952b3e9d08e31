// The only translation unit of rampart that includes Asio and Beast (they cost ~45 s of compile
// time per TU here). Structure:
//
//   Server::Core        io_context, acceptor, TLS context, the registry of live connections and
//                       the shutdown state. Shared by the Server and by every Responder, so that
//                       the io_context outlives any connection a worker thread still holds.
//   Connection<Stream>  one client connection (plain or TLS), a state machine on its own strand:
//                       kIdle -> kReading -> kHandling -> kWriting -> (kIdle | kLingering) ->
//                       kClosed. One timer per connection enforces the idle, request, write and
//                       linger deadlines.
//   ResponderState      what a Responder captures: delivers at most one response, posting it to
//                       the connection's strand; answers 500 if dropped unanswered.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include "common/strings.h"
#include "net/internal/access_log.h"
#include "net/server.h"

namespace rampart::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;
using Strand = asio::strand<asio::io_context::executor_type>;
using StrandSocket = asio::basic_stream_socket<tcp, Strand>;
using StrandTimer =
    asio::basic_waitable_timer<SteadyClock, asio::wait_traits<SteadyClock>, Strand>;
using TlsStream = ssl::stream<StrandSocket>;

namespace internal {

// What Server::Core and ResponderState need of a connection, independent of its stream type.
class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  virtual ~ConnectionBase() = default;
  // Each of these posts to the connection's strand; callable from any thread.
  virtual void Begin() = 0;
  // nullopt: the handler dropped its responder unanswered.
  virtual void Deliver(std::optional<HttpResponse> response) = 0;
  virtual void BeginDrain() = 0;
  // Closes the socket directly. Only once the io threads have stopped.
  virtual void CloseNow() = 0;
};

}  // namespace internal

using internal::ConnectionBase;

struct Server::Core : public std::enable_shared_from_this<Server::Core> {
  Core(ServerOptions opts, Handler h, ErrorFormatter f, int threads)
      : options(std::move(opts)),
        handler(std::move(h)),
        formatter(std::move(f)),
        io_threads(threads),
        ioc(threads) {
    logger = options.access_logger ? options.access_logger : spdlog::default_logger();
    clock = options.clock ? options.clock : &system_clock;
  }

  Result<void> ConfigureTls();
  void Accept();
  void OnAccept(const ErrorCode& ec, StrandSocket socket);
  void RunIo();
  // The error response for `status`, from the ErrorFormatter; falls back to PlainErrorResponse
  // if the formatter throws.
  HttpResponse FormatError(int status, std::string_view code, std::string_view message);
  // Cached per thread and second.
  const std::string& HttpDate();

  // INVARIANT: everything a connection touches is declared before `ioc`. Handlers that own
  // connections may still be queued when the io threads stop; they are destroyed inside
  // ~io_context, and connection destructors unregister themselves from `connections`.
  ServerOptions options;
  Handler handler;
  ErrorFormatter formatter;
  std::shared_ptr<spdlog::logger> logger;
  SystemClock system_clock;
  const Clock* clock = nullptr;
  int io_threads;
  std::optional<ssl::context> tls;

  std::mutex mu;
  std::condition_variable connections_empty;  // notified when `connections` becomes empty
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> connections;  // mu
  bool stopped = false;  // mu; set before the io threads stop: no more posts to `ioc`
  std::atomic<bool> draining{false};
  std::atomic<bool> over_limit_logged{false};  // warn once per episode of max_connections
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> handled{0};
  std::atomic<std::uint64_t> rejected{0};

  std::mutex shutdown_mu;
  std::condition_variable shutdown_cv;
  bool shutdown_started = false;  // shutdown_mu
  bool shutdown_done = false;     // shutdown_mu

  asio::io_context ioc;
  Strand accept_strand{asio::make_strand(ioc)};
  asio::basic_socket_acceptor<tcp, Strand> acceptor{accept_strand};
  StrandTimer accept_retry{accept_strand};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
};

namespace {

// Captured by every copy of a Responder. Declaration order matters: `conn` is destroyed before
// `core`, so a connection never outlives the io_context its socket belongs to.
class ResponderState {
 public:
  ResponderState(std::shared_ptr<Server::Core> core, std::shared_ptr<ConnectionBase> conn)
      : core_(std::move(core)), conn_(std::move(conn)) {}
  ~ResponderState() { Send(std::nullopt); }
  ResponderState(const ResponderState&) = delete;
  ResponderState& operator=(const ResponderState&) = delete;

  void Send(std::optional<HttpResponse> response) {
    if (used_.exchange(true)) return;
    std::lock_guard<std::mutex> lock(core_->mu);
    if (core_->stopped) return;
    conn_->Deliver(std::move(response));
  }

 private:
  std::shared_ptr<Server::Core> core_;
  std::shared_ptr<ConnectionBase> conn_;
  std::atomic<bool> used_{false};
};

bool IsHttpError(const ErrorCode& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                  std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// A field value must not be able to end the header early (response splitting).
bool IsFieldValue(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool IsValidResponse(const HttpResponse& response) {
  if (response.status < 200 || response.status > 599) return false;
  return std::all_of(response.headers.begin(), response.headers.end(), [](const auto& field) {
    return IsToken(field.first) && IsFieldValue(field.second);
  });
}

std::string RemoteIp(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

std::string Millis(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + " ms";
}

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

template <class Stream>
class Connection final : public ConnectionBase {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <class... StreamArgs>
  Connection(Server::Core& core, std::string remote_ip, StreamArgs&&... stream_args)
      : core_(core),
        stream_(std::forward<StreamArgs>(stream_args)...),
        executor_(beast::get_lowest_layer(stream_).get_executor()),
        timer_(executor_),
        buffer_(core.options.max_header_bytes + 64 * 1024),
        remote_ip_(std::move(remote_ip)) {}

  ~Connection() override {
    std::lock_guard<std::mutex> lock(core_.mu);
    core_.connections.erase(this);
    if (core_.connections.empty()) core_.connections_empty.notify_all();
  }

  void Begin() override {
    asio::post(executor_, [self = Self()] { self->Run(); });
  }
  void Deliver(std::optional<HttpResponse> response) override {
    asio::post(executor_, [self = Self(), response = std::move(response)]() mutable {
      self->OnResponse(std::move(response));
    });
  }
  void BeginDrain() override {
    asio::post(executor_, [self = Self()] { self->OnDrain(); });
  }
  void CloseNow() override { Close(); }

 private:
  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  std::shared_ptr<Connection> Self() {
    return std::static_pointer_cast<Connection>(shared_from_this());
  }
  StrandSocket& Socket() { return beast::get_lowest_layer(stream_); }

  void Run() {
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      Arm(core_.options.request_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = Self()](const ErrorCode& ec) { self->OnHandshake(ec); });
    } else {
      ReadNext();
    }
  }

  void OnHandshake(const ErrorCode& ec) {
    Disarm();
    if (ec || phase_ == Phase::kClosed) {
      Close();
      return;
    }
    ReadNext();
  }

  // Waits for the first byte of the next request under the idle deadline; a request already
  // buffered (pipelined) starts at once.
  void ReadNext() {
    if (core_.draining.load()) {
      Close();
      return;
    }
    if (buffer_.size() > 0) {
      BeginRequest();
      return;
    }
    phase_ = Phase::kIdle;
    Arm(core_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = Self()](const ErrorCode& ec, std::size_t bytes) {
                              self->OnFirstBytes(ec, bytes);
                            });
  }

  void OnFirstBytes(const ErrorCode& ec, std::size_t bytes) {
    Disarm();
    // An error here is the client closing, the idle deadline, or a drain: close silently.
    if (ec || phase_ == Phase::kClosed) {
      Close();
      return;
    }
    buffer_.commit(bytes);
    BeginRequest();
  }

  void BeginRequest() {
    phase_ = Phase::kReading;
    timed_out_ = false;
    request_start_ = SteadyClock::now();
    request_time_ = core_.clock->Now();
    method_ = "-";
    target_ = "-";
    version_ = 11;
    keep_alive_ = false;
    head_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(core_.options.max_header_bytes));
    parser_->body_limit(static_cast<std::uint64_t>(core_.options.max_body_bytes));
    Arm(core_.options.request_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](const ErrorCode& ec, std::size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(const ErrorCode& ec) {
    if (phase_ == Phase::kClosed) return;
    const auto& request = parser_->get();
    if (!request.method_string().empty()) method_ = std::string(request.method_string());
    if (!request.target().empty()) target_ = std::string(request.target());
    if (ec || timed_out_) {
      OnReadError(ec);
      return;
    }
    version_ = request.version();
    keep_alive_ = request.keep_alive();
    head_ = request.method() == http::verb::head;
    auto field_count = static_cast<std::size_t>(std::distance(request.begin(), request.end()));
    if (field_count > core_.options.max_header_count) {
      Reject(431, "RequestHeaderFieldsTooLarge",
             "request has more than " + std::to_string(core_.options.max_header_count) +
                 " header fields");
      return;
    }
    if (parser_->is_done()) {
      Dispatch();
      return;
    }
    // curl and other clients send `Expect: 100-continue` before a large body and wait for the
    // interim response (RFC 9110 section 10.1.1); the body limit was already checked above.
    auto expect = request[http::field::expect];
    if (version_ >= 11 && EqualsIgnoreCase(Trim(expect), "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = Self()](const ErrorCode& write_ec, std::size_t) {
                          if (write_ec || self->phase_ == Phase::kClosed) {
                            self->Close();
                            return;
                          }
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = Self()](const ErrorCode& ec, std::size_t) { self->OnBody(ec); });
  }

  void OnBody(const ErrorCode& ec) {
    if (phase_ == Phase::kClosed) return;
    if (ec || timed_out_) {
      OnReadError(ec);
      return;
    }
    Dispatch();
  }

  void OnReadError(const ErrorCode& ec) {
    Disarm();
    if (timed_out_) {
      Reject(408, "RequestTimeout",
             "request not received within " + Millis(core_.options.request_timeout));
    } else if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      Reject(431, "RequestHeaderFieldsTooLarge",
             "request header section exceeds " +
                 std::to_string(core_.options.max_header_bytes) + " bytes");
    } else if (ec == http::error::body_limit) {
      Reject(413, "RequestEntityTooLarge",
             "request body exceeds " + std::to_string(core_.options.max_body_bytes) + " bytes");
    } else if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
               !IsHttpError(ec)) {
      Close();  // the client went away, or an I/O error: nobody to answer
    } else {
      Reject(400, "BadRequest", "malformed HTTP request: " + ec.message());
    }
  }

  void Dispatch() {
    core_.handled.fetch_add(1, std::memory_order_relaxed);
    Disarm();
    phase_ = Phase::kHandling;
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_ip = remote_ip_;
    request.secure = kTls;

    auto state = std::make_shared<ResponderState>(core_.shared_from_this(), shared_from_this());
    Responder responder = [state](HttpResponse response) { state->Send(std::move(response)); };
    try {
      core_.handler(std::move(request), std::move(responder));
    } catch (const std::exception& e) {
      core_.logger->warn("net: request handler threw: {}", e.what());
      state->Send(std::nullopt);
    } catch (...) {
      core_.logger->warn("net: request handler threw a non-standard exception");
      state->Send(std::nullopt);
    }
  }

  void OnResponse(std::optional<HttpResponse> response) {
    if (phase_ != Phase::kHandling) return;
    if (!response) {
      core_.logger->warn("net: request handler dropped its responder without answering");
      response = core_.FormatError(500, "InternalFailure",
                                   "the request processing has failed because of an unknown "
                                   "error, exception or failure");
    } else if (!IsValidResponse(*response)) {
      core_.logger->warn("net: request handler returned an invalid status or header");
      response = core_.FormatError(500, "InternalFailure",
                                   "the request processing has failed because of an unknown "
                                   "error, exception or failure");
    }
    Write(std::move(*response), /*force_close=*/false);
  }

  // Answers an error detected while reading, then closes the connection.
  void Reject(int status, std::string_view code, const std::string& message) {
    core_.rejected.fetch_add(1, std::memory_order_relaxed);
    Disarm();
    parser_.reset();
    Write(core_.FormatError(status, code, message), /*force_close=*/true);
  }

  void Write(HttpResponse response, bool force_close) {
    auto& out = response_.emplace();
    out.version(version_);
    out.result(static_cast<unsigned>(response.status));
    bool handler_close = false;
    request_id_.clear();
    for (auto& [name, value] : response.headers) {
      switch (http::string_to_field(name)) {
        case http::field::content_length:
        case http::field::transfer_encoding:
        case http::field::date:
        case http::field::server:
        case http::field::keep_alive:
          continue;
        case http::field::connection:
          if (AsciiLower(value).find("close") != std::string::npos) handler_close = true;
          continue;
        default:
          break;
      }
      if (EqualsIgnoreCase(name, "x-amzn-RequestId")) request_id_ = value;
      out.insert(name, value);
    }
    out.set(http::field::server, "rampart");
    out.set(http::field::date, core_.HttpDate());
    // RFC 9110 section 8.6: no Content-Length in 204 and 304 responses; a HEAD response
    // announces the length the GET would have had, without the body.
    status_ = response.status;
    if (status_ == 204 || status_ == 304) {
      response.body.clear();
    } else {
      out.content_length(response.body.size());
    }
    if (head_) response.body.clear();
    response_bytes_ = response.body.size();
    out.body() = std::move(response.body);
    keep_after_write_ =
        keep_alive_ && !force_close && !handler_close && !core_.draining.load();
    out.keep_alive(keep_after_write_);
    if (!keep_after_write_) out.set(http::field::connection, "close");

    phase_ = Phase::kWriting;
    Arm(core_.options.request_timeout);
    http::async_write(stream_, *response_,
                      [self = Self()](const ErrorCode& ec, std::size_t) { self->OnWritten(ec); });
  }

  void OnWritten(const ErrorCode& ec) {
    Disarm();
    LogAccess();
    response_.reset();
    if (ec || phase_ == Phase::kClosed) {
      Close();
    } else if (keep_after_write_) {
      ReadNext();
    } else {
      Linger();
    }
  }

  // Half-closes and discards what the client still sends, so that its TCP stack does not
  // answer our close with a reset that destroys the response before the client reads it.
  void Linger() {
    phase_ = Phase::kLingering;
    ErrorCode ec;
    Socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      Close();
      return;
    }
    buffer_.clear();
    Arm(core_.options.linger_timeout);
    Discard();
  }

  void Discard() {
    Socket().async_read_some(buffer_.prepare(kReadChunk),
                             [self = Self()](const ErrorCode& ec, std::size_t) {
                               if (ec || self->phase_ == Phase::kClosed) {
                                 self->Close();
                                 return;
                               }
                               self->Discard();
                             });
  }

  void OnDrain() {
    // Requests being received or handled finish; their responses carry `Connection: close`.
    if (phase_ == Phase::kIdle || phase_ == Phase::kHandshake) Close();
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    ++timer_generation_;
    timer_.cancel();
    ErrorCode ignored;
    Socket().shutdown(tcp::socket::shutdown_both, ignored);
    Socket().close(ignored);
  }

  void Arm(std::chrono::milliseconds timeout) {
    std::uint64_t generation = ++timer_generation_;
    timer_.expires_after(timeout);
    timer_.async_wait([self = Self(), generation](const ErrorCode& ec) {
      if (!ec) self->OnTimer(generation);
    });
  }

  void Disarm() {
    ++timer_generation_;
    timer_.cancel();
  }

  void OnTimer(std::uint64_t generation) {
    if (generation != timer_generation_) return;  // disarmed after it fired
    if (phase_ == Phase::kReading) {
      // Cancel the read; its handler answers 408. Closing instead would leave no way to say
      // why.
      timed_out_ = true;
      ErrorCode ignored;
      Socket().cancel(ignored);
    } else {
      Close();
    }
  }

  void LogAccess() {
    if (!core_.logger->should_log(spdlog::level::info)) return;
    internal::AccessLogEntry entry;
    entry.time = request_time_;
    entry.remote_ip = remote_ip_;
    entry.method = method_;
    entry.target = target_;
    entry.status = status_;
    entry.response_bytes = response_bytes_;
    entry.duration_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - request_start_)
            .count());
    entry.request_id = request_id_;
    entry.secure = kTls;
    core_.logger->info("{}", internal::FormatAccessLogLine(entry));
  }

  Server::Core& core_;
  Stream stream_;
  Strand executor_;
  StrandTimer timer_;
  std::uint64_t timer_generation_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  const std::string remote_ip_;

  Phase phase_ = Phase::kIdle;
  bool timed_out_ = false;
  // The request being served, for the response and the access log.
  SteadyClock::time_point request_start_;
  TimePoint request_time_;
  std::string method_ = "-";
  std::string target_ = "-";
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool keep_after_write_ = false;
  int status_ = 0;
  std::uint64_t response_bytes_ = 0;
  std::string request_id_;
};

}  // namespace

Result<void> Server::Core::ConfigureTls() {
  const std::string& cert = options.tls_cert_file;
  const std::string& key = options.tls_key_file;
  try {
    tls.emplace(ssl::context::tls_server);
  } catch (const std::exception& e) {
    return Fail("TlsConfigurationError", std::string("cannot create a TLS context: ") + e.what());
  }
  ErrorCode ec;
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                   ec);
  SSL_CTX* native = tls->native_handle();
  if (ec || SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return Fail("TlsConfigurationError", "cannot restrict TLS to version 1.2 or later");
  }
  // Client-initiated renegotiation only costs the server CPU.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  tls->use_certificate_chain_file(cert, ec);
  if (ec) {
    return Fail("TlsConfigurationError",
                "cannot load TLS certificate chain `" + cert + "`: " + ec.message());
  }
  tls->use_private_key_file(key, ssl::context::pem, ec);
  if (ec) {
    return Fail("TlsConfigurationError",
                "cannot load TLS private key `" + key + "`: " + ec.message());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Fail("TlsConfigurationError",
                "TLS private key `" + key + "` does not match certificate `" + cert + "`");
  }
  return Ok();
}

void Server::Core::Accept() {
  acceptor.async_accept(asio::make_strand(ioc),
                        [this](const ErrorCode& ec, StrandSocket socket) {
                          OnAccept(ec, std::move(socket));
                        });
}

void Server::Core::OnAccept(const ErrorCode& ec, StrandSocket socket) {
  if (!acceptor.is_open()) return;  // closed by Shutdown
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // Out of file descriptors and the like: back off instead of spinning on the error.
    logger->warn("net: accept failed: {}", ec.message());
    accept_retry.expires_after(std::chrono::milliseconds(50));
    accept_retry.async_wait([this](const ErrorCode& wait_ec) {
      if (!wait_ec && acceptor.is_open()) Accept();
    });
    return;
  }
  ErrorCode endpoint_ec;
  tcp::endpoint peer = socket.remote_endpoint(endpoint_ec);
  if (draining.load() || endpoint_ec) {
    refused.fetch_add(1, std::memory_order_relaxed);
    socket.close(endpoint_ec);
    Accept();
    return;
  }
  std::size_t open_connections;
  {
    std::lock_guard<std::mutex> lock(mu);
    open_connections = connections.size();
  }
  if (options.max_connections != 0 && open_connections >= options.max_connections) {
    refused.fetch_add(1, std::memory_order_relaxed);
    socket.close(endpoint_ec);
    if (!over_limit_logged.exchange(true)) {
      logger->warn("net: {} connections open; refusing new ones until some close",
                   open_connections);
    }
    Accept();
    return;
  }
  over_limit_logged.store(false);
  accepted.fetch_add(1, std::memory_order_relaxed);
  ErrorCode ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  std::shared_ptr<ConnectionBase> connection;
  if (tls) {
    connection = std::make_shared<Connection<TlsStream>>(*this, RemoteIp(peer.address()),
                                                         std::move(socket), *tls);
  } else {
    connection = std::make_shared<Connection<StrandSocket>>(*this, RemoteIp(peer.address()),
                                                            std::move(socket));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    connections.emplace(connection.get(), connection);
  }
  connection->Begin();
  Accept();
}

void Server::Core::RunIo() {
  // Last resort: completion handlers report errors as values; an exception here is a bug.
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      logger->error("net: io thread caught an exception: {}", e.what());
    }
  }
}

HttpResponse Server::Core::FormatError(int status, std::string_view code,
                                       std::string_view message) {
  Error error(std::string(code), std::string(message), status);
  HttpResponse response;
  if (formatter) {
    try {
      response = formatter(error);
    } catch (const std::exception& e) {
      logger->warn("net: error formatter threw: {}", e.what());
      response = PlainErrorResponse(error);
    }
  } else {
    response = PlainErrorResponse(error);
  }
  response.status = status;
  if (!IsValidResponse(response)) response = PlainErrorResponse(error);
  return response;
}

const std::string& Server::Core::HttpDate() {
  thread_local std::int64_t cached_second = -1;
  thread_local std::string cached;
  std::int64_t now = ToEpochSeconds(clock->Now());
  if (now != cached_second) {
    cached = internal::FormatHttpDate(FromEpochSeconds(now));
    cached_second = now;
  }
  return cached;
}

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Handler handler,
                                              ErrorFormatter formatter) {
  if (!handler) return Fail("InvalidArgument", "a request handler is required");
  if (options.max_header_bytes < 64 || options.max_header_bytes > (1u << 30) ||
      options.max_header_count == 0 || options.request_timeout.count() <= 0 ||
      options.idle_timeout.count() <= 0 || options.linger_timeout.count() < 0 ||
      options.io_threads < 0) {
    return Fail("InvalidArgument", "server limits and timeouts must be positive");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Fail("InvalidArgument", "TLS needs both a certificate file and a key file");
  }
  std::string host = options.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  ErrorCode ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) {
    return Fail("InvalidArgument",
                "listen host `" + options.host + "` is not an IPv4 or IPv6 address");
  }

  int threads = options.io_threads;
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool want_tls = !options.tls_cert_file.empty();
  auto core =
      std::make_shared<Core>(std::move(options), std::move(handler), std::move(formatter), threads);
  if (want_tls) {
    Result<void> configured = core->ConfigureTls();
    if (!configured) return Fail(configured.error());
  }

  tcp::endpoint endpoint(address, core->options.port);
  std::string where = (address.is_v6() ? "[" + host + "]" : host) + ":" +
                      std::to_string(core->options.port);
  core->acceptor.open(endpoint.protocol(), ec);
  // SO_REUSEADDR: a restarted server rebinds at once despite connections in TIME_WAIT.
  if (!ec) core->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) core->acceptor.bind(endpoint, ec);
  if (!ec) core->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  tcp::endpoint bound;
  if (!ec) bound = core->acceptor.local_endpoint(ec);
  if (ec) return Fail("ListenFailed", "cannot listen on `" + where + "`: " + ec.message());

  core->work.emplace(core->ioc.get_executor());
  asio::post(core->accept_strand, [raw = core.get()] { raw->Accept(); });
  try {
    for (int thread_idx = 0; thread_idx < threads; ++thread_idx) {
      core->threads.emplace_back([raw = core.get()] { raw->RunIo(); });
    }
  } catch (const std::system_error& e) {
    core->work.reset();
    core->ioc.stop();
    for (auto& thread : core->threads) thread.join();
    return Fail("ListenFailed", std::string("cannot start io threads: ") + e.what());
  }
  return std::unique_ptr<Server>(new Server(std::move(core), bound.port()));
}

Server::Server(std::shared_ptr<Core> core, std::uint16_t port)
    : core_(std::move(core)), port_(port) {}

Server::~Server() { Shutdown(std::chrono::milliseconds(0)); }

ServerStats Server::stats() const {
  ServerStats stats;
  stats.connections_accepted = core_->accepted.load(std::memory_order_relaxed);
  stats.connections_refused = core_->refused.load(std::memory_order_relaxed);
  stats.requests_handled = core_->handled.load(std::memory_order_relaxed);
  stats.requests_rejected = core_->rejected.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(core_->mu);
  stats.connections_open = core_->connections.size();
  return stats;
}

void Server::Shutdown(std::chrono::milliseconds deadline) {
  Core& core = *core_;
  {
    std::unique_lock<std::mutex> lock(core.shutdown_mu);
    if (core.shutdown_started) {
      core.shutdown_cv.wait(lock, [&] { return core.shutdown_done; });
      return;
    }
    core.shutdown_started = true;
  }
  const auto until = SteadyClock::now() + deadline;

  // 1. Stop accepting; tell every connection to drain (idle ones close at once).
  core.draining.store(true);
  asio::post(core.accept_strand, [raw = &core] {
    ErrorCode ignored;
    raw->acceptor.close(ignored);
    raw->accept_retry.cancel();
  });
  auto snapshot = [&core] {
    std::vector<std::shared_ptr<ConnectionBase>> live;
    std::lock_guard<std::mutex> lock(core.mu);
    for (auto& [raw, weak] : core.connections) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
    return live;
  };
  for (auto& connection : snapshot()) connection->BeginDrain();

  // 2. Wait for in-flight requests, up to the deadline. Connections accepted during step 1
  //    see `draining` and close themselves.
  {
    std::unique_lock<std::mutex> lock(core.mu);
    core.connections_empty.wait_until(lock, until, [&] { return core.connections.empty(); });
    core.stopped = true;  // from here on Responders post nothing
  }

  // 3. Stop the io threads; then no handler runs and sockets may be closed from this thread.
  core.work.reset();
  core.ioc.stop();
  for (auto& thread : core.threads) thread.join();
  core.threads.clear();
  ErrorCode ignored;
  core.acceptor.close(ignored);
  std::vector<std::shared_ptr<ConnectionBase>> remaining = snapshot();
  if (!remaining.empty()) {
    core.logger->warn("net: shutdown deadline passed; closing {} connection(s)",
                      remaining.size());
  }
  for (auto& connection : remaining) connection->CloseNow();
  remaining.clear();

  // Notified under the lock: a waiter in ~Server may destroy `core` as soon as it wakes.
  std::lock_guard<std::mutex> lock(core.shutdown_mu);
  core.shutdown_done = true;
  core.shutdown_cv.notify_all();
}

void Server::Wait() {
  std::unique_lock<std::mutex> lock(core_->shutdown_mu);
  core_->shutdown_cv.wait(lock, [this] { return core_->shutdown_done; });
}

}  // namespace rampart::net
