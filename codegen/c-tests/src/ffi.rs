//! The only unsafe code of the crate: calls into the generated C through the shims in
//! `csrc/` (parse) and `build.rs` (writers), which flatten everything into fixed-width fields.

use std::ffi::{CStr, c_char};

use crate::{Outcome, Value};

#[repr(C)]
#[derive(Clone, Copy)]
struct ShimValue {
    kind: u32,
    i: i32,
    offset: u32,
    len: u32,
}

#[repr(C)]
struct ShimOutcome {
    parsed: u32,
    name: u32,
    form: u32,
    n_values: u32,
    values: [ShimValue; 64],
    reject_kind: u32,
    reject_index: u32,
    has_err_code: u32,
    err_code: u32,
    result_len: u32,
    result: [u8; 64],
    printed: [u8; 128],
    printed_len: u32,
}

unsafe extern "C" {
    fn shim_parse(
        line: *const u8,
        len: usize,
        scratch: *mut u8,
        scratch_len: usize,
        out: *mut ShimOutcome,
    );
    fn shim_name_str(name: u32) -> *const c_char;
    fn shim_meaning(id: u32, value: i32) -> *const c_char;
    fn shim_dispatch(line: *const u8, len: usize, table: i32) -> i32;
    fn shim_parse_only(line: *const u8, len: usize, scratch: *mut u8, scratch_len: usize) -> i32;
    fn shim_write(
        id: u32,
        part: u32,
        ints: *const i64,
        ptrs: *const *const u8,
        lens: *const usize,
        out: *mut u8,
        cap: usize,
    ) -> usize;
}

/// The C parser's outcome, with a scratch buffer of `scratch_len` bytes.
pub fn c_parse(line: &[u8], scratch_len: usize) -> Outcome {
    let mut scratch = vec![0u8; scratch_len];
    let mut out = ShimOutcome {
        parsed: 0,
        name: 0,
        form: 0,
        n_values: 0,
        values: [ShimValue {
            kind: 0,
            i: 0,
            offset: 0,
            len: 0,
        }; 64],
        reject_kind: 0,
        reject_index: 0,
        has_err_code: 0,
        err_code: 0,
        result_len: 0,
        result: [0; 64],
        printed: [0; 128],
        printed_len: 0,
    };
    // SAFETY: the pointers and lengths describe live buffers of exactly those sizes; the shim
    // writes only into `out` and `scratch[..scratch_len]`.
    unsafe {
        shim_parse(
            line.as_ptr(),
            line.len(),
            scratch.as_mut_ptr(),
            scratch.len(),
            &mut out,
        )
    };
    if out.parsed == 1 {
        // SAFETY: `atspec_name_str` returns a static NUL-terminated string for every name.
        let name = unsafe { CStr::from_ptr(shim_name_str(out.name)) };
        let values =
            out.values[..(out.n_values as usize).min(64)]
                .iter()
                .map(|v| match v.kind {
                    1 => Value::Int(v.i),
                    2 => {
                        let (o, l) = (v.offset as usize, v.len as usize);
                        Value::Bytes(scratch.get(o..o + l).map(<[u8]>::to_vec).unwrap_or_else(
                            || {
                                panic!(
                                    "C value outside the scratch buffer: {o}+{l} of {}",
                                    scratch.len()
                                )
                            },
                        ))
                    }
                    _ => Value::None,
                })
                .collect();
        let form = match out.form {
            0 => atspec_rt::Form::Test,
            1 => atspec_rt::Form::Query,
            2 => atspec_rt::Form::Set,
            _ => atspec_rt::Form::Execute,
        };
        return Outcome::Command {
            name: name.to_string_lossy().into_owned(),
            form,
            values,
        };
    }
    use atspec_rt::RejectKind as K;
    let index = out.reject_index as u8;
    let kind = match out.reject_kind {
        0 => K::BadLine,
        1 => K::UnknownCommand,
        2 => K::MissingForm,
        3 => K::TooManyParams,
        4 => K::ParseFailure { index },
        5 => K::InvalidParam { index },
        6 => K::ParamCount { given: index },
        other => panic!("C rejection kind {other} does not exist"),
    };
    Outcome::Rejected {
        kind,
        err_code: (out.has_err_code != 0).then_some(out.err_code),
        result: out.result[..out.result_len as usize].to_vec(),
        printed: out.printed[..out.printed_len as usize].to_vec(),
    }
}

/// Only `atspec_parse` (for the bench): whether the line is a command.
pub fn c_parse_only(line: &[u8], scratch: &mut [u8]) -> bool {
    // SAFETY: both buffers are live for the lengths passed; the parser writes only into
    // `scratch` and its own frame.
    unsafe {
        shim_parse_only(
            line.as_ptr(),
            line.len(),
            scratch.as_mut_ptr(),
            scratch.len(),
        ) == 1
    }
}

/// Parses `line` with the C parser and dispatches it through a handler table whose every
/// entry returns its form's index (`full`), or through an empty one: what `atspec_dispatch`
/// returned, or -2 when the line was refused.
pub fn c_dispatch(line: &[u8], full: bool) -> i32 {
    // SAFETY: the line is live for its length; the shim parses into its own frame.
    unsafe { shim_dispatch(line.as_ptr(), line.len(), i32::from(full)) }
}

/// What the C says value `v` of enumeration `id` means.
pub fn c_meaning(id: usize, v: i32) -> String {
    // SAFETY: every meaning function returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(shim_meaning(id as u32, v)) }
        .to_string_lossy()
        .into_owned()
}

/// Part `part` of C writer `id` (the order of `WRITERS`), with these arguments.
pub fn c_write(id: usize, part: usize, ints: &[i64], bytes: &[&[u8]]) -> Vec<u8> {
    let ptrs: Vec<*const u8> = bytes.iter().map(|b| b.as_ptr()).collect();
    let lens: Vec<usize> = bytes.iter().map(|b| b.len()).collect();
    let cap = 256 + lens.iter().sum::<usize>();
    let mut out = vec![0u8; cap];
    // One spare element each, so an empty argument list still passes valid pointers.
    let ints: Vec<i64> = ints.iter().copied().chain([0]).collect();
    let (ptrs, lens): (Vec<_>, Vec<_>) = (
        ptrs.into_iter().chain([std::ptr::null()]).collect(),
        lens.into_iter().chain([0]).collect(),
    );
    // SAFETY: the shim reads as many ints and byte arrays as writer `id`'s part takes (the
    // caller passes them from `WRITERS`), each byte array live for its length, and writes at
    // most `cap` bytes into `out`.
    let n = unsafe {
        shim_write(
            id as u32,
            part as u32,
            ints.as_ptr(),
            ptrs.as_ptr(),
            lens.as_ptr(),
            out.as_mut_ptr(),
            cap,
        )
    };
    out.truncate(n);
    out
}
