// Temporary credentials: SigV4 verification of requests signed with a session token against
// requests signed with a long-term key (both through the server's StoreCredentialSource over
// a real SQLite store, warm caches), and AssumeRole handler throughput (trust policy
// evaluation, caller policy set, token sealing) on 1 and 2 threads.
// Results and the command: docs/benchmarks.md "## STS".
#include <filesystem>

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>

#include "auth/auth.h"
#include "auth/session_token.h"
#include "authz/store_policy_source.h"
#include "common/arn.h"
#include "common/ids.h"
#include "server/credential_source.h"
#include "services/sts/sts.h"
#include "store/store.h"

namespace rampart {
namespace {

namespace fs = std::filesystem;

constexpr char kAccount[] = "111122223333";
const TimePoint kNow = FromEpochSeconds(1'800'000'000);
const std::string kSecret(32, 'p');

// One store, one user with an access key and AdministratorAccess-like inline policy, one
// role that trusts the account. Shared by every benchmark (and thread) of the process.
struct World {
  World() {
    dir = fs::temp_directory_path() / ("rampart-sts-bench-" + ids::NewRequestId());
    store = std::move(*store::OpenSqliteStore(dir / "b.db", std::string(32, 'k')));
    policies = std::make_unique<authz::StorePolicySource>(*store);
    env.store = store.get();
    env.policies = policies.get();
    env.clock = &clock;
    env.page_token_key = kSecret;
    services::sts::Register(registry);
    user.account_id = kAccount;
    user.id = ids::NewUniqueId("AIDA");
    user.name = "alice";
    key.id = ids::NewUniqueId("AKIA");
    key.account_id = kAccount;
    key.user_id = user.id;
    key.secret_access_key = ids::NewSecretAccessKey();
    store::RoleRow role;
    role.account_id = kAccount;
    role.id = ids::NewUniqueId("AROA");
    role.name = "Dev";
    role.assume_role_policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]})";
    (void)store->Write([&](store::WriteTransaction& tx) -> Result<void> {
      store::AccountRow account;
      account.id = kAccount;
      account.name = "bench";
      account.email = "bench@example.com";
      if (auto r = tx.Accounts().Create(account); !r) return r;
      if (auto r = tx.Users().Create(user); !r) return r;
      if (auto r = tx.AccessKeys().Create(key); !r) return r;
      if (auto r = tx.InlinePolicies().Put(
              {store::EntityRef::User(user.id), "all",
               R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"});
          !r) {
        return r;
      }
      if (auto r = tx.Roles().Create(role); !r) return r;
      return tx.InlinePolicies().Put(
          {store::EntityRef::Role(role.id), "all",
           R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"});
    });
    role_arn = IamArn(kAccount, "role", "/", "Dev");
    caller.type = PrincipalType::kIAMUser;
    caller.account_id = kAccount;
    caller.arn = IamArn(kAccount, "user", "/", "alice");
    caller.principal_id = user.id;
    caller.name = "alice";
    caller.access_key_id = key.id;
  }
  ~World() {
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  fs::path dir;
  FakeClock clock{kNow};
  std::unique_ptr<store::Store> store;
  std::unique_ptr<authz::StorePolicySource> policies;
  services::Environment env;
  services::HandlerRegistry registry;
  store::UserRow user;
  store::AccessKeyRow key;
  std::string role_arn;
  Principal caller;
};

World& TheWorld() {
  static World* world = new World();  // never destroyed: benchmark threads may outlive main
  return *world;
}

HttpRequest Signed(const std::string& key_id, const std::string& secret,
                   std::optional<std::string> token) {
  HttpRequest request{
      .method = "POST",
      .target = "/",
      .headers = {{"Host", "127.0.0.1:8080"},
                  {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                  {"User-Agent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64"}},
      .body = "Action=GetCallerIdentity&Version=2011-06-15"};
  auth::sigv4::SigningParams params;
  params.access_key_id = key_id;
  params.secret_access_key = secret;
  params.session_token = std::move(token);
  params.region = "us-east-1";
  params.service = "sts";
  params.time = kNow;
  (void)auth::sigv4::SignRequest(request, params);
  return request;
}

void BM_VerifyLongTermKey(benchmark::State& state) {
  World& world = TheWorld();
  server::StoreCredentialSource source(*world.store, kSecret);
  auth::SigV4Verifier verifier(source, world.clock);
  HttpRequest request = Signed(world.key.id, world.key.secret_access_key, std::nullopt);
  if (!verifier.Verify(request)) state.SkipWithError("does not verify");
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(request));
}
BENCHMARK(BM_VerifyLongTermKey);

// The same long-term key with a signed header as long as a session token (400 bytes): what
// the larger request costs the verifier, apart from the credential source.
void BM_VerifyLongTermKeySameSize(benchmark::State& state) {
  World& world = TheWorld();
  server::StoreCredentialSource source(*world.store, kSecret);
  auth::SigV4Verifier verifier(source, world.clock);
  HttpRequest request{
      .method = "POST",
      .target = "/",
      .headers = {{"Host", "127.0.0.1:8080"},
                  {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                  {"User-Agent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64"},
                  {"X-Amz-Meta-Padding", std::string(400, 'A')}},
      .body = "Action=GetCallerIdentity&Version=2011-06-15"};
  auth::sigv4::SigningParams params;
  params.access_key_id = world.key.id;
  params.secret_access_key = world.key.secret_access_key;
  params.region = "us-east-1";
  params.service = "sts";
  params.time = kNow;
  (void)auth::sigv4::SignRequest(request, params);
  if (!verifier.Verify(request)) state.SkipWithError("does not verify");
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(request));
}
BENCHMARK(BM_VerifyLongTermKeySameSize);

void BM_VerifySessionToken(benchmark::State& state) {
  World& world = TheWorld();
  server::StoreCredentialSource source(*world.store, kSecret);
  auth::SigV4Verifier verifier(source, world.clock);
  services::CallContext call(world.env, world.caller);
  call.now = kNow;
  call.region = "us-east-1";
  auto out = world.registry.Find("sts", "AssumeRole")
                 ->handler(call, boost::json::parse(R"({"RoleArn":")" + world.role_arn +
                                                   R"(","RoleSessionName":"bench"})")
                                     .as_object());
  if (!out) {
    state.SkipWithError(out.error().message.c_str());
    return;
  }
  const auto& credentials = out->at("Credentials").as_object();
  HttpRequest request = Signed(std::string(credentials.at("AccessKeyId").as_string()),
                               std::string(credentials.at("SecretAccessKey").as_string()),
                               std::string(credentials.at("SessionToken").as_string()));
  if (!verifier.Verify(request)) state.SkipWithError("does not verify");
  state.counters["token_bytes"] = static_cast<double>(credentials.at("SessionToken").as_string().size());
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(request));
}
BENCHMARK(BM_VerifySessionToken);

// A cold token (first request of a session): the AES-GCM open and decode every time.
void BM_OpenSessionToken(benchmark::State& state) {
  World& world = TheWorld();
  auto codec = *auth::SessionTokenCodec::Create(kSecret);
  auth::SessionClaims claims;
  claims.kind = auth::SessionKind::kAssumedRole;
  claims.secret_access_key = ids::NewSecretAccessKey();
  claims.principal = world.caller;
  claims.principal.access_key_id = auth::NewSessionAccessKeyId(kAccount);
  claims.principal.session_issued = kNow;
  claims.principal.expiration = kNow + std::chrono::hours(1);
  std::string token = *codec.Seal(claims);
  for (auto _ : state) benchmark::DoNotOptimize(codec.Open(token, claims.principal.access_key_id));
}
BENCHMARK(BM_OpenSessionToken);

void BM_AssumeRole(benchmark::State& state) {
  World& world = TheWorld();
  const services::OperationSpec* spec = world.registry.Find("sts", "AssumeRole");
  boost::json::object input =
      boost::json::parse(R"({"RoleArn":")" + world.role_arn + R"(","RoleSessionName":"bench"})")
          .as_object();
  for (auto _ : state) {
    services::CallContext call(world.env, world.caller);
    call.now = kNow;
    call.region = "us-east-1";
    auto out = spec->handler(call, input);
    if (!out) {
      state.SkipWithError(out.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AssumeRole)->Threads(1)->Threads(2)->UseRealTime();

void BM_AssumeRoleWithTagsAndPolicy(benchmark::State& state) {
  World& world = TheWorld();
  const services::OperationSpec* spec = world.registry.Find("sts", "AssumeRole");
  boost::json::object input = boost::json::parse(
      R"({"RoleArn":")" + world.role_arn +
      R"(","RoleSessionName":"bench","Tags":[{"Key":"team","Value":"blue"}],"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"})")
                                      .as_object();
  for (auto _ : state) {
    services::CallContext call(world.env, world.caller);
    call.now = kNow;
    call.region = "us-east-1";
    auto out = spec->handler(call, input);
    if (!out) {
      state.SkipWithError(out.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AssumeRoleWithTagsAndPolicy)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace rampart

BENCHMARK_MAIN();
