// End-to-end tests of net::Server over real sockets on 127.0.0.1, port 0. The client side is
// plain POSIX sockets (and OpenSSL for TLS) so this file needs no Asio. Timing assertions are
// only generous upper bounds for liveness.
#include "net/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/strings.h"

namespace rampart::net {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

// The test client writes to sockets the server may already have closed.
const bool kIgnoreSigpipe = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

// ---------------------------------------------------------------------------------------------
// Client side

struct RawResponse {
  int status = 0;
  std::string version;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::optional<std::string> Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (EqualsIgnoreCase(key, name)) return value;
    }
    return std::nullopt;
  }
  int HeaderCount(std::string_view name) const {
    int count = 0;
    for (const auto& [key, value] : headers) count += EqualsIgnoreCase(key, name) ? 1 : 0;
    return count;
  }
};

// A blocking client connection; every read is bounded by a timeout. Optionally TLS.
class Client {
 public:
  explicit Client(std::uint16_t port, SSL_CTX* tls = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connected_ && tls != nullptr) {
      ssl_ = SSL_new(tls);
      SSL_set_fd(ssl_, fd_);
      SSL_set_tlsext_host_name(ssl_, "localhost");
      connected_ = SSL_connect(ssl_) == 1;
    }
  }
  ~Client() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  SSL* ssl() const { return ssl_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t sent = ssl_ != nullptr ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                                     : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  // Reads one response (an interim 1xx response has no body). nullopt if the connection closes
  // or `timeout` passes first.
  std::optional<RawResponse> Read(std::chrono::milliseconds timeout = 10s, bool head = false) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    RawResponse response;
    std::string_view head_text = std::string_view(pending_).substr(0, end);
    std::vector<std::string_view> lines;
    for (std::size_t start = 0;;) {
      std::size_t eol = head_text.find("\r\n", start);
      lines.push_back(head_text.substr(start, eol == std::string_view::npos ? eol : eol - start));
      if (eol == std::string_view::npos) break;
      start = eol + 2;
    }
    std::string_view status_line = lines[0];
    response.version = std::string(status_line.substr(0, status_line.find(' ')));
    response.status = std::stoi(std::string(status_line.substr(status_line.find(' ') + 1, 3)));
    for (std::size_t line_idx = 1; line_idx < lines.size(); ++line_idx) {
      std::string_view line = lines[line_idx];
      std::size_t colon = line.find(':');
      response.headers.emplace_back(std::string(line.substr(0, colon)),
                                    std::string(Trim(line.substr(colon + 1))));
    }
    pending_.erase(0, end + 4);
    std::size_t length = 0;
    if (auto value = response.Header("Content-Length"); value && !head) {
      length = std::stoul(*value);
    }
    if (response.status < 200 || response.status == 204 || response.status == 304) length = 0;
    while (pending_.size() < length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    response.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return response;
  }

  // True once the server has closed the connection (EOF or reset) within `timeout`; bytes that
  // arrive meanwhile are kept for Read().
  bool WaitClosed(std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Fill(deadline)) return closed_;
    }
    return closed_;
  }

  // True if nothing arrives and the connection stays open for `duration`.
  bool StaysQuiet(std::chrono::milliseconds duration) {
    auto deadline = std::chrono::steady_clock::now() + duration;
    std::size_t before = pending_.size();
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Fill(deadline)) break;
    }
    return !closed_ && pending_.size() == before;
  }

  const std::string& pending() const { return pending_; }

 private:
  // Appends what arrives before `deadline`; false on timeout or close.
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    if (closed_) return false;
    if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd poll_fd{fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) return false;
    }
    char chunk[16384];
    ssize_t got = ssl_ != nullptr ? SSL_read(ssl_, chunk, sizeof(chunk))
                                  : ::recv(fd_, chunk, sizeof(chunk), 0);
    if (got <= 0) {
      if (ssl_ != nullptr && got < 0 && SSL_get_error(ssl_, static_cast<int>(got)) ==
                                            SSL_ERROR_WANT_READ) {
        return true;  // a TLS record that was not application data (e.g. a session ticket)
      }
      closed_ = true;
      return false;
    }
    pending_.append(chunk, static_cast<std::size_t>(got));
    return true;
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
  bool closed_ = false;
  std::string pending_;
};

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" +
         std::string(extra_headers) + "\r\n";
}

// ---------------------------------------------------------------------------------------------
// Server side

// Collects formatted log lines.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    lines_.emplace_back(message.payload.data(), message.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// Echoes the request: body "<method> <target> <body>", and the request in `requests`.
class EchoServer {
 public:
  explicit EchoServer(ServerOptions options = {}, ErrorFormatter formatter = nullptr) {
    sink_ = std::make_shared<CaptureSink>();
    options.access_logger = std::make_shared<spdlog::logger>("test", sink_);
    options.io_threads = options.io_threads == 0 ? 2 : options.io_threads;
    auto started = Server::Start(
        std::move(options),
        [this](HttpRequest request, Responder respond) { Handle(std::move(request), respond); },
        std::move(formatter));
    EXPECT_TRUE(started.has_value()) << started.error().message;
    if (started) server_ = std::move(*started);
  }

