//! virtio-net over MMIO, the legacy interface QEMU `virt` offers by default, polled, as a
//! smoltcp `Device`. One 16-entry queue each way; buffers and rings are statics (no heap).
//! Guest addresses are physical: no MMU, so a buffer's address is its DMA address.

use core::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};
use core::sync::atomic::{Ordering, fence};

use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

/// The eight virtio-mmio transports of `virt`.
const SLOTS: usize = 8;
const SLOT_BASE: usize = 0x1000_1000;
const SLOT_STRIDE: usize = 0x1000;

const MAGIC: usize = 0x000;
const VERSION: usize = 0x004;
const DEVICE_ID: usize = 0x008;
const DEVICE_FEATURES: usize = 0x010;
const DRIVER_FEATURES: usize = 0x020;
const GUEST_PAGE_SIZE: usize = 0x028;
const QUEUE_SEL: usize = 0x030;
const QUEUE_NUM_MAX: usize = 0x034;
const QUEUE_NUM: usize = 0x038;
const QUEUE_ALIGN: usize = 0x03c;
const QUEUE_PFN: usize = 0x040;
const QUEUE_NOTIFY: usize = 0x050;
const STATUS: usize = 0x070;
const CONFIG: usize = 0x100;

const MAGIC_VALUE: u32 = 0x7472_6976;
const NET_DEVICE: u32 = 1;
const FEATURE_MAC: u32 = 1 << 5;
const STATUS_ACK: u32 = 1;
const STATUS_DRIVER: u32 = 2;
const STATUS_DRIVER_OK: u32 = 4;
const DESC_WRITE: u16 = 2;

const RX_QUEUE: u32 = 0;
const TX_QUEUE: u32 = 1;
const QSIZE: usize = 16;
const PAGE: usize = 4096;
/// `virtio_net_hdr` without mergeable buffers (legacy).
const HDR: usize = 10;
/// Header plus the largest Ethernet frame.
const BUF: usize = 1536;
/// Ethernet MTU as smoltcp counts it (frame without FCS).
const MTU: usize = 1514;

#[derive(Clone, Copy)]
#[repr(C)]
struct Desc {
    addr: u64,
    len: u32,
    flags: u16,
    next: u16,
}

#[derive(Clone, Copy)]
#[repr(C)]
struct Used {
    id: u32,
    len: u32,
}

/// A legacy virtqueue: descriptors and the available ring, then the used ring on the next
/// page (QueueAlign 4096).
#[repr(C, align(4096))]
struct Queue {
    desc: [Desc; QSIZE],
    avail_flags: u16,
    avail_idx: u16,
    avail_ring: [u16; QSIZE],
    used_event: u16,
    _pad: [u8; PAGE - 16 * QSIZE - (6 + 2 * QSIZE)],
    used_flags: u16,
    used_idx: u16,
    used_ring: [Used; QSIZE],
    avail_event: u16,
}

impl Queue {
    const EMPTY: Queue = Queue {
        desc: [Desc {
            addr: 0,
            len: 0,
            flags: 0,
            next: 0,
        }; QSIZE],
        avail_flags: 0,
        avail_idx: 0,
        avail_ring: [0; QSIZE],
        used_event: 0,
        _pad: [0; PAGE - 16 * QSIZE - (6 + 2 * QSIZE)],
        used_flags: 0,
        used_idx: 0,
        used_ring: [Used { id: 0, len: 0 }; QSIZE],
        avail_event: 0,
    };
}

static mut RXQ: Queue = Queue::EMPTY;
static mut TXQ: Queue = Queue::EMPTY;
static mut RX_BUFS: [[u8; BUF]; QSIZE] = [[0; BUF]; QSIZE];
static mut TX_BUFS: [[u8; BUF]; QSIZE] = [[0; BUF]; QSIZE];

fn r32(base: usize, reg: usize) -> u32 {
    // SAFETY: a virtio-mmio register window.
    unsafe { read_volatile((base + reg) as *const u32) }
}

