//! Global HTTP state: the stored URL, the header list and the authentication setting.
//! All RAM-only, cleared by AT+RST (`HTTP.STATE.GLOBAL`, `BASE.RST.CLEARS_STATE`).

/// Longest URL AT+HTTPURLCFG stores.
pub const URL_CAPACITY: usize = crate::device::limits::URL_LENGTH_MAX as usize;
/// Bytes for all AT+HTTPCHEAD entries together.
pub const HEADER_ARENA: usize = 1024;
/// Most AT+HTTPCHEAD entries.
pub const MAX_HEADERS: usize = 16;

/// The URL stored with AT+HTTPURLCFG, received in place.
///
/// Limit: a new URL is received into the free space after the stored one when both fit
/// (8192 bytes together), so a rejected URL (one holding a NUL) leaves the old one intact. When
/// they do not fit together the new URL overwrites the old while it arrives, and a rejected
/// one then leaves no URL stored.
#[derive(Debug)]
pub struct UrlStore {
    buf: [u8; URL_CAPACITY],
    len: usize,
    incoming_at: usize,
    incoming: usize,
}

impl Default for UrlStore {
    fn default() -> Self {
        UrlStore {
            buf: [0; URL_CAPACITY],
            len: 0,
            incoming_at: 0,
            incoming: 0,
        }
    }
}

impl UrlStore {
    /// The stored URL, if any.
    pub fn get(&self) -> Option<&[u8]> {
        (self.len > 0).then(|| &self.buf[..self.len])
    }

    /// Forgets the URL.
    pub fn clear(&mut self) {
        self.len = 0;
        self.incoming = 0;
    }

    /// Prepares to receive `n` bytes.
    pub fn begin(&mut self, n: usize) {
        if self.len + n <= URL_CAPACITY {
            self.incoming_at = self.len;
        } else {
            self.len = 0;
            self.incoming_at = 0;
        }
        self.incoming = 0;
    }

    /// Receives data bytes.
    pub fn receive(&mut self, bytes: &[u8]) {
        let at = self.incoming_at + self.incoming;
        let n = bytes.len().min(URL_CAPACITY - at);
        self.buf[at..at + n].copy_from_slice(&bytes[..n]);
        self.incoming += n;
    }

    /// Ends the data phase: stores the received URL, or keeps the old one (when it survived)
    /// if the new one holds a NUL. Returns whether the new URL was stored.
    pub fn commit(&mut self) -> bool {
        let new = self.incoming_at..self.incoming_at + self.incoming;
        if self.buf[new.clone()].contains(&0) {
            return false;
        }
        self.buf.copy_within(new, 0);
        self.len = self.incoming;
        true
    }
}

/// AT+HTTPCHEAD entries, newest first, in one byte arena.
#[derive(Debug)]
pub struct HeaderStore {
    arena: [u8; HEADER_ARENA],
    used: usize,
    /// `(offset, len)` of each entry, newest first.
    entries: [(u16, u16); MAX_HEADERS],
    count: usize,
    incoming: usize,
}

impl Default for HeaderStore {
    fn default() -> Self {
        HeaderStore {
            arena: [0; HEADER_ARENA],
            used: 0,
            entries: [(0, 0); MAX_HEADERS],
            count: 0,
            incoming: 0,
        }
    }
}

/// Why a header was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// No colon, or a NUL in the bytes.
    Malformed,
    /// No room for another entry.
    Full,
}

