#include "store/store_suite.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace rampart::store::testing {
namespace {

#define EXPECT_OK(expr)                                                                            \
  do {                                                                                             \
    auto&& ok_result_ = (expr);                                                                    \
    EXPECT_TRUE(ok_result_.has_value())                                                            \
        << (ok_result_.has_value() ? std::string()                                                 \
                                   : ok_result_.error().code + ": " + ok_result_.error().message); \
  } while (0)

#define ASSERT_OK(expr)                                                                            \
  do {                                                                                             \
    auto&& ok_result_ = (expr);                                                                    \
    ASSERT_TRUE(ok_result_.has_value())                                                            \
        << (ok_result_.has_value() ? std::string()                                                 \
                                   : ok_result_.error().code + ": " + ok_result_.error().message); \
  } while (0)

#define EXPECT_CODE(expr, expected)                                                     \
  do {                                                                                  \
    auto&& code_result_ = (expr);                                                       \
    if (code_result_.has_value()) {                                                     \
      ADD_FAILURE() << "expected failure " << (expected) << ", got success";            \
    } else {                                                                            \
      EXPECT_EQ(code_result_.error().code, (expected)) << code_result_.error().message; \
    }                                                                                   \
  } while (0)

constexpr char kAcct[] = "111122223333";
constexpr char kOther[] = "444455556666";
constexpr char kAdminArn[] = "arn:aws:iam::aws:policy/AdministratorAccess";

TimePoint T(std::int64_t seconds) { return FromEpochSeconds(1'700'000'000 + seconds); }

AccountRow Account(const std::string& id) {
  AccountRow row;
  row.id = id;
  row.name = "acct-" + id;
  row.email = "Root-" + id + "@Example.com";
  row.created = T(0);
  return row;
}

UserRow User(const std::string& account, const std::string& id, const std::string& name,
             const std::string& path = "/") {
  UserRow row;
  row.account_id = account;
  row.id = id;
  row.name = name;
  row.path = path;
  row.created = T(1);
  return row;
}

GroupRow Group(const std::string& account, const std::string& id, const std::string& name,
               const std::string& path = "/") {
  GroupRow row;
  row.account_id = account;
  row.id = id;
  row.name = name;
  row.path = path;
  row.created = T(2);
  return row;
}

RoleRow Role(const std::string& account, const std::string& id, const std::string& name) {
  RoleRow row;
  row.account_id = account;
  row.id = id;
  row.name = name;
  row.created = T(3);
  row.assume_role_policy = R"({"Version":"2012-10-17","Statement":[]})";
  return row;
}

ManagedPolicyRow Policy(const std::string& account, const std::string& id, const std::string& name,
                        const std::string& path = "/") {
  ManagedPolicyRow row;
  row.account_id = account;
  row.id = id;
  row.name = name;
  row.path = path;
  row.created = T(4);
  row.updated = T(4);
  return row;
}

AccessKeyRow Key(const std::string& account, const std::string& id, const std::string& user_id,
                 const std::string& secret) {
  AccessKeyRow row;
  row.account_id = account;
  row.id = id;
  row.user_id = user_id;
  row.secret_access_key = secret;
  row.created = T(5);
  return row;
}

MfaDeviceRow Mfa(const std::string& account, const std::string& name) {
  MfaDeviceRow row;
  row.account_id = account;
  row.name = name;
  row.serial = "arn:aws:iam::" + account + ":mfa/" + name;
  row.seed = "SEED-" + name + std::string("\0\x01\xff", 3);
  row.created = T(6);
  return row;
}

namespace internal_marker_for_test {
// A marker that decodes (it is base64) but holds no event position.
std::string Forged() { return "MTpub3QtYS1wb3NpdGlvbg=="; }  // "1:not-a-position"
}  // namespace internal_marker_for_test

template <typename T>
std::vector<std::string> Names(const std::vector<T>& rows) {
  std::vector<std::string> names;
  for (const T& row : rows) names.push_back(row.name);
  return names;
}

}  // namespace

void StoreSuite::SetUp() { Reopen({}); }

void StoreSuite::Reopen(const SuiteOptions& options) {
  store_.reset();
  Result<std::unique_ptr<Store>> opened = GetParam().open(options);
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  store_ = std::move(*opened);
}

void StoreSuite::MustWrite(const WriteWork& work) {
  Result<void> result = store_->Write(work);
  ASSERT_TRUE(result.has_value()) << result.error().code << ": " << result.error().message;
}

void StoreSuite::SeedAccounts() {
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Accounts().Create(Account(kAcct)); !r) return r;
    return tx.Accounts().Create(Account(kOther));
  });
}

void StoreSuite::SeedUser(const std::string& id, const std::string& name, const std::string& path,
                          const std::string& account) {
  MustWrite([&](WriteTransaction& tx) { return tx.Users().Create(User(account, id, name, path)); });
}

void StoreSuite::MustRead(const ReadWork& work) {
  Result<void> result = store_->Read(work);
  ASSERT_TRUE(result.has_value()) << result.error().code << ": " << result.error().message;
}

namespace {

TEST_P(StoreSuite, OpensEmpty) {
  Result<void> read = store_->Read([](const ReadTransaction& tx) -> Result<void> {
    Result<std::int64_t> count = tx.Accounts().Count();
    EXPECT_TRUE(count.has_value());
    EXPECT_EQ(count.value_or(-1), 0);
    return Ok();
  });
  EXPECT_TRUE(read.has_value());
}

// ------------------------------------------------------------------------------------------
// Accounts and root users

TEST_P(StoreSuite, AccountCreateGetUpdate) {
  SeedAccounts();
  Result<AccountRow> got = Get([](auto& tx) { return tx.Accounts().Get(kAcct); });
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "acct-111122223333");
  EXPECT_EQ(got->email, "Root-111122223333@Example.com");
  EXPECT_EQ(got->status, AccountStatus::kActive);
  EXPECT_EQ(got->created, T(0));
  EXPECT_FALSE(got->closed.has_value());

  Result<AccountRow> by_email =
      Get([](auto& tx) { return tx.Accounts().GetByEmail("root-111122223333@example.COM"); });
  ASSERT_OK(by_email);
  EXPECT_EQ(by_email->id, kAcct);

  AccountRow updated = *got;
  updated.alias = "my-alias";
  updated.status = AccountStatus::kPendingClosure;
  updated.closed = T(99);
  updated.iam_user_access_to_billing = true;
  MustWrite([&](WriteTransaction& tx) { return tx.Accounts().Update(updated); });
  Result<AccountRow> by_alias = Get([](auto& tx) { return tx.Accounts().GetByAlias("my-alias"); });
  ASSERT_OK(by_alias);
  EXPECT_EQ(by_alias->status, AccountStatus::kPendingClosure);
  EXPECT_EQ(by_alias->closed, T(99));
  EXPECT_TRUE(by_alias->iam_user_access_to_billing);

  // Removing the alias frees it.
  updated.alias.clear();
  MustWrite([&](WriteTransaction& tx) { return tx.Accounts().Update(updated); });
  EXPECT_CODE(Get([](auto& tx) { return tx.Accounts().GetByAlias("my-alias"); }), "NotFound");
  EXPECT_EQ(Get([](auto& tx) { return tx.Accounts().Count(); }).value_or(-1), 2);
}

TEST_P(StoreSuite, AccountConflictsAndNotFound) {
  SeedAccounts();
  AccountRow same_id = Account(kAcct);
  same_id.email = "other@example.com";
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.Accounts().Create(same_id); }), "Conflict");
  AccountRow same_email = Account("999988887777");
  same_email.email = "ROOT-111122223333@example.com";
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.Accounts().Create(same_email); }),
              "Conflict");

  AccountRow first = Account(kAcct);
  first.alias = "taken";
  MustWrite([&](WriteTransaction& tx) { return tx.Accounts().Update(first); });
  AccountRow second = Account(kOther);
  second.alias = "taken";
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.Accounts().Update(second); }), "Conflict");

  EXPECT_CODE(Get([](auto& tx) { return tx.Accounts().Get("000000000000"); }), "NotFound");
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.Accounts().Update(Account("000000000000")); }),
      "NotFound");
}

TEST_P(StoreSuite, AccountListPages) {
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    for (int account_idx = 0; account_idx < 5; ++account_idx) {
      if (auto r = tx.Accounts().Create(Account("10000000000" + std::to_string(account_idx))); !r) {
        return r;
      }
    }
    return Ok();
  });
  ListQuery query;
  query.max_items = 2;
  std::vector<std::string> ids;
  for (int page_idx = 0; page_idx < 3; ++page_idx) {
    Result<Page<AccountRow>> page = Get([&](auto& tx) { return tx.Accounts().List(query); });
    ASSERT_OK(page);
    for (const AccountRow& row : page->items) ids.push_back(row.id);
    EXPECT_EQ(page->truncated(), page_idx < 2);
    if (page->next_marker) query.marker = *page->next_marker;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"100000000000", "100000000001", "100000000002",
                                           "100000000003", "100000000004"}));
}

TEST_P(StoreSuite, RootUserLifecycle) {
  SeedAccounts();
  RootUserRow root;
  root.account_id = kAcct;
  root.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  root.created = T(0);
  root.password_last_changed = T(0);
  MustWrite([&](WriteTransaction& tx) { return tx.RootUsers().Create(root); });
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.RootUsers().Create(root); }), "Conflict");
  RootUserRow orphan = root;
  orphan.account_id = "000000000000";
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.RootUsers().Create(orphan); }), "NotFound");

  Result<RootUserRow> got =
      Get([](auto& tx) { return tx.RootUsers().GetByEmail("root-111122223333@EXAMPLE.com"); });
  ASSERT_OK(got);
  EXPECT_EQ(got->account_id, kAcct);
  EXPECT_EQ(got->email, "Root-111122223333@Example.com");
  EXPECT_EQ(got->password_hash, root.password_hash);
  EXPECT_FALSE(got->password_last_used.has_value());

  MustWrite([](WriteTransaction& tx) { return tx.RootUsers().RecordPasswordUse(kAcct, T(50)); });
  RootUserRow changed = *got;
  changed.password_hash = "$argon2id$new";
  changed.password_last_changed = T(60);
  changed.password_last_used = T(50);
  MustWrite([&](WriteTransaction& tx) { return tx.RootUsers().Update(changed); });
  got = Get([](auto& tx) { return tx.RootUsers().Get(kAcct); });
  ASSERT_OK(got);
  EXPECT_EQ(got->password_hash, "$argon2id$new");
  EXPECT_EQ(got->password_last_changed, T(60));
  EXPECT_EQ(got->password_last_used, T(50));

  EXPECT_CODE(Get([](auto& tx) { return tx.RootUsers().Get(kOther); }), "NotFound");
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.RootUsers().RecordPasswordUse(kOther, T(1)); }),
      "NotFound");
}

// ------------------------------------------------------------------------------------------
// Users

