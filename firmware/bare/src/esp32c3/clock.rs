//! Milliseconds since boot from timer 0 of the ESP32-C3's timer group 0, counting at 1 MHz
//! (the 80 MHz APB clock divided by 80). The system timer would be the natural choice, but
//! the emulation this image is certified on does not count it.

use core::ptr::{read_volatile, write_volatile};

const BASE: usize = 0x6001_f000;
const T0_CONFIG: usize = 0x00;
const T0_LO: usize = 0x04;
const T0_HI: usize = 0x08;
const T0_UPDATE: usize = 0x0c;
const ENABLE: u32 = 1 << 31;
const INCREASE: u32 = 1 << 30;
const DIVIDER_SHIFT: u32 = 13;
/// Timer ticks in a millisecond.
pub const TICKS_PER_MS: u64 = 1_000;

/// Starts the counter (idempotent).
fn start() {
    // SAFETY: timer group 0's timer-0 registers.
    unsafe {
        let c = read_volatile((BASE + T0_CONFIG) as *const u32);
        if c & ENABLE == 0 {
            write_volatile(
                (BASE + T0_CONFIG) as *mut u32,
                ENABLE | INCREASE | (80 << DIVIDER_SHIFT),
            );
        }
    }
}

/// Ticks since the counter started: latched, then read.
pub fn ticks() -> u64 {
    start();
    // SAFETY: as in `start`.
    unsafe {
        write_volatile((BASE + T0_UPDATE) as *mut u32, 1);
        let hi = read_volatile((BASE + T0_HI) as *const u32);
        let lo = read_volatile((BASE + T0_LO) as *const u32);
        (u64::from(hi & 0x3f_ffff) << 32) | u64::from(lo)
    }
}

/// Milliseconds since the counter started.
pub fn now_ms() -> u64 {
    ticks() / TICKS_PER_MS
}
