// CRC-32C through the CPU's instruction, chosen at run time: the function is compiled for the
// instruction set extension alone (a target attribute), so the rest of the package needs no
// special compiler flags and a CPU without the extension never runs it.
//
// The instruction takes 3 cycles but a new one can start every cycle, so one chain of it runs
// at a third of the speed it allows. Long buffers are therefore cut into rounds of three equal
// blocks, each with its own chain, and the three CRCs are joined after the round: the CRC
// register is linear over GF(2), so running block 0 and then block 1 through one register
// gives shift(crc0, block) ^ crc1, where crc1 started at zero and shift feeds the register
// `block` zero bytes. That shift is a fixed 32x32 bit matrix per block size, applied here
// with four 256-entry tables (one per byte of the register), built once on first use.
#include "CCRC32C.h"

#include <string.h>

#if defined(__x86_64__) || defined(__aarch64__)
#include <pthread.h>

#define POLY 0x82F63B78u  // Castagnoli, reflected: bit 31 is x^0, bit 0 is x^31
#define LONG_BLOCK 8192   // rounds of 3 x 8 KiB while they fit: one join per 24 KiB
#define SHORT_BLOCK 256   // then 3 x 256 B, so a 1 KiB record batch is interleaved too

// table[k][b]: the register after `block` zero bytes, starting from byte b in byte k.
typedef uint32_t shift_table[4][256];
static shift_table shift_long, shift_short;
static pthread_once_t shift_tables_once = PTHREAD_ONCE_INIT;

// a * b modulo P, both in the register's reflected order.
static uint32_t multiply_mod_p(uint32_t a, uint32_t b) {
    uint32_t product = 0;
    for (uint32_t term = 0x80000000u; term != 0; term >>= 1) {  // a's x^0, x^1, ... x^31
        if (a & term) product ^= b;
        b = (b & 1) ? (b >> 1) ^ POLY : b >> 1;  // b * x
    }
    return product;
}

// Feeding n zero bytes multiplies the register by x^(8n) modulo P.
static void fill_shift_table(shift_table table, size_t n) {
    uint32_t x8n = 0x80000000u;
    for (size_t i = 0; i < 8 * n; i++) x8n = (x8n & 1) ? (x8n >> 1) ^ POLY : x8n >> 1;
    for (uint32_t k = 0; k < 4; k++)
        for (uint32_t b = 0; b < 256; b++) table[k][b] = multiply_mod_p(x8n, b << (8 * k));
}

static void fill_shift_tables(void) {
    fill_shift_table(shift_long, LONG_BLOCK);
    fill_shift_table(shift_short, SHORT_BLOCK);
}

static inline uint32_t shift(const shift_table table, uint32_t crc) {
    return table[0][crc & 0xFF] ^ table[1][(crc >> 8) & 0xFF] ^ table[2][(crc >> 16) & 0xFF]
        ^ table[3][crc >> 24];
}

static inline uint64_t load64(const unsigned char *p) {
    uint64_t word;
    memcpy(&word, p, 8);
    return word;
}
#endif

#if defined(__x86_64__)
#include <nmmintrin.h>

int kiel_crc32c_hardware_available(void) { return __builtin_cpu_supports("sse4.2") ? 1 : 0; }

// The register as the instruction takes it (64 bits wide on x86-64, where narrowing it between
// steps would cost an instruction in the chain), the instruction on a byte and on an 8-byte
// word, and the extension the functions using them are compiled for.
typedef uint64_t crc_register;
#define CRC_BYTE(c, byte) _mm_crc32_u8((uint32_t)(c), (byte))
#define CRC_WORD(c, word) _mm_crc32_u64((c), (word))
#define CRC_TARGET __attribute__((target("sse4.2")))

#elif defined(__aarch64__)
#include <arm_acle.h>
#include <sys/auxv.h>

#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif

int kiel_crc32c_hardware_available(void) { return (getauxval(AT_HWCAP) & HWCAP_CRC32) ? 1 : 0; }

typedef uint32_t crc_register;
#define CRC_BYTE(c, byte) __crc32cb((c), (byte))
#define CRC_WORD(c, word) __crc32cd((c), (word))
#define CRC_TARGET __attribute__((target("+crc")))
#endif

#if defined(__x86_64__) || defined(__aarch64__)

// One round: three chains over the blocks at p, p + block and p + 2 * block, joined. c is the
// register (not inverted) before the round; the result is the register after it.
CRC_TARGET
static inline uint32_t three_blocks(uint32_t c, const unsigned char *p, size_t block,
                                    const shift_table table) {
    crc_register c0 = c, c1 = 0, c2 = 0;
    for (const unsigned char *end = p + block; p < end; p += 8) {
        c0 = CRC_WORD(c0, load64(p));
        c1 = CRC_WORD(c1, load64(p + block));
        c2 = CRC_WORD(c2, load64(p + 2 * block));
    }
    return shift(table, shift(table, (uint32_t)c0) ^ (uint32_t)c1) ^ (uint32_t)c2;
}

CRC_TARGET
uint32_t kiel_crc32c_hardware(uint32_t crc, const void *bytes, size_t length) {
    const unsigned char *p = bytes;
    crc_register c = ~crc;
    // Byte at a time to an 8-byte boundary, then rounds of three blocks, then words, then
    // the tail.
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        c = CRC_BYTE(c, *p++);
        length--;
    }
    if (length >= 3 * SHORT_BLOCK) {
        pthread_once(&shift_tables_once, fill_shift_tables);
        for (; length >= 3 * LONG_BLOCK; p += 3 * LONG_BLOCK, length -= 3 * LONG_BLOCK)
            c = three_blocks((uint32_t)c, p, LONG_BLOCK, shift_long);
        for (; length >= 3 * SHORT_BLOCK; p += 3 * SHORT_BLOCK, length -= 3 * SHORT_BLOCK)
            c = three_blocks((uint32_t)c, p, SHORT_BLOCK, shift_short);
    }
    for (; length >= 8; p += 8, length -= 8) c = CRC_WORD(c, load64(p));
    while (length > 0) {
        c = CRC_BYTE(c, *p++);
        length--;
    }
    return ~(uint32_t)c;
}

#else

int kiel_crc32c_hardware_available(void) { return 0; }

uint32_t kiel_crc32c_hardware(uint32_t crc, const void *bytes, size_t length) {
    (void)bytes, (void)length;
    return crc;
}

#endif
