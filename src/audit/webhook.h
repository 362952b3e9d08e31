// Alert webhooks: delivery of the outbox's alert messages by HTTP POST, HMAC-signed, with
// exponential backoff. Included through audit/audit.h.
//
// Each POST carries the alert JSON as its body, `Content-Type: application/json`,
// `X-Rampart-Alert-Id`, and `X-Rampart-Signature: sha256=<hex HMAC-SHA256(secret, body)>`
// (when a secret is configured). A 2xx answer marks the message delivered; anything else
// (including a refused connection or a timeout) reschedules it after
// min(base * 2^attempts, max). Messages survive restarts in the store (at least once).
//
// Thread-safety: PostJson is thread-safe; a WebhookDeliverer is driven by one thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "store/store.h"

namespace rampart::audit {

// POSTs `body` to an http:// URL and returns the response status. Errors:
// "InvalidWebhookUrl", "WebhookUnreachable" (connect, I/O or timeout).
Result<int> PostJson(std::string_view url, std::string_view body,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     std::chrono::milliseconds timeout);

// "sha256=" + hex HMAC-SHA256 of `body` under `secret`.
std::string SignatureHeader(std::string_view secret, std::string_view body);

struct WebhookOptions {
  std::string secret;
  std::chrono::milliseconds timeout{5000};
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{std::chrono::hours(1)};
  int batch = 50;
};

class WebhookDeliverer {
 public:
  // `store` and `clock` must outlive the deliverer.
  WebhookDeliverer(store::Store& store, WebhookOptions options, const Clock& clock);
  // Attempts every due message once; returns how many were delivered.
  Result<int> DeliverDue();
  // Like DeliverDue, but starts no attempt once `budget` has elapsed and cuts each attempt's
  // timeout to what is left of it (the last attempt at shutdown: a dead receiver must not
  // hold the stop for batch x timeout). Messages not attempted stay due.
  Result<int> DeliverDueWithin(std::chrono::milliseconds budget);

 private:
  Result<int> Deliver(std::optional<std::chrono::steady_clock::time_point> deadline);
  store::Store& store_;
  WebhookOptions options_;
  const Clock& clock_;
};

}  // namespace rampart::audit
