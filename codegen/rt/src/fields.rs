//! Splitting the parameter bytes of a set line into fields.

use crate::Syntax;

/// Most fields a line may carry; more is a rejection, never an overflow.
pub const MAX_FIELDS: usize = 16;

/// What a command finds at a parameter position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot<'l> {
    /// The line has fewer fields than this position.
    Absent,
    /// The field exists and is empty (`,,`).
    Empty,
    /// The field's raw bytes.
    Value(&'l [u8]),
}

/// The fields of one line, borrowed from it.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'l> {
    spans: [(u16, u16); MAX_FIELDS],
    len: usize,
    src: &'l [u8],
}

impl<'l> Fields<'l> {
    /// Splits at every separator not preceded by an escape byte; an escape and the byte after
    /// it are one unit. Quotes play no part, so a separator inside quotes still splits.
    /// `AT+X=` has one empty field. More than `max` fields (≤ [`MAX_FIELDS`]) is `Err(())`.
    #[allow(clippy::result_unit_err)]
    pub fn split(src: &'l [u8], syntax: &Syntax, max: usize) -> Result<Self, ()> {
        let max = max.min(MAX_FIELDS);
        let mut f = Fields {
            spans: [(0, 0); MAX_FIELDS],
            len: 0,
            src,
        };
        let mut start = 0usize;
        let mut i = 0usize;
        while i < src.len() {
            let b = src[i];
            if b == syntax.escape {
                i += 2;
                continue;
            }
            if b == syntax.separator {
                f.push(start, i, max)?;
                start = i + 1;
            }
            i += 1;
        }
        f.push(start, src.len(), max)?;
        Ok(f)
    }

    fn push(&mut self, start: usize, end: usize, max: usize) -> Result<(), ()> {
        if self.len == max {
            return Err(());
        }
        // Lines are bounded far below u16::MAX by the line limit; clamp defensively anyway.
        let clamp = |v: usize| v.min(u16::MAX as usize) as u16;
        self.spans[self.len] = (clamp(start), clamp(end));
        self.len += 1;
        Ok(())
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none (never true for a split set line).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The field at a position.
    pub fn slot(&self, i: usize) -> Slot<'l> {
        if i >= self.len {
            return Slot::Absent;
        }
        let (s, e) = self.spans[i];
        match &self.src[s as usize..e as usize] {
            [] => Slot::Empty,
            v => Slot::Value(v),
        }
    }
}

/// A bounded list of decoded strings (a variadic parameter), stored inline.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct List<'a> {
    items: [&'a [u8]; MAX_FIELDS],
    len: usize,
}

impl<'a> List<'a> {
    /// An empty list.
    pub const EMPTY: List<'static> = List {
        items: [&[]; MAX_FIELDS],
        len: 0,
    };

    /// Appends; false when full.
    pub fn push(&mut self, item: &'a [u8]) -> bool {
        if self.len == MAX_FIELDS {
            return false;
        }
        self.items[self.len] = item;
        self.len += 1;
        true
    }

    /// The items.
    pub fn as_slice(&self) -> &[&'a [u8]] {
        &self.items[..self.len]
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for List<'_> {
    fn default() -> Self {
        List::EMPTY
    }
}

impl core::fmt::Debug for List<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.as_slice().iter().map(|b| crate::sink::Escaped(b)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYN: Syntax = Syntax {
        separator: b',',
        quote: b'"',
        escape: b'\\',
        hex: true,
    };

    fn all<'l>(f: &Fields<'l>) -> [Slot<'l>; 4] {
        [f.slot(0), f.slot(1), f.slot(2), f.slot(3)]
    }

    #[test]
    fn commas_split_even_inside_quotes_unless_escaped() {
        let f = Fields::split(br#""a,b",\,x,"#, &SYN, 16).unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(
            all(&f),
            [
                Slot::Value(b"\"a"),
                Slot::Value(b"b\""),
                Slot::Value(b"\\,x"),
                Slot::Empty
            ]
        );
    }

    #[test]
    fn empty_params_are_one_empty_field() {
        let f = Fields::split(b"", &SYN, 16).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f.slot(0), Slot::Empty);
        assert_eq!(f.slot(1), Slot::Absent);
    }

    #[test]
    fn too_many_fields_is_an_error() {
        assert!(Fields::split(b"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", &SYN, 16).is_ok());
        assert!(Fields::split(b"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", &SYN, 16).is_err());
    }

    #[test]
    fn trailing_escape_does_not_overrun() {
        let f = Fields::split(b"a\\", &SYN, 16).unwrap();
        assert_eq!(f.slot(0), Slot::Value(b"a\\"));
    }
}
