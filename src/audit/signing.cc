// RSA signing for digest files (OpenSSL EVP), gzip (zlib) and atomic file writes.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <zlib.h>

#include "audit/trail.h"
#include "common/crypto.h"

namespace rampart::audit {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSealContext = "rampart audit signing key v1";

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Result<std::string> ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail("NotFound", fmt::format("cannot read `{}`", path.string()));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<std::string> FingerprintOf(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(key, &der);
  if (size <= 0) return Fail("InternalFailure", "cannot encode the public key");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_size = 0;
  int ok = EVP_Digest(der, static_cast<std::size_t>(size), md, &md_size, EVP_md5(), nullptr);
  OPENSSL_free(der);
  if (ok != 1) return Fail("InternalFailure", "cannot hash the public key");
  return crypto::HexEncode(std::string_view(reinterpret_cast<char*>(md), md_size));
}

std::unique_ptr<EVP_PKEY, PkeyFree> ReadPublic(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  return std::unique_ptr<EVP_PKEY, PkeyFree>(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

Result<std::string> Gzip(std::string_view data) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip wrapper rather than zlib's.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Fail("InternalFailure", "zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return Fail("InternalFailure", "zlib: deflate failed");
  return out;
}

Result<std::string> Gunzip(std::string_view data, std::size_t max_bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return Fail("InternalFailure", "zlib: inflateInit2");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&stream);
      return Fail("InvalidGzip", "not a valid gzip stream");
    }
    out.append(buffer, sizeof(buffer) - stream.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&stream);
      return Fail("InvalidGzip", "uncompressed content too large");
    }
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      return Fail("InvalidGzip", "truncated gzip stream");
    }
  }
  bool trailing = stream.avail_in != 0;
  inflateEnd(&stream);
  if (trailing) return Fail("InvalidGzip", "data after the gzip stream");
  return out;
}

Result<void> WriteFileAtomically(const fs::path& path, std::string_view data) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Fail("Unavailable", fmt::format("cannot create `{}`: {}", path.parent_path().string(), ec.message()));
  fs::path temp = path;
  temp += ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Fail("Unavailable", fmt::format("cannot write `{}`", temp.string()));
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      ::close(fd);
      return Fail("Unavailable", fmt::format("cannot write `{}`", temp.string()));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return Fail("Unavailable", fmt::format("cannot sync `{}`", temp.string()));
  }
  ::close(fd);
  fs::rename(temp, path, ec);
  if (ec) return Fail("Unavailable", fmt::format("cannot rename to `{}`: {}", path.string(), ec.message()));
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Ok();
}

SigningKey::~SigningKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(key_)); }

Result<std::shared_ptr<const SigningKey>> SigningKey::FromPrivatePem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Fail("InternalFailure", "BIO_new_mem_buf failed");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return Fail("SealedDataInvalid", "the trail signing key does not parse");
  std::shared_ptr<SigningKey> out(new SigningKey());
  out->key_ = key;
  std::unique_ptr<BIO, BioFree> pub(BIO_new(BIO_s_mem()));
  if (!pub || PEM_write_bio_PUBKEY(pub.get(), key) != 1) {
    return Fail("InternalFailure", "cannot encode the public key");
  }
  out->public_pem_ = BioText(pub.get());
  Result<std::string> fingerprint = FingerprintOf(key);
  if (!fingerprint) return Fail(fingerprint.error());
  out->fingerprint_ = std::move(*fingerprint);
  return std::shared_ptr<const SigningKey>(std::move(out));
}

Result<std::shared_ptr<const SigningKey>> SigningKey::Generate() {
  EVP_PKEY* raw = EVP_RSA_gen(2048);
  if (raw == nullptr) return Fail("InternalFailure", "RSA key generation failed");
  std::unique_ptr<EVP_PKEY, PkeyFree> key(raw);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return Fail("InternalFailure", "cannot encode the private key");
  }
  std::string pem = BioText(bio.get());
  Result<std::shared_ptr<const SigningKey>> out = FromPrivatePem(pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  return out;
}

Result<std::shared_ptr<const SigningKey>> SigningKey::Load(const fs::path& audit_dir,
                                                           std::string_view master_key) {
  fs::path sealed_path = audit_dir / "signing-key.sealed";
  if (!fs::exists(sealed_path)) return Fail("NoSigningKey", "the trail has no signing key yet");
  Result<std::string> sealed = ReadAll(sealed_path);
  if (!sealed) return Fail(sealed.error());
  Result<std::string> pem = crypto::Open(master_key, *sealed, kSealContext);
  if (!pem) return Fail(pem.error());
  Result<std::shared_ptr<const SigningKey>> key = FromPrivatePem(*pem);
  OPENSSL_cleanse(pem->data(), pem->size());
  return key;
}

Result<std::shared_ptr<const SigningKey>> SigningKey::LoadOrCreate(const fs::path& audit_dir,
                                                                   std::string_view master_key) {
  Result<std::shared_ptr<const SigningKey>> loaded = Load(audit_dir, master_key);
  if (loaded || loaded.error().code != "NoSigningKey") return loaded;
  EVP_PKEY* raw = EVP_RSA_gen(2048);
  if (raw == nullptr) return Fail("InternalFailure", "RSA key generation failed");
  std::unique_ptr<EVP_PKEY, PkeyFree> key(raw);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return Fail("InternalFailure", "cannot encode the private key");
  }
  std::string pem = BioText(bio.get());
  Result<std::string> sealed = crypto::Seal(master_key, pem, kSealContext);
  Result<std::shared_ptr<const SigningKey>> made = FromPrivatePem(pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!sealed) return Fail(sealed.error());
  if (!made) return made;
  if (Result<void> w = WriteFileAtomically(audit_dir / "signing-key.sealed", *sealed); !w) {
    return Fail(w.error());
  }
  if (Result<void> w = WriteFileAtomically(
          audit_dir / "public-keys" / ((*made)->fingerprint() + ".pem"), (*made)->public_key_pem());
      !w) {
    return Fail(w.error());
  }
  return made;
}

Result<std::string> SigningKey::SignHex(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                                 static_cast<EVP_PKEY*>(key_)) != 1) {
    return Fail("InternalFailure", "EVP_DigestSignInit failed");
  }
  std::size_t size = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &size, bytes, data.size()) != 1) {
    return Fail("InternalFailure", "EVP_DigestSign failed");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, bytes,
                     data.size()) != 1) {
    return Fail("InternalFailure", "EVP_DigestSign failed");
  }
  signature.resize(size);
  return crypto::HexEncode(signature);
}

Result<bool> VerifySignatureHex(std::string_view public_pem, std::string_view data,
                                std::string_view signature_hex) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key = ReadPublic(public_pem);
  if (!key) return Fail("InvalidPublicKey", "the public key does not parse");
  Result<std::string> signature = crypto::HexDecode(signature_hex);
  if (!signature) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return Fail("InternalFailure", "EVP_DigestVerifyInit failed");
  }
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                            signature->size(), reinterpret_cast<const unsigned char*>(data.data()),
                            data.size());
  return rc == 1;
}

Result<std::string> PublicKeyFingerprint(std::string_view public_pem) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key = ReadPublic(public_pem);
  if (!key) return Fail("InvalidPublicKey", "the public key does not parse");
  return FingerprintOf(key.get());
}

}  // namespace rampart::audit