TEST_P(StoreSuite, UserNamesAreUniqueCaseInsensitivelyAndKeepTheirCase) {
  SeedAccounts();
  SeedUser("AIDAALICE", "Alice");
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.Users().Create(User(kAcct, "AIDAX", "ALICE")); }),
      "Conflict");
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.Users().Create(User(kAcct, "AIDAALICE", "Bob")); }),
      "Conflict");
  // The same name in another account is another user.
  SeedUser("AIDAOTHER", "alice", "/", kOther);

  Result<UserRow> got = Get([](auto& tx) { return tx.Users().Get(kAcct, "aLiCe"); });
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "Alice");
  EXPECT_EQ(got->id, "AIDAALICE");
  EXPECT_EQ(got->arn, "arn:aws:iam::111122223333:user/Alice");
  EXPECT_EQ(got->created, T(1));
  Result<UserRow> by_id = Get([](auto& tx) { return tx.Users().GetById("AIDAOTHER"); });
  ASSERT_OK(by_id);
  EXPECT_EQ(by_id->account_id, kOther);
  EXPECT_CODE(Get([](auto& tx) { return tx.Users().Get(kAcct, "nobody"); }), "NotFound");
  EXPECT_CODE(Get([](auto& tx) { return tx.Users().GetById("AIDANOBODY"); }), "NotFound");
  EXPECT_EQ(Get([](auto& tx) { return tx.Users().Count(kAcct); }).value_or(-1), 1);
}

TEST_P(StoreSuite, UserUpdateRenamesAndMoves) {
  SeedAccounts();
  SeedUser("AIDA1", "alice");
  SeedUser("AIDA2", "bob");
  Result<UserRow> alice = Get([](auto& tx) { return tx.Users().GetById("AIDA1"); });
  ASSERT_OK(alice);
  UserRow renamed = *alice;
  renamed.name = "Alicia";
  renamed.path = "/eng/";
  renamed.arn.clear();  // re-derived
  renamed.permissions_boundary = "arn:aws:iam::111122223333:policy/Boundary";
  MustWrite([&](WriteTransaction& tx) { return tx.Users().Update(renamed); });
  Result<UserRow> got = Get([](auto& tx) { return tx.Users().Get(kAcct, "ALICIA"); });
  ASSERT_OK(got);
  EXPECT_EQ(got->arn, "arn:aws:iam::111122223333:user/eng/Alicia");
  EXPECT_EQ(got->permissions_boundary, "arn:aws:iam::111122223333:policy/Boundary");
  EXPECT_CODE(Get([](auto& tx) { return tx.Users().Get(kAcct, "alice"); }), "NotFound");

  UserRow clash = *got;
  clash.name = "BOB";
  clash.arn.clear();
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.Users().Update(clash); }), "Conflict");
  // Changing only the case of one's own name is allowed.
  UserRow recase = *got;
  recase.name = "ALICIA";
  recase.arn.clear();
  MustWrite([&](WriteTransaction& tx) { return tx.Users().Update(recase); });
  EXPECT_EQ(Get([](auto& tx) { return tx.Users().GetById("AIDA1"); })->name, "ALICIA");

  MustWrite([](WriteTransaction& tx) { return tx.Users().RecordPasswordUse("AIDA1", T(77)); });
  EXPECT_EQ(Get([](auto& tx) { return tx.Users().GetById("AIDA1"); })->password_last_used, T(77));
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.Users().Update(User(kAcct, "AIDA9", "x")); }),
      "NotFound");
}

TEST_P(StoreSuite, UserListPagesInNameOrderWithPathPrefix) {
  SeedAccounts();
  // Inserted out of order, mixed case: listed case-insensitively by name.
  std::vector<std::string> names = {"delta", "Alpha",   "charlie", "Bravo",
                                    "echo",  "foxtrot", "Golf"};
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    for (std::size_t name_idx = 0; name_idx < names.size(); ++name_idx) {
      std::string path = name_idx % 2 == 0 ? "/eng/" : "/ops/";
      if (auto r = tx.Users().Create(
              User(kAcct, "AIDA" + std::to_string(name_idx), names[name_idx], path));
          !r) {
        return r;
      }
    }
    return tx.Users().Create(User(kOther, "AIDAX", "aardvark"));
  });
  ListQuery query;
  query.max_items = 3;
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    Result<Page<UserRow>> page = Get([&](auto& tx) { return tx.Users().List(kAcct, query); });
    ASSERT_OK(page);
    ++pages;
    for (const UserRow& row : page->items) seen.push_back(row.name);
    if (!page->truncated()) break;
    EXPECT_EQ(page->items.size(), 3u);
    query.marker = *page->next_marker;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"Alpha", "Bravo", "charlie", "delta", "echo", "foxtrot",
                                            "Golf"}));

  ListQuery eng;
  eng.path_prefix = "/eng/";
  Result<Page<UserRow>> filtered = Get([&](auto& tx) { return tx.Users().List(kAcct, eng); });
  ASSERT_OK(filtered);
  EXPECT_EQ(Names(filtered->items), (std::vector<std::string>{"charlie", "delta", "echo", "Golf"}));
  eng.path_prefix = "/ENG/";  // path prefixes are case-sensitive
  EXPECT_TRUE(Get([&](auto& tx) { return tx.Users().List(kAcct, eng); })->items.empty());

  // A marker survives a concurrent insert before it and a delete of its own row.
  ListQuery first;
  first.max_items = 2;
  Result<Page<UserRow>> page1 = Get([&](auto& tx) { return tx.Users().List(kAcct, first); });
  ASSERT_OK(page1);
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Users().Create(User(kAcct, "AIDAA", "aaa")); !r) return r;
    return tx.Users().Delete("AIDA3");  // Bravo, the last row of page 1
  });
  first.marker = *page1->next_marker;
  Result<Page<UserRow>> page2 = Get([&](auto& tx) { return tx.Users().List(kAcct, first); });
  ASSERT_OK(page2);
  EXPECT_EQ(Names(page2->items), (std::vector<std::string>{"charlie", "delta"}));

  // Degenerate queries.
  ListQuery zero;
  zero.max_items = 0;
  EXPECT_EQ(Get([&](auto& tx) { return tx.Users().List(kAcct, zero); })->items.size(), 1u);
  ListQuery forged;
  forged.marker = "not a marker!";
  EXPECT_CODE(Get([&](auto& tx) { return tx.Users().List(kAcct, forged); }), "InvalidArgument");
  EXPECT_TRUE(
      Get([&](auto& tx) { return tx.Users().List("999999999999", ListQuery{}); })->items.empty());
}

TEST_P(StoreSuite, UserDeleteNeedsNoDependantsAndTakesItsTags) {
  SeedAccounts();
  SeedUser("AIDA1", "alice");
  SeedUser("AIDA2", "bob");
  TagRef alice_tags{TaggableType::kUser, "AIDA1"};
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    return tx.Tags().Put(kAcct, alice_tags, {{"team", "red"}});
  });

  struct Dependant {
    std::string what;
    WriteWork add;
    WriteWork remove;
  };
  GroupRow group = Group(kAcct, "AGPA1", "devs");
  MustWrite([&](WriteTransaction& tx) { return tx.Groups().Create(group); });
  std::vector<Dependant> dependants = {
      {"access key",
       [](WriteTransaction& tx) {
         return tx.AccessKeys().Create(Key(kAcct, "AKIA1", "AIDA1", "s"));
       },
       [](WriteTransaction& tx) { return tx.AccessKeys().Delete("AKIA1"); }},
      {"login profile",
       [](WriteTransaction& tx) {
         LoginProfileRow profile;
         profile.user_id = "AIDA1";
         profile.account_id = kAcct;
         profile.password_hash = "h";
         return tx.LoginProfiles().Create(profile);
       },
       [](WriteTransaction& tx) { return tx.LoginProfiles().Delete("AIDA1"); }},
      {"MFA device",
       [](WriteTransaction& tx) -> Result<void> {
         if (auto r = tx.MfaDevices().Create(Mfa(kAcct, "alice-phone")); !r) return r;
         return tx.MfaDevices().Enable("arn:aws:iam::111122223333:mfa/alice-phone", "AIDA1", T(9),
                                       1);
       },
       [](WriteTransaction& tx) {
         return tx.MfaDevices().Deactivate("arn:aws:iam::111122223333:mfa/alice-phone");
       }},
      {"group membership",
       [](WriteTransaction& tx) { return tx.Groups().AddMember("AGPA1", "AIDA1"); },
       [](WriteTransaction& tx) { return tx.Groups().RemoveMember("AGPA1", "AIDA1"); }},
      {"inline policy",
       [](WriteTransaction& tx) {
         return tx.InlinePolicies().Put({EntityRef::User("AIDA1"), "p", "{}"});
       },
       [](WriteTransaction& tx) {
         return tx.InlinePolicies().Delete(EntityRef::User("AIDA1"), "p");
       }},
      {"attached policy",
       [](WriteTransaction& tx) {
         return tx.Attachments().Attach(kAcct, EntityRef::User("AIDA1"), kAdminArn);
       },
       [](WriteTransaction& tx) {
         return tx.Attachments().Detach(EntityRef::User("AIDA1"), kAdminArn);
       }},
  };
  for (const Dependant& dependant : dependants) {
    SCOPED_TRACE(dependant.what);
    MustWrite(dependant.add);
    EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Users().Delete("AIDA1"); }), "Conflict");
    // A failed delete inside a write that carries on leaves the user and its tags intact.
    MustWrite([](WriteTransaction& tx) -> Result<void> {
      EXPECT_CODE(tx.Users().Delete("AIDA1"), "Conflict");
      return Ok();
    });
    EXPECT_OK(Get([](auto& tx) { return tx.Users().GetById("AIDA1"); }));
    EXPECT_EQ(Get([&](auto& tx) { return tx.Tags().Count(alice_tags); }).value_or(-1), 1);
    MustWrite(dependant.remove);
  }
  MustWrite([](WriteTransaction& tx) { return tx.Users().Delete("AIDA1"); });
  EXPECT_CODE(Get([](auto& tx) { return tx.Users().GetById("AIDA1"); }), "NotFound");
  EXPECT_EQ(Get([&](auto& tx) { return tx.Tags().Count(alice_tags); }).value_or(-1), 0);
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Users().Delete("AIDA1"); }), "NotFound");
  // The name is free again.
  SeedUser("AIDA3", "ALICE");
}

// ------------------------------------------------------------------------------------------
// Groups

