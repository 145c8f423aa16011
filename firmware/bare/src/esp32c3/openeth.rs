//! The OpenCores 10/100 Ethernet MAC (`ethmac`) as Espressif's QEMU attaches it to the
//! ESP32-C3 (`-nic user,model=open_eth`), polled, as a smoltcp `Device`. Buffer descriptors
//! live in the MAC (registers + 0x400, eight bytes each: length and flags, then the buffer's
//! address); the buffers are statics in DRAM. One transmit descriptor (the emulation sends a
//! frame the moment it is marked ready) and a ring of receive descriptors behind it.

use core::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};

use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

const BASE: usize = 0x600c_d000;
const MODER: usize = 0x00;
const INT_SOURCE: usize = 0x04;
const INT_MASK: usize = 0x08;
const TX_BD_NUM: usize = 0x20;
const MAC_ADDR0: usize = 0x40;
const MAC_ADDR1: usize = 0x44;
const DESCRIPTORS: usize = BASE + 0x400;

const MODER_RXEN: u32 = 0x1;
const MODER_TXEN: u32 = 0x2;
const MODER_RST: u32 = 0x800;
const MODER_CRCEN: u32 = 0x2000;
const MODER_PAD: u32 = 0x8000;

const TX_READY: u32 = 0x8000;
const TX_WRAP: u32 = 0x2000;
const TX_PAD: u32 = 0x1000;
const TX_CRC: u32 = 0x800;
const RX_EMPTY: u32 = 0x8000;
const RX_WRAP: u32 = 0x2000;

/// Receive descriptors (indexes 1..=RX_RING; 0 is the transmit one).
const RX_RING: usize = 32;
const BUF: usize = 1536;
/// Ethernet frame without FCS, as smoltcp counts it.
const MTU: usize = 1514;
/// The MAC appends a (zeroed) FCS to what it receives.
const FCS: usize = 4;
/// A locally administered address: the emulated network learns it from our frames.
const MAC: [u8; 6] = [0x02, 0x00, 0x00, 0xc3, 0x00, 0x01];

static mut RX_BUFS: [[u8; BUF]; RX_RING] = [[0; BUF]; RX_RING];
static mut TX_BUF: [u8; BUF] = [0; BUF];

fn reg(off: usize, v: u32) {
    // SAFETY: the MAC's register window.
    unsafe { write_volatile((BASE + off) as *mut u32, v) }
}

fn desc_flags(i: usize) -> u32 {
    // SAFETY: descriptor `i` (< 128) of the MAC's descriptor window.
    unsafe { read_volatile((DESCRIPTORS + 8 * i) as *const u32) }
}

fn set_desc(i: usize, flags: u32, buf: *const u8) {
    // SAFETY: as in `desc_flags`; the address first, since writing the flags hands it over.
    unsafe {
        write_volatile((DESCRIPTORS + 8 * i + 4) as *mut u32, buf as usize as u32);
        write_volatile((DESCRIPTORS + 8 * i) as *mut u32, flags);
    }
}

/// The MAC.
pub struct Net {
    /// Its station address.
    pub mac: [u8; 6],
    next_rx: usize,
}

impl Net {
    /// Resets the MAC, sets the address and descriptors, and enables both directions.
    pub fn start() -> Net {
        reg(MODER, MODER_RST);
        reg(MODER, 0);
        reg(INT_MASK, 0);
        reg(INT_SOURCE, 0x7f);
        reg(TX_BD_NUM, 1);
        let m = MAC;
        reg(MAC_ADDR0, u32::from_be_bytes([m[2], m[3], m[4], m[5]]));
        reg(MAC_ADDR1, u32::from(m[0]) << 8 | u32::from(m[1]));
        set_desc(0, TX_WRAP, addr_of!(TX_BUF).cast());
        let bufs = addr_of_mut!(RX_BUFS);
        for i in 0..RX_RING {
            let wrap = if i + 1 == RX_RING { RX_WRAP } else { 0 };
            // SAFETY: only the address of buffer `i` is taken.
            let b = unsafe { addr_of!((*bufs)[i]) };
            set_desc(1 + i, RX_EMPTY | wrap, b.cast());
        }
        reg(MODER, MODER_PAD | MODER_CRCEN | MODER_TXEN | MODER_RXEN);
        Net {
            mac: MAC,
            next_rx: 0,
        }
    }
}

/// Sends one frame of `len` bytes that `f` writes.
fn send<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    {
        let len = len.min(MTU);
        // SAFETY: the transmit buffer is idle: the emulated MAC sends synchronously, and the
        // previous frame's ready bit was seen cleared.
        let buf = unsafe { &mut *addr_of_mut!(TX_BUF) };
        let r = f(&mut buf[..len]);
        set_desc(
            0,
            (len as u32) << 16 | TX_READY | TX_WRAP | TX_PAD | TX_CRC,
            buf.as_ptr(),
        );
        while desc_flags(0) & TX_READY != 0 {}
        r
    }
}

/// A received frame in ring slot `slot`.
pub struct RxToken<'a> {
    next: &'a mut usize,
    slot: usize,
    len: usize,
}

/// Room for one frame to send (descriptor 0 and the transmit buffer; no card state).
pub struct TxToken<'a> {
    _card: core::marker::PhantomData<&'a mut Net>,
}

impl phy::RxToken for RxToken<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        let bufs = addr_of!(RX_BUFS);
        // SAFETY: the MAC has handed slot `slot` back (its empty bit is clear) and gets it
        // again only below, after the last use of this reference. The reference is made
        // explicitly, to the one slot, never by an implicit autoref of the whole ring.
        let frame: &[u8; BUF] = unsafe { &(*bufs)[self.slot] };
        let r = f(&frame[..self.len.min(BUF)]);
        let wrap = if self.slot + 1 == RX_RING { RX_WRAP } else { 0 };
        set_desc(1 + self.slot, RX_EMPTY | wrap, frame.as_ptr());
        *self.next = (self.slot + 1) % RX_RING;
        r
    }
}

impl phy::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        send(len, f)
    }
}

impl phy::Device for Net {
    type RxToken<'a> = RxToken<'a>;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, _: Instant) -> Option<(RxToken<'_>, TxToken<'_>)> {
        let slot = self.next_rx;
        let flags = desc_flags(1 + slot);
        if flags & RX_EMPTY != 0 {
            return None;
        }
        let len = ((flags >> 16) as usize).saturating_sub(FCS).min(BUF);
        Some((
            RxToken {
                next: &mut self.next_rx,
                slot,
                len,
            },
            TxToken {
                _card: core::marker::PhantomData,
            },
        ))
    }

    fn transmit(&mut self, _: Instant) -> Option<TxToken<'_>> {
        Some(TxToken {
            _card: core::marker::PhantomData,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = Medium::Ethernet;
        c.max_transmission_unit = MTU;
        c.max_burst_size = Some(1);
        c
    }
}
