#include "auth/qr_png.h"

#include <cstdint>

#include <gtest/gtest.h>
#include <zlib.h>

namespace rampart::auth {
namespace {

std::uint32_t U32(const std::string& data, std::size_t at) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(data[at + i])); };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

struct Chunk {
  std::string type;
  std::string data;
};

// Splits a PNG into chunks, checking each CRC.
std::vector<Chunk> Chunks(const std::string& png) {
  std::vector<Chunk> chunks;
  std::size_t at = 8;
  while (at + 12 <= png.size()) {
    std::uint32_t length = U32(png, at);
    Chunk chunk{png.substr(at + 4, 4), png.substr(at + 8, length)};
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(png.data() + at + 4), length + 4);
    EXPECT_EQ(U32(png, at + 8 + length), static_cast<std::uint32_t>(crc)) << chunk.type;
    chunks.push_back(std::move(chunk));
    at += 12 + length;
  }
  EXPECT_EQ(at, png.size());
  return chunks;
}

TEST(QrCodePng, WritesAValidPngWithQuietZoneAndFinderPattern) {
  Result<std::string> png =
      QrCodePng("otpauth://totp/rampart:alice?secret=JBSWY3DPEHPK3PXP&issuer=rampart");
  ASSERT_TRUE(png) << png.error().message;
  ASSERT_GT(png->size(), 8u);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::vector<Chunk> chunks = Chunks(*png);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].type, "IHDR");
  EXPECT_EQ(chunks[1].type, "IDAT");
  EXPECT_EQ(chunks[2].type, "IEND");
  EXPECT_TRUE(chunks[2].data.empty());

  const std::string& ihdr = chunks[0].data;
  ASSERT_EQ(ihdr.size(), 13u);
  std::uint32_t width = U32(ihdr, 0);
  EXPECT_EQ(U32(ihdr, 4), width);
  EXPECT_EQ(ihdr[8], 1);  // bit depth
  EXPECT_EQ(ihdr[9], 0);  // grayscale
  EXPECT_EQ(ihdr[12], 0);
  // Version 1..40 symbols are 21..177 modules; plus 2*4 quiet modules, times 4 pixels.
  EXPECT_EQ(width % 4, 0u);
  std::uint32_t modules = width / 4 - 8;
  EXPECT_GE(modules, 21u);
  EXPECT_EQ((modules - 17) % 4, 0u);

  std::size_t row_bytes = (width + 7) / 8;
  std::string raw((row_bytes + 1) * width, '\0');
  uLongf raw_size = raw.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_size,
                       reinterpret_cast<const Bytef*>(chunks[1].data.data()),
                       chunks[1].data.size()),
            Z_OK);
  ASSERT_EQ(raw_size, raw.size());
  auto white = [&](std::uint32_t x, std::uint32_t y) {
    unsigned char byte = static_cast<unsigned char>(raw[y * (row_bytes + 1) + 1 + x / 8]);
    return (byte & (0x80 >> (x % 8))) != 0;
  };
  for (std::uint32_t y = 0; y < width; ++y) EXPECT_EQ(raw[y * (row_bytes + 1)], 0);  // filter
  EXPECT_TRUE(white(0, 0));                  // quiet zone
  EXPECT_TRUE(white(15, 15));                // still quiet zone (4 modules * 4 px)
  EXPECT_FALSE(white(16, 16));               // finder pattern's dark corner
  EXPECT_TRUE(white(16 + 4, 16 + 4));        // its white ring
  EXPECT_FALSE(white(16 + 8, 16 + 8));       // its dark centre
  EXPECT_FALSE(white(width - 17, 16));       // top-right finder
  EXPECT_TRUE(white(width - 1, width - 1));  // quiet zone bottom-right
}

TEST(QrCodePng, ScalesWithOptions) {
  Result<std::string> small = QrCodePng("x", {.module_pixels = 1, .quiet_zone = 0});
  ASSERT_TRUE(small);
  EXPECT_EQ(U32(Chunks(*small)[0].data, 0), 21u);  // version 1, no border
}

TEST(QrCodePng, RejectsBadOptionsAndOversizedText) {
  EXPECT_FALSE(QrCodePng("x", {.module_pixels = 0}));
  Result<std::string> huge = QrCodePng(std::string(8000, 'a'));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, "InternalFailure");
}

}  // namespace
}  // namespace rampart::auth
