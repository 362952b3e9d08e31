// Errors as values for the whole of rampart.
//
// A fallible function returns `Result<T>` (or `Result<void>`). `Error` carries the AWS
// spelling of the error code (`NoSuchEntity`, `AccessDenied`, `ValidationError`, ...),
// a message in AWS's words, and optionally the HTTP status the protocol layer should use
// (0 lets the protocol layer take the status from the service model or its own table).
//
// g++ 12 in C++20 mode has no std::expected, so Result is tl::expected (libexpected-dev);
// moving to C++23 changes only the alias below.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace rampart {

struct Error {
  std::string code;     // AWS-spelled error code, e.g. "NoSuchEntity"
  std::string message;  // AWS wording where AWS has one; never contains a secret
  int http_status = 0;  // 0: decided by the protocol layer from the model / error table

  Error() = default;
  Error(std::string c, std::string m, int status = 0)
      : code(std::move(c)), message(std::move(m)), http_status(status) {}
};

template <typename T>
using Result = tl::expected<T, Error>;

// Builds the failure side of a Result: `return Fail("NoSuchEntity", "...")`.
inline tl::unexpected<Error> Fail(std::string code, std::string message, int http_status = 0) {
  return tl::unexpected<Error>(Error(std::move(code), std::move(message), http_status));
}
inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

// `Result<void>` success value: `return Ok();`
inline Result<void> Ok() { return {}; }

}  // namespace rampart
