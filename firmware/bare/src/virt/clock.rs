//! Milliseconds since boot from the CLINT's `mtime` (10 MHz on QEMU `virt`).

use core::ptr::read_volatile;

const MTIME_LO: usize = 0x0200_bff8;
const MTIME_HI: usize = 0x0200_bffc;
/// Timer ticks in a millisecond.
pub const TICKS_PER_MS: u64 = 10_000;

/// Ticks since reset; the halves are read until the high word is stable.
pub fn ticks() -> u64 {
    loop {
        // SAFETY: the CLINT's `mtime` register on the `virt` machine.
        let (hi, lo, again) = unsafe {
            (
                read_volatile(MTIME_HI as *const u32),
                read_volatile(MTIME_LO as *const u32),
                read_volatile(MTIME_HI as *const u32),
            )
        };
        if hi == again {
            return (u64::from(hi) << 32) | u64::from(lo);
        }
    }
}

/// Milliseconds since reset.
pub fn now_ms() -> u64 {
    ticks() / TICKS_PER_MS
}
