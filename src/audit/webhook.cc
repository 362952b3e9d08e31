// The only translation unit of audit/ that includes Asio/Beast (build time, DESIGN.md §4).
#include "audit/webhook.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "audit/recorder.h"
#include "common/crypto.h"

namespace rampart::audit {
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;
namespace json = boost::json;

std::string SignatureHeader(std::string_view secret, std::string_view body) {
  return "sha256=" + crypto::HexEncode(crypto::HmacSha256(secret, body));
}

Result<int> PostJson(std::string_view url, std::string_view body,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     std::chrono::milliseconds timeout) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || parsed->host().empty()) {
    return Fail("InvalidWebhookUrl", fmt::format("`{}` is not an http:// URL", url));
  }
  std::string host = parsed->host_address().empty() ? std::string(parsed->host())
                                                    : std::string(parsed->host_address());
  std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  std::string target = std::string(parsed->encoded_target());
  if (target.empty()) target = "/";

  asio::io_context io;
  beast::tcp_stream stream(io);
  asio::ip::tcp::resolver resolver(io);
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, parsed->has_port() ? host + ":" + port : host);
  request.set(http::field::user_agent, "rampart-webhook/1");
  request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::string(body);
  request.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code failure;
  bool done = false;

  // Asio's timeouts apply to asynchronous operations: chain them and run the context.
  stream.expires_after(timeout);
  resolver.async_resolve(host, port, [&](beast::error_code ec,
                                         asio::ip::tcp::resolver::results_type results) {
    if (ec) {
      failure = ec;
      return;
    }
    stream.async_connect(results, [&](beast::error_code ec2, const asio::ip::tcp::endpoint&) {
      if (ec2) {
        failure = ec2;
        return;
      }
      http::async_write(stream, request, [&](beast::error_code ec3, std::size_t) {
        if (ec3) {
          failure = ec3;
          return;
        }
        http::async_read(stream, buffer, response, [&](beast::error_code ec4, std::size_t) {
          if (ec4) {
            failure = ec4;
            return;
          }
          done = true;
        });
      });
    });
  });
  try {
    io.run();
  } catch (const std::exception& error) {
    return Fail("WebhookUnreachable", error.what());
  }
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  if (!done) {
    return Fail("WebhookUnreachable",
                fmt::format("POST {}: {}", url, failure ? failure.message() : "no response"));
  }
  return static_cast<int>(response.result_int());
}

WebhookDeliverer::WebhookDeliverer(store::Store& store, WebhookOptions options, const Clock& clock)
    : store_(store), options_(std::move(options)), clock_(clock) {}

Result<int> WebhookDeliverer::DeliverDue() { return Deliver(std::nullopt); }

Result<int> WebhookDeliverer::DeliverDueWithin(std::chrono::milliseconds budget) {
  return Deliver(std::chrono::steady_clock::now() + budget);
}

Result<int> WebhookDeliverer::Deliver(
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::vector<store::OutboxMessage> due;
  TimePoint now = clock_.Now();
  Result<void> read = store_.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    auto listed = tx.Outbox().Due(kAlertTopic, now, options_.batch);
    if (!listed) return Fail(listed.error());
    due = std::move(*listed);
    return Ok();
  });
  if (!read) return Fail(read.error());
  int delivered = 0;
  for (const store::OutboxMessage& message : due) {
    std::chrono::milliseconds timeout = options_.timeout;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline - std::chrono::steady_clock::now());
      if (left <= std::chrono::milliseconds(0)) break;
      timeout = std::min(timeout, left);
    }
    boost::system::error_code ec;
    json::value payload = json::parse(message.payload, ec);
    std::string url, body;
    if (!ec && payload.is_object()) {
      const json::object& object = payload.get_object();
      if (auto it = object.find("url"); it != object.end() && it->value().is_string()) {
        url = std::string(it->value().get_string());
      }
      if (auto it = object.find("body"); it != object.end() && it->value().is_string()) {
        body = std::string(it->value().get_string());
      }
    }
    std::string error;
    if (url.empty()) {
      // No webhook configured when the alert fired: it is kept for `rampart audit alerts`.
      error = "";
    } else {
      std::vector<std::pair<std::string, std::string>> headers;
      if (!options_.secret.empty()) {
        headers.emplace_back("X-Rampart-Signature", SignatureHeader(options_.secret, body));
      }
      boost::system::error_code alert_ec;
      json::value alert = json::parse(body, alert_ec);
      if (!alert_ec && alert.is_object()) {
        if (auto it = alert.get_object().find("alertId");
            it != alert.get_object().end() && it->value().is_string()) {
          headers.emplace_back("X-Rampart-Alert-Id", std::string(it->value().get_string()));
        }
      }
      Result<int> status = PostJson(url, body, headers, timeout);
      if (!status) {
        error = status.error().message;
      } else if (*status < 200 || *status > 299) {
        error = fmt::format("HTTP {}", *status);
      }
    }
    TimePoint after = clock_.Now();
    Result<void> marked = store_.Write([&](store::WriteTransaction& tx) -> Result<void> {
      if (error.empty()) return tx.Outbox().MarkDelivered(message.id, after);
      auto delay = options_.backoff_base;
      for (int i = 0; i < message.attempts && delay < options_.backoff_max; ++i) delay *= 2;
      delay = std::min(delay, options_.backoff_max);
      return tx.Outbox().Reschedule(message.id, after + delay, error);
    });
    if (!marked) return Fail(marked.error());
    if (error.empty()) {
      ++delivered;
    } else {
      spdlog::warn("audit: alert webhook {} failed (attempt {}): {}", url, message.attempts + 1,
                   error);
    }
  }
  return delivered;
}

}  // namespace rampart::audit
