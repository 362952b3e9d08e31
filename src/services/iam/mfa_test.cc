#include "services/iam/identity_test_util.h"

#include "auth/totp.h"

namespace rampart::services::iam::testing {
namespace {

namespace json = boost::json;

class MfaTest : public IdentityTest {
 protected:
  // Creates a virtual device and returns (serial, raw seed).
  std::pair<std::string, std::string> NewDevice(const std::string& name) {
    json::object made = Run("CreateVirtualMFADevice", {{"VirtualMFADeviceName", name}});
    const json::object& device = made["VirtualMFADevice"].as_object();
    auto seed = auth::totp::Base32Decode(device.at("Base32StringSeed").as_string());
    EXPECT_TRUE(seed.has_value());
    return {std::string(device.at("SerialNumber").as_string()), seed ? *seed : ""};
  }
  std::string Code(const std::string& seed, std::int64_t step) {
    return auth::totp::CodeForStep(seed, step);
  }
  std::int64_t Now() { return auth::totp::StepAt(clock_.Now()); }
};

TEST_F(MfaTest, CreateReturnsSeedAndQrOnce) {
  json::object made = Run("CreateVirtualMFADevice", {{"VirtualMFADeviceName", "phone"}, {"Path", "/a//b/"}});
  const json::object& device = made["VirtualMFADevice"].as_object();
  EXPECT_EQ(device.at("SerialNumber").as_string(), "arn:aws:iam::123456789012:mfa/a//b/phone");
  EXPECT_EQ(device.at("Base32StringSeed").as_string().size(), 32u);
  EXPECT_TRUE(std::string(device.at("QRCodePNG").as_string()).starts_with("\x89PNG"));
  EXPECT_EQ(Err("CreateVirtualMFADevice", {{"VirtualMFADeviceName", "phone"}, {"Path", "/a//b/"}},
                "EntityAlreadyExists", 409),
            "MFA device already exists.");
  Err("CreateVirtualMFADevice", {{"VirtualMFADeviceName", "x"}, {"Path", "nope"}}, "ValidationError", 400);
  json::object listed = Run("ListVirtualMFADevices", {});
  ASSERT_EQ(listed["VirtualMFADevices"].as_array().size(), 1u);
  EXPECT_FALSE(listed["VirtualMFADevices"].as_array()[0].as_object().contains("Base32StringSeed"));
}

TEST_F(MfaTest, EnableWithConsecutiveCodesAndReplay) {
  Run("CreateUser", {{"UserName", "m"}});
  auto [serial, seed] = NewDevice("m-phone");
  std::int64_t step = Now();
  EXPECT_EQ(Err("EnableMFADevice", {{"UserName", "m"}, {"SerialNumber", serial},
                                    {"AuthenticationCode1", "000000"}, {"AuthenticationCode2", "000001"}},
                "InvalidAuthenticationCode", 403),
            "Authentication code for device is not valid.");
  Run("EnableMFADevice", {{"UserName", "m"}, {"SerialNumber", serial},
                          {"AuthenticationCode1", Code(seed, step - 1)}, {"AuthenticationCode2", Code(seed, step)}});
  EXPECT_EQ(Err("EnableMFADevice", {{"UserName", "m"}, {"SerialNumber", serial},
                                    {"AuthenticationCode1", Code(seed, step - 1)},
                                    {"AuthenticationCode2", Code(seed, step)}},
                "EntityAlreadyExists", 409),
            "MFA Device is already in use.");
  // Resync with the codes already accepted: a replay.
  Err("ResyncMFADevice", {{"UserName", "m"}, {"SerialNumber", serial},
                          {"AuthenticationCode1", Code(seed, step - 1)}, {"AuthenticationCode2", Code(seed, step)}},
      "InvalidAuthenticationCode", 403);
  clock_.Advance(std::chrono::seconds(60));
  Run("ResyncMFADevice", {{"UserName", "m"}, {"SerialNumber", serial},
                          {"AuthenticationCode1", Code(seed, Now() - 1)}, {"AuthenticationCode2", Code(seed, Now())}});

  json::object devices = Run("ListMFADevices", {{"UserName", "m"}});
  ASSERT_EQ(devices["MFADevices"].as_array().size(), 1u);
  EXPECT_EQ(devices["MFADevices"].as_array()[0].as_object()["UserName"].as_string(), "m");
  EXPECT_TRUE(devices["MFADevices"].as_array()[0].as_object().contains("EnableDate"));
  json::object assigned = Run("ListVirtualMFADevices", {{"AssignmentStatus", "Assigned"}});
  ASSERT_EQ(assigned["VirtualMFADevices"].as_array().size(), 1u);
  EXPECT_EQ(assigned["VirtualMFADevices"].as_array()[0].as_object()["User"].as_object()["UserName"].as_string(), "m");
  EXPECT_EQ(Run("ListVirtualMFADevices", {{"AssignmentStatus", "Unassigned"}})["VirtualMFADevices"].as_array().size(), 0u);
  EXPECT_EQ(Run("GetMFADevice", {{"SerialNumber", serial}, {"UserName", "m"}})["UserName"].as_string(), "m");

  EXPECT_EQ(Err("DeleteUser", {{"UserName", "m"}}, "DeleteConflict", 409),
            "Cannot delete entity, must delete MFA device first.");
  Err("DeleteVirtualMFADevice", {{"SerialNumber", serial}}, "DeleteConflict", 409);
  Run("DeactivateMFADevice", {{"UserName", "m"}, {"SerialNumber", serial}});
  Err("DeactivateMFADevice", {{"UserName", "m"}, {"SerialNumber", serial}}, "NoSuchEntity", 404);
  Run("DeleteVirtualMFADevice", {{"SerialNumber", serial}});
  EXPECT_EQ(Err("DeleteVirtualMFADevice", {{"SerialNumber", serial}}, "NoSuchEntity", 404),
            "MFA Device with serial number " + serial + " does not exist.");
  Run("DeleteUser", {{"UserName", "m"}});
}

TEST_F(MfaTest, RootDevicesWithoutUserName) {
  auto [serial, seed] = NewDevice("root-account-mfa-device");
  ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
    return tx.MfaDevices().Enable(serial, "", clock_.Now(), Now());
  }));
  json::object devices = Run("ListMFADevices", {});
  ASSERT_EQ(devices["MFADevices"].as_array().size(), 1u);
  EXPECT_EQ(devices["MFADevices"].as_array()[0].as_object()["SerialNumber"].as_string(), serial);
  json::object virtual_devices = Run("ListVirtualMFADevices", {});
  EXPECT_EQ(virtual_devices["VirtualMFADevices"].as_array()[0].as_object()["User"].as_object()["Arn"].as_string(),
            "arn:aws:iam::123456789012:root");
  Run("DeactivateMFADevice", {{"SerialNumber", serial}});
  EXPECT_EQ(Run("ListMFADevices", {})["MFADevices"].as_array().size(), 0u);
}

