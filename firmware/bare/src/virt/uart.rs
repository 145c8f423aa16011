//! The AT port: a polled 16550 UART (QEMU `virt` has one at 0x1000_0000).
//!
//! No flow-control lines are needed for backpressure: the main loop takes a received byte only
//! when the engine has room for it, so the UART's FIFO fills and QEMU stops reading the host
//! side of the chardev; on the way out, a byte is written only when the transmitter is empty.

use core::ptr::{read_volatile, write_volatile};

const RBR_THR: usize = 0;
const IER: usize = 1;
const FCR: usize = 2;
const LCR: usize = 3;
const LSR: usize = 5;
/// LSR: a received byte is waiting.
const DATA_READY: u8 = 0x01;
/// LSR: the transmitter holding register (FIFO) is empty.
const THR_EMPTY: u8 = 0x20;

/// One 16550 at a fixed MMIO address.
pub struct Uart {
    base: usize,
}

impl Uart {
    /// Sets 8N1 with FIFOs on and interrupts off.
    pub fn init(base: usize) -> Uart {
        let u = Uart { base };
        u.set(IER, 0x00);
        // FIFOs on and cleared, receive trigger at 14 bytes: QEMU hands over as many bytes at
        // once as the trigger level allows, so a burst written at once (`AT+RST` CR LF while
        // busy) reaches the engine as one chunk even on a loaded host, as back-to-back bytes
        // on a real line do. At trigger level 1 they trickled in one by one.
        u.set(FCR, 0xc7);
        u.set(LCR, 0x03);
        u
    }

    fn get(&self, reg: usize) -> u8 {
        // SAFETY: `base` is the UART's MMIO window; registers are byte-wide.
        unsafe { read_volatile((self.base + reg) as *const u8) }
    }

    fn set(&self, reg: usize, v: u8) {
        // SAFETY: as in `get`.
        unsafe { write_volatile((self.base + reg) as *mut u8, v) }
    }

    /// A received byte, if one is waiting.
    pub fn read(&mut self) -> Option<u8> {
        (self.get(LSR) & DATA_READY != 0).then(|| self.get(RBR_THR))
    }

    /// Writes `bytes`, waiting for the transmitter before each.
    pub fn write_all(&mut self, bytes: &[u8]) {
        for &b in bytes {
            while self.get(LSR) & THR_EMPTY == 0 {}
            self.set(RBR_THR, b);
        }
    }
}
