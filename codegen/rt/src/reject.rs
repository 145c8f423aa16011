//! Rejections: what a device prints when it refuses a line before running a command.

/// An answer from the spec's framing section: an optional error code and a final result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// Exact bytes of the final result.
    pub result: &'static [u8],
    /// Error code printed first while SYSLOG is on.
    pub err_code: Option<u32>,
    /// Whether the parameter index is added to `err_code`.
    pub plus_index: bool,
}

/// The spec's answers to every kind of rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers {
    /// Too long, too short, or not starting with AT.
    pub bad_line: Answer,
    /// Unknown name, or junk after a form marker.
    pub unknown_command: Answer,
    /// A form the command does not have.
    pub missing_form: Answer,
    /// More fields than the parameter limit.
    pub too_many_params: Answer,
    /// A parameter that cannot be read.
    pub parse_failure: Answer,
    /// A parameter read but not acceptable, or more fields than the form takes.
    pub invalid_param: Answer,
}

/// Why a line was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectKind {
    /// Too long, too short, or not starting with AT.
    BadLine,
    /// Unknown command name or junk after a marker.
    UnknownCommand,
    /// The command lacks this form.
    MissingForm,
    /// More fields than the parameter limit.
    TooManyParams,
    /// Parameter `index` is missing where read, or is not a valid integer or string.
    ParseFailure {
        /// 0-based field index.
        index: u8,
    },
    /// Parameter `index` is empty where a value is needed, out of range, or lacks a required byte.
    InvalidParam {
        /// 0-based field index.
        index: u8,
    },
    /// More fields than the form takes; `given` is how many the line had.
    ParamCount {
        /// Number of fields on the line.
        given: u8,
    },
}

/// A refused line: the reason and exactly what the device must print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejection {
    /// Why.
    pub kind: RejectKind,
    /// The error code to print first while SYSLOG is on, if the spec assigns one.
    pub err_code: Option<u32>,
    /// The final result's bytes.
    pub result: &'static [u8],
}

impl Answers {
    /// The rejection the spec assigns to `kind`.
    pub const fn reject(&self, kind: RejectKind) -> Rejection {
        let (a, index) = match kind {
            RejectKind::BadLine => (&self.bad_line, 0),
            RejectKind::UnknownCommand => (&self.unknown_command, 0),
            RejectKind::MissingForm => (&self.missing_form, 0),
            RejectKind::TooManyParams => (&self.too_many_params, 0),
            RejectKind::ParseFailure { index } => (&self.parse_failure, index),
            RejectKind::InvalidParam { index } => (&self.invalid_param, index),
            RejectKind::ParamCount { given } => (&self.invalid_param, given),
        };
        let err_code = match a.err_code {
            Some(c) if a.plus_index => Some(c + index as u32),
            other => other,
        };
        Rejection {
            kind,
            err_code,
            result: a.result,
        }
    }
}
