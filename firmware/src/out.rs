//! The UART output queue: a fixed ring the board drains.

use atspec_rt::ByteSink;

/// Bytes waiting for the UART. Writers never block: the engine only produces what fits
/// (payload pieces are sized by [`Out::space`]); anything beyond capacity is counted in
/// [`Out::dropped`] so a test can prove it never happens.
#[derive(Debug)]
pub struct Out<const N: usize> {
    buf: [u8; N],
    head: usize,
    len: usize,
    dropped: usize,
    /// A byte-level mutant's rewrite of everything queued (test builds only).
    #[cfg(feature = "mutants")]
    rewrite: crate::mutant::Rewrite,
}

impl<const N: usize> Default for Out<N> {
    fn default() -> Self {
        Out {
            buf: [0; N],
            head: 0,
            len: 0,
            dropped: 0,
            #[cfg(feature = "mutants")]
            rewrite: crate::mutant::Rewrite::default(),
        }
    }
}

impl<const N: usize> Out<N> {
    /// Free bytes.
    pub fn space(&self) -> usize {
        N - self.len()
    }

    /// Queued bytes.
    pub fn len(&self) -> usize {
        self.len + self.held()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rewrites everything queued from now on by a byte-level mutant's rules.
    #[cfg(feature = "mutants")]
    pub(crate) fn set_rewrite(&mut self, r: crate::mutant::Rewrite) {
        self.rewrite = r;
    }

    /// Bytes the rewrite holds back (they may begin a match).
    fn held(&self) -> usize {
        #[cfg(feature = "mutants")]
        return self.rewrite.held();
        #[cfg(not(feature = "mutants"))]
        0
    }

    /// Appends to the ring what fits; counts the rest as dropped.
    fn push(&mut self, bytes: &[u8]) {
        let fit = bytes.len().min(N - self.len);
        for &b in &bytes[..fit] {
            self.buf[(self.head + self.len) % N] = b;
            self.len += 1;
        }
        self.dropped += bytes.len() - fit;
    }

    /// Bytes lost because the queue was full (0 in a correct engine).
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// Moves queued bytes into `dst`; returns how many.
    pub fn drain(&mut self, dst: &mut [u8]) -> usize {
        // The engine's call is over: what the rewrite holds can no longer begin a match.
        #[cfg(feature = "mutants")]
        {
            let mut r = core::mem::take(&mut self.rewrite);
            r.flush(&mut |b| self.push(b));
            self.rewrite = r;
        }
        let n = dst.len().min(self.len);
        for (i, d) in dst[..n].iter_mut().enumerate() {
            *d = self.buf[(self.head + i) % N];
        }
        self.head = (self.head + n) % N;
        self.len -= n;
        n
    }
}

impl<const N: usize> ByteSink for Out<N> {
    fn put(&mut self, bytes: &[u8]) {
        #[cfg(feature = "mutants")]
        {
            let mut r = core::mem::take(&mut self.rewrite);
            r.put(bytes, &mut |b| self.push(b));
            self.rewrite = r;
        }
        #[cfg(not(feature = "mutants"))]
        self.push(bytes);
    }
}
