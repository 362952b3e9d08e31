// Conformance runner for protocol/: every file in tests/conformance/protocol/cases/ is a
// list of cases, each either
//   decode:        a raw HTTP request -> the routed operation and decoded input tree, or
//                  the exact error (code, message, HTTP status as EncodeError resolves it);
//   encode:        an operation's output tree -> the exact response (status, headers, body);
//   encode_error:  an Error -> the exact error response in the service's protocol.
// Unknown fields are rejected so that a typo cannot silently skip a check.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "protocol/protocol.h"

namespace rampart::protocol {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void CheckFields(const json::object& object, std::set<std::string> allowed, const std::string& where) {
  for (const auto& entry : object) {
    EXPECT_TRUE(allowed.count(std::string(entry.key())) == 1)
        << where << ": unknown field `" << std::string_view(entry.key()) << "`";
  }
}

std::string Str(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

HttpRequest ToRequest(const json::object& spec, const std::string& where) {
  CheckFields(spec, {"method", "target", "headers", "body"}, where + ": request");
  HttpRequest request;
  request.method = spec.contains("method") ? Str(spec, "method") : "POST";
  request.target = spec.contains("target") ? Str(spec, "target") : "/";
  if (const json::value* headers = spec.if_contains("headers")) {
    for (const auto& entry : headers->as_object()) {
      request.headers.emplace_back(std::string(entry.key()), std::string(entry.value().as_string()));
    }
  }
  request.body = Str(spec, "body");
  return request;
}

void CheckResponse(const HttpResponse& response, const json::object& expect, const std::string& where) {
  CheckFields(expect, {"status", "headers", "body"}, where + ": expect_response");
  if (const json::value* status = expect.if_contains("status")) {
    EXPECT_EQ(response.status, status->as_int64()) << where;
  }
  if (const json::value* headers = expect.if_contains("headers")) {
    for (const auto& entry : headers->as_object()) {
      std::string actual = "<absent>";
      for (const auto& [name, value] : response.headers) {
        if (name == std::string_view(entry.key())) actual = value;
      }
      EXPECT_EQ(actual, std::string_view(entry.value().as_string()))
          << where << ": header " << std::string_view(entry.key());
    }
  }
  if (const json::value* body = expect.if_contains("body")) {
    EXPECT_EQ(response.body, std::string_view(body->as_string())) << where;
  }
}

void RunCase(const json::object& spec, const std::string& where) {
  CheckFields(spec, {"description", "service", "request", "expect_operation", "expect_input",
                     "expect_error", "encode", "encode_error", "expect_response",
                     "verified_against_aws"},
              where);
  ASSERT_TRUE(spec.contains("description")) << where << ": every case needs a description";
  const ServiceModel* service = nullptr;
  if (spec.contains("service") && !spec.at("service").is_null()) {
    service = Models().Find(Str(spec, "service"));
    ASSERT_NE(service, nullptr) << where << ": unknown service";
  }
  if (const json::value* request_spec = spec.if_contains("request")) {
    ASSERT_NE(service, nullptr) << where;
    HttpRequest request = ToRequest(request_spec->as_object(), where);
    Result<RoutedRequest> routed = Route(*service, request);
    Result<json::object> input = routed ? DecodeInput(*service, *routed->operation, request)
                                        : Result<json::object>(tl::unexpected(routed.error()));
    if (const json::value* op = spec.if_contains("expect_operation")) {
      ASSERT_TRUE(routed) << where << ": " << routed.error().code << " " << routed.error().message;
      EXPECT_EQ(routed->operation->name, std::string_view(op->as_string())) << where;
    }
    if (const json::value* expected = spec.if_contains("expect_input")) {
      ASSERT_TRUE(input) << where << ": " << input.error().code << " " << input.error().message;
      EXPECT_EQ(json::serialize(*input), json::serialize(*expected)) << where;
    }
    if (const json::value* expected = spec.if_contains("expect_error")) {
      const json::object& error = expected->as_object();
      CheckFields(error, {"code", "message", "status"}, where + ": expect_error");
      ASSERT_FALSE(input) << where << ": decoded " << json::serialize(*input);
      HttpResponse encoded = EncodeError(service, input.error(), "r");
      std::string code = input.error().code;
      EXPECT_EQ(code, Str(error, "code")) << where;
      if (error.contains("message")) {
        EXPECT_EQ(input.error().message, Str(error, "message")) << where;
      }
      if (error.contains("status")) {
        EXPECT_EQ(encoded.status, error.at("status").as_int64()) << where;
      }
    }
    return;
  }
  if (const json::value* encode = spec.if_contains("encode")) {
    ASSERT_NE(service, nullptr) << where;
    const json::object& encode_spec = encode->as_object();
    CheckFields(encode_spec, {"operation", "output", "request_id"}, where + ": encode");
    const Operation* operation = service->FindOperation(Str(encode_spec, "operation"));
    ASSERT_NE(operation, nullptr) << where;
    json::object output;
    if (const json::value* value = encode_spec.if_contains("output")) output = value->as_object();
    HttpResponse response = EncodeOutput(*service, *operation, output, Str(encode_spec, "request_id"));
    CheckResponse(response, spec.at("expect_response").as_object(), where);
    return;
  }
  if (const json::value* encode_error = spec.if_contains("encode_error")) {
    const json::object& error_spec = encode_error->as_object();
    CheckFields(error_spec, {"code", "message", "status", "request_id", "not_implemented"},
                where + ": encode_error");
    Error error(Str(error_spec, "code"), Str(error_spec, "message"),
                error_spec.contains("status") ? static_cast<int>(error_spec.at("status").as_int64()) : 0);
    if (const json::value* op = error_spec.if_contains("not_implemented")) {
      ASSERT_NE(service, nullptr) << where;
      error = NotImplemented(*service, *service->FindOperation(op->as_string()));
    }
    HttpResponse response = EncodeError(service, error, Str(error_spec, "request_id"));
    CheckResponse(response, spec.at("expect_response").as_object(), where);
    return;
  }
  ADD_FAILURE() << where << ": a case needs request, encode or encode_error";
}

TEST(ProtocolConformance, AllCases) {
  fs::path dir = fs::path(RAMPART_SOURCE_DIR) / "tests/conformance/protocol/cases";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  std::size_t count = 0;
  for (const fs::path& file : files) {
    boost::system::error_code ec;
    json::value root = json::parse(ReadFile(file), ec);
    ASSERT_FALSE(ec) << file << ": " << ec.message();
    const json::object& top = root.as_object();
    CheckFields(top, {"description", "cases"}, file.filename().string());
    const json::array& cases = top.at("cases").as_array();
    for (std::size_t case_idx = 0; case_idx < cases.size(); ++case_idx) {
      std::string where = file.filename().string() + "#" + std::to_string(case_idx) + " (" +
                          Str(cases[case_idx].as_object(), "description") + ")";
      RunCase(cases[case_idx].as_object(), where);
      ++count;
    }
  }
  std::printf("ran %zu protocol conformance cases from %zu files\n", count, files.size());
}

}  // namespace
}  // namespace rampart::protocol
