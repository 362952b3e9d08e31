#include "auth/master_key.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/crypto.h"

namespace rampart::auth {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kKeySize = crypto::kSealKeySize;

tl::unexpected<Error> Invalid(std::string message) {
  return Fail("InvalidMasterKey", std::move(message), 500);
}
tl::unexpected<Error> Unavailable(std::string message) {
  return Fail("MasterKeyUnavailable", std::move(message), 500);
}

Result<std::string> FromEnvironment(std::string_view value) {
  if (value.size() == 2 * kKeySize) {
    Result<std::string> bytes = crypto::HexDecode(value);
    if (bytes && bytes->size() == kKeySize) return bytes;
  }
  Result<std::string> bytes = crypto::Base64Decode(value);
  if (bytes && bytes->size() == kKeySize) return bytes;
  return Invalid(
      "RAMPART_MASTER_KEY must be 64 hex characters or the base64 of 32 bytes "
      "(e.g. `openssl rand -hex 32`)");
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

void SyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Writes a new key to a private temporary file, then links it into place: link() never
// replaces an existing file, so two processes starting at once agree on one key.
Result<void> CreateKeyFile(const fs::path& path) {
  std::string key = crypto::RandomBytes(kKeySize);
  fs::path temp = path;
  temp += ".tmp-" + crypto::HexEncode(crypto::RandomBytes(8));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Unavailable(fmt::format("cannot create master key file `{}`: {}", temp.string(),
                                   std::strerror(errno)));
  }
  bool ok = ::fchmod(fd, 0600) == 0 && WriteAll(fd, key) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  std::fill(key.begin(), key.end(), '\0');
  if (!ok) {
    ::unlink(temp.c_str());
    return Unavailable(fmt::format("cannot write master key file `{}`: {}", temp.string(),
                                   std::strerror(saved)));
  }
  int linked = ::link(temp.c_str(), path.c_str());
  saved = errno;
  ::unlink(temp.c_str());
  if (linked != 0 && saved != EEXIST) {
    return Unavailable(fmt::format("cannot create master key file `{}`: {}", path.string(),
                                   std::strerror(saved)));
  }
  SyncDirectory(path.parent_path());
  return Ok();
}

Result<std::string> ReadKeyFile(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return Unavailable(fmt::format("cannot open master key file `{}`: {}", path.string(),
                                   std::strerror(errno)));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    int saved = errno;
    ::close(fd);
    return Unavailable(
        fmt::format("cannot stat master key file `{}`: {}", path.string(), std::strerror(saved)));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return Invalid(fmt::format("master key file `{}` is not a regular file", path.string()));
  }
  if ((info.st_mode & 077) != 0) {
    ::close(fd);
    return Invalid(fmt::format(
        "master key file `{}` is accessible by group or others (mode {:04o}): refusing to use "
        "it; run `chmod 600 {}` if it has not leaked, or restore the key from a safe copy",
        path.string(), info.st_mode & 07777, path.string()));
  }
  if (info.st_size != static_cast<off_t>(kKeySize)) {
    ::close(fd);
    return Invalid(fmt::format("master key file `{}` must hold exactly 32 bytes, not {}",
                               path.string(), static_cast<long long>(info.st_size)));
  }
  std::string key(kKeySize, '\0');
  std::size_t got = 0;
  while (got < kKeySize) {
    ssize_t n = ::read(fd, key.data() + got, kKeySize - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got != kKeySize) {
    return Unavailable(fmt::format("cannot read master key file `{}`", path.string()));
  }
  return key;
}

}  // namespace

Result<std::string> LoadOrCreateMasterKey(const fs::path& data_dir, const char* env_value) {
  if (env_value != nullptr && *env_value != '\0') return FromEnvironment(env_value);
  std::error_code ec;
  if (!fs::exists(data_dir, ec)) {
    fs::create_directories(data_dir, ec);
    if (ec) {
      return Unavailable(fmt::format("cannot create data directory `{}`: {}", data_dir.string(),
                                     ec.message()));
    }
    fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  fs::path path = data_dir / kMasterKeyFileName;
  if (!fs::exists(fs::symlink_status(path, ec))) {
    if (Result<void> created = CreateKeyFile(path); !created) return Fail(created.error());
  }
  return ReadKeyFile(path);
}

Result<SecretSealer> SecretSealer::Create(std::string key) {
  if (key.size() != kKeySize) return Invalid("master key must be 32 bytes");
  return SecretSealer(std::move(key));
}

SecretSealer::~SecretSealer() { std::fill(key_.begin(), key_.end(), '\0'); }

Result<std::string> SecretSealer::Seal(std::string_view name, std::string_view plaintext) const {
  return crypto::Seal(key_, plaintext, name);
}

Result<std::string> SecretSealer::Open(std::string_view name, std::string_view sealed) const {
  return crypto::Open(key_, sealed, name);
}

}  // namespace rampart::auth
