// CRC-32C with the CPU's own instruction: SSE4.2 `crc32` on x86-64, the ARMv8 CRC extension's
// `crc32c` on AArch64. KafkaProtocol's CRC32C asks `kiel_crc32c_hardware_available` once and
// falls back to its software tables when the CPU (or the architecture) has no such instruction.
#ifndef KIEL_CCRC32C_H
#define KIEL_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has a CRC-32C instruction that `kiel_crc32c_hardware` uses, else 0.
int kiel_crc32c_hardware_available(void);

/// Continues a CRC-32C over `length` bytes at `bytes`: `crc` is the checksum so far (0 to
/// start), the result the checksum with these bytes appended. Only call it when
/// `kiel_crc32c_hardware_available()` said 1.
uint32_t kiel_crc32c_hardware(uint32_t crc, const void *bytes, size_t length);

#endif
