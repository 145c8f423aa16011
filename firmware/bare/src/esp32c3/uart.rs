//! UART0 of the ESP32-C3, polled, as the AT port. The host side backs up when the RX FIFO is
//! not read, as with the 16550 of the `virt` flavour.

use core::ptr::{read_volatile, write_volatile};

const BASE: usize = 0x6000_0000;
/// Reading pops a received byte; writing pushes one to send.
const FIFO: usize = 0x00;
/// RX FIFO count in bits 0–9, TX FIFO count in bits 16–25.
const STATUS: usize = 0x1c;
const TX_FIFO_SIZE: u32 = 128;

/// UART0.
pub struct Uart;

impl Uart {
    /// The ROM has set UART0 up (115200 8N1); nothing to change.
    pub fn init() -> Uart {
        Uart
    }

    fn status(&self) -> u32 {
        // SAFETY: UART0's status register.
        unsafe { read_volatile((BASE + STATUS) as *const u32) }
    }

    /// A received byte, if one is waiting.
    pub fn read(&mut self) -> Option<u8> {
        // SAFETY: UART0's FIFO register; read only when the RX count says a byte is there.
        (self.status() & 0x3ff != 0)
            .then(|| unsafe { read_volatile((BASE + FIFO) as *const u32) } as u8)
    }

    /// Writes `bytes`, waiting for room in the TX FIFO.
    pub fn write_all(&mut self, bytes: &[u8]) {
        for &b in bytes {
            while (self.status() >> 16) & 0x3ff >= TX_FIFO_SIZE - 1 {}
            // SAFETY: UART0's FIFO register, with room.
            unsafe { write_volatile((BASE + FIFO) as *mut u32, u32::from(b)) };
        }
    }
}