TEST_P(StoreSuite, GroupsAndMembership) {
  SeedAccounts();
  SeedUser("AIDA1", "alice");
  SeedUser("AIDA2", "Bob");
  SeedUser("AIDA3", "carol");
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Groups().Create(Group(kAcct, "AGPA1", "Admins", "/it/")); !r) return r;
    return tx.Groups().Create(Group(kAcct, "AGPA2", "devs"));
  });
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.Groups().Create(Group(kAcct, "AGPA3", "ADMINS")); }),
      "Conflict");
  Result<GroupRow> admins = Get([](auto& tx) { return tx.Groups().Get(kAcct, "admins"); });
  ASSERT_OK(admins);
  EXPECT_EQ(admins->name, "Admins");
  EXPECT_EQ(admins->arn, "arn:aws:iam::111122223333:group/it/Admins");

  MustWrite([](WriteTransaction& tx) -> Result<void> {
    for (const char* user : {"AIDA3", "AIDA1", "AIDA2"}) {
      if (auto r = tx.Groups().AddMember("AGPA1", user); !r) return r;
    }
    return tx.Groups().AddMember("AGPA2", "AIDA1");
  });
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Groups().AddMember("AGPA1", "AIDA1"); }),
              "Conflict");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Groups().AddMember("AGPA9", "AIDA1"); }),
              "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Groups().AddMember("AGPA1", "AIDA9"); }),
              "NotFound");

  ListQuery two;
  two.max_items = 2;
  Result<Page<UserRow>> members =
      Get([&](auto& tx) { return tx.Groups().ListMembers("AGPA1", two); });
  ASSERT_OK(members);
  EXPECT_EQ(Names(members->items), (std::vector<std::string>{"alice", "Bob"}));
  ASSERT_TRUE(members->truncated());
  two.marker = *members->next_marker;
  members = Get([&](auto& tx) { return tx.Groups().ListMembers("AGPA1", two); });
  EXPECT_EQ(Names(members->items), (std::vector<std::string>{"carol"}));
  EXPECT_FALSE(members->truncated());

  Result<Page<GroupRow>> of_alice =
      Get([](auto& tx) { return tx.Groups().ListForUser("AIDA1", ListQuery{}); });
  ASSERT_OK(of_alice);
  EXPECT_EQ(Names(of_alice->items), (std::vector<std::string>{"Admins", "devs"}));
  EXPECT_EQ(Get([](auto& tx) { return tx.Groups().CountForUser("AIDA1"); }).value_or(-1), 2);
  EXPECT_EQ(Get([](auto& tx) { return tx.Groups().CountMembers("AGPA1"); }).value_or(-1), 3);
  EXPECT_EQ(Get([](auto& tx) { return tx.Groups().Count(kAcct); }).value_or(-1), 2);

  // Rename, then delete only once empty and policy-free.
  GroupRow renamed = *admins;
  renamed.name = "Operators";
  renamed.arn.clear();
  MustWrite([&](WriteTransaction& tx) { return tx.Groups().Update(renamed); });
  EXPECT_EQ(Get([](auto& tx) { return tx.Groups().GetById("AGPA1"); })->arn,
            "arn:aws:iam::111122223333:group/it/Operators");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Groups().Delete("AGPA1"); }), "Conflict");
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    for (const char* user : {"AIDA1", "AIDA2", "AIDA3"}) {
      if (auto r = tx.Groups().RemoveMember("AGPA1", user); !r) return r;
    }
    return tx.InlinePolicies().Put({EntityRef::Group("AGPA1"), "g", "{}"});
  });
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Groups().RemoveMember("AGPA1", "AIDA1"); }),
              "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Groups().Delete("AGPA1"); }), "Conflict");
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.InlinePolicies().Delete(EntityRef::Group("AGPA1"), "g"); !r) return r;
    return tx.Groups().Delete("AGPA1");
  });
  EXPECT_CODE(Get([](auto& tx) { return tx.Groups().GetById("AGPA1"); }), "NotFound");
}

// ------------------------------------------------------------------------------------------
// Roles and instance profiles

TEST_P(StoreSuite, RolesAndInstanceProfiles) {
  SeedAccounts();
  RoleRow role = Role(kAcct, "AROA1", "Deployer");
  role.path = "/svc/";
  role.description = "deploys";
  role.max_session_duration = 7200;
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Roles().Create(role); !r) return r;
    return tx.Roles().Create(Role(kAcct, "AROA2", "auditor"));
  });
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.Roles().Create(Role(kAcct, "AROA3", "DEPLOYER")); }),
      "Conflict");
  Result<RoleRow> got = Get([](auto& tx) { return tx.Roles().Get(kAcct, "deployer"); });
  ASSERT_OK(got);
  EXPECT_EQ(got->arn, "arn:aws:iam::111122223333:role/svc/Deployer");
  EXPECT_EQ(got->assume_role_policy, role.assume_role_policy);
  EXPECT_EQ(got->max_session_duration, 7200);
  EXPECT_EQ(got->description, "deploys");

  RoleRow changed = *got;
  changed.assume_role_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]})";
  changed.description = "";
  changed.permissions_boundary = "arn:aws:iam::aws:policy/PowerUserAccess";
  MustWrite([&](WriteTransaction& tx) { return tx.Roles().Update(changed); });
  RoleRow renamed = changed;
  renamed.name = "Other";
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.Roles().Update(renamed); }),
              "InvalidArgument");
  MustWrite([](WriteTransaction& tx) { return tx.Roles().RecordUse("AROA1", T(40), "eu-west-1"); });
  got = Get([](auto& tx) { return tx.Roles().GetById("AROA1"); });
  ASSERT_OK(got);
  EXPECT_EQ(got->assume_role_policy, changed.assume_role_policy);
  EXPECT_EQ(got->permissions_boundary, "arn:aws:iam::aws:policy/PowerUserAccess");
  EXPECT_EQ(got->last_used, T(40));
  EXPECT_EQ(got->last_used_region, "eu-west-1");
  Result<Page<RoleRow>> roles = Get([](auto& tx) { return tx.Roles().List(kAcct, ListQuery{}); });
  ASSERT_OK(roles);
  EXPECT_EQ(Names(roles->items), (std::vector<std::string>{"auditor", "Deployer"}));

  InstanceProfileRow profile;
  profile.account_id = kAcct;
  profile.id = "AIPA1";
  profile.name = "web";
  profile.created = T(8);
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.InstanceProfiles().Create(profile); !r) return r;
    return tx.InstanceProfiles().AddRole("AIPA1", "AROA1");
  });
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.InstanceProfiles().AddRole("AIPA1", "AROA1"); }),
      "Conflict");
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.InstanceProfiles().AddRole("AIPA1", "AROA9"); }),
      "NotFound");
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.InstanceProfiles().AddRole("AIPA9", "AROA1"); }),
      "NotFound");
  Result<InstanceProfileRow> by_name =
      Get([](auto& tx) { return tx.InstanceProfiles().Get(kAcct, "WEB"); });
  ASSERT_OK(by_name);
  EXPECT_EQ(by_name->arn, "arn:aws:iam::111122223333:instance-profile/web");
  EXPECT_EQ(Names(*Get([](auto& tx) { return tx.InstanceProfiles().ListRoles("AIPA1"); })),
            (std::vector<std::string>{"Deployer"}));
  EXPECT_EQ(Names(Get([](auto& tx) {
                    return tx.InstanceProfiles().ListForRole("AROA1", ListQuery{});
                  })->items),
            (std::vector<std::string>{"web"}));
  EXPECT_EQ(Get([](auto& tx) { return tx.InstanceProfiles().Count(kAcct); }).value_or(-1), 1);

  // A role in a profile, or with policies, cannot be deleted; nor can a profile holding a role.
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Roles().Delete("AROA1"); }), "Conflict");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.InstanceProfiles().Delete("AIPA1"); }),
              "Conflict");
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.InstanceProfiles().RemoveRole("AIPA1", "AROA1"); !r) return r;
    return tx.Attachments().Attach(kAcct, EntityRef::Role("AROA1"), kAdminArn);
  });
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.InstanceProfiles().RemoveRole("AIPA1", "AROA1"); }),
      "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Roles().Delete("AROA1"); }), "Conflict");
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Attachments().Detach(EntityRef::Role("AROA1"), kAdminArn); !r) return r;
    if (auto r = tx.Roles().Delete("AROA1"); !r) return r;
    return tx.InstanceProfiles().Delete("AIPA1");
  });
  EXPECT_CODE(Get([](auto& tx) { return tx.Roles().GetById("AROA1"); }), "NotFound");
  EXPECT_CODE(Get([](auto& tx) { return tx.InstanceProfiles().GetById("AIPA1"); }), "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Roles().RecordUse("AROA1", T(1), "x"); }),
              "NotFound");
}

// ------------------------------------------------------------------------------------------
// Managed policies and versions

