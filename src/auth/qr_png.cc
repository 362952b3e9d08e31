#include "auth/qr_png.h"

#include <cstdint>
#include <memory>
#include <vector>

#include <qrencode.h>
#include <zlib.h>

namespace rampart::auth {
namespace {

struct QrDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

void PutU32(std::string& out, std::uint32_t value) {
  out += static_cast<char>((value >> 24) & 0xFF);
  out += static_cast<char>((value >> 16) & 0xFF);
  out += static_cast<char>((value >> 8) & 0xFF);
  out += static_cast<char>(value & 0xFF);
}

// length, type, data, CRC-32 over type and data (PNG specification §5.3).
void PutChunk(std::string& out, std::string_view type, std::string_view data) {
  PutU32(out, static_cast<std::uint32_t>(data.size()));
  std::size_t crc_from = out.size();
  out += type;
  out += data;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + crc_from),
              static_cast<uInt>(out.size() - crc_from));
  PutU32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

Result<std::string> QrCodePng(std::string_view text, const QrPngOptions& options) {
  if (options.module_pixels < 1 || options.quiet_zone < 0) {
    return Fail("InternalFailure", "invalid QR image options", 500);
  }
  std::string input(text);  // libqrencode wants a NUL-terminated string
  std::unique_ptr<QRcode, QrDeleter> code(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!code) return Fail("InternalFailure", "text does not fit in a QR code", 500);

  const int modules = code->width + 2 * options.quiet_zone;
  const std::uint32_t size = static_cast<std::uint32_t>(modules * options.module_pixels);
  const std::size_t row_bytes = (size + 7) / 8;

  // Scanlines: filter byte 0, then 1 bit per pixel, most significant first; 1 = white.
  std::string raw;
  raw.reserve((row_bytes + 1) * size);
  std::vector<unsigned char> row(row_bytes);
  for (std::uint32_t y = 0; y < size; ++y) {
    const int my = static_cast<int>(y) / options.module_pixels - options.quiet_zone;
    std::fill(row.begin(), row.end(), 0);
    for (std::uint32_t x = 0; x < size; ++x) {
      const int mx = static_cast<int>(x) / options.module_pixels - options.quiet_zone;
      bool dark = mx >= 0 && my >= 0 && mx < code->width && my < code->width &&
                  (code->data[my * code->width + mx] & 1) != 0;
      if (!dark) row[x / 8] |= static_cast<unsigned char>(0x80 >> (x % 8));
    }
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(row.data()), row.size());
  }

  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(compressed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK) {
    return Fail("InternalFailure", "zlib could not compress the QR image", 500);
  }
  compressed.resize(compressed_size);

  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  PutU32(ihdr, size);  // width
  PutU32(ihdr, size);  // height
  ihdr += '\x01';      // bit depth 1
  ihdr += '\x00';      // colour type 0: grayscale
  ihdr += '\x00';      // compression: deflate
  ihdr += '\x00';      // filter method 0
  ihdr += '\x00';      // no interlace
  PutChunk(png, "IHDR", ihdr);
  PutChunk(png, "IDAT", compressed);
  PutChunk(png, "IEND", "");
  return png;
}

}  // namespace rampart::auth
