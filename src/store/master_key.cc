#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "common/crypto.h"
#include "common/strings.h"
#include "store/store.h"

namespace rampart::store {
namespace {

Error IoError(const std::string& what, const std::filesystem::path& path, int error_number) {
  return MakeError(StoreError::kUnavailable,
                   what + " `" + path.string() + "`: " + std::strerror(error_number));
}

Result<std::string> ReadKeyFile(const std::filesystem::path& key_file) {
  std::ifstream in(key_file, std::ios::binary);
  if (!in) return Fail(IoError("cannot read master key file", key_file, errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<std::string> key = ParseMasterKey(text);
  if (!key) {
    return Fail(MakeError(StoreError::kInvalidArgument,
                          "master key file `" + key_file.string() + "`: " + key.error().message));
  }
  return key;
}

// Writes `text` to a new file at `path` (mode 0600) and fsyncs it.
Result<void> WritePrivateFile(const std::filesystem::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) return Fail(IoError("cannot create", path, errno));
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      return Fail(IoError("cannot write", path, saved));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int saved = errno;
    ::close(fd);
    return Fail(IoError("cannot sync", path, saved));
  }
  ::close(fd);
  return Ok();
}

}  // namespace

Result<std::string> ParseMasterKey(std::string_view text) {
  std::string_view trimmed = Trim(text);
  if (trimmed.size() != 2 * crypto::kSealKeySize) {
    return Fail(MakeError(StoreError::kInvalidArgument, "master key must be 64 hex digits"));
  }
  Result<std::string> key = crypto::HexDecode(AsciiLower(trimmed));
  if (!key) {
    return Fail(MakeError(StoreError::kInvalidArgument, "master key must be 64 hex digits"));
  }
  return key;
}

Result<std::string> LoadOrCreateMasterKey(const std::filesystem::path& key_file) {
  if (std::filesystem::exists(key_file)) return ReadKeyFile(key_file);
  std::error_code ec;
  if (key_file.has_parent_path()) std::filesystem::create_directories(key_file.parent_path(), ec);
  if (ec) return Fail(IoError("cannot create directory", key_file.parent_path(), ec.value()));

  // Write the key to a unique temporary name, then link it into place: link() fails if the
  // key file appeared meanwhile, so no reader ever sees a partly written key and two
  // creators cannot end up with different keys.
  std::filesystem::path temporary = key_file;
  temporary += ".tmp-" + std::to_string(::getpid()) + "-" +
               crypto::HexEncode(crypto::RandomBytes(8));
  const std::string text = crypto::HexEncode(crypto::RandomBytes(crypto::kSealKeySize)) + "\n";
  if (Result<void> written = WritePrivateFile(temporary, text); !written) return Fail(written.error());
  const int linked = ::link(temporary.c_str(), key_file.c_str());
  const int link_errno = errno;
  ::unlink(temporary.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    return Fail(IoError("cannot create master key file", key_file, link_errno));
  }
  if (linked == 0 && key_file.has_parent_path()) {
    // Make the new directory entry durable before any secret is sealed under the key.
    int dir = ::open(key_file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }
  return ReadKeyFile(key_file);
}

}  // namespace rampart::store