  // Replaces the echo behaviour.
  void set_handler(std::function<void(HttpRequest, Responder)> handler) {
    std::lock_guard<std::mutex> lock(mu_);
    custom_ = std::move(handler);
  }

  Server& server() { return *server_; }
  std::uint16_t port() const { return server_->port(); }
  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::vector<std::string> log_lines() { return sink_->Lines(); }
  // The line is written once the response is, which may be after the client has read it.
  std::vector<std::string> WaitForLogLines(std::size_t count) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (sink_->Lines().size() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    return sink_->Lines();
  }

 private:
  void Handle(HttpRequest request, Responder respond) {
    std::function<void(HttpRequest, Responder)> custom;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
      custom = custom_;
    }
    if (custom) {
      custom(std::move(request), std::move(respond));
      return;
    }
    HttpResponse response;
    response.SetHeader("Content-Type", "text/plain");
    response.SetHeader("x-amzn-RequestId", "req-" + std::to_string(requests().size()));
    response.body = request.method + " " + request.target + " " + request.body;
    respond(std::move(response));
  }

  std::shared_ptr<CaptureSink> sink_;
  std::mutex mu_;
  std::vector<HttpRequest> requests_;
  std::function<void(HttpRequest, Responder)> custom_;
  std::unique_ptr<Server> server_;
};

// ---------------------------------------------------------------------------------------------
// Round trips, keep-alive, pipelining

