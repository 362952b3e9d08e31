// The SQLite transaction object: every repository of store.h implemented over one
// Connection. Internal to store/sqlite; SqliteStore creates one per Read or Write call (or
// per write within a group-commit batch) and hands it to the caller's callback.
//
// Thread-safety: none; confined to the thread running the callback.
#pragma once

#include <memory>
#include <string>

#include "store/sqlite/connection.h"
#include "store/store.h"

namespace rampart::store::sqlite {

struct TxContext {
  Connection* connection = nullptr;
  const std::string* master_key = nullptr;  // 32 bytes, for crypto::Seal/Open
  // Set when a write changes principals, credentials or policies (PolicyVersion bump).
  bool policy_changed = false;
};

// `context` must outlive the returned transaction.
std::unique_ptr<WriteTransaction> NewTransaction(TxContext& context);

// Associated data binding a sealed secret to its row (crypto::Seal).
std::string AccessKeySealContext(std::string_view access_key_id);
std::string MfaSeedSealContext(std::string_view serial);

}  // namespace rampart::store::sqlite
