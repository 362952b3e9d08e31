// protocol/ hot path: decode + validate an IAM CreateUser form, encode its XML response,
// and load the six embedded models (start-up cost).
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include "protocol/protocol.h"

// g++ 12 at -O3 reports a false -Wrestrict inside std::string assignment (GCC bug 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

namespace {

using namespace rampart;

HttpRequest CreateUserRequest() {
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body =
      "Action=CreateUser&Version=2010-05-08&UserName=alice.smith%40example.com&Path=%2Fengineering%2F"
      "&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fboundary"
      "&Tags.member.1.Key=team&Tags.member.1.Value=platform"
      "&Tags.member.2.Key=cost-center&Tags.member.2.Value=4711";
  return request;
}

void BM_RouteAndDecodeCreateUser(benchmark::State& state) {
  const protocol::ServiceModel& iam = *protocol::Models().Find("iam");
  HttpRequest request = CreateUserRequest();
  for (auto _ : state) {
    auto routed = protocol::Route(iam, request);
    auto input = protocol::DecodeInput(iam, *routed->operation, request);
    benchmark::DoNotOptimize(input);
  }
}
BENCHMARK(BM_RouteAndDecodeCreateUser);

void BM_EncodeCreateUserResponse(benchmark::State& state) {
  const protocol::ServiceModel& iam = *protocol::Models().Find("iam");
  const protocol::Operation& op = *iam.FindOperation("CreateUser");
  boost::json::object output{
      {"User",
       boost::json::object{{"Path", "/engineering/"},
                           {"UserName", "alice.smith@example.com"},
                           {"UserId", "AIDAJQABLZS4A3QDU576Q"},
                           {"Arn", "arn:aws:iam::123456789012:user/engineering/alice.smith@example.com"},
                           {"CreateDate", "2026-11-28T16:25:11Z"},
                           {"Tags", boost::json::array{
                                        boost::json::object{{"Key", "team"}, {"Value", "platform"}},
                                        boost::json::object{{"Key", "cost-center"}, {"Value", "4711"}}}}}}};
  for (auto _ : state) {
    HttpResponse response =
        protocol::EncodeOutput(iam, op, output, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE");
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_EncodeCreateUserResponse);

void BM_ValidationErrorCreateUser(benchmark::State& state) {
  const protocol::ServiceModel& iam = *protocol::Models().Find("iam");
  HttpRequest request = CreateUserRequest();
  request.body = "Action=CreateUser&Version=2010-05-08&UserName=bad%20name&Path=nopath";
  for (auto _ : state) {
    auto routed = protocol::Route(iam, request);
    auto input = protocol::DecodeInput(iam, *routed->operation, request);
    HttpResponse response = protocol::EncodeError(&iam, input.error(), "r");
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_ValidationErrorCreateUser);

void BM_LoadEmbeddedModels(benchmark::State& state) {
  for (auto _ : state) {
    auto registry = protocol::ModelRegistry::LoadEmbedded();
    benchmark::DoNotOptimize(registry);
  }
}
BENCHMARK(BM_LoadEmbeddedModels)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
