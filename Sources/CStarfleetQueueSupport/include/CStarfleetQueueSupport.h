#ifndef C_STARFLEET_QUEUE_SUPPORT_H
#define C_STARFLEET_QUEUE_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// Feeds `length` bytes into a running CRC-32C (Castagnoli) `state`: start with 0xFFFFFFFF, finish with ~state.
/// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at run time), else slicing-by-8 tables.
uint32_t sfq_crc32c_update(uint32_t state, const void *data, size_t length);

/// 1 when `length` bytes of UTF-8 hold only characters SQS allows in a body: no C0 control other than tab,
/// LF and CR, and no U+FFFE / U+FFFF (EF BF BE / EF BF BF). 0 otherwise.
int sfq_sqs_body_allowed(const uint8_t *utf8, size_t length);

/// Returns free heap memory to the system (glibc malloc_trim(0)); a no-op elsewhere. Called after recovery,
/// whose scratch space would otherwise stay in malloc's arenas and count as the daemon's resident memory.
void sfq_release_free_memory(void);

/// Sets glibc malloc up for a long-running daemon (a no-op elsewhere): at most two arenas, and a fixed mmap threshold
/// of 128 KiB, so a large buffer always gets its own mapping, returned to the system when freed, instead of glibc
/// raising the threshold after the first such free and carving later large buffers from the heap.
void sfq_configure_malloc_for_daemon(void);

#endif
