// QR codes as PNG images, for virtual MFA enrolment (CreateVirtualMFADevice's QRCodePNG and
// the console). libqrencode builds the symbol; the PNG container (signature, IHDR, IDAT,
// IEND, CRCs) is written here over zlib's deflate and crc32: 1-bit grayscale, no interlace.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace rampart::auth {

struct QrPngOptions {
  int module_pixels = 4;  // pixels per QR module
  int quiet_zone = 4;     // modules of white border (the QR specification's minimum)
};

// A PNG image of the QR code (error-correction level M) of `text`, for example an
// otpauth:// URI. Error "InternalFailure" if libqrencode or zlib fails (text too long for a
// QR code, out of memory).
Result<std::string> QrCodePng(std::string_view text, const QrPngOptions& options = {});

}  // namespace rampart::auth
