//! One spec profile's judging of a case: its model follows the reading the device took, and
//! it keeps its first disagreement.

use std::collections::BTreeMap;

use crate::bytes::Bytes;
use crate::oracle::compare::{self, Mismatch};
use crate::oracle::{Expect, Model, Reading, SpecProfile};
use crate::world::HttpRequest;

/// Why a profile disagrees with an answer, and the normalized diff (expected, actual, where).
pub(super) type Disagreement = (String, Option<(String, String, usize)>);

/// One profile's judging of a case: its model, and its first disagreement.
pub(super) struct Judging {
    pub judge: &'static SpecProfile,
    pub model: Model,
    pub failed: Option<String>,
}

impl Judging {
    /// Judges one answer: `Ok` (adopting the reading the device took) or the mismatch and
    /// its diff.
    pub fn judge(
        &mut self,
        x: &Expect,
        actual: &[u8],
        seen: &[HttpRequest],
        bytes: &Bytes,
    ) -> Result<Option<Reading>, Disagreement> {
        let mut x = x.clone();
        let mut taken = None;
        // Another reading the spec allows (a clause's `alternatives`) that the device took:
        // judge the step by it, and go on from the state it leaves.
        if compare::check(&x, actual).is_err()
            && let Some(r) = x.alternatives.iter().find(|r| {
                compare::check(&r.expect, actual).is_ok()
                    && requests_match(seen, &r.expect).is_empty()
            })
        {
            let r = r.clone();
            self.model = (*r.model).clone();
            x = r.expect.clone();
            taken = Some(r);
        }
        if let Err(Mismatch {
            what,
            expected,
            actual,
            at,
        }) = compare::check(&x, actual)
        {
            return Err((
                format!("answer to `{}`: {what}", bytes.escaped()),
                Some((expected, actual, at)),
            ));
        }
        if x.loose.is_none() {
            let why = requests_match(seen, &x);
            if !why.is_empty() {
                return Err((
                    format!(
                        "requests after `{}`: {}; expected [{}], the peer saw [{}]",
                        bytes.escaped(),
                        why.join("; "),
                        x.requests
                            .iter()
                            .map(HttpRequest::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                        seen.iter()
                            .map(HttpRequest::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    None,
                ));
            }
        }
        Ok(taken)
    }
}

/// Whether the device followed the redirect of a step whose answer has the following
/// reading (`RedirectFollowed`) beside the first one; `None` for other steps.
fn redirect_choice(x: &Expect, taken: Option<&Reading>) -> Option<bool> {
    use crate::syntax::host;
    let follows = host::CLAUSES
        .iter()
        .find(|c| {
            c.alternatives
                .contains(&host::Alternative::RedirectFollowed)
        })?
        .id;
    x.alternatives
        .iter()
        .any(|a| a.clause == follows)
        .then(|| taken.is_some_and(|r| r.clause == follows))
}

/// `why`, saying first that the device restarted during `sent` when its answer holds a
/// `ready` line that neither the expected answer nor a restart command explains.
pub(super) fn restarted_during(
    sent: &Bytes,
    expected: &[u8],
    actual: &[u8],
    why: String,
) -> String {
    use crate::device::has_line;
    if has_line(actual, b"ready") && !has_line(expected, b"ready") && !has_line(&sent.0, b"AT+RST")
    {
        format!(
            "the device restarted during `{}` (it printed `ready` unprompted); {why}",
            sent.escaped()
        )
    } else {
        why
    }
}

/// How the recorded requests differ from the expected ones, judged with HTTP semantics
/// (`HttpRequest::differences`); empty when they match.
fn requests_match(seen: &[HttpRequest], x: &Expect) -> Vec<String> {
    if seen.len() != x.requests.len() {
        return vec![format!("{} requests, not {}", seen.len(), x.requests.len())];
    }
    seen.iter()
        .zip(&x.requests)
        .flat_map(|(s, e)| s.differences(e))
        .collect()
}

/// Holds a judge to one reading of redirects for the whole run (the contract allows either,
/// `HTTP.REDIRECT.NOT_FOLLOWED`): the first redirect decides, and an answer that read the
/// other way fails. `here` names the step for the message.
pub(super) fn consistent_redirects(
    redirects: &mut BTreeMap<&'static str, (bool, String)>,
    judge: &'static str,
    x: &Expect,
    taken: Option<&Reading>,
    here: &str,
) -> Result<(), String> {
    let Some(followed) = redirect_choice(x, taken) else {
        return Ok(());
    };
    let (first, at) = redirects
        .entry(judge)
        .or_insert((followed, here.to_string()));
    if *first == followed {
        return Ok(());
    }
    let did = |f: bool| if f { "followed" } else { "did not follow" };
    Err(format!(
        "redirects read two ways: the device {} the redirect answering {at}, but {} the one answering {here}; a device follows all of them or none",
        did(*first),
        did(followed)
    ))
}
