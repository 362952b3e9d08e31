// IAM virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, DeactivateMFADevice,
// ResyncMFADevice, DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices,
// GetMFADevice, TagMFADevice, UntagMFADevice, ListMFADeviceTags.
//
// Seeds are sealed at rest by the store and returned once, by CreateVirtualMFADevice. Every
// TOTP code is accepted at most once per device: EnableMFADevice records the step of the
// second code, ResyncMFADevice raises it atomically (MfaDeviceRepo::AcceptStep), and a
// replayed code fails with InvalidAuthenticationCode.
//
// AWS does not let the root user's MFA be enabled through the API ("You cannot enable an MFA
// device for the AWS account root user with the AWS CLI, AWS API, ..." — IAM User Guide,
// "Assign MFA devices in the AWS CLI or AWS API"): EnableMFADevice requires an IAM user, while
// ListMFADevices and DeactivateMFADevice without UserName act on the root user's devices when
// root calls.
#include <fmt/format.h>

#include "auth/qr_png.h"
#include "auth/totp.h"
#include "common/arn.h"
#include "services/iam/iam.h"
#include "services/iam/identity_helpers.h"

namespace rampart::services::iam {

namespace {

using identity::FindUser;

Error NoSuchDevice(std::string_view serial) {
  return NoSuchEntity(fmt::format("MFA Device with serial number {} does not exist.", serial));
}

store::TagRef DeviceTags(std::string_view serial) {
  return store::TagRef{store::TaggableType::kMfaDevice, std::string(serial)};
}

// Virtual MFA device paths: like other IAM paths, but AWS accepts empty segments ("//"), as
// a recorded CreateVirtualMFADevice with Path "/test//double/" shows.
Result<void> CheckMfaPath(std::string_view path) {
  bool ok = !path.empty() && path.front() == '/' && path.back() == '/';
  for (char c : path) {
    if (c < 0x21 || c > 0x7e) ok = false;
  }
  if (path.size() > 512) {
    return Fail(ValidationError(
        "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must "
        "have length less than or equal to 512"));
  }
  if (!ok) {
    return Fail(ValidationError(
        "The specified value for path is invalid. It must begin and end with / and contain only "
        "alphanumeric characters and/or / characters."));
  }
  return Ok();
}

// The device `serial` of `account`; NoSuchDevice for a device of another account.
Result<store::MfaDeviceRow> FindDevice(const store::ReadTransaction& tx, std::string_view account,
                                       std::string_view serial) {
  Result<store::MfaDeviceRow> device = tx.MfaDevices().Get(serial);
  if (!device) {
    if (store::IsNotFound(device.error())) return Fail(NoSuchDevice(serial));
    return Fail(FromStore(device.error()));
  }
  if (device->account_id != account) return Fail(NoSuchDevice(serial));
  return device;
}

// The devices of the root user answer with the account id as their UserName: the root user
// has no IAM user name (see docs/decisions.md, IAM).
json::object DeviceEntry(const store::MfaDeviceRow& device, std::string_view user_name) {
  json::object out;
  out["UserName"] = std::string(user_name);
  out["SerialNumber"] = device.serial;
  if (device.enable_date) out["EnableDate"] = Time(*device.enable_date);
  return out;
}

std::optional<std::int64_t> LastStep(const store::MfaDeviceRow& device) {
  if (device.last_accepted_step <= 0) return std::nullopt;
  return device.last_accepted_step;
}

// ---------------------------------------------------------------------------------------

Result<authz::AuthzTarget> CreateTarget(CallContext& call, const json::object& in) {
  authz::AuthzTarget target = Target(
      call, {EntityArn(Account(call), "mfa", GetString(in, "Path", "/"),
                       GetString(in, "VirtualMFADeviceName"))});
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags) return Fail(tags.error());
  AddRequestTags(target, *tags);
  return target;
}

Result<json::object> CreateVirtualMFADevice(CallContext& call, const json::object& in,
                                            const IamOptions& options) {
  std::string account(Account(call));
  std::string path(GetString(in, "Path", "/"));
  if (Result<void> ok = CheckMfaPath(path); !ok) return Fail(ok.error());
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags) return Fail(tags.error());
  if (static_cast<std::int64_t>(tags->size()) > options.quotas.tags_per_entity) {
    return Fail(QuotaExceeded("TagsPerMFADevice", options.quotas.tags_per_entity));
  }
  store::MfaDeviceRow device;
  device.account_id = account;
  device.name = std::string(GetString(in, "VirtualMFADeviceName"));
  device.path = path;
  device.serial = EntityArn(account, "mfa", path, device.name);
  device.seed = auth::totp::NewSeed(20);
  device.created = call.now;
  std::string base32 = auth::totp::Base32Encode(device.seed);
  // The QR code is the Key URI authenticator apps read: otpauth://totp/ISSUER:NAME@ACCOUNT.
  Result<std::string> png = auth::QrCodePng(
      auth::totp::OtpAuthUri("rampart", fmt::format("{}@{}", device.name, account), base32));
  if (!png) {
    return Fail(ServiceFailure("The request processing has failed because of an unknown error, "
                               "exception or failure."));
  }
  json::object virtual_device;
  virtual_device["SerialNumber"] = device.serial;
  // Blobs are raw bytes in output trees; the encoder base64-encodes them on the wire.
  virtual_device["Base32StringSeed"] = base32;
  virtual_device["QRCodePNG"] = std::move(*png);
  if (!tags->empty()) virtual_device["Tags"] = TagsToOutput(*tags);
  json::object out{{"VirtualMFADevice", std::move(virtual_device)}};
  call.Respond(out);  // known before the write: recorded with the change (seed omitted)
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    if (Result<void> made = tx.MfaDevices().Create(device); !made) {
      if (store::IsConflict(made.error())) return Fail(EntityAlreadyExists("MFA device already exists."));
      return Fail(FromStore(made.error()));
    }
    if (!tags->empty()) {
      if (Result<void> put = tx.Tags().Put(account, DeviceTags(device.serial), *tags); !put) {
        return Fail(FromStore(put.error()));
      }
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return out;
}

Result<json::object> EnableMFADevice(CallContext& call, const json::object& in,
                                     const IamOptions& options) {
  std::string account(Account(call));
  std::string serial(GetString(in, "SerialNumber"));
  std::string code1(GetString(in, "AuthenticationCode1"));
  std::string code2(GetString(in, "AuthenticationCode2"));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, GetString(in, "UserName"));
    if (!user) return Fail(user.error());
    Result<store::MfaDeviceRow> device = FindDevice(tx, account, serial);
    if (!device) return Fail(device.error());
    if (device->assignment != store::MfaAssignment::kUnassigned) {
      return Fail(EntityAlreadyExists("MFA Device is already in use."));
    }
    Result<std::int64_t> count = tx.MfaDevices().CountForOwner(account, user->id);
    if (!count) return Fail(FromStore(count.error()));
    if (*count >= options.quotas.mfa_devices_per_user) {
      return Fail(QuotaExceeded("MFADevicesPerUser", options.quotas.mfa_devices_per_user));
    }
    Result<std::int64_t> step = auth::totp::VerifyConsecutiveCodes(
        device->seed, code1, code2, call.now, auth::totp::kEnableDriftSteps, LastStep(*device));
    if (!step) return Fail(step.error());
    if (Result<void> enabled = tx.MfaDevices().Enable(serial, user->id, call.now, *step); !enabled) {
      if (store::IsConflict(enabled.error())) {
        return Fail(EntityAlreadyExists("MFA Device is already in use."));
      }
      return Fail(FromStore(enabled.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

// The owner an operation with an optional UserName addresses: a user id, or "" for root.
Result<std::pair<std::string, std::string>> OwnerOf(const store::ReadTransaction& tx,
                                                    const CallContext& call,
                                                    const json::object& in) {
  Result<identity::Subject> subject = identity::SubjectOf(call, in);
  if (!subject) return Fail(subject.error());
  std::string account(Account(call));
  if (subject->root) return std::make_pair(std::string(), account);
  Result<store::UserRow> user = FindUser(tx, account, subject->user_name);
  if (!user) return Fail(user.error());
  return std::make_pair(user->id, user->name);
}

bool AssignedTo(const store::MfaDeviceRow& device, const std::string& user_id) {
  if (user_id.empty()) return device.assignment == store::MfaAssignment::kRoot;
  return device.assignment == store::MfaAssignment::kUser && device.user_id == user_id;
}

Result<json::object> DeactivateMFADevice(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string serial(GetString(in, "SerialNumber"));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<std::pair<std::string, std::string>> owner = OwnerOf(tx, call, in);
    if (!owner) return Fail(owner.error());
    Result<store::MfaDeviceRow> device = FindDevice(tx, account, serial);
    if (!device) return Fail(device.error());
    if (!AssignedTo(*device, owner->first)) return Fail(NoSuchDevice(serial));
    if (Result<void> done = tx.MfaDevices().Deactivate(serial); !done) {
      if (store::IsConflict(done.error())) return Fail(NoSuchDevice(serial));
      return Fail(FromStore(done.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> ResyncMFADevice(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string serial(GetString(in, "SerialNumber"));
  std::string code1(GetString(in, "AuthenticationCode1"));
  std::string code2(GetString(in, "AuthenticationCode2"));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::UserRow> user = FindUser(tx, account, GetString(in, "UserName"));
    if (!user) return Fail(user.error());
    Result<store::MfaDeviceRow> device = FindDevice(tx, account, serial);
    if (!device) return Fail(device.error());
    if (!AssignedTo(*device, user->id)) return Fail(NoSuchDevice(serial));
    Result<std::int64_t> step = auth::totp::VerifyConsecutiveCodes(
        device->seed, code1, code2, call.now, auth::totp::kResyncDriftSteps, LastStep(*device));
    if (!step) return Fail(step.error());
    if (Result<void> accepted = tx.MfaDevices().AcceptStep(serial, *step); !accepted) {
      if (store::IsConflict(accepted.error())) {
        return Fail(Error("InvalidAuthenticationCode", "Authentication code for device is not valid.",
                          403));
      }
      return Fail(FromStore(accepted.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> DeleteVirtualMFADevice(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string serial(GetString(in, "SerialNumber"));
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::MfaDeviceRow> device = FindDevice(tx, account, serial);
    if (!device) return Fail(device.error());
    if (device->assignment != store::MfaAssignment::kUnassigned) {
      return Fail(DeleteConflict("MFA VirtualDevice in use. Must deactivate first."));
    }
    if (Result<void> deleted = tx.MfaDevices().Delete(serial); !deleted) {
      if (store::IsConflict(deleted.error())) {
        return Fail(DeleteConflict("MFA VirtualDevice in use. Must deactivate first."));
      }
      return Fail(FromStore(deleted.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> ListMFADevices(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<std::pair<std::string, std::string>> owner = OwnerOf(tx, call, in);
    if (!owner) return Fail(owner.error());
    Result<std::vector<store::MfaDeviceRow>> devices =
        tx.MfaDevices().ListForOwner(account, owner->first);
    if (!devices) return Fail(FromStore(devices.error()));
    Result<identity::Slice> slice = identity::PageSlice(call, in, devices->size());
    if (!slice) return Fail(slice.error());
    json::array list;
    for (std::size_t i = slice->begin; i < slice->end; ++i) {
      list.push_back(DeviceEntry((*devices)[i], owner->second));
    }
    out["MFADevices"] = std::move(list);
    identity::SetSlicePage(call, in, *slice, devices->size(), out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> ListVirtualMFADevices(CallContext& call, const json::object& in) {
  // AssignmentStatus defaults to Any (ListVirtualMFADevices API reference).
  std::string_view status = GetString(in, "AssignmentStatus", "Any");
  store::MfaListFilter filter = store::MfaListFilter::kAny;
  if (status == "Assigned") filter = store::MfaListFilter::kAssigned;
  if (status == "Unassigned") filter = store::MfaListFilter::kUnassigned;
  Result<store::ListQuery> query = PageQuery(call, in, {"AssignmentStatus"});
  if (!query) return Fail(query.error());
  query->path_prefix = "/";
  std::string account(Account(call));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::Page<store::MfaDeviceRow>> page =
        tx.MfaDevices().ListVirtual(account, filter, *query);
    if (!page) return Fail(FromStore(page.error()));
    json::array list;
    for (const store::MfaDeviceRow& device : page->items) {
      json::object entry;
      entry["SerialNumber"] = device.serial;
      if (device.assignment == store::MfaAssignment::kUser) {
        if (Result<store::UserRow> user = tx.Users().GetById(device.user_id)) {
          entry["User"] = identity::UserToOutput(*user, nullptr, false);
        }
      } else if (device.assignment == store::MfaAssignment::kRoot) {
        entry["User"] = identity::RootUserToOutput(tx, account);
      }
      if (device.enable_date) entry["EnableDate"] = Time(*device.enable_date);
      list.push_back(std::move(entry));
    }
    out["VirtualMFADevices"] = std::move(list);
    SetPage(call, in, {"AssignmentStatus"}, page->next_marker, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> GetMFADevice(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string serial(GetString(in, "SerialNumber"));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<std::pair<std::string, std::string>> owner = OwnerOf(tx, call, in);
    if (!owner) return Fail(owner.error());
    Result<store::MfaDeviceRow> device = FindDevice(tx, account, serial);
    if (!device) return Fail(device.error());
    if (!AssignedTo(*device, owner->first)) return Fail(NoSuchDevice(serial));
    out["UserName"] = owner->second;
    out["SerialNumber"] = device->serial;
    if (device->enable_date) out["EnableDate"] = Time(*device->enable_date);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<authz::AuthzTarget> DeviceTarget(CallContext& call, const json::object& in) {
  std::string serial(GetString(in, "SerialNumber"));
  authz::AuthzTarget target = Target(call, {serial});
  if (Result<void> tags = AddResourceTagsOf(target, call, DeviceTags(serial)); !tags) {
    return Fail(tags.error());
  }
  return target;
}

Result<json::object> TagMFADevice(CallContext& call, const json::object& in,
                                  const IamOptions& options) {
  std::string account(Account(call));
  std::string serial(GetString(in, "SerialNumber"));
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags) return Fail(tags.error());
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::MfaDeviceRow> device = FindDevice(tx, account, serial);
    if (!device) return Fail(device.error());
    return identity::PutTagsWithinQuota(tx, account, DeviceTags(serial), *tags,
                                        options.quotas.tags_per_entity, "TagsPerMFADevice");
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> UntagMFADevice(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string serial(GetString(in, "SerialNumber"));
  std::vector<std::string> keys = GetStringList(in, "TagKeys");
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::MfaDeviceRow> device = FindDevice(tx, account, serial);
    if (!device) return Fail(device.error());
    if (Result<void> removed = tx.Tags().Remove(DeviceTags(serial), keys); !removed) {
      return Fail(FromStore(removed.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> ListMFADeviceTags(CallContext& call, const json::object& in) {
  std::string account(Account(call));
  std::string serial(GetString(in, "SerialNumber"));
  std::vector<store::Tag> tags;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::MfaDeviceRow> device = FindDevice(tx, account, serial);
    if (!device) return Fail(device.error());
    Result<std::vector<store::Tag>> listed = tx.Tags().List(DeviceTags(serial));
    if (!listed) return Fail(FromStore(listed.error()));
    tags = std::move(*listed);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return TagsPage(call, in, tags, {"SerialNumber"});
}

Result<authz::AuthzTarget> NamedUserTarget(CallContext& call, const json::object& in) {
  return identity::UserTarget(call, GetString(in, "UserName"));
}

Result<authz::AuthzTarget> SubjectTarget(CallContext& call, const json::object& in) {
  return identity::SubjectTarget(call, in);
}

}  // namespace

void RegisterMfa(HandlerRegistry& registry, const IamOptions& options) {
  registry.Add("iam", "CreateVirtualMFADevice",
               OperationSpec{.handler = [options](CallContext& call, const json::object& in) {
                               return CreateVirtualMFADevice(call, in, options);
                             },
                             .target = CreateTarget});
  registry.Add("iam", "EnableMFADevice",
               OperationSpec{.handler = [options](CallContext& call, const json::object& in) {
                               return EnableMFADevice(call, in, options);
                             },
                             .target = NamedUserTarget});
  registry.Add("iam", "DeactivateMFADevice",
               OperationSpec{.handler = DeactivateMFADevice, .target = SubjectTarget});
  registry.Add("iam", "ResyncMFADevice",
               OperationSpec{.handler = ResyncMFADevice, .target = NamedUserTarget});
  registry.Add("iam", "DeleteVirtualMFADevice",
               OperationSpec{.handler = DeleteVirtualMFADevice, .target = DeviceTarget});
  registry.Add("iam", "ListMFADevices",
               OperationSpec{.handler = ListMFADevices, .target = SubjectTarget});
  registry.Add("iam", "ListVirtualMFADevices", OperationSpec{.handler = ListVirtualMFADevices});
  registry.Add("iam", "GetMFADevice",
               OperationSpec{.handler = GetMFADevice, .target = SubjectTarget});
  registry.Add("iam", "TagMFADevice",
               OperationSpec{.handler = [options](CallContext& call, const json::object& in) {
                               return TagMFADevice(call, in, options);
                             },
                             .target = WithRequestTags(DeviceTarget)});
  registry.Add("iam", "UntagMFADevice",
               OperationSpec{.handler = UntagMFADevice, .target = WithTagKeys(DeviceTarget)});
  registry.Add("iam", "ListMFADeviceTags",
               OperationSpec{.handler = ListMFADeviceTags, .target = DeviceTarget});
}

}  // namespace rampart::services::iam