impl HeaderStore {
    /// Entries as stored (`Name:value` bytes), newest first.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.entries[..self.count]
            .iter()
            .map(|&(o, l)| &self.arena[o as usize..o as usize + l as usize])
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.used = 0;
        self.count = 0;
        self.incoming = 0;
    }

    /// Whether an `n`-byte entry can ever be received.
    pub fn can_take(&self, n: usize) -> bool {
        n <= HEADER_ARENA - self.used
    }

    /// Starts receiving an entry into the free end of the arena.
    pub fn begin(&mut self) {
        self.incoming = 0;
    }

    /// Receives data bytes.
    pub fn receive(&mut self, bytes: &[u8]) {
        let at = self.used + self.incoming;
        let n = bytes.len().min(HEADER_ARENA - at);
        self.arena[at..at + n].copy_from_slice(&bytes[..n]);
        self.incoming += n;
    }

    /// Stores the received entry: replaces the value of a same-name entry (exact, case
    /// sensitive) in its place, or adds it as the newest.
    /// `replace` is always true in a conforming build (false only for a test mutant).
    pub fn commit(&mut self, replace: bool) -> Result<(), HeaderError> {
        let new = self.used..self.used + self.incoming;
        let bytes = &self.arena[new.clone()];
        if bytes.contains(&0) {
            return Err(HeaderError::Malformed);
        }
        let Some(colon) = bytes.iter().position(|&b| b == b':') else {
            return Err(HeaderError::Malformed);
        };
        let name = &bytes[..colon];
        let same = self.iter().position(|e| {
            replace
                && e.iter()
                    .position(|&b| b == b':')
                    .is_some_and(|c| &e[..c] == name)
        });
        let entry = (new.start as u16, self.incoming as u16);
        match same {
            Some(i) => {
                self.entries[i] = entry;
                self.used += self.incoming;
                self.compact();
            }
            None if self.count == MAX_HEADERS => return Err(HeaderError::Full),
            None => {
                self.entries.copy_within(0..self.count, 1);
                self.entries[0] = entry;
                self.count += 1;
                self.used += self.incoming;
            }
        }
        Ok(())
    }

    /// Packs the live entries to the front of the arena (after a replacement freed bytes).
    fn compact(&mut self) {
        let mut order: [usize; MAX_HEADERS] = core::array::from_fn(|i| i);
        order[..self.count].sort_unstable_by_key(|&i| self.entries[i].0);
        let mut at = 0usize;
        for &i in &order[..self.count] {
            let (o, l) = self.entries[i];
            self.arena
                .copy_within(o as usize..o as usize + l as usize, at);
            self.entries[i].0 = at as u16;
            at += l as usize;
        }
        self.used = at;
    }
}

/// The AT+HTTPCFG setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Auth {
    /// 0 none, 1 client certificate, 2 verify server, 3 both.
    pub mode: u8,
    /// Client certificate and key index.
    pub pki: u32,
    /// CA index.
    pub ca: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(h: &mut HeaderStore, s: &[u8]) -> Result<(), HeaderError> {
        h.begin();
        h.receive(s);
        h.commit(true)
    }

    #[test]
    fn headers_replace_same_name_in_place_and_prepend_new_ones() {
        let mut h = HeaderStore::default();
        put(&mut h, b"Range: bytes=0-1").unwrap();
        put(&mut h, b"X-A: 1").unwrap();
        put(&mut h, b"Range: bytes=2-3").unwrap();
        put(&mut h, b"range: lower").unwrap();
        let all: Vec<&[u8]> = h.iter().collect();
        assert_eq!(all, [&b"range: lower"[..], b"X-A: 1", b"Range: bytes=2-3"]);
        assert_eq!(put(&mut h, b"no colon"), Err(HeaderError::Malformed));
        assert_eq!(put(&mut h, b"A:\0"), Err(HeaderError::Malformed));
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn replacing_reuses_space() {
        let mut h = HeaderStore::default();
        for _ in 0..1000 {
            put(&mut h, b"X-Long: 0123456789012345678901234567890123456789").unwrap();
        }
        assert_eq!(h.len(), 1);
        assert!(h.can_take(900));
    }

    #[test]
    fn url_with_nul_keeps_the_old_one() {
        let mut u = UrlStore::default();
        u.begin(10);
        u.receive(b"http://a/b");
        assert!(u.commit());
        u.begin(10);
        u.receive(b"http://\0/c");
        assert!(!u.commit());
        assert_eq!(u.get(), Some(&b"http://a/b"[..]));
    }
}