fn w32(base: usize, reg: usize, v: u32) {
    // SAFETY: as in `r32`.
    unsafe { write_volatile((base + reg) as *mut u32, v) }
}

/// The receive side: buffers the device fills.
pub struct Rx {
    base: usize,
    q: *mut Queue,
    bufs: *mut [[u8; BUF]; QSIZE],
    seen: u16,
}

/// The transmit side: buffers handed to the device round-robin.
pub struct Tx {
    base: usize,
    q: *mut Queue,
    bufs: *mut [[u8; BUF]; QSIZE],
    next: u16,
}

/// The network card.
pub struct Net {
    /// The station address from the device's config space.
    pub mac: [u8; 6],
    rx: Rx,
    tx: Tx,
}

impl Net {
    /// Finds and starts the first virtio-net transport; `None` when there is none.
    pub fn probe() -> Option<Net> {
        (0..SLOTS)
            .map(|i| SLOT_BASE + i * SLOT_STRIDE)
            .find(|&b| {
                r32(b, MAGIC) == MAGIC_VALUE
                    && r32(b, VERSION) == 1
                    && r32(b, DEVICE_ID) == NET_DEVICE
            })
            .map(Net::start)
    }

    fn start(base: usize) -> Net {
        w32(base, STATUS, 0);
        w32(base, STATUS, STATUS_ACK);
        w32(base, STATUS, STATUS_ACK | STATUS_DRIVER);
        w32(
            base,
            DRIVER_FEATURES,
            r32(base, DEVICE_FEATURES) & FEATURE_MAC,
        );
        w32(base, GUEST_PAGE_SIZE, PAGE as u32);
        let rxq = addr_of_mut!(RXQ);
        let txq = addr_of_mut!(TXQ);
        for (sel, q) in [(RX_QUEUE, rxq), (TX_QUEUE, txq)] {
            w32(base, QUEUE_SEL, sel);
            assert!(
                r32(base, QUEUE_NUM_MAX) as usize >= QSIZE,
                "virtqueue too small"
            );
            w32(base, QUEUE_NUM, QSIZE as u32);
            w32(base, QUEUE_ALIGN, PAGE as u32);
            w32(base, QUEUE_PFN, (q as usize / PAGE) as u32);
        }
        let mut mac = [0u8; 6];
        for (i, m) in mac.iter_mut().enumerate() {
            // SAFETY: the config space of a net device starts with its MAC.
            *m = unsafe { read_volatile((base + CONFIG + i) as *const u8) };
        }
        let rx_bufs = addr_of_mut!(RX_BUFS);
        // Every receive buffer goes to the device at once.
        for i in 0..QSIZE {
            // SAFETY: the statics are only reached through this driver, started once.
            unsafe {
                let d = addr_of_mut!((*rxq).desc[i]);
                write_volatile(
                    d,
                    Desc {
                        addr: addr_of!((*rx_bufs)[i]) as usize as u64,
                        len: BUF as u32,
                        flags: DESC_WRITE,
                        next: 0,
                    },
                );
                write_volatile(addr_of_mut!((*rxq).avail_ring[i]), i as u16);
            }
        }
        fence(Ordering::SeqCst);
        // SAFETY: as above.
        unsafe { write_volatile(addr_of_mut!((*rxq).avail_idx), QSIZE as u16) };
        w32(base, STATUS, STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK);
        w32(base, QUEUE_NOTIFY, RX_QUEUE);
        Net {
            mac,
            rx: Rx {
                base,
                q: rxq,
                bufs: rx_bufs,
                seen: 0,
            },
            tx: Tx {
                base,
                q: txq,
                bufs: addr_of_mut!(TX_BUFS),
                next: 0,
            },
        }
    }
}

