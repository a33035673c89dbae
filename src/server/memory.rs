//! Giving memory back to the system after a burst of large request bodies.
//!
//! glibc's `malloc` serves blocks of 128 KiB and more with `mmap` (returned to the system when
//! freed), but raises that threshold to the size of each such block freed, up to 32 MiB: after
//! the first large body, later ones come from the heap arenas, which keep the memory once it is
//! freed (a burst of 32 large bodies left the process at 355 MB). Fixing the threshold keeps
//! every large body in its own mapping, unmapped as soon as it is dropped.

/// Size from which allocations get their own mapping (glibc's starting default).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Makes large blocks go back to the system when freed. Call once at start, before threads are
/// spawned. Does nothing on other platforms and C libraries (musl already maps large blocks
/// and unmaps them on free).
pub fn return_large_blocks_when_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes allocator parameters; it is called before any other thread
    // exists, and `M_MMAP_THRESHOLD` with a value under the 32 MiB maximum is always accepted.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
