//! # atspec-bare
//!
//! The atspec AT engine as firmware: a `no_std`, `no_main` riscv32imc image for QEMU's `virt`
//! machine. The engine (`atspec-firmware`, unchanged) sits between a polled 16550 UART (the AT
//! port) and smoltcp over virtio-net; every call is the engine's sans-IO API, so this file is
//! the whole board: bytes in, bytes out, actions carried out, the clock fed.
//!
//! Memory is static: the engine is one `static`, smoltcp has four sockets with 8 KiB buffers
//! each, the NIC 16 buffers per direction; there is no heap. `atspec certify --device
//! qemu:IMAGE` boots it (see README.md).
#![no_std]
#![no_main]

#[cfg(feature = "esp32c3")]
#[path = "esp32c3/mod.rs"]
mod board;
#[cfg(not(feature = "esp32c3"))]
#[path = "virt/mod.rs"]
mod board;
mod tcp;

use board::clock;

use core::mem::MaybeUninit;
use core::ptr::addr_of_mut;

use atspec_firmware::{Config, Engine};

/// The engine with the largest tx and rx sizes AT+HTTPCGET accepts (10240), as the virtual
/// board has it.
pub type Board = Engine<10240, 10240>;

/// Bytes delivered to the engine at most at once (an ESP32 UART's RX FIFO holds 128).
const RX_CHUNK: usize = 128;
/// Idle time that ends a chunk: 1 ms, about 11 characters at 115200 baud.
const RX_IDLE_TICKS: u64 = clock::TICKS_PER_MS;

static mut ENGINE: MaybeUninit<Board> = MaybeUninit::uninit();

#[riscv_rt::entry]
fn main() -> ! {
    let mut uart = board::uart();
    // SAFETY: `main` runs once; the engine gets one owner for the rest of the run.
    let engine: &'static mut Board =
        unsafe { (*addr_of_mut!(ENGINE)).write(Board::with_buffers(Config::default())) };
    let Some(nic) = board::nic() else {
        uart.write_all(b"\r\natspec-bare: no network card\r\n");
        board::finish(2);
    };
    let mut net = tcp::Net::new(nic, clock::now_ms());
    engine.boot();
    let mut inbox = [0u8; RX_CHUNK];
    let mut held = 0;
    let mut last_rx = 0;
    let mut out = [0u8; 256];
    loop {
        let now = clock::now_ms();
        // UART → engine: only as much as it takes, so the UART's FIFO backs up the host.
        while held < inbox.len() {
            match uart.read() {
                Some(b) => {
                    inbox[held] = b;
                    held += 1;
                    last_rx = clock::ticks();
                }
                None => break,
            }
        }
        // Like an ESP32's UART driver, bytes go up as one chunk when the FIFO is full or the
        // line has been idle: a burst is one chunk (one busy answer, one `AT+RST` scan).
        let idle = clock::ticks().wrapping_sub(last_rx) >= RX_IDLE_TICKS;
        if held > 0 && (held == inbox.len() || idle) {
            let took = engine.handle_uart(&inbox[..held]);
            inbox.copy_within(took..held, 0);
            held -= took;
        }
        // Engine → UART.
        loop {
            let n = engine.poll_transmit(&mut out);
            if n == 0 {
                break;
            }
            uart.write_all(&out[..n]);
        }
        net.service(engine, now);
        engine.handle_time(now);
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let mut uart = board::uart();
    uart.write_all(b"\r\natspec-bare panicked");
    if let Some(l) = info.location() {
        uart.write_all(b" at ");
        uart.write_all(l.file().as_bytes());
    }
    uart.write_all(b"\r\n");
    board::finish(1)
}