impl Rx {
    /// The next filled buffer: descriptor id and length written.
    fn ready(&self) -> Option<(usize, usize)> {
        // SAFETY: the used ring is written by the device; read it volatile.
        let used = unsafe { read_volatile(addr_of!((*self.q).used_idx)) };
        if used == self.seen {
            return None;
        }
        fence(Ordering::SeqCst);
        let e = unsafe { read_volatile(addr_of!((*self.q).used_ring[self.seen as usize % QSIZE])) };
        Some((e.id as usize % QSIZE, (e.len as usize).min(BUF)))
    }

    /// Gives buffer `id` back to the device.
    fn recycle(&mut self, id: usize) {
        // SAFETY: the available ring is ours to write; the index is published after the entry.
        unsafe {
            let idx = read_volatile(addr_of!((*self.q).avail_idx));
            write_volatile(
                addr_of_mut!((*self.q).avail_ring[idx as usize % QSIZE]),
                id as u16,
            );
            fence(Ordering::SeqCst);
            write_volatile(addr_of_mut!((*self.q).avail_idx), idx.wrapping_add(1));
        }
        fence(Ordering::SeqCst);
        self.seen = self.seen.wrapping_add(1);
        w32(self.base, QUEUE_NOTIFY, RX_QUEUE);
    }
}

impl Tx {
    /// Whether a buffer is free (the device completes transmissions in order).
    fn free(&self) -> bool {
        // SAFETY: as in `Rx::ready`.
        let used = unsafe { read_volatile(addr_of!((*self.q).used_idx)) };
        (self.next.wrapping_sub(used) as usize) < QSIZE
    }

    fn send<R>(&mut self, len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
        let slot = self.next as usize % QSIZE;
        let len = len.min(MTU);
        // SAFETY: slot `slot` is not in the device's hands (`free` was checked).
        let buf: &mut [u8; BUF] = unsafe { &mut (*self.bufs)[slot] };
        buf[..HDR].fill(0);
        let r = f(&mut buf[HDR..HDR + len]);
        // SAFETY: descriptor and ring entry of a free slot; published with the index last.
        unsafe {
            write_volatile(
                addr_of_mut!((*self.q).desc[slot]),
                Desc {
                    addr: buf.as_ptr() as usize as u64,
                    len: (HDR + len) as u32,
                    flags: 0,
                    next: 0,
                },
            );
            write_volatile(addr_of_mut!((*self.q).avail_ring[slot]), slot as u16);
            fence(Ordering::SeqCst);
            self.next = self.next.wrapping_add(1);
            write_volatile(addr_of_mut!((*self.q).avail_idx), self.next);
        }
        fence(Ordering::SeqCst);
        w32(self.base, QUEUE_NOTIFY, TX_QUEUE);
        r
    }
}

/// A received frame.
pub struct RxToken<'a> {
    rx: &'a mut Rx,
    id: usize,
    len: usize,
}

/// Room for one frame to send.
pub struct TxToken<'a> {
    tx: &'a mut Tx,
}

impl phy::RxToken for RxToken<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        // SAFETY: buffer `id` was handed back by the device and is not reposted until after.
        let buf: &[u8; BUF] = unsafe { &(*self.rx.bufs)[self.id] };
        let end = self.len.min(BUF);
        let r = f(&buf[HDR.min(end)..end]);
        self.rx.recycle(self.id);
        r
    }
}

impl phy::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.tx.send(len, f)
    }
}

impl phy::Device for Net {
    type RxToken<'a> = RxToken<'a>;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, _: Instant) -> Option<(RxToken<'_>, TxToken<'_>)> {
        let (id, len) = self.rx.ready()?;
        if !self.tx.free() {
            return None;
        }
        Some((
            RxToken {
                rx: &mut self.rx,
                id,
                len,
            },
            TxToken { tx: &mut self.tx },
        ))
    }

    fn transmit(&mut self, _: Instant) -> Option<TxToken<'_>> {
        self.tx.free().then_some(TxToken { tx: &mut self.tx })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = Medium::Ethernet;
        c.max_transmission_unit = MTU;
        c.max_burst_size = Some(1);
        c
    }
}