TEST_P(StoreSuite, ManagedPolicyVersionsAreNeverReused) {
  SeedAccounts();
  ManagedPolicyRow policy = Policy(kAcct, "ANPA1", "ReadStuff", "/team/");
  policy.description = "reads";
  const std::string v1 = "{\n  \"Version\": \"2012-10-17\" }";
  MustWrite([&](WriteTransaction& tx) { return tx.Policies().Create(policy, v1); });
  EXPECT_CODE(Put([&](WriteTransaction& tx) {
                return tx.Policies().Create(Policy(kAcct, "ANPA2", "readstuff"), "{}");
              }),
              "Conflict");
  Result<ManagedPolicyRow> got = Get([](auto& tx) {
    return tx.Policies().GetByArn("arn:aws:iam::111122223333:policy/team/ReadStuff");
  });
  ASSERT_OK(got);
  EXPECT_EQ(got->default_version_id, "v1");
  EXPECT_EQ(got->description, "reads");
  EXPECT_OK(Get([](auto& tx) { return tx.Policies().Get(kAcct, "READSTUFF"); }));
  Result<PolicyVersionRow> first =
      Get([](auto& tx) { return tx.Policies().GetDefaultVersion("ANPA1"); });
  ASSERT_OK(first);
  EXPECT_EQ(first->version_id, "v1");
  EXPECT_EQ(first->document, v1);
  EXPECT_TRUE(first->is_default);

  // v2 (default), v3, v4; delete v2 after moving the default; the next is v5, not v2.
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Policies().CreateVersion("ANPA1", "{2}", true, T(10)); !r)
      return Fail(r.error());
    if (auto r = tx.Policies().CreateVersion("ANPA1", "{3}", false, T(11)); !r)
      return Fail(r.error());
    if (auto r = tx.Policies().CreateVersion("ANPA1", "{4}", false, T(12)); !r)
      return Fail(r.error());
    return Ok();
  });
  EXPECT_EQ(Get([](auto& tx) { return tx.Policies().GetById("ANPA1"); })->default_version_id, "v2");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Policies().DeleteVersion("ANPA1", "v2"); }),
              "Conflict");
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Policies().SetDefaultVersion("ANPA1", "v3", T(13)); !r) return r;
    if (auto r = tx.Policies().DeleteVersion("ANPA1", "v2"); !r) return r;
    return tx.Policies().DeleteVersion("ANPA1", "v4");
  });
  Result<PolicyVersionRow> fifth;
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    fifth = tx.Policies().CreateVersion("ANPA1", "{5}", false, T(14));
    return fifth ? Ok() : Fail(fifth.error());
  });
  ASSERT_OK(fifth);
  EXPECT_EQ(fifth->version_id, "v5");
  EXPECT_FALSE(fifth->is_default);
  Result<std::vector<PolicyVersionRow>> versions =
      Get([](auto& tx) { return tx.Policies().ListVersions("ANPA1"); });
  ASSERT_OK(versions);
  std::vector<std::string> ids;
  for (const PolicyVersionRow& version : *versions) {
    ids.push_back(version.version_id + (version.is_default ? "*" : ""));
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"v5", "v3*", "v1"}));
  EXPECT_EQ(Get([](auto& tx) { return tx.Policies().CountVersions("ANPA1"); }).value_or(-1), 3);
  EXPECT_EQ(Get([](auto& tx) { return tx.Policies().CountAllVersions(kAcct); }).value_or(-1), 3);
  Result<ManagedPolicyRow> after = Get([](auto& tx) { return tx.Policies().GetById("ANPA1"); });
  EXPECT_EQ(after->updated, T(14));
  EXPECT_EQ(after->default_version_id, "v3");

  EXPECT_CODE(Get([](auto& tx) { return tx.Policies().GetVersion("ANPA1", "v2"); }), "NotFound");
  EXPECT_CODE(Get([](auto& tx) { return tx.Policies().GetVersion("ANPA1", "bogus"); }), "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) {
                return tx.Policies().SetDefaultVersion("ANPA1", "v4", T(1));
              }),
              "NotFound");
  EXPECT_CODE(Get([](auto& tx) { return tx.Policies().ListVersions("ANPA9"); }), "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) -> Result<void> {
                auto r = tx.Policies().CreateVersion("ANPA9", "{}", true, T(1));
                return r ? Ok() : Fail(r.error());
              }),
              "NotFound");

  // Update replaces the description; Delete takes versions and tags with it.
  ManagedPolicyRow described = *after;
  described.description = "new";
  described.updated = T(20);
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Policies().Update(described); !r) return r;
    return tx.Tags().Put(kAcct, {TaggableType::kManagedPolicy, "ANPA1"}, {{"k", "v"}});
  });
  EXPECT_EQ(Get([](auto& tx) { return tx.Policies().GetById("ANPA1"); })->description, "new");
  MustWrite([](WriteTransaction& tx) { return tx.Policies().Delete("ANPA1"); });
  EXPECT_CODE(Get([](auto& tx) { return tx.Policies().GetById("ANPA1"); }), "NotFound");
  EXPECT_CODE(Get([](auto& tx) { return tx.Policies().GetVersion("ANPA1", "v1"); }), "NotFound");
  EXPECT_EQ(Get([](auto& tx) {
              return tx.Tags().Count({TaggableType::kManagedPolicy, "ANPA1"});
            }).value_or(-1),
            0);
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Policies().Delete("ANPA1"); }), "NotFound");
}

TEST_P(StoreSuite, PolicyAttachments) {
  SeedAccounts();
  SeedUser("AIDA1", "alice", "/eng/");
  SeedUser("AIDA2", "bob");
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Groups().Create(Group(kAcct, "AGPA1", "devs")); !r) return r;
    if (auto r = tx.Roles().Create(Role(kAcct, "AROA1", "ci")); !r) return r;
    return tx.Policies().Create(Policy(kAcct, "ANPA1", "Mine"), "{}");
  });
  const std::string mine = "arn:aws:iam::111122223333:policy/Mine";
  const std::string aws_read = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  const std::string aws_svc = "arn:aws:iam::aws:policy/service-role/AWSLambdaRole";
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    for (const std::string& arn : {mine, aws_read, aws_svc, std::string(kAdminArn)}) {
      if (auto r = tx.Attachments().Attach(kAcct, EntityRef::User("AIDA1"), arn); !r) return r;
    }
    if (auto r = tx.Attachments().Attach(kAcct, EntityRef::User("AIDA2"), mine); !r) return r;
    if (auto r = tx.Attachments().Attach(kAcct, EntityRef::Group("AGPA1"), mine); !r) return r;
    return tx.Attachments().Attach(kAcct, EntityRef::Role("AROA1"), mine);
  });
  EXPECT_CODE(Put([&](WriteTransaction& tx) {
                return tx.Attachments().Attach(kAcct, EntityRef::User("AIDA1"), mine);
              }),
              "Conflict");
  EXPECT_CODE(Put([&](WriteTransaction& tx) {
                return tx.Attachments().Attach(kAcct, EntityRef::User("AIDA9"), mine);
              }),
              "NotFound");
  // An entity of another account is not found from this one.
  EXPECT_CODE(Put([&](WriteTransaction& tx) {
                return tx.Attachments().Attach(kOther, EntityRef::User("AIDA1"), mine);
              }),
              "NotFound");

  ListQuery page;
  page.max_items = 3;
  Result<Page<AttachedPolicy>> attached =
      Get([&](auto& tx) { return tx.Attachments().ListForEntity(EntityRef::User("AIDA1"), page); });
  ASSERT_OK(attached);
  ASSERT_EQ(attached->items.size(), 3u);
  EXPECT_EQ(attached->items[0].policy_name, "AdministratorAccess");
  EXPECT_EQ(attached->items[1].policy_name, "AWSLambdaRole");
  EXPECT_EQ(attached->items[1].policy_path, "/service-role/");
  EXPECT_EQ(attached->items[2].policy_name, "Mine");
  ASSERT_TRUE(attached->truncated());
  page.marker = *attached->next_marker;
  attached =
      Get([&](auto& tx) { return tx.Attachments().ListForEntity(EntityRef::User("AIDA1"), page); });
  ASSERT_OK(attached);
  ASSERT_EQ(attached->items.size(), 1u);
  EXPECT_EQ(attached->items[0].policy_arn, aws_read);
  EXPECT_EQ(attached->items[0].policy_path, "/");
  ListQuery service_roles;
  service_roles.path_prefix = "/service-role/";
  attached = Get([&](auto& tx) {
    return tx.Attachments().ListForEntity(EntityRef::User("AIDA1"), service_roles);
  });
  ASSERT_EQ(attached->items.size(), 1u);
  EXPECT_EQ(attached->items[0].policy_arn, aws_svc);

  Result<Page<PolicyEntity>> entities =
      Get([&](auto& tx) { return tx.Attachments().ListForPolicy(kAcct, mine, {}, ListQuery{}); });
  ASSERT_OK(entities);
  std::vector<std::string> seen;
  for (const PolicyEntity& entity : entities->items) {
    seen.push_back(std::string(EntityTypeName(entity.type)) + ":" + entity.name);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"Group:devs", "Role:ci", "User:alice", "User:bob"}));
  ListQuery one;
  one.max_items = 1;
  Result<Page<PolicyEntity>> users_only = Get([&](auto& tx) {
    return tx.Attachments().ListForPolicy(kAcct, mine, {EntityType::kUser}, one);
  });
  ASSERT_OK(users_only);
  ASSERT_EQ(users_only->items.size(), 1u);
  EXPECT_EQ(users_only->items[0].name, "alice");
  EXPECT_EQ(users_only->items[0].path, "/eng/");
  one.marker = *users_only->next_marker;
  users_only = Get([&](auto& tx) {
    return tx.Attachments().ListForPolicy(kAcct, mine, {EntityType::kUser}, one);
  });
  ASSERT_EQ(users_only->items.size(), 1u);
  EXPECT_EQ(users_only->items[0].id, "AIDA2");
  EXPECT_FALSE(users_only->truncated());

  EXPECT_EQ(
      Get([&](auto& tx) { return tx.Attachments().CountForPolicy(kAcct, mine); }).value_or(-1), 4);
  EXPECT_EQ(
      Get([&](auto& tx) { return tx.Attachments().CountForPolicy(kOther, mine); }).value_or(-1), 0);
  EXPECT_EQ(Get([](auto& tx) {
              return tx.Attachments().CountForEntity(EntityRef::User("AIDA1"));
            }).value_or(-1),
            4);
  EXPECT_TRUE(
      *Get([&](auto& tx) { return tx.Attachments().IsAttached(EntityRef::Role("AROA1"), mine); }));
  Result<std::vector<std::pair<std::string, std::int64_t>>> counts =
      Get([](auto& tx) { return tx.Attachments().CountsByPolicy(kAcct); });
  ASSERT_OK(counts);
  EXPECT_EQ(*counts, (std::vector<std::pair<std::string, std::int64_t>>{
                         {"arn:aws:iam::111122223333:policy/Mine", 4},
                         {kAdminArn, 1},
                         {"arn:aws:iam::aws:policy/ReadOnlyAccess", 1},
                         {"arn:aws:iam::aws:policy/service-role/AWSLambdaRole", 1}}));
  EXPECT_TRUE(Get([](auto& tx) { return tx.Attachments().CountsByPolicy(kOther); })->empty());
  EXPECT_FALSE(*Get(
      [&](auto& tx) { return tx.Attachments().IsAttached(EntityRef::Role("AROA1"), aws_read); }));

  PolicyListQuery only_attached;
  only_attached.only_attached = true;
  MustWrite([](WriteTransaction& tx) {
    return tx.Policies().Create(Policy(kAcct, "ANPA2", "Unused"), "{}");
  });
  EXPECT_EQ(Names(Get([&](auto& tx) { return tx.Policies().List(kAcct, only_attached); })->items),
            (std::vector<std::string>{"Mine"}));
  EXPECT_EQ(
      Names(Get([&](auto& tx) { return tx.Policies().List(kAcct, PolicyListQuery{}); })->items),
      (std::vector<std::string>{"Mine", "Unused"}));
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Policies().Delete("ANPA1"); }), "Conflict");

  // Boundaries are counted separately from attachments.
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    Result<UserRow> bob = tx.Users().GetById("AIDA2");
    if (!bob) return Fail(bob.error());
    bob->permissions_boundary = mine;
    return tx.Users().Update(*bob);
  });
  EXPECT_EQ(
      Get([&](auto& tx) { return tx.Attachments().CountBoundaryUses(kAcct, mine); }).value_or(-1),
      1);

  MustWrite([&](WriteTransaction& tx) {
    return tx.Attachments().Detach(EntityRef::User("AIDA2"), mine);
  });
  EXPECT_CODE(Put([&](WriteTransaction& tx) {
                return tx.Attachments().Detach(EntityRef::User("AIDA2"), mine);
              }),
              "NotFound");
  EXPECT_EQ(
      Get([&](auto& tx) { return tx.Attachments().CountForPolicy(kAcct, mine); }).value_or(-1), 3);
}

