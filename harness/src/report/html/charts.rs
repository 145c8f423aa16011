//! Inline SVG charts (no script, no network): the clause verdicts per group, the profiles'
//! failing checks per group, and where a run's time went, check by check.

use super::{Report, esc};
use std::collections::BTreeMap;

/// The colour of each verdict, shared by the charts and the legend.
const COLOURS: [(&str, &str); 5] = [
    ("pass", "#2e8540"),
    ("fail", "#c0392b"),
    ("hung", "#7d1d5e"),
    ("incomplete", "#d9a400"),
    ("not applicable", "#9aa0a6"),
];

/// Which bar a clause verdict adds to.
fn bucket(verdict: &str) -> &'static str {
    match verdict {
        "pass" => "pass",
        "fail" => "fail",
        "hung" => "hung",
        "not applicable" => "not applicable",
        _ => "incomplete",
    }
}

/// Clause groups in report order, with their verdict counts.
fn groups(r: &Report) -> Vec<(String, BTreeMap<&'static str, usize>)> {
    let mut out: Vec<(String, BTreeMap<&'static str, usize>)> = Vec::new();
    for c in &r.clauses {
        let i = match out.iter().position(|(g, _)| *g == c.group) {
            Some(i) => i,
            None => {
                out.push((c.group.clone(), BTreeMap::new()));
                out.len() - 1
            }
        };
        *out[i].1.entry(bucket(&c.verdict)).or_default() += 1;
    }
    out
}

/// The legend under the charts.
fn legend() -> String {
    let mut h = String::from("<p class=\"legend\">");
    for (name, colour) in COLOURS {
        h.push_str(&format!(
            "<span><svg width=\"10\" height=\"10\" aria-hidden=\"true\"><rect width=\"10\" height=\"10\" fill=\"{colour}\"/></svg> {name}</span> "
        ));
    }
    h.push_str("</p>");
    h
}

/// A stacked bar per clause group: pass, fail, hung, incomplete, not applicable.
pub fn by_group(r: &Report) -> String {
    let rows = groups(r);
    let (label_w, bar_w, row_h) = (120.0, 480.0, 18.0);
    let most = rows
        .iter()
        .map(|(_, n)| n.values().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let height = row_h * rows.len() as f64 + 4.0;
    let mut s = format!(
        "<svg class=\"chart\" id=\"chart-groups\" role=\"img\" aria-label=\"clause verdicts per group\" viewBox=\"0 0 {} {height}\" width=\"100%\">",
        label_w + bar_w + 60.0
    );
    for (i, (group, counts)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 2.0;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{}</text>",
            label_w - 6.0,
            y + 12.0,
            esc(group)
        ));
        let mut x = label_w;
        for (name, colour) in COLOURS {
            let n = counts.get(name).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let w = bar_w * n as f64 / most;
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"><title>{}: {n} {name}</title></rect>",
                row_h - 4.0,
                esc(group)
            ));
            x += w;
        }
        let total: usize = counts.values().sum();
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\">{total}</text>",
            x + 4.0,
            y + 12.0
        ));
    }
    s.push_str("</svg>");
    s + &legend()
}

/// The group a check counts for: its first clause's.
fn group_of(r: &Report, check: &str) -> Option<String> {
    let c = r.checks.iter().find(|c| c.name == check)?;
    let id = c.clauses.first().or_else(|| c.touched.first())?;
    r.clauses
        .iter()
        .find(|x| &x.id == id)
        .map(|x| x.group.clone())
}

