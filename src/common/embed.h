// Access to data files linked into the binary by the CMake function rp_embed().
//
//   RP_DECLARE_EMBEDDED(iam_model);                 // at namespace scope, once per symbol
//   std::string_view text = RP_EMBEDDED(iam_model); // the file's bytes, valid forever
#pragma once

#include <cstdint>
#include <string_view>

#define RP_DECLARE_EMBEDDED(sym)      \
  extern "C" const char sym##_data[]; \
  extern "C" const std::uint64_t sym##_size

#define RP_EMBEDDED(sym) (std::string_view(sym##_data, static_cast<std::size_t>(sym##_size)))
