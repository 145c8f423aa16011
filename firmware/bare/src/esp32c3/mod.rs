//! The ESP32-C3 as Espressif's QEMU emulates it (`-machine esp32c3`): UART0 at 0x6000_0000,
//! the system timer at 16 MHz, and the OpenCores Ethernet MAC (`-nic user,model=open_eth`)
//! that ESP-IDF drives in QEMU. The mask ROM boots the image from the emulated flash.

pub mod clock;
pub mod openeth;
pub mod uart;

/// The AT port.
pub type Uart = uart::Uart;
/// The network card.
pub type Nic = openeth::Net;

/// The AT port, ready.
pub fn uart() -> Uart {
    uart::Uart::init()
}

/// The network card (`-nic user,model=open_eth`); the machine has no other.
pub fn nic() -> Option<Nic> {
    Some(openeth::Net::start())
}

/// There is no finisher device: stop here (the harness sees no `ready`).
pub fn finish(_code: u32) -> ! {
    loop {}
}
