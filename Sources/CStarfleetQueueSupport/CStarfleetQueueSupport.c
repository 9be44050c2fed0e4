// The journal's hot byte loops, in C because Swift cannot reach the CPU's crc32 instruction: CRC-32C of every
// record and SQS's body character check. Both run over every byte a fan-out sends (17 MB for 17,000 payloads).
#include "CStarfleetQueueSupport.h"
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static uint32_t tables[8][256];

__attribute__((constructor)) static void build_tables(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        tables[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (int i = 0; i < 256; i++) tables[t][i] = (tables[t - 1][i] >> 8) ^ tables[0][tables[t - 1][i] & 0xFF];
}

static uint32_t crc32c_tables(uint32_t crc, const uint8_t *p, size_t n) {
    while (n >= 8) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + 4, 4);
        lo ^= crc;
        crc = tables[7][lo & 0xFF] ^ tables[6][(lo >> 8) & 0xFF] ^ tables[5][(lo >> 16) & 0xFF] ^ tables[4][lo >> 24] ^
              tables[3][hi & 0xFF] ^ tables[2][(hi >> 8) & 0xFF] ^ tables[1][(hi >> 16) & 0xFF] ^ tables[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) crc = tables[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
#endif

uint32_t sfq_crc32c_update(uint32_t state, const void *data, size_t length) {
    if (data == NULL || length == 0) return state;
#if defined(__x86_64__)
    static int has_sse42 = -1;
    if (has_sse42 < 0) {
        __builtin_cpu_init();
        has_sse42 = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    }
    if (has_sse42) return crc32c_sse42(state, (const uint8_t *)data, length);
#endif
    return crc32c_tables(state, (const uint8_t *)data, length);
}

int sfq_sqs_body_allowed(const uint8_t *utf8, size_t length) {
    if (utf8 == NULL) return 1;
    // Fast pass: one branch-free sweep the compiler vectorises; only a suspicious body takes the exact pass.
    unsigned suspicious = 0;
    for (size_t i = 0; i < length; i++) suspicious |= (utf8[i] < 0x20) | (utf8[i] == 0xEF);
    if (!suspicious) return 1;
    for (size_t i = 0; i < length; i++) {
        uint8_t b = utf8[i];
        if (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D) return 0;
        if (b == 0xEF && i + 2 < length && utf8[i + 1] == 0xBF && (utf8[i + 2] == 0xBE || utf8[i + 2] == 0xBF)) return 0;
    }
    return 1;
}

void sfq_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

void sfq_configure_malloc_for_daemon(void) {
#if defined(__GLIBC__)
    // One arena per thread that ever allocated (up to 8 per core) keeps each thread's freed memory apart, where no
    // other thread reuses it; two are enough for two cores' worth of contention.
    mallopt(M_ARENA_MAX, 2);
    // Setting it at all stops the dynamic adjustment (up to 32 MB) that a freed 100 MB fan-out batch triggered.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}
