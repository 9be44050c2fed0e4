import CStarfleetQueueSupport

/// Hands malloc's free pages back to the system (glibc's malloc_trim). Freed memory otherwise stays resident in
/// malloc's arenas: after a 100,000-payload fan-out (the plan, its bodies and the encoded batch, a few hundred MB at
/// peak) or the drain of a large queue, the daemon would keep that peak as its resident size for good.
package enum FreeMemory {
    package static func release() { sfq_release_free_memory() }

    /// For the daemon, before its threads start: two malloc arenas and a fixed mmap threshold, so what a fan-out or a
    /// drain frees goes back to the system (`sfq_configure_malloc_for_daemon`).
    package static func configureForDaemon() { sfq_configure_malloc_for_daemon() }
}
