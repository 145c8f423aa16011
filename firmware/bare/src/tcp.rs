//! The network edge: the engine's sans-IO network calls carried out with smoltcp over the
//! machine's network card. One transaction at a time, like the engine; a small pool of sockets lets
//! a closed connection finish its FIN handshake while the next one opens (a redirect).
//!
//! Limits: IPv4 literals only (no DNS: the harness gives the mock's address), no TLS (the
//! image's device profile says so; an https connect fails at once on the network path).

use core::net::Ipv4Addr;
use core::ptr::addr_of_mut;

use atspec_firmware::Action;
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet, SocketStorage};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr};

use crate::Board;
use crate::board;

/// QEMU user networking: the guest's address, its gateway.
const GUEST: [u8; 4] = [10, 0, 2, 15];
const GATEWAY: [u8; 4] = [10, 0, 2, 2];
const SOCKETS: usize = 4;
const SOCKET_BUFFER: usize = 8192;
/// Longest host name copied out of a connect action (IPv4 literals are shorter).
const HOST_MAX: usize = 64;

static mut STORAGE: [SocketStorage<'static>; SOCKETS] = [SocketStorage::EMPTY; SOCKETS];
static mut RX: [[u8; SOCKET_BUFFER]; SOCKETS] = [[0; SOCKET_BUFFER]; SOCKETS];
static mut TX: [[u8; SOCKET_BUFFER]; SOCKETS] = [[0; SOCKET_BUFFER]; SOCKETS];

/// Where the engine's current connection stands, as it has been told.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Told {
    Nothing,
    Connected,
    Closed,
}

/// The interface, the socket pool and the engine's current connection.
pub struct Net {
    dev: board::Nic,
    iface: Interface,
    sockets: SocketSet<'static>,
    handles: [SocketHandle; SOCKETS],
    active: Option<usize>,
    told: Told,
    next_port: u16,
}

impl Net {
    /// Brings the interface up with the guest's static address. Call once.
    pub fn new(mut dev: board::Nic, now_ms: u64) -> Net {
        let mut config = Config::new(HardwareAddress::Ethernet(EthernetAddress(dev.mac)));
        config.random_seed = crate::board::clock::ticks();
        let mut iface = Interface::new(config, &mut dev, Instant::from_millis(now_ms as i64));
        iface.update_ip_addrs(|a| {
            let [a0, a1, a2, a3] = GUEST;
            let _ = a.push(IpCidr::new(IpAddress::v4(a0, a1, a2, a3), 24));
        });
        let [g0, g1, g2, g3] = GATEWAY;
        let _ = iface
            .routes_mut()
            .add_default_ipv4_route(Ipv4Addr::new(g0, g1, g2, g3));
        // SAFETY: `new` runs once, so these statics get exactly one owner.
        let (storage, rx, tx) = unsafe {
            (
                &mut *addr_of_mut!(STORAGE),
                &mut *addr_of_mut!(RX),
                &mut *addr_of_mut!(TX),
            )
        };
        let mut sockets = SocketSet::new(&mut storage[..]);
        let mut rx = rx.iter_mut();
        let mut tx = tx.iter_mut();
        let handles = core::array::from_fn(|_| {
            let (r, t) = (rx.next(), tx.next());
            let (Some(r), Some(t)) = (r, t) else {
                unreachable!("one buffer pair per socket")
            };
            sockets.add(tcp::Socket::new(
                tcp::SocketBuffer::new(&mut r[..]),
                tcp::SocketBuffer::new(&mut t[..]),
            ))
        });
        Net {
            dev,
            iface,
            sockets,
            handles,
            active: None,
            told: Told::Nothing,
            next_port: 49152,
        }
    }

    /// Carries out the engine's network actions and moves bytes both ways.
    pub fn service(&mut self, engine: &mut Board, now_ms: u64) {
        let now = Instant::from_millis(now_ms as i64);
        self.iface.poll(now, &mut self.dev, &mut self.sockets);
        self.actions(engine);
        self.pump(engine);
        self.iface.poll(now, &mut self.dev, &mut self.sockets);
    }

    fn actions(&mut self, engine: &mut Board) {
        loop {
            // Copy the target out: the action borrows the engine.
            let mut host = [0u8; HOST_MAX];
            let (len, port, tls) = match engine.poll_action() {
                None => return,
                Some(Action::Close) => {
                    if let Some(i) = self.active.take() {
                        self.sockets.get_mut::<tcp::Socket>(self.handles[i]).close();
                    }
                    continue;
                }
                Some(Action::Connect { host: h, port, tls }) => {
                    let n = h.len().min(HOST_MAX);
                    host[..n].copy_from_slice(&h[..n]);
                    (if h.len() > HOST_MAX { 0 } else { n }, port, tls.is_some())
                }
            };
            if let Some(i) = self.active.take() {
                self.sockets.get_mut::<tcp::Socket>(self.handles[i]).abort();
            }
            let ip = core::str::from_utf8(&host[..len])
                .ok()
                .and_then(|s| s.parse::<Ipv4Addr>().ok());
            match ip {
                Some(ip) if !tls => self.connect(engine, ip, port),
                _ => engine.handle_net_error(),
            }
        }
    }

    fn connect(&mut self, engine: &mut Board, ip: Ipv4Addr, port: u16) {
        // A closed socket, else the one that has been closing longest is cut short.
        let i = (0..SOCKETS)
            .find(|&i| {
                self.sockets.get::<tcp::Socket>(self.handles[i]).state() == tcp::State::Closed
            })
            .unwrap_or_else(|| {
                let i = usize::from(self.next_port) % SOCKETS;
                self.sockets.get_mut::<tcp::Socket>(self.handles[i]).abort();
                i
            });
        self.next_port = if self.next_port == u16::MAX {
            49152
        } else {
            self.next_port + 1
        };
        let s = self.sockets.get_mut::<tcp::Socket>(self.handles[i]);
        match s.connect(
            self.iface.context(),
            (IpAddress::Ipv4(ip), port),
            self.next_port,
        ) {
            Ok(()) => {
                self.active = Some(i);
                self.told = Told::Nothing;
            }
            Err(_) => engine.handle_net_error(),
        }
    }

    fn pump(&mut self, engine: &mut Board) {
        let Some(i) = self.active else { return };
        let s = self.sockets.get_mut::<tcp::Socket>(self.handles[i]);
        if self.told == Told::Nothing {
            match s.state() {
                tcp::State::Established => {
                    self.told = Told::Connected;
                    engine.handle_connected();
                }
                // Refused or reset before it opened.
                tcp::State::Closed => {
                    self.active = None;
                    engine.handle_net_error();
                    return;
                }
                _ => return,
            }
        }
        let mut chunk = [0u8; 1024];
        // Engine → socket, never more than the socket has room for (backpressure).
        while s.can_send() {
            let room = s.send_capacity() - s.send_queue();
            let k = room.min(chunk.len());
            let n = engine.poll_net_transmit(&mut chunk[..k]);
            if n == 0 {
                break;
            }
            let _ = s.send_slice(&chunk[..n]);
        }
        // Socket → engine: what the engine does not take stays in the socket.
        while s.can_recv() {
            let took = s.recv(|d| {
                let t = engine.handle_received(d);
                (t, t)
            });
            if !matches!(took, Ok(t) if t > 0) {
                break;
            }
        }
        if self.told == Told::Connected && !s.may_recv() && s.recv_queue() == 0 {
            self.told = Told::Closed;
            if s.state() == tcp::State::Closed {
                // A reset: the connection is gone, not finished.
                engine.handle_net_error();
            } else {
                engine.handle_closed();
            }
        }
    }
}
