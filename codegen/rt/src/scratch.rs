//! Carving decoded strings out of one caller-provided buffer.

use crate::Syntax;
use crate::string::{self, StrError};

/// A bump allocator over a borrowed buffer: each decoded string takes the next bytes and lives
/// as long as the buffer. A buffer as long as the line always suffices, because decoding never
/// makes a string longer.
#[derive(Debug)]
pub struct Scratch<'a> {
    free: &'a mut [u8],
}

impl<'a> Scratch<'a> {
    /// Uses `buf` for every string of one parsed command.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Scratch { free: buf }
    }

    /// Decodes a quoted field into the next free bytes.
    pub fn unescape(&mut self, field: &[u8], syntax: &Syntax) -> Result<&'a [u8], StrError> {
        let free = core::mem::take(&mut self.free);
        let n = string::unescape(field, syntax, free)?;
        let (used, rest) = free.split_at_mut(n);
        self.free = rest;
        Ok(used)
    }

    /// Bytes still free.
    pub fn remaining(&self) -> usize {
        self.free.len()
    }
}
