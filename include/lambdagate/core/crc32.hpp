#pragma once
// CRC-32 as zlib, gzip and the AWS event-stream framing compute it (IEEE 802.3, reflected polynomial
// 0xEDB88320). Ours, so that the aws module and the fuzz targets need no zlib.
#include <cstdint>
#include <string_view>

namespace lambdagate::core {

// The CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before them; 0 to start),
// so crc32(b, crc32(a)) == crc32(a + b) and a message can be checked as it arrives.
std::uint32_t crc32(std::string_view bytes, std::uint32_t previous = 0);

}  // namespace lambdagate::core