TEST_P(StoreSuite, InlinePoliciesKeepDocumentsByteForByte) {
  SeedAccounts();
  SeedUser("AIDA1", "alice");
  const std::string document =
      "{\r\n\t\"Version\": \"2012-10-17\",  \"Statement\": [ {\"Effect\":\"Allow\", "
      "\"Action\":\"s3:*\", \"Resource\":\"arn:aws:s3:::caf\xc3\xa9/*\"} ]\n}\n";
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.InlinePolicies().Put({EntityRef::User("AIDA1"), "b-policy", document}); !r)
      return r;
    if (auto r = tx.InlinePolicies().Put({EntityRef::User("AIDA1"), "a-policy", "{}"}); !r)
      return r;
    return tx.InlinePolicies().Put({EntityRef::User("AIDA1"), "C-policy", "{}"});
  });
  Result<InlinePolicyRow> got =
      Get([](auto& tx) { return tx.InlinePolicies().Get(EntityRef::User("AIDA1"), "b-policy"); });
  ASSERT_OK(got);
  EXPECT_EQ(got->document, document);
  EXPECT_EQ(got->entity.type, EntityType::kUser);

  // Put replaces.
  MustWrite([](WriteTransaction& tx) {
    return tx.InlinePolicies().Put({EntityRef::User("AIDA1"), "a-policy", "{\"v\":2}"});
  });
  EXPECT_EQ(Get([](auto& tx) {
              return tx.InlinePolicies().Get(EntityRef::User("AIDA1"), "a-policy");
            })->document,
            "{\"v\":2}");
  EXPECT_CODE(
      Get([](auto& tx) { return tx.InlinePolicies().Get(EntityRef::User("AIDA1"), "A-POLICY"); }),
      "NotFound");

  ListQuery two;
  two.max_items = 2;
  Result<Page<std::string>> names =
      Get([&](auto& tx) { return tx.InlinePolicies().ListNames(EntityRef::User("AIDA1"), two); });
  ASSERT_OK(names);
  EXPECT_EQ(names->items, (std::vector<std::string>{"C-policy", "a-policy"}));
  two.marker = *names->next_marker;
  names =
      Get([&](auto& tx) { return tx.InlinePolicies().ListNames(EntityRef::User("AIDA1"), two); });
  EXPECT_EQ(names->items, (std::vector<std::string>{"b-policy"}));
  EXPECT_FALSE(names->truncated());
  EXPECT_EQ(
      Get([](auto& tx) { return tx.InlinePolicies().ListAll(EntityRef::User("AIDA1")); })->size(),
      3u);
  EXPECT_EQ(Get([](auto& tx) {
              return tx.InlinePolicies().Count(EntityRef::User("AIDA1"));
            }).value_or(-1),
            3);

  EXPECT_CODE(Put([](WriteTransaction& tx) {
                return tx.InlinePolicies().Put({EntityRef::Role("AROA9"), "p", "{}"});
              }),
              "NotFound");
  MustWrite([](WriteTransaction& tx) {
    return tx.InlinePolicies().Delete(EntityRef::User("AIDA1"), "b-policy");
  });
  EXPECT_CODE(Put([](WriteTransaction& tx) {
                return tx.InlinePolicies().Delete(EntityRef::User("AIDA1"), "b-policy");
              }),
              "NotFound");
}

// ------------------------------------------------------------------------------------------
// Credentials

TEST_P(StoreSuite, AccessKeysSealSecretsAndTrackUse) {
  SeedAccounts();
  SeedUser("AIDA1", "alice");
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.AccessKeys().Create(Key(kAcct, "AKIAUSER1", "AIDA1", secret)); !r) return r;
    AccessKeyRow second = Key(kAcct, "AKIAUSER2", "AIDA1", "other");
    second.created = T(6);
    second.status = AccessKeyStatus::kInactive;
    if (auto r = tx.AccessKeys().Create(second); !r) return r;
    return tx.AccessKeys().Create(Key(kAcct, "AKIAROOT1", "", "rootsecret"));
  });
  Result<AccessKeyRow> got = Get([](auto& tx) { return tx.AccessKeys().Get("AKIAUSER1"); });
  ASSERT_OK(got);
  EXPECT_EQ(got->secret_access_key, secret);
  EXPECT_EQ(got->user_id, "AIDA1");
  EXPECT_EQ(got->user_name, "alice");
  EXPECT_EQ(got->status, AccessKeyStatus::kActive);
  EXPECT_FALSE(got->is_root());
  EXPECT_FALSE(got->last_used.has_value());
  Result<AccessKeyRow> root = Get([](auto& tx) { return tx.AccessKeys().Get("AKIAROOT1"); });
  ASSERT_OK(root);
  EXPECT_TRUE(root->is_root());
  EXPECT_EQ(root->secret_access_key, "rootsecret");

  Result<std::vector<AccessKeyRow>> keys =
      Get([](auto& tx) { return tx.AccessKeys().ListForOwner(kAcct, "AIDA1"); });
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].id, "AKIAUSER1");
  EXPECT_EQ((*keys)[1].status, AccessKeyStatus::kInactive);
  for (const AccessKeyRow& key : *keys) EXPECT_TRUE(key.secret_access_key.empty());
  Result<std::vector<AccessKeyRow>> root_keys =
      Get([](auto& tx) { return tx.AccessKeys().ListForOwner(kAcct, ""); });
  ASSERT_EQ(root_keys->size(), 1u);
  EXPECT_EQ((*root_keys)[0].id, "AKIAROOT1");
  EXPECT_EQ(
      Get([](auto& tx) { return tx.AccessKeys().CountForOwner(kAcct, "AIDA1"); }).value_or(-1), 2);
  EXPECT_EQ(Get([](auto& tx) { return tx.AccessKeys().CountForOwner(kAcct, ""); }).value_or(-1), 1);
  EXPECT_EQ(Get([](auto& tx) { return tx.AccessKeys().CountForOwner(kOther, ""); }).value_or(-1),
            0);

  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.AccessKeys().SetStatus("AKIAUSER1", AccessKeyStatus::kInactive); !r) return r;
    return tx.AccessKeys().RecordUse("AKIAUSER1", T(30), "iam", "us-east-1");
  });
  got = Get([](auto& tx) { return tx.AccessKeys().Get("AKIAUSER1"); });
  EXPECT_EQ(got->status, AccessKeyStatus::kInactive);
  EXPECT_EQ(got->last_used, T(30));
  EXPECT_EQ(got->last_used_service, "iam");
  EXPECT_EQ(got->last_used_region, "us-east-1");

  EXPECT_CODE(Put([](WriteTransaction& tx) {
                return tx.AccessKeys().Create(Key(kAcct, "AKIAUSER1", "AIDA1", "dup"));
              }),
              "Conflict");
  EXPECT_CODE(Put([](WriteTransaction& tx) {
                return tx.AccessKeys().Create(Key(kAcct, "AKIAX", "AIDA9", "s"));
              }),
              "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) {  // a user of another account
                return tx.AccessKeys().Create(Key(kOther, "AKIAX", "AIDA1", "s"));
              }),
              "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) {
                return tx.AccessKeys().Create(Key("000000000000", "AKIAX", "", "s"));
              }),
              "NotFound");
  MustWrite([](WriteTransaction& tx) { return tx.AccessKeys().Delete("AKIAUSER1"); });
  EXPECT_CODE(Get([](auto& tx) { return tx.AccessKeys().Get("AKIAUSER1"); }), "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.AccessKeys().Delete("AKIAUSER1"); }),
              "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) {
                return tx.AccessKeys().SetStatus("AKIAUSER1", AccessKeyStatus::kActive);
              }),
              "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) {
                return tx.AccessKeys().RecordUse("AKIAUSER1", T(1), "iam", "us-east-1");
              }),
              "NotFound");

  // The owner's name follows a rename.
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    Result<UserRow> alice = tx.Users().GetById("AIDA1");
    if (!alice) return Fail(alice.error());
    alice->name = "alicia";
    alice->arn.clear();
    return tx.Users().Update(*alice);
  });
  EXPECT_EQ(Get([](auto& tx) { return tx.AccessKeys().Get("AKIAUSER2"); })->user_name, "alicia");
}

TEST_P(StoreSuite, LoginProfiles) {
  SeedAccounts();
  SeedUser("AIDA1", "alice");
  LoginProfileRow profile;
  profile.user_id = "AIDA1";
  profile.account_id = kAcct;
  profile.password_hash = "$argon2id$one";
  profile.password_reset_required = true;
  profile.created = T(3);
  profile.password_last_changed = T(3);
  MustWrite([&](WriteTransaction& tx) { return tx.LoginProfiles().Create(profile); });
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.LoginProfiles().Create(profile); }),
              "Conflict");
  LoginProfileRow orphan = profile;
  orphan.user_id = "AIDA9";
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.LoginProfiles().Create(orphan); }),
              "NotFound");
  Result<LoginProfileRow> got = Get([](auto& tx) { return tx.LoginProfiles().Get("AIDA1"); });
  ASSERT_OK(got);
  EXPECT_EQ(got->password_hash, "$argon2id$one");
  EXPECT_TRUE(got->password_reset_required);
  EXPECT_EQ(got->created, T(3));
  LoginProfileRow changed = *got;
  changed.password_hash = "$argon2id$two";
  changed.password_reset_required = false;
  changed.password_last_changed = T(9);
  MustWrite([&](WriteTransaction& tx) { return tx.LoginProfiles().Update(changed); });
  got = Get([](auto& tx) { return tx.LoginProfiles().Get("AIDA1"); });
  EXPECT_EQ(got->password_hash, "$argon2id$two");
  EXPECT_FALSE(got->password_reset_required);
  EXPECT_EQ(got->password_last_changed, T(9));
  MustWrite([](WriteTransaction& tx) { return tx.LoginProfiles().Delete("AIDA1"); });
  EXPECT_CODE(Get([](auto& tx) { return tx.LoginProfiles().Get("AIDA1"); }), "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.LoginProfiles().Delete("AIDA1"); }),
              "NotFound");
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.LoginProfiles().Update(changed); }),
              "NotFound");
}