/// Profile × group: how many checks fail under each profile in each group (green: none).
pub fn profile_matrix(r: &Report) -> String {
    let names: Vec<String> = groups(r).into_iter().map(|(g, _)| g).collect();
    let (label_w, cell_w, row_h, head_h) = (110.0, 44.0, 20.0, 70.0);
    // Room on the right for the last group's slanted name.
    let width = label_w + cell_w * names.len() as f64 + 70.0;
    let height = head_h + row_h * r.verdicts.len() as f64;
    let mut s = format!(
        "<svg class=\"chart\" id=\"chart-matrix\" role=\"img\" aria-label=\"failing checks per profile and group\" viewBox=\"0 0 {width} {height}\" width=\"100%\">"
    );
    for (j, g) in names.iter().enumerate() {
        let x = label_w + cell_w * j as f64 + cell_w / 2.0;
        s.push_str(&format!(
            "<text x=\"{x}\" y=\"{}\" font-size=\"10\" transform=\"rotate(-45 {x} {})\">{}</text>",
            head_h - 6.0,
            head_h - 6.0,
            esc(g)
        ));
    }
    for (i, v) in r.verdicts.iter().enumerate() {
        let y = head_h + row_h * i as f64;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{}</text>",
            label_w - 6.0,
            y + 14.0,
            esc(&v.profile)
        ));
        let mut per_group: BTreeMap<String, usize> = BTreeMap::new();
        for c in &v.failing_checks {
            if let Some(g) = group_of(r, c) {
                *per_group.entry(g).or_default() += 1;
            }
        }
        for (j, g) in names.iter().enumerate() {
            let n = per_group.get(g).copied().unwrap_or(0);
            let colour = if n == 0 { COLOURS[0].1 } else { COLOURS[1].1 };
            let x = label_w + cell_w * j as f64;
            s.push_str(&format!(
                "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{colour}\"><title>{} × {}: {n} failing checks</title></rect><text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#fff\" text-anchor=\"middle\">{n}</text>",
                x + 1.0,
                cell_w - 2.0,
                row_h - 2.0,
                esc(&v.profile),
                esc(g),
                x + cell_w / 2.0,
                y + 13.0
            ));
        }
    }
    s.push_str("</svg>");
    s
}

/// One lane per device: its checks one after another, each as long as it took, coloured by
/// verdict; the longest are named, since they are where the deliberate waits go.
pub fn timeline(r: &Report) -> String {
    let devices = r.checks.iter().map(|c| c.device).max().unwrap_or(0) + 1;
    let mut lanes = vec![0u64; devices];
    for c in &r.checks {
        lanes[c.device] += c.ms;
    }
    let longest_lane = lanes.iter().copied().max().unwrap_or(1).max(1) as f64;
    let (label_w, bar_w, row_h) = (70.0, 560.0, 22.0);
    let height = row_h * devices as f64 + 16.0;
    let mut s = format!(
        "<svg class=\"chart\" id=\"chart-timeline\" role=\"img\" aria-label=\"time per check\" viewBox=\"0 0 {} {height}\" width=\"100%\">",
        label_w + bar_w + 10.0
    );
    let mut at = vec![0u64; devices];
    for d in 0..devices {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">device {}</text>",
            label_w - 6.0,
            row_h * d as f64 + 15.0,
            d + 1
        ));
    }
    for c in &r.checks {
        let x = label_w + bar_w * at[c.device] as f64 / longest_lane;
        let w = (bar_w * c.ms as f64 / longest_lane).max(0.5);
        at[c.device] += c.ms;
        let colour = match c.verdict.name() {
            "pass" => COLOURS[0].1,
            "fail" => COLOURS[1].1,
            "hung" => COLOURS[2].1,
            "skipped" => COLOURS[3].1,
            _ => COLOURS[4].1,
        };
        s.push_str(&format!(
            "<rect x=\"{x:.2}\" y=\"{}\" width=\"{w:.2}\" height=\"{}\" fill=\"{colour}\" stroke=\"#fff\" stroke-width=\"0.3\"><title>{}: {} ms</title></rect>",
            row_h * c.device as f64 + 3.0,
            row_h - 6.0,
            esc(&c.name),
            c.ms
        ));
    }
    s.push_str(&format!(
        "<text x=\"{label_w}\" y=\"{}\" font-size=\"10\">0 s</text><text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{:.1} s</text></svg>",
        height - 2.0,
        label_w + bar_w,
        height - 2.0,
        longest_lane / 1000.0
    ));
    let mut slow: Vec<_> = r.checks.iter().collect();
    slow.sort_by_key(|c| std::cmp::Reverse(c.ms));
    s.push_str("<p class=\"legend\">Longest: ");
    let named: Vec<String> = slow
        .iter()
        .take(5)
        .map(|c| {
            format!(
                "<a href=\"#{}\">{}</a> {:.1} s",
                super::anchor("check", &c.name),
                esc(&c.name),
                c.ms as f64 / 1000.0
            )
        })
        .collect();
    s.push_str(&named.join(", "));
    s.push_str("</p>");
    s
}