TEST_F(MfaTest, Tags) {
  auto [serial, seed] = NewDevice("tagged");
  Run("TagMFADevice", {{"SerialNumber", serial}, {"Tags", json::array{json::object{{"Key", "k"}, {"Value", "v"}}}}});
  EXPECT_EQ(Run("ListMFADeviceTags", {{"SerialNumber", serial}})["Tags"].as_array().size(), 1u);
  Run("UntagMFADevice", {{"SerialNumber", serial}, {"TagKeys", json::array{"K"}}});
  EXPECT_EQ(Run("ListMFADeviceTags", {{"SerialNumber", serial}})["Tags"].as_array().size(), 0u);
  Err("ListMFADeviceTags", {{"SerialNumber", "arn:aws:iam::123456789012:mfa/none"}}, "NoSuchEntity", 404);
}

TEST_F(MfaTest, EnableUnknownUserOrDevice) {
  auto [serial, seed] = NewDevice("d");
  Err("EnableMFADevice", {{"UserName", "ghost"}, {"SerialNumber", serial},
                          {"AuthenticationCode1", "123456"}, {"AuthenticationCode2", "123456"}},
      "NoSuchEntity", 404);
  Run("CreateUser", {{"UserName", "u"}});
  Err("EnableMFADevice", {{"UserName", "u"}, {"SerialNumber", "arn:aws:iam::123456789012:mfa/none"},
                          {"AuthenticationCode1", "123456"}, {"AuthenticationCode2", "123456"}},
      "NoSuchEntity", 404);
}

}  // namespace
}  // namespace rampart::services::iam::testing
