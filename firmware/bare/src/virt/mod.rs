//! QEMU's `virt` machine: a 16550 UART at 0x1000_0000, the CLINT's `mtime` at 10 MHz, and
//! virtio-net on one of the virtio-mmio transports.

pub mod clock;
pub mod uart;
pub mod virtio;

/// The AT port.
pub type Uart = uart::Uart;
/// The network card.
pub type Nic = virtio::Net;

/// The AT port, ready.
pub fn uart() -> Uart {
    uart::Uart::init(0x1000_0000)
}

/// The network card, if the machine has one.
pub fn nic() -> Option<Nic> {
    virtio::Net::probe()
}

/// QEMU's SiFive test device: writing here ends the emulation with a code.
pub fn finish(code: u32) -> ! {
    // SAFETY: the `virt` machine's test finisher register.
    unsafe {
        core::ptr::write_volatile(0x0010_0000 as *mut u32, (code << 16) | 0x3333);
    }
    loop {}
}