TEST_P(StoreSuite, MfaDevicesAssignAndRefuseReplayedSteps) {
  SeedAccounts();
  SeedUser("AIDA1", "alice");
  MfaDeviceRow phone = Mfa(kAcct, "phone");
  MfaDeviceRow spare = Mfa(kAcct, "spare");
  MfaDeviceRow root_token = Mfa(kAcct, "root-token");
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    for (const MfaDeviceRow* device : {&phone, &spare, &root_token}) {
      if (auto r = tx.MfaDevices().Create(*device); !r) return r;
    }
    return Ok();
  });
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.MfaDevices().Create(phone); }), "Conflict");
  Result<MfaDeviceRow> got = Get([&](auto& tx) { return tx.MfaDevices().Get(phone.serial); });
  ASSERT_OK(got);
  EXPECT_EQ(got->seed, phone.seed);
  EXPECT_EQ(got->assignment, MfaAssignment::kUnassigned);

  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.MfaDevices().Enable(phone.serial, "AIDA1", T(10), 100); !r) return r;
    return tx.MfaDevices().Enable(root_token.serial, "", T(11), 200);
  });
  EXPECT_CODE(
      Put([&](WriteTransaction& tx) { return tx.MfaDevices().Enable(phone.serial, "", T(1), 1); }),
      "Conflict");
  EXPECT_CODE(Put([&](WriteTransaction& tx) {
                return tx.MfaDevices().Enable(spare.serial, "AIDA9", T(1), 1);
              }),
              "NotFound");
  EXPECT_CODE(
      Put([](WriteTransaction& tx) { return tx.MfaDevices().Enable("arn:nope", "", T(1), 1); }),
      "NotFound");
  got = Get([&](auto& tx) { return tx.MfaDevices().Get(phone.serial); });
  EXPECT_EQ(got->assignment, MfaAssignment::kUser);
  EXPECT_EQ(got->user_name, "alice");
  EXPECT_EQ(got->enable_date, T(10));
  EXPECT_EQ(got->last_accepted_step, 100);

  Result<std::vector<MfaDeviceRow>> alice_devices =
      Get([](auto& tx) { return tx.MfaDevices().ListForOwner(kAcct, "AIDA1"); });
  ASSERT_OK(alice_devices);
  ASSERT_EQ(alice_devices->size(), 1u);
  EXPECT_EQ((*alice_devices)[0].serial, phone.serial);
  EXPECT_TRUE((*alice_devices)[0].seed.empty());
  Result<std::vector<MfaDeviceRow>> root_devices =
      Get([](auto& tx) { return tx.MfaDevices().ListForOwner(kAcct, ""); });
  ASSERT_EQ(root_devices->size(), 1u);
  EXPECT_EQ((*root_devices)[0].assignment, MfaAssignment::kRoot);
  EXPECT_EQ(Get([](auto& tx) { return tx.MfaDevices().CountForOwner(kAcct, ""); }).value_or(-1), 1);
  EXPECT_EQ(Get([](auto& tx) { return tx.MfaDevices().Count(kAcct); }).value_or(-1), 3);
  EXPECT_EQ(Get([](auto& tx) { return tx.MfaDevices().CountAssigned(kAcct); }).value_or(-1), 2);

  auto serials = [&](MfaListFilter filter, int max_items) {
    std::vector<std::string> out;
    ListQuery query;
    query.max_items = max_items;
    while (true) {
      Result<Page<MfaDeviceRow>> page =
          Get([&](auto& tx) { return tx.MfaDevices().ListVirtual(kAcct, filter, query); });
      if (!page) break;
      for (const MfaDeviceRow& row : page->items) out.push_back(row.name);
      if (!page->truncated()) break;
      query.marker = *page->next_marker;
    }
    return out;
  };
  EXPECT_EQ(serials(MfaListFilter::kAny, 1),
            (std::vector<std::string>{"phone", "root-token", "spare"}));
  EXPECT_EQ(serials(MfaListFilter::kAssigned, 10),
            (std::vector<std::string>{"phone", "root-token"}));
  EXPECT_EQ(serials(MfaListFilter::kUnassigned, 10), (std::vector<std::string>{"spare"}));

  // Each TOTP step is accepted once, and never an older one.
  MustWrite([&](WriteTransaction& tx) { return tx.MfaDevices().AcceptStep(phone.serial, 101); });
  EXPECT_CODE(
      Put([&](WriteTransaction& tx) { return tx.MfaDevices().AcceptStep(phone.serial, 101); }),
      "Conflict");
  EXPECT_CODE(
      Put([&](WriteTransaction& tx) { return tx.MfaDevices().AcceptStep(phone.serial, 99); }),
      "Conflict");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.MfaDevices().AcceptStep("arn:nope", 5); }),
              "NotFound");
  EXPECT_EQ(Get([&](auto& tx) { return tx.MfaDevices().Get(phone.serial); })->last_accepted_step,
            101);

  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.MfaDevices().Delete(phone.serial); }),
              "Conflict");
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.MfaDevices().Deactivate(spare.serial); }),
              "Conflict");
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.MfaDevices().Deactivate(phone.serial); !r) return r;
    if (auto r = tx.Tags().Put(kAcct, {TaggableType::kMfaDevice, phone.serial}, {{"a", "b"}}); !r) {
      return r;
    }
    return tx.MfaDevices().Delete(phone.serial);
  });
  EXPECT_CODE(Get([&](auto& tx) { return tx.MfaDevices().Get(phone.serial); }), "NotFound");
  EXPECT_EQ(Get([&](auto& tx) {
              return tx.Tags().Count({TaggableType::kMfaDevice, phone.serial});
            }).value_or(-1),
            0);
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.MfaDevices().Delete(phone.serial); }),
              "NotFound");
}

TEST_P(StoreSuite, PasswordPolicies) {
  SeedAccounts();
  EXPECT_CODE(Get([](auto& tx) { return tx.PasswordPolicies().Get(kAcct); }), "NotFound");
  PasswordPolicyRow policy;
  policy.account_id = kAcct;
  policy.minimum_password_length = 14;
  policy.require_symbols = true;
  policy.require_lowercase_characters = true;
  policy.max_password_age = 90;
  MustWrite([&](WriteTransaction& tx) { return tx.PasswordPolicies().Put(policy); });
  Result<PasswordPolicyRow> got = Get([](auto& tx) { return tx.PasswordPolicies().Get(kAcct); });
  ASSERT_OK(got);
  EXPECT_EQ(got->minimum_password_length, 14);
  EXPECT_TRUE(got->require_symbols);
  EXPECT_FALSE(got->require_numbers);
  EXPECT_TRUE(got->require_lowercase_characters);
  EXPECT_EQ(got->max_password_age, 90);
  EXPECT_FALSE(got->password_reuse_prevention.has_value());
  EXPECT_FALSE(got->hard_expiry);

  policy.max_password_age.reset();
  policy.password_reuse_prevention = 5;
  policy.hard_expiry = true;
  MustWrite([&](WriteTransaction& tx) { return tx.PasswordPolicies().Put(policy); });
  got = Get([](auto& tx) { return tx.PasswordPolicies().Get(kAcct); });
  EXPECT_FALSE(got->max_password_age.has_value());
  EXPECT_EQ(got->password_reuse_prevention, 5);
  EXPECT_TRUE(got->hard_expiry);

  PasswordPolicyRow orphan = policy;
  orphan.account_id = "000000000000";
  EXPECT_CODE(Put([&](WriteTransaction& tx) { return tx.PasswordPolicies().Put(orphan); }),
              "NotFound");
  MustWrite([](WriteTransaction& tx) { return tx.PasswordPolicies().Delete(kAcct); });
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.PasswordPolicies().Delete(kAcct); }),
              "NotFound");
}

TEST_P(StoreSuite, TagsAreCaseInsensitiveByKey) {
  SeedAccounts();
  SeedUser("AIDA1", "alice");
  TagRef ref{TaggableType::kUser, "AIDA1"};
  TagRef role_ref{TaggableType::kRole, "AIDA1"};  // same id, another kind: another entity
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Tags().Put(kAcct, ref, {{"Team", "red"}, {"cost", ""}}); !r) return r;
    return tx.Tags().Put(kAcct, role_ref, {{"x", "y"}});
  });
  MustWrite([&](WriteTransaction& tx) { return tx.Tags().Put(kAcct, ref, {{"TEAM", "blue"}}); });
  Result<std::vector<Tag>> tags = Get([&](auto& tx) { return tx.Tags().List(ref); });
  ASSERT_OK(tags);
  EXPECT_EQ(*tags, (std::vector<Tag>{{"cost", ""}, {"TEAM", "blue"}}));
  MustWrite([&](WriteTransaction& tx) { return tx.Tags().Remove(ref, {"team", "absent"}); });
  tags = Get([&](auto& tx) { return tx.Tags().List(ref); });
  EXPECT_EQ(*tags, (std::vector<Tag>{{"cost", ""}}));
  EXPECT_EQ(Get([&](auto& tx) { return tx.Tags().Count(role_ref); }).value_or(-1), 1);
}

// ------------------------------------------------------------------------------------------
// Transactions

TEST_P(StoreSuite, FailedWriteLeavesNoTrace) {
  SeedAccounts();
  const std::uint64_t version = store_->PolicyVersion();
  Result<void> failed = Put([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Users().Create(User(kAcct, "AIDA1", "ghost")); !r) return r;
    if (auto r = tx.AccessKeys().Create(Key(kAcct, "AKIA1", "AIDA1", "s")); !r) return r;
    if (auto r = tx.Policies().Create(Policy(kAcct, "ANPA1", "P"), "{}"); !r) return r;
    // Reads inside the transaction see its own writes.
    EXPECT_OK(tx.Users().Get(kAcct, "GHOST"));
    return Fail("NoSuchEntity", "handler decided to fail");
  });
  EXPECT_CODE(failed, "NoSuchEntity");
  EXPECT_CODE(Get([](auto& tx) { return tx.Users().Get(kAcct, "ghost"); }), "NotFound");
  EXPECT_CODE(Get([](auto& tx) { return tx.AccessKeys().Get("AKIA1"); }), "NotFound");
  EXPECT_CODE(Get([](auto& tx) { return tx.Policies().GetById("ANPA1"); }), "NotFound");
  EXPECT_EQ(store_->PolicyVersion(), version);
  // The id and name are still free.
  SeedUser("AIDA1", "ghost");
  EXPECT_GT(store_->PolicyVersion(), version);
}

TEST_P(StoreSuite, FailureBetweenChangeAndCommitLeavesNoTrace) {
  std::atomic<bool> fail_commit{false};
  SuiteOptions options;
  options.before_commit_for_test = [&]() -> Result<void> {
    if (fail_commit.load()) return Fail(MakeError(StoreError::kUnavailable, "injected I/O error"));
    return Ok();
  };
  Reopen(options);
  SeedAccounts();
  const std::uint64_t version = store_->PolicyVersion();
  fail_commit = true;
  Result<void> failed = Put([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Users().Create(User(kAcct, "AIDA1", "ghost")); !r) return r;
    return tx.Attachments().Attach(kAcct, EntityRef::User("AIDA1"), kAdminArn);
  });
  EXPECT_CODE(failed, "Unavailable");
  fail_commit = false;
  EXPECT_CODE(Get([](auto& tx) { return tx.Users().Get(kAcct, "ghost"); }), "NotFound");
  EXPECT_EQ(
      Get([](auto& tx) { return tx.Attachments().CountForPolicy(kAcct, kAdminArn); }).value_or(-1),
      0);
  EXPECT_EQ(store_->PolicyVersion(), version);
  SeedUser("AIDA1", "ghost");
  EXPECT_OK(Get([](auto& tx) { return tx.Users().Get(kAcct, "ghost"); }));
}