TEST(NetServer, RoundTripPassesRequestAndAddsStandardHeaders) {
  EchoServer echo;
  Client client(echo.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(
      "POST /a/b%20c?Action=Get&x=1 HTTP/1.1\r\nHost: test\r\nX-Custom: One\r\n"
      "x-amz-date: 20261128T000000Z\r\nContent-Length: 5\r\n\r\nhello"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->version, "HTTP/1.1");
  EXPECT_EQ(response->body, "POST /a/b%20c?Action=Get&x=1 hello");
  EXPECT_EQ(response->Header("Server"), "rampart");
  EXPECT_EQ(response->Header("Content-Length"), "34");
  EXPECT_EQ(response->Header("Content-Type"), "text/plain");
  EXPECT_EQ(response->Header("x-amzn-RequestId"), "req-1");
  ASSERT_TRUE(response->Header("Date"));
  EXPECT_TRUE(EndsWith(*response->Header("Date"), " GMT"));
  EXPECT_FALSE(response->Header("Transfer-Encoding"));
  EXPECT_FALSE(response->Header("Connection"));

  auto requests = echo.requests();
  ASSERT_EQ(requests.size(), 1u);
  const HttpRequest& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/a/b%20c?Action=Get&x=1");
  EXPECT_EQ(request.Path(), "/a/b%20c");
  EXPECT_EQ(request.body, "hello");
  EXPECT_EQ(request.remote_ip, "127.0.0.1");
  EXPECT_FALSE(request.secure);
  // Headers in arrival order, names as sent.
  ASSERT_EQ(request.headers.size(), 4u);
  EXPECT_EQ(request.headers[0], (std::pair<std::string, std::string>{"Host", "test"}));
  EXPECT_EQ(request.headers[1], (std::pair<std::string, std::string>{"X-Custom", "One"}));
  EXPECT_EQ(request.headers[2].first, "x-amz-date");
  EXPECT_EQ(request.headers[3].first, "Content-Length");
}

TEST(NetServer, DecodesChunkedRequestBody) {
  EchoServer echo;
  Client client(echo.port());
  ASSERT_TRUE(client.Send(
      "PUT /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "PUT /c abcdefg");
}

TEST(NetServer, KeepAliveServesManyRequestsOnOneConnection) {
  EchoServer echo;
  Client client(echo.port());
  for (int request_idx = 0; request_idx < 50; ++request_idx) {
    std::string target = "/n" + std::to_string(request_idx);
    ASSERT_TRUE(client.Send(Get(target)));
    auto response = client.Read();
    ASSERT_TRUE(response) << "request " << request_idx;
    EXPECT_EQ(response->body, "GET " + target + " ");
    EXPECT_FALSE(response->Header("Connection"));
  }
  EXPECT_EQ(echo.requests().size(), 50u);
}

TEST(NetServer, ConnectionCloseIsHonoured) {
  EchoServer echo;
  Client client(echo.port());
  ASSERT_TRUE(client.Send(Get("/x", "Connection: close\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
}

TEST(NetServer, Http10ClosesUnlessKeepAliveIsAsked) {
  EchoServer echo;
  {
    Client client(echo.port());
    ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\n\r\n"));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->version, "HTTP/1.0");
    EXPECT_EQ(response->body, "GET /old ");
    EXPECT_TRUE(client.WaitClosed());
  }
  {
    Client client(echo.port());
    for (int round = 0; round < 2; ++round) {
      ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
      auto response = client.Read();
      ASSERT_TRUE(response) << "round " << round;
      EXPECT_EQ(response->Header("Connection"), "keep-alive");
    }
  }
}

TEST(NetServer, PipelinedRequestsAreAnsweredInOrderEvenWhenHandlersFinishOutOfOrder) {
  EchoServer echo;
  std::vector<std::thread> workers;
  std::mutex workers_mu;
  echo.set_handler([&](HttpRequest request, Responder respond) {
    // The first request is the slowest; responders run on other threads.
    int delay_ms = request.target == "/p0" ? 300 : request.target == "/p1" ? 100 : 0;
    std::lock_guard<std::mutex> lock(workers_mu);
    workers.emplace_back([request = std::move(request), respond, delay_ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      HttpResponse response;
      response.body = request.target;
      respond(std::move(response));
    });
  });
  Client client(echo.port());
  ASSERT_TRUE(client.Send(Get("/p0") + Get("/p1") + Get("/p2") + Get("/p3")));
  for (int request_idx = 0; request_idx < 4; ++request_idx) {
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "/p" + std::to_string(request_idx));
  }
  std::lock_guard<std::mutex> lock(workers_mu);
  for (auto& worker : workers) worker.join();
}

TEST(NetServer, HeadAnswersLengthWithoutBodyAnd204HasNoLength) {
  EchoServer echo;
  echo.set_handler([](HttpRequest request, Responder respond) {
    HttpResponse response;
    if (request.target == "/empty") {
      response.status = 204;
    } else {
      response.body = "0123456789";
    }
    respond(std::move(response));
  });
  Client client(echo.port());
  ASSERT_TRUE(client.Send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = client.Read(10s, /*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("Content-Length"), "10");
  EXPECT_EQ(head->body, "");
  ASSERT_TRUE(client.Send(Get("/empty")));
  auto empty = client.Read();
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 204);
  EXPECT_FALSE(empty->Header("Content-Length"));
  // The connection is still in sync: a further request gets its own response.
  ASSERT_TRUE(client.Send(Get("/again")));
  auto again = client.Read();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "0123456789");
}

TEST(NetServer, ServerControlsFramingHeaders) {
  EchoServer echo;
  echo.set_handler([](HttpRequest, Responder respond) {
    HttpResponse response;
    response.headers = {{"Transfer-Encoding", "chunked"},
                        {"Content-Length", "999"},
                        {"Server", "other"},
                        {"X-Kept", "yes"}};
    response.body = "abc";
    respond(std::move(response));
  });
  Client client(echo.port());
  ASSERT_TRUE(client.Send(Get("/")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->Header("Transfer-Encoding"));
  EXPECT_EQ(response->Header("Content-Length"), "3");
  EXPECT_EQ(response->HeaderCount("Server"), 1);
  EXPECT_EQ(response->Header("Server"), "rampart");
  EXPECT_EQ(response->Header("X-Kept"), "yes");
  EXPECT_EQ(response->body, "abc");
}

TEST(NetServer, HandlerConnectionCloseClosesAfterResponse) {
  EchoServer echo;
  echo.set_handler([](HttpRequest, Responder respond) {
    HttpResponse response;
    response.SetHeader("Connection", "Close");
    respond(std::move(response));
  });
  Client client(echo.port());
  ASSERT_TRUE(client.Send(Get("/")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
}

TEST(NetServer, ExpectContinueGetsInterimResponseBeforeBody) {
  EchoServer echo;
  Client client(echo.port());
  ASSERT_TRUE(client.Send(
      "POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("data"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /up data");
}

// ---------------------------------------------------------------------------------------------
// Handler faults

TEST(NetServer, HandlerFaultsBecome500) {
  EchoServer echo;
  echo.set_handler([](HttpRequest request, Responder respond) {
    if (request.target == "/throw") throw std::runtime_error("boom");
    if (request.target == "/drop") return;  // responder destroyed unanswered
    HttpResponse response;
    if (request.target == "/bad-header") response.SetHeader("X-Split", "a\r\nInjected: 1");
    if (request.target == "/bad-status") response.status = 42;
    respond(response);
    respond(response);  // a second call is ignored
  });
  Client client(echo.port());
  for (const char* target : {"/throw", "/drop", "/bad-header", "/bad-status"}) {
    ASSERT_TRUE(client.Send(Get(target)));
    auto response = client.Read();
    ASSERT_TRUE(response) << target;
    EXPECT_EQ(response->status, 500) << target;
    EXPECT_THAT(response->body, HasSubstr("InternalFailure")) << target;
    EXPECT_FALSE(response->Header("Injected"));
  }
  ASSERT_TRUE(client.Send(Get("/ok")));
  auto ok = client.Read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_TRUE(client.StaysQuiet(100ms));  // the double respond() sent nothing extra
}

// ---------------------------------------------------------------------------------------------
// Limits

HttpResponse AwsLikeFormatter(const Error& error) {
  HttpResponse response;
  response.SetHeader("Content-Type", "text/xml");
  response.SetHeader("x-amzn-RequestId", "formatted");
  response.body = "<ErrorResponse><Error><Code>" + error.code + "</Code><Message>" +
                  error.message + "</Message></Error></ErrorResponse>";
  return response;
}

TEST(NetServer, OversizedHeaderIs431FromFormatter) {
  EchoServer echo({}, AwsLikeFormatter);
  Client client(echo.port());
  ASSERT_TRUE(client.Send(Get("/", "X-Big: " + std::string(20 * 1024, 'a') + "\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(response->Header("x-amzn-RequestId"), "formatted");
  EXPECT_THAT(response->body, HasSubstr("<Code>RequestHeaderFieldsTooLarge</Code>"));
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_TRUE(echo.requests().empty());
}

TEST(NetServer, TooManyHeaderFieldsIs431) {
  ServerOptions options;
  options.max_header_count = 10;
  EchoServer echo(options);
  std::string fields;
  for (int field_idx = 0; field_idx < 11; ++field_idx) {
    fields += "X-F" + std::to_string(field_idx) + ": v\r\n";
  }
  Client client(echo.port());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\n" + fields + "\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_TRUE(echo.requests().empty());
}

TEST(NetServer, TenMegabyteContentLengthIsRefusedWithoutReadingTheBody) {
  EchoServer echo({}, AwsLikeFormatter);
  Client client(echo.port());
  // Only the header is sent: the 413 must come without the server waiting for the body.
  ASSERT_TRUE(client.Send("POST /big?X-Amz-Signature=s HTTP/1.1\r\nHost: t\r\n"
                          "Content-Length: 10485760\r\n\r\n"));
  auto response = client.Read(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_THAT(response->body, HasSubstr("<Code>RequestEntityTooLarge</Code>"));
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_TRUE(echo.requests().empty());
  EXPECT_EQ(echo.server().stats().requests_rejected, 1u);
  // The refusal is logged with the method and the path only.
  auto lines = echo.WaitForLogLines(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("method=POST path=\"/big\" status=413"));
}

TEST(NetServer, ClientStillSendingRefusedBodyReadsThe413) {
  EchoServer echo;
  Client client(echo.port());
  std::string body(2 * 1024 * 1024, 'x');
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n"));
  // Keep sending the body, as a client that ignores early responses does; the lingering close
  // lets it finish (or fail) without the 413 being lost to a reset.
  std::thread sender([&client, &body] { client.Send(body); });
  auto response = client.Read();
  sender.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST(NetServer, ChunkedBodyOverTheLimitIs413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  EchoServer echo(options);
  Client client(echo.port());
  std::string chunk(800, 'z');
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "320\r\n" + chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(echo.requests().empty());
}

TEST(NetServer, BodyExactlyAtTheLimitIsAccepted) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  EchoServer echo(options);
  Client client(echo.port());
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" +
                          std::string(1024, 'b')));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(NetServer, MalformedRequestsAre400AndClose) {
  const std::vector<std::string> malformed = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/9\r\nHost: t\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET / HTTP/1.1\r\nBad Header: v\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /a b HTTP/1.1\r\nHost: t\r\n\r\n",
  };
  EchoServer echo;
  for (const auto& request : malformed) {
    Client client(echo.port());
    ASSERT_TRUE(client.Send(request));
    auto response = client.Read();
    ASSERT_TRUE(response) << request;
    EXPECT_EQ(response->status, 400) << request;
    EXPECT_THAT(response->body, HasSubstr("BadRequest")) << request;
    EXPECT_EQ(response->Header("Connection"), "close") << request;
    EXPECT_TRUE(client.WaitClosed()) << request;
  }
  EXPECT_TRUE(echo.requests().empty());
}

TEST(NetServer, MutatedRequestsNeverBreakTheServer) {
  ServerOptions options;
  options.request_timeout = 300ms;  // truncated requests end in 408 quickly
  EchoServer echo(options);
  const std::string seed =
      "POST /p?a=b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  std::uint32_t random = 20261128;  // fixed seed: deterministic
  auto next = [&random] {
    random = random * 1664525u + 1013904223u;
    return random >> 8;
  };
  const char kInteresting[] = {'\r', '\n', ':', ' ', '\0', '\x7f', '\xff', '0', 'f', ';'};
  for (int case_idx = 0; case_idx < 150; ++case_idx) {
    std::string request = seed;
    int mutations = 1 + static_cast<int>(next() % 4);
    for (int mutation_idx = 0; mutation_idx < mutations; ++mutation_idx) {
      std::size_t at = next() % request.size();
      switch (next() % 3) {
        case 0:
          request[at] = kInteresting[next() % sizeof(kInteresting)];
          break;
        case 1:
          request.erase(at, 1 + next() % 8);
          break;
        default:
          request.insert(at, std::string(1 + next() % 3, kInteresting[next() % 10]));
          break;
      }
      if (request.empty()) request = "X";
    }
    Client client(echo.port());
    ASSERT_TRUE(client.Send(request));
    auto response = client.Read(5s);
    if (response) {
      EXPECT_TRUE(response->status == 200 || response->status == 400 ||
                  response->status == 408 || response->status == 413)
          << "case " << case_idx << ": " << response->status;
    }
  }
  Client client(echo.port());
  ASSERT_TRUE(client.Send(Get("/still-alive")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "GET /still-alive ");
}

// ---------------------------------------------------------------------------------------------
// Timeouts

TEST(NetServer, SlowLorisIsCutOffWhileOthersAreServed) {
  ServerOptions options;
  options.request_timeout = 1500ms;
  EchoServer echo(options);
  Client slow(echo.port());
  const std::string request = Get("/slow");
  auto started = std::chrono::steady_clock::now();
  std::optional<RawResponse> verdict;
  for (std::size_t byte_idx = 0; byte_idx < request.size(); ++byte_idx) {
    if (!slow.Send(request.substr(byte_idx, 1))) break;
    if (byte_idx == 1) {
      // Meanwhile another client is served normally.
      Client other(echo.port());
      ASSERT_TRUE(other.Send(Get("/fast")));
      auto response = other.Read(2s);
      ASSERT_TRUE(response);
      EXPECT_EQ(response->body, "GET /fast ");
    }
    verdict = slow.Read(1s);  // one byte per second
    if (verdict || slow.WaitClosed(0ms)) break;
  }
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->status, 408);
  EXPECT_EQ(verdict->Header("Connection"), "close");
  EXPECT_TRUE(slow.WaitClosed());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 8s);
  auto requests = echo.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/fast");
}

TEST(NetServer, IdleKeepAliveConnectionIsClosedSilently) {
  ServerOptions options;
  options.idle_timeout = 300ms;
  EchoServer echo(options);
  Client client(echo.port());
  ASSERT_TRUE(client.Send(Get("/")));
  ASSERT_TRUE(client.Read());
  EXPECT_TRUE(client.WaitClosed(5s));
  EXPECT_TRUE(client.pending().empty());  // no 408 for a connection with no request
}

TEST(NetServer, BodyArrivingTooSlowlyIs408) {
  ServerOptions options;
  options.request_timeout = 500ms;
  EchoServer echo(options);
  Client client(echo.port());
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  auto response = client.Read(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(echo.requests().empty());
}

// ---------------------------------------------------------------------------------------------
// Shutdown

TEST(NetServer, GracefulShutdownFinishesInFlightRequestAndClosesIdleOnes) {
  EchoServer echo;
  std::promise<void> handler_called;
  std::thread worker;
  echo.set_handler([&](HttpRequest, Responder respond) {
    handler_called.set_value();
    worker = std::thread([respond] {
      std::this_thread::sleep_for(500ms);
      HttpResponse response;
      response.body = std::string(100 * 1024, 'r');
      respond(std::move(response));
    });
  });
  Client idle(echo.port());
  Client busy(echo.port());
  ASSERT_TRUE(idle.connected());
  ASSERT_TRUE(busy.Send(Get("/slow")));
  handler_called.get_future().wait();

  auto shutdown_started = std::chrono::steady_clock::now();
  std::thread stopper([&echo] { echo.server().Shutdown(10s); });
  EXPECT_TRUE(idle.WaitClosed(5s));
  auto response = busy.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), 100u * 1024);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(busy.WaitClosed());
  stopper.join();
  worker.join();
  EXPECT_LT(std::chrono::steady_clock::now() - shutdown_started, 5s);

  Client late(echo.port());
  EXPECT_FALSE(late.connected());  // no longer accepting
  echo.server().Wait();            // returns at once after Shutdown
  echo.server().Shutdown(0ms);     // idempotent
}

TEST(NetServer, ShutdownDeadlineClosesStuckConnections) {
  Responder stuck;
  std::mutex stuck_mu;
  {
    EchoServer echo;
    std::promise<void> handler_called;
    echo.set_handler([&](HttpRequest, Responder respond) {
      std::lock_guard<std::mutex> lock(stuck_mu);
      stuck = std::move(respond);  // never answered before the deadline
      handler_called.set_value();
    });
    Client client(echo.port());
    ASSERT_TRUE(client.Send(Get("/stuck")));
    handler_called.get_future().wait();
    auto started = std::chrono::steady_clock::now();
    echo.server().Shutdown(200ms);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    EXPECT_TRUE(client.WaitClosed(5s));
    std::lock_guard<std::mutex> lock(stuck_mu);
    stuck(HttpResponse{});  // too late: ignored, harmless
  }
  // The server object is gone; the responder still holds what it needs until destroyed, and
  // calling it does nothing.
  std::lock_guard<std::mutex> lock(stuck_mu);
  stuck(HttpResponse{});
  stuck = nullptr;
}

TEST(NetServer, WaitReturnsWhenAnotherThreadShutsDown) {
  EchoServer echo;
  std::thread stopper([&echo] {
    std::this_thread::sleep_for(50ms);
    echo.server().Shutdown(1s);
  });
  echo.server().Wait();
  stopper.join();
}

TEST(NetServer, RestartRebindsTheSamePortAtOnce) {
  std::uint16_t port;
  {
    EchoServer first;
    port = first.port();
    // Leave connections behind in TIME_WAIT on the server side.
    for (int round = 0; round < 3; ++round) {
      Client client(port);
      ASSERT_TRUE(client.Send(Get("/", "Connection: close\r\n")));
      ASSERT_TRUE(client.Read());
      EXPECT_TRUE(client.WaitClosed());
    }
    first.server().Shutdown(1s);
  }
  ServerOptions options;
  options.port = port;
  EchoServer second(options);
  EXPECT_EQ(second.port(), port);
  Client client(port);
  ASSERT_TRUE(client.Send(Get("/again")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(NetServer, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  ServerOptions options;
  options.max_connections = 2;
  EchoServer echo(options);
  auto first = std::make_unique<Client>(echo.port());
  Client second(echo.port());
  // Both are registered once they have been served.
  for (Client* client : {first.get(), &second}) {
    ASSERT_TRUE(client->Send(Get("/")));
    ASSERT_TRUE(client->Read());
  }
  Client third(echo.port());
  EXPECT_TRUE(third.WaitClosed(5s));
  ServerStats stats = echo.server().stats();
  EXPECT_EQ(stats.connections_accepted, 2u);
  EXPECT_EQ(stats.connections_refused, 1u);
  EXPECT_EQ(stats.connections_open, 2u);
  EXPECT_EQ(stats.requests_handled, 2u);
  // Once one closes, a new client is served again.
  ASSERT_TRUE(first->Send(Get("/", "Connection: close\r\n")));
  ASSERT_TRUE(first->Read());
  EXPECT_TRUE(first->WaitClosed());
  first.reset();  // ends the server's lingering close at once
  std::optional<RawResponse> response;
  for (int attempt = 0; attempt < 50 && !response; ++attempt) {
    Client fourth(echo.port());
    if (fourth.Send(Get("/"))) response = fourth.Read(1s);
    if (!response) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

// A worker pool like the server layer's: handlers only enqueue; workers respond.
class WorkerPool {
 public:
  explicit WorkerPool(int threads) {
    for (int thread_idx = 0; thread_idx < threads; ++thread_idx) {
      threads_.emplace_back([this] { Run(); });
    }
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  void Post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return done_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.erase(tasks_.begin());
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> tasks_;
  bool done_ = false;
  std::vector<std::thread> threads_;
};

TEST(NetServer, ManyConcurrentClientsWithResponsesFromWorkerThreads) {
  WorkerPool pool(2);
  EchoServer echo;
  echo.set_handler([&pool](HttpRequest request, Responder respond) {
    pool.Post([request = std::move(request), respond = std::move(respond)] {
      HttpResponse response;
      response.body = request.target + "|" + request.body;
      respond(std::move(response));
    });
  });
  constexpr int kClients = 8;
  constexpr int kRequests = 40;
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int client_idx = 0; client_idx < kClients; ++client_idx) {
    clients.emplace_back([&, client_idx] {
      Client client(echo.port());
      for (int request_idx = 0; request_idx < kRequests; ++request_idx) {
        std::string target = "/c" + std::to_string(client_idx) + "/" + std::to_string(request_idx);
        std::string body(static_cast<std::size_t>(request_idx * 97), 'b');
        if (!client.Send("POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body)) {
          return;
        }
        auto response = client.Read();
        if (response && response->body == target + "|" + body) ++good;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
}

TEST(NetServer, ShutdownUnderLoadCompletesEveryResponseItStarts) {
  WorkerPool pool(2);
  EchoServer echo;
  echo.set_handler([&pool](HttpRequest request, Responder respond) {
    pool.Post([request = std::move(request), respond = std::move(respond)] {
      std::this_thread::sleep_for(2ms);
      HttpResponse response;
      response.body = request.target;
      respond(std::move(response));
    });
  });
  std::atomic<bool> stop{false};
  std::atomic<int> complete{0};
  std::atomic<int> corrupt{0};
  std::vector<std::thread> clients;
  for (int client_idx = 0; client_idx < 6; ++client_idx) {
    clients.emplace_back([&, client_idx] {
      int request_idx = 0;
      while (!stop.load()) {
        Client client(echo.port());
        if (!client.connected()) return;  // the listener is gone
        for (; !stop.load(); ++request_idx) {
          std::string target = "/l" + std::to_string(client_idx) + "/" +
                               std::to_string(request_idx);
          if (!client.Send(Get(target))) break;
          auto response = client.Read(5s);
          if (!response) break;  // closed by the drain between requests
          if (response->status == 200 && response->body == target) {
            ++complete;
          } else {
            ++corrupt;
          }
          if (response->Header("Connection") == "close") break;
        }
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  auto started = std::chrono::steady_clock::now();
  echo.server().Shutdown(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  stop.store(true);
  for (auto& client : clients) client.join();
  EXPECT_GT(complete.load(), 0);
  EXPECT_EQ(corrupt.load(), 0);
}

// ---------------------------------------------------------------------------------------------
// Start errors, addresses

TEST(NetServerStart, RejectsBadConfiguration) {
  auto handler = [](HttpRequest, Responder) {};
  ServerOptions bad_host;
  bad_host.host = "not-an-address";
  auto result = Server::Start(bad_host, handler);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "InvalidArgument");

  EXPECT_FALSE(Server::Start({}, nullptr));

  ServerOptions half_tls;
  half_tls.tls_cert_file = "/nonexistent/cert.pem";
  result = Server::Start(half_tls, handler);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "InvalidArgument");

  ServerOptions missing_tls;
  missing_tls.tls_cert_file = "/nonexistent/cert.pem";
  missing_tls.tls_key_file = "/nonexistent/key.pem";
  result = Server::Start(missing_tls, handler);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "TlsConfigurationError");
  EXPECT_THAT(result.error().message, HasSubstr("/nonexistent/cert.pem"));
}

TEST(NetServerStart, PortInUseFailsToListen) {
  EchoServer first;
  ServerOptions options;
  options.port = first.port();
  auto second = Server::Start(options, [](HttpRequest, Responder) {});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, "ListenFailed");
  EXPECT_THAT(second.error().message, HasSubstr(std::to_string(first.port())));
}

TEST(NetServerStart, ListensOnIpv6Loopback) {
  ServerOptions options;
  options.host = "[::1]";
  options.io_threads = 1;
  options.access_logger = std::make_shared<spdlog::logger>("quiet");  // no sinks
  std::string seen_ip;
  std::mutex seen_mu;
  auto started = Server::Start(options, [&](HttpRequest request, Responder respond) {
    std::lock_guard<std::mutex> lock(seen_mu);
    seen_ip = request.remote_ip;
    respond(HttpResponse{});
  });
  if (!started && started.error().code == "ListenFailed") GTEST_SKIP() << "no IPv6 loopback";
  ASSERT_TRUE(started) << started.error().message;
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons((*started)->port());
  address.sin6_addr = in6addr_loopback;
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  std::string request = Get("/v6", "Connection: close\r\n");
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  char buffer[512];
  ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
  ::close(fd);
  ASSERT_GT(got, 0);
  EXPECT_TRUE(StartsWith(std::string_view(buffer, static_cast<std::size_t>(got)),
                         "HTTP/1.1 200"));
  (*started)->Shutdown(1s);
  std::lock_guard<std::mutex> lock(seen_mu);
  EXPECT_EQ(seen_ip, "::1");
}

TEST(ParseListenAddress, AcceptsHostPortForms) {
  auto v4 = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  auto name = ParseListenAddress("localhost:65535");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->port, 65535);
}

TEST(ParseListenAddress, RejectsMalformedForms) {
  for (const char* text : {"127.0.0.1", "127.0.0.1:", ":80", "::1:80", "[::1:80", "[]:80",
                           "h:65536", "h:-1", "h:8o", "h:99999999999"}) {
    auto parsed = ParseListenAddress(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, "InvalidArgument") << text;
  }
}

// ---------------------------------------------------------------------------------------------
// Access log

TEST(NetServer, AccessLogHasPathButNoQueryAuthorizationOrBody) {
  EchoServer echo;
  Client client(echo.port());
  ASSERT_TRUE(client.Send(
      "POST /svc/x?X-Amz-Signature=deadbeefsig&X-Amz-Security-Token=tok3n HTTP/1.1\r\n"
      "Host: t\r\n"
      "Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEKEY/20261128/us-east-1/sts/"
      "aws4_request, SignedHeaders=host, Signature=cafebabe\r\n"
      "Content-Length: 15\r\n\r\nsecret-password"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  auto lines = echo.WaitForLogLines(1);
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  EXPECT_THAT(line, HasSubstr("remote=127.0.0.1 method=POST path=\"/svc/x\" status=200 "));
  EXPECT_THAT(line, HasSubstr("bytes=" + std::to_string(response->body.size()) + " "));
  EXPECT_THAT(line, HasSubstr("duration_us="));
  EXPECT_THAT(line, HasSubstr("tls=false"));
  EXPECT_THAT(line, HasSubstr("request_id=\"req-1\""));
  EXPECT_TRUE(StartsWith(line, "time=20"));
  for (const char* secret :
       {"deadbeefsig", "tok3n", "X-Amz", "AKIAEXAMPLEKEY", "cafebabe", "Authorization",
        "secret-password"}) {
    EXPECT_THAT(line, Not(HasSubstr(secret)));
  }
}

// ---------------------------------------------------------------------------------------------
// TLS

struct TlsFiles {
  std::string cert;
  std::string key;
};

// A self-signed P-256 certificate for "localhost", written as PEM files.
TlsFiles MakeSelfSignedCertificate(const std::filesystem::path& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  TlsFiles files{(dir / "cert.pem").string(), (dir / "key.pem").string()};
  FILE* cert_file = std::fopen(files.cert.c_str(), "w");
  PEM_write_X509(cert_file, cert);
  std::fclose(cert_file);
  FILE* key_file = std::fopen(files.key.c_str(), "w");
  PEM_write_PrivateKey(key_file, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(key_file);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

class NetServerTls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rampart-net-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    files_ = MakeSelfSignedCertificate(dir_);
    client_ctx_ = SSL_CTX_new(TLS_client_method());
  }
  void TearDown() override {
    SSL_CTX_free(client_ctx_);
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  TlsFiles files_;
  SSL_CTX* client_ctx_ = nullptr;
};

TEST_F(NetServerTls, RoundTripOverTlsMarksRequestSecure) {
  ServerOptions options;
  options.tls_cert_file = files_.cert;
  options.tls_key_file = files_.key;
  EchoServer echo(options);
  Client client(echo.port(), client_ctx_);
  ASSERT_TRUE(client.connected());
  EXPECT_GE(SSL_version(client.ssl()), TLS1_2_VERSION);
  for (int round = 0; round < 3; ++round) {  // keep-alive over TLS
    ASSERT_TRUE(client.Send(Get("/tls?q=1")));
    auto response = client.Read();
    ASSERT_TRUE(response) << "round " << round;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "GET /tls?q=1 ");
  }
  auto requests = echo.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(requests[0].secure);
  auto lines = echo.WaitForLogLines(1);
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines[0], HasSubstr("tls=true"));
}

TEST_F(NetServerTls, RefusesTlsBelow12AndPlainHttp) {
  ServerOptions options;
  options.tls_cert_file = files_.cert;
  options.tls_key_file = files_.key;
  EchoServer echo(options);
  {
    Client plain(echo.port());
    ASSERT_TRUE(plain.Send(Get("/")));
    EXPECT_TRUE(plain.WaitClosed());
    EXPECT_THAT(plain.pending(), Not(HasSubstr("HTTP/1.1 200")));
  }
  {
    SSL_CTX* old = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_security_level(old, 0);
    SSL_CTX_set_min_proto_version(old, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(old, TLS1_1_VERSION);
    Client legacy(echo.port(), old);
    EXPECT_FALSE(legacy.connected());
    SSL_CTX_free(old);
  }
  // The server still serves good clients.
  Client client(echo.port(), client_ctx_);
  ASSERT_TRUE(client.Send(Get("/")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(NetServerTls, SlowRequestOverTlsIs408AndSilentClientIsDropped) {
  ServerOptions options;
  options.tls_cert_file = files_.cert;
  options.tls_key_file = files_.key;
  options.request_timeout = 500ms;
  EchoServer echo(options);
  Client slow(echo.port(), client_ctx_);
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.Send("GET /partial HTTP/1.1\r\nHost: t\r\n"));
  auto response = slow.Read(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(slow.WaitClosed());

  // A TCP client that never starts the handshake is dropped after the request timeout.
  Client silent(echo.port());
  ASSERT_TRUE(silent.connected());
  EXPECT_TRUE(silent.WaitClosed(5s));
  EXPECT_TRUE(echo.requests().empty());
}

TEST_F(NetServerTls, MismatchedKeyIsAConfigurationError) {
  std::filesystem::path other_dir = dir_ / "other";
  std::filesystem::create_directories(other_dir);
  TlsFiles second = MakeSelfSignedCertificate(other_dir);  // a second key pair
  ServerOptions options;
  options.tls_cert_file = files_.cert;
  options.tls_key_file = second.key;
  auto result = Server::Start(options, [](HttpRequest, Responder) {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "TlsConfigurationError");
  EXPECT_THAT(result.error().message, HasSubstr(second.key));
}

}  // namespace
}  // namespace rampart::net