TEST_P(StoreSuite, CallbacksCannotNestOrEscapeWithExceptions) {
  SeedAccounts();
  Result<void> nested = Put([&](WriteTransaction&) -> Result<void> {
    Result<void> inner = store_->Write([](WriteTransaction&) { return Ok(); });
    EXPECT_CODE(inner, "InvalidArgument");
    Result<void> read = store_->Read([](const ReadTransaction&) { return Ok(); });
    EXPECT_CODE(read, "InvalidArgument");
    return Ok();
  });
  EXPECT_OK(nested);
  Result<void> threw = Put([](WriteTransaction& tx) -> Result<void> {
    (void)tx.Users().Create(User(kAcct, "AIDA1", "thrower"));
    throw std::runtime_error("boom");
  });
  EXPECT_CODE(threw, "InternalFailure");
  EXPECT_CODE(Get([](auto& tx) { return tx.Users().GetById("AIDA1"); }), "NotFound");
  Result<void> read_threw = store_->Read(
      [](const ReadTransaction&) -> Result<void> { throw std::runtime_error("boom"); });
  EXPECT_CODE(read_threw, "InternalFailure");
  // The store still works.
  SeedUser("AIDA1", "thrower");
}

TEST_P(StoreSuite, PolicyVersionIgnoresUsageRecords) {
  SeedAccounts();
  SeedUser("AIDA1", "alice");
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.AccessKeys().Create(Key(kAcct, "AKIA1", "AIDA1", "s")); !r) return r;
    if (auto r = tx.MfaDevices().Create(Mfa(kAcct, "m")); !r) return r;
    return tx.Roles().Create(Role(kAcct, "AROA1", "r"));
  });
  const std::uint64_t version = store_->PolicyVersion();
  MustWrite([](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.AccessKeys().RecordUse("AKIA1", T(1), "sts", "us-east-1"); !r) return r;
    if (auto r = tx.Users().RecordPasswordUse("AIDA1", T(1)); !r) return r;
    if (auto r = tx.Roles().RecordUse("AROA1", T(1), "us-east-1"); !r) return r;
    return tx.MfaDevices().AcceptStep("arn:aws:iam::111122223333:mfa/m", 7);
  });
  EXPECT_EQ(store_->PolicyVersion(), version);
  MustWrite([](WriteTransaction& tx) {
    return tx.AccessKeys().SetStatus("AKIA1", AccessKeyStatus::kInactive);
  });
  EXPECT_GT(store_->PolicyVersion(), version);
}

TEST_P(StoreSuite, ReadsSeeOneSnapshot) {
  SeedAccounts();
  SeedUser("AIDA1", "alice");
  MustRead([&](const ReadTransaction& tx) -> Result<void> {
    EXPECT_EQ(tx.Users().Count(kAcct).value_or(-1), 1);
    // A write committed meanwhile (from another thread) is not visible in this snapshot.
    std::thread writer([&] { SeedUser("AIDA2", "bob"); });
    writer.join();
    EXPECT_EQ(tx.Users().Count(kAcct).value_or(-1), 1);
    return Ok();
  });
  EXPECT_EQ(Get([](auto& tx) { return tx.Users().Count(kAcct); }).value_or(-1), 2);
}

TEST_P(StoreSuite, ConcurrentWritersEachSucceedOrFailAlone) {
  SeedAccounts();
  constexpr int kThreads = 8;
  constexpr int kWritesPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      for (int write_idx = 0; write_idx < kWritesPerThread; ++write_idx) {
        std::string id = "AIDA" + std::to_string(thread_idx) + "X" + std::to_string(write_idx);
        const bool doomed = write_idx % 5 == 4;
        Result<void> result = store_->Write([&](WriteTransaction& tx) -> Result<void> {
          if (auto r = tx.Users().Create(User(kAcct, id, "u-" + id)); !r) return r;
          if (auto r = tx.Tags().Put(kAcct, {TaggableType::kUser, id}, {{"n", id}}); !r) return r;
          if (doomed) return Fail("LimitExceeded", "doomed write");
          return Ok();
        });
        if (doomed) {
          EXPECT_CODE(result, "LimitExceeded");
          failures.fetch_add(1);
        } else {
          EXPECT_OK(result);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const int expected = kThreads * kWritesPerThread - failures.load();
  EXPECT_EQ(Get([](auto& tx) { return tx.Users().Count(kAcct); }).value_or(-1), expected);
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    std::string kept = "AIDA" + std::to_string(thread_idx) + "X3";
    std::string doomed = "AIDA" + std::to_string(thread_idx) + "X4";
    EXPECT_OK(Get([&](auto& tx) { return tx.Users().GetById(kept); }));
    EXPECT_CODE(Get([&](auto& tx) { return tx.Users().GetById(doomed); }), "NotFound");
    EXPECT_EQ(Get([&](auto& tx) {
                return tx.Tags().Count({TaggableType::kUser, doomed});
              }).value_or(-1),
              0);
  }
  StoreStats stats = store_->Stats();
  EXPECT_GE(stats.writes_committed, static_cast<std::uint64_t>(expected));
  EXPECT_GE(stats.writes_failed, static_cast<std::uint64_t>(failures.load()));
}

TEST_P(StoreSuite, ConcurrentWritesShareCommits) {
  // A slow commit lets writers queue up behind it: they must be committed together, and a
  // write that fails inside a shared batch must take nothing else with it.
  SuiteOptions options;
  options.before_commit_for_test = []() -> Result<void> {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return Ok();
  };
  Reopen(options);
  SeedAccounts();
  const StoreStats before = store_->Stats();
  constexpr int kThreads = 16;
  constexpr int kWritesPerThread = 10;
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      for (int write_idx = 0; write_idx < kWritesPerThread; ++write_idx) {
        std::string id = "AIDA" + std::to_string(thread_idx) + "X" + std::to_string(write_idx);
        const bool doomed = write_idx % 4 == 3;
        Result<void> result = store_->Write([&](WriteTransaction& tx) -> Result<void> {
          if (auto r = tx.Users().Create(User(kAcct, id, id)); !r) return r;
          if (doomed) return Fail("EntityAlreadyExists", "doomed");
          return Ok();
        });
        if (doomed) {
          EXPECT_CODE(result, "EntityAlreadyExists");
        } else {
          EXPECT_OK(result);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const StoreStats after = store_->Stats();
  const std::uint64_t writes = after.writes_committed - before.writes_committed;
  const std::uint64_t commits = after.commits - before.commits;
  const int kept = kThreads * (kWritesPerThread - kWritesPerThread / 4);
  EXPECT_EQ(writes, static_cast<std::uint64_t>(kept));
  EXPECT_EQ(after.writes_failed - before.writes_failed,
            static_cast<std::uint64_t>(kThreads * kWritesPerThread - kept));
  EXPECT_LT(commits * 3, writes) << commits << " commits for " << writes << " writes";
  EXPECT_EQ(Get([](auto& tx) { return tx.Users().Count(kAcct); }).value_or(-1), kept);
}

TEST_P(StoreSuite, AuditEventsLookupNewestFirstWithFilters) {
  SeedAccounts();
  auto event = [](int n, const std::string& name, const std::string& user, bool read_only) {
    AuditEventRow row;
    row.event_id = "evt-" + std::to_string(n);
    row.account_id = kAcct;
    row.event_time = T(100 + n / 2);  // pairs share a timestamp: the sequence breaks ties
    row.event_name = name;
    row.event_source = name == "AssumeRole" ? "sts.amazonaws.com" : "iam.amazonaws.com";
    row.username = user;
    row.access_key_id = user == "root" ? "" : "AKIA" + user;
    row.read_only = read_only;
    row.record = "{\"eventID\":\"evt-" + std::to_string(n) + "\"}";
    return row;
  };
  const std::uint64_t version = store_->PolicyVersion();
  std::int64_t first_sequence = 0;
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    std::vector<AuditEventRow> rows = {
        event(0, "CreateUser", "admin", false), event(1, "GetUser", "admin", true),
        event(2, "CreateUser", "root", false),  event(3, "AssumeRole", "alice", false),
        event(4, "ListUsers", "alice", true),   event(5, "DeleteUser", "admin", false),
        event(6, "GetUser", "bob", true)};
    rows[0].resources = {{"AWS::IAM::User", "carol"}, {"AWS::IAM::AccessKey", "AKIAC"}};
    rows[5].resources = {{"AWS::IAM::User", "carol"}, {"AWS::IAM::User", "dave"}};
    for (const AuditEventRow& row : rows) {
      Result<std::int64_t> appended = tx.AuditEvents().Append(row);
      if (!appended) return Fail(appended.error());
      if (first_sequence == 0) first_sequence = *appended;
    }
    AuditEventRow elsewhere = event(7, "CreateUser", "admin", false);
    elsewhere.account_id = kOther;
    return tx.AuditEvents().Append(elsewhere) ? Ok() : Fail("X", "append");
  });
  EXPECT_EQ(store_->PolicyVersion(), version);

  auto ids = [&](AuditEventQuery query) {
    std::vector<std::string> out;
    for (int page_idx = 0; page_idx < 20; ++page_idx) {
      Result<Page<AuditEventRow>> page =
          Get([&](auto& tx) { return tx.AuditEvents().Lookup(query); });
      EXPECT_OK(page);
      if (!page) break;
      for (const AuditEventRow& row : page->items) out.push_back(row.event_id);
      if (!page->truncated()) break;
      query.marker = *page->next_marker;
    }
    return out;
  };
  AuditEventQuery all;
  all.account_id = kAcct;
  all.max_results = 3;
  auto with = [&](AuditAttribute attribute, const std::string& value) {
    AuditEventQuery query = all;
    query.attribute = attribute;
    query.attribute_value = value;
    return ids(query);
  };
  // Lookup answers the same whether events are indexed yet or not (pages mix both).
  auto check_filters = [&](const char* state) {
    SCOPED_TRACE(state);
    EXPECT_EQ(ids(all), (std::vector<std::string>{"evt-6", "evt-5", "evt-4", "evt-3", "evt-2",
                                                  "evt-1", "evt-0"}));
    EXPECT_EQ(with(AuditAttribute::kEventName, "CreateUser"),
              (std::vector<std::string>{"evt-2", "evt-0"}));
    EXPECT_EQ(with(AuditAttribute::kUsername, "admin"),
              (std::vector<std::string>{"evt-5", "evt-1", "evt-0"}));
    EXPECT_EQ(with(AuditAttribute::kReadOnly, "true"),
              (std::vector<std::string>{"evt-6", "evt-4", "evt-1"}));
    EXPECT_EQ(with(AuditAttribute::kReadOnly, "false").size(), 4u);
    EXPECT_EQ(with(AuditAttribute::kEventSource, "sts.amazonaws.com"),
              (std::vector<std::string>{"evt-3"}));
    EXPECT_EQ(with(AuditAttribute::kAccessKeyId, "AKIAbob"), (std::vector<std::string>{"evt-6"}));
    EXPECT_EQ(with(AuditAttribute::kEventId, "evt-4"), (std::vector<std::string>{"evt-4"}));
    EXPECT_EQ(with(AuditAttribute::kEventId, "evt-7"),
              (std::vector<std::string>{}));  // other account
    EXPECT_EQ(with(AuditAttribute::kResourceType, "AWS::IAM::User"),
              (std::vector<std::string>{"evt-5", "evt-0"}));  // evt-5 once, though two users match
    EXPECT_EQ(with(AuditAttribute::kResourceName, "carol"),
              (std::vector<std::string>{"evt-5", "evt-0"}));

    AuditEventQuery window = all;
    window.start_time = T(101);
    window.end_time = T(102);  // inclusive: evt-2 .. evt-5
    EXPECT_EQ(ids(window), (std::vector<std::string>{"evt-5", "evt-4", "evt-3", "evt-2"}));
  };
  auto index = [&](int limit) {
    std::int64_t indexed = -1;
    MustWrite([&](WriteTransaction& tx) -> Result<void> {
      Result<std::int64_t> n = tx.AuditEvents().IndexPending(limit);
      if (!n) return Fail(n.error());
      indexed = *n;
      return Ok();
    });
    return indexed;
  };
  check_filters("nothing indexed");
  EXPECT_EQ(index(3), 3);
  check_filters("three indexed");
  EXPECT_EQ(index(100), 5);
  EXPECT_EQ(index(100), 0);
  check_filters("all indexed");

  Result<Page<AuditEventRow>> one = Get([&](auto& tx) {
    AuditEventQuery query = all;
    query.attribute = AuditAttribute::kEventId;
    query.attribute_value = "evt-0";
    return tx.AuditEvents().Lookup(query);
  });
  ASSERT_OK(one);
  ASSERT_EQ(one->items.size(), 1u);
  EXPECT_EQ(one->items[0].record, "{\"eventID\":\"evt-0\"}");
  EXPECT_EQ(one->items[0].event_time, T(100));
  EXPECT_EQ(one->items[0].resources.size(), 2u);
  EXPECT_EQ(one->items[0].resources[1].name, "AKIAC");

  // Completing an indexed event re-indexes its attributes and resources.
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    AuditEventRow done = event(0, "CreateUser", "zed", false);
    done.resources = {{"AWS::IAM::User", "erin"}};
    // Addressed by sequence and id: a wrong id (or sequence) is not found.
    done.sequence = first_sequence + 1;
    Result<void> wrong = tx.AuditEvents().Replace(done);
    if (wrong || !IsNotFound(wrong.error())) return Fail("X", "replaced another event");
    done.sequence = first_sequence;
    return tx.AuditEvents().Replace(done);
  });
  EXPECT_EQ(with(AuditAttribute::kUsername, "zed"), (std::vector<std::string>{"evt-0"}));
  EXPECT_EQ(with(AuditAttribute::kUsername, "admin"), (std::vector<std::string>{"evt-5", "evt-1"}));
  EXPECT_EQ(with(AuditAttribute::kResourceName, "carol"), (std::vector<std::string>{"evt-5"}));
  EXPECT_EQ(with(AuditAttribute::kResourceName, "erin"), (std::vector<std::string>{"evt-0"}));
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    AuditEventRow back = event(0, "CreateUser", "admin", false);
    back.resources = {{"AWS::IAM::User", "carol"}, {"AWS::IAM::AccessKey", "AKIAC"}};
    back.sequence = first_sequence;
    return tx.AuditEvents().Replace(back);
  });

  AuditEventQuery forged = all;
  forged.marker = internal_marker_for_test::Forged();
  EXPECT_CODE(Get([&](auto& tx) { return tx.AuditEvents().Lookup(forged); }), "InvalidArgument");

  // Delivery reads every account in sequence order.
  Result<std::vector<AuditEventRow>> shipped =
      Get([](auto& tx) { return tx.AuditEvents().ListAfter(0, 100); });
  ASSERT_OK(shipped);
  ASSERT_EQ(shipped->size(), 8u);
  EXPECT_EQ(shipped->back().event_id, "evt-7");
  Result<std::vector<AuditEventRow>> rest =
      Get([&](auto& tx) { return tx.AuditEvents().ListAfter((*shipped)[2].sequence, 2); });
  ASSERT_OK(rest);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].event_id, "evt-3");

  // An event written by a write that fails is gone with it.
  EXPECT_CODE(Put([&](WriteTransaction& tx) -> Result<void> {
                AuditEventRow row = event(8, "CreateUser", "admin", false);
                if (!tx.AuditEvents().Append(row)) return Fail("X", "append");
                return Fail("AccessDenied", "denied after all");
              }),
              "AccessDenied");
  EXPECT_TRUE(with(AuditAttribute::kEventId, "evt-8").empty());

  // Retention: the oldest go first, resources with them.
  Result<std::int64_t> pruned;
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    pruned = tx.AuditEvents().DeleteBefore(T(101), 1);
    return pruned ? Ok() : Fail(pruned.error());
  });
  EXPECT_EQ(pruned.value_or(-1), 1);
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    pruned = tx.AuditEvents().DeleteBefore(T(101), 100);
    return pruned ? Ok() : Fail(pruned.error());
  });
  EXPECT_EQ(pruned.value_or(-1), 1);
  EXPECT_EQ(with(AuditAttribute::kResourceName, "carol"), (std::vector<std::string>{"evt-5"}));
  EXPECT_EQ(ids(all).size(), 5u);
}

TEST_P(StoreSuite, OutboxDeliversAtLeastOnce) {
  SeedAccounts();
  const std::uint64_t version = store_->PolicyVersion();
  std::vector<std::int64_t> ids;
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    for (int message_idx = 0; message_idx < 4; ++message_idx) {
      OutboxMessage message;
      message.topic = message_idx == 3 ? "other" : "alert-webhook";
      message.payload = "{\"n\":" + std::to_string(message_idx) + "}";
      message.created = T(message_idx);
      message.next_attempt = T(message_idx);
      Result<std::int64_t> id = tx.Outbox().Enqueue(message);
      if (!id) return Fail(id.error());
      ids.push_back(*id);
    }
    return Ok();
  });
  EXPECT_EQ(store_->PolicyVersion(), version);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_LT(ids[0], ids[1]);

  Result<std::vector<OutboxMessage>> due =
      Get([](auto& tx) { return tx.Outbox().Due("alert-webhook", T(1), 10); });
  ASSERT_OK(due);
  ASSERT_EQ(due->size(), 2u);  // the third is not due yet; "other" is another topic
  EXPECT_EQ((*due)[0].payload, "{\"n\":0}");
  EXPECT_EQ((*due)[0].attempts, 0);

  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Outbox().MarkDelivered(ids[0], T(5)); !r) return r;
    return tx.Outbox().Reschedule(ids[1], T(60), "connection refused");
  });
  due = Get([](auto& tx) { return tx.Outbox().Due("alert-webhook", T(10), 10); });
  ASSERT_OK(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, ids[2]);
  due = Get([](auto& tx) { return tx.Outbox().Due("alert-webhook", T(60), 1); });
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, ids[1]);
  EXPECT_EQ((*due)[0].attempts, 1);
  EXPECT_EQ((*due)[0].last_error, "connection refused");

  ListQuery two;
  two.max_items = 2;
  Result<Page<OutboxMessage>> listed =
      Get([&](auto& tx) { return tx.Outbox().List("alert-webhook", two); });
  ASSERT_OK(listed);
  ASSERT_EQ(listed->items.size(), 2u);
  EXPECT_EQ(listed->items[0].id, ids[2]);  // newest first
  two.marker = *listed->next_marker;
  listed = Get([&](auto& tx) { return tx.Outbox().List("alert-webhook", two); });
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].id, ids[0]);
  EXPECT_EQ(listed->items[0].delivered, T(5));
  EXPECT_FALSE(listed->truncated());

  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Outbox().MarkDelivered(9999, T(1)); }),
              "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) { return tx.Outbox().Reschedule(9999, T(1), "x"); }),
              "NotFound");
  Result<std::int64_t> deleted;
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    deleted = tx.Outbox().DeleteDeliveredBefore(T(6), 10);
    return deleted ? Ok() : Fail(deleted.error());
  });
  EXPECT_EQ(deleted.value_or(-1), 1);
  EXPECT_EQ(
      Get([](auto& tx) { return tx.Outbox().List("alert-webhook", ListQuery{}); })->items.size(),
      2u);
}

TEST_P(StoreSuite, CredentialReports) {
  SeedAccounts();
  EXPECT_CODE(Get([](auto& tx) { return tx.CredentialReports().Get(kAcct); }), "NotFound");
  MustWrite([](WriteTransaction& tx) {
    return tx.CredentialReports().Put({kAcct, T(1), "user,arn\n<root_account>,x\n"});
  });
  MustWrite([](WriteTransaction& tx) { return tx.CredentialReports().Put({kAcct, T(2), "v2"}); });
  Result<CredentialReportRow> report =
      Get([](auto& tx) { return tx.CredentialReports().Get(kAcct); });
  ASSERT_OK(report);
  EXPECT_EQ(report->generated, T(2));
  EXPECT_EQ(report->content, "v2");
  EXPECT_CODE(Get([](auto& tx) { return tx.CredentialReports().Get(kOther); }), "NotFound");
  EXPECT_CODE(Put([](WriteTransaction& tx) {
                return tx.CredentialReports().Put({"000000000000", T(1), "x"});
              }),
              "NotFound");
}

TEST_P(StoreSuite, DevInitInOneWrite) {
  // What `rampart dev-init` does: account, root user, admin user, its key and
  // AdministratorAccess, atomically.
  const std::string secret = "0123456789012345678901234567890123456789";
  MustWrite([&](WriteTransaction& tx) -> Result<void> {
    if (auto r = tx.Accounts().Create(Account(kAcct)); !r) return r;
    RootUserRow root;
    root.account_id = kAcct;
    root.password_hash = "$argon2id$root";
    root.created = T(0);
    if (auto r = tx.RootUsers().Create(root); !r) return r;
    if (auto r = tx.Users().Create(User(kAcct, "AIDAADMIN", "admin")); !r) return r;
    if (auto r = tx.AccessKeys().Create(Key(kAcct, "AKIAADMIN", "AIDAADMIN", secret)); !r) return r;
    return tx.Attachments().Attach(kAcct, EntityRef::User("AIDAADMIN"), kAdminArn);
  });
  MustRead([&](const ReadTransaction& tx) -> Result<void> {
    Result<AccessKeyRow> key = tx.AccessKeys().Get("AKIAADMIN");
    EXPECT_OK(key);
    if (!key) return Ok();
    EXPECT_EQ(key->secret_access_key, secret);
    EXPECT_EQ(key->user_name, "admin");
    Result<UserRow> admin = tx.Users().GetById(key->user_id);
    EXPECT_OK(admin);
    EXPECT_EQ(admin->arn, "arn:aws:iam::111122223333:user/admin");
    EXPECT_TRUE(tx.Attachments().IsAttached(EntityRef::User(admin->id), kAdminArn).value_or(false));
    EXPECT_OK(tx.RootUsers().Get(kAcct));
    return Ok();
  });
}

}  // namespace
}  // namespace rampart::store::testing
