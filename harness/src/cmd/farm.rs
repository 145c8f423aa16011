//! `atspec certify --farm each`: every unit of a farm runs the whole certification and gets
//! its own verdict and report files (`--farm share`, the default, splits one certification
//! among units of one model and gives the model one verdict).

use std::path::{Path, PathBuf};

/// How several `--device` units are certified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FarmMode {
    /// Units of one model: checks and fuzzed cases are shared out, one verdict covers the
    /// model, and no unit gets a verdict of its own.
    #[default]
    Share,
    /// Every unit runs everything and gets its own verdict and reports
    /// (`REPORT.unit-N.EXT`); the units run one after another, since the host/path checks
    /// need ports 80 and 443, which one mock peer holds at a time.
    Each,
}

/// `path` for unit `n` of a farm run in `each` mode: `out/r.json` → `out/r.unit-2.json`.
pub fn unit_path(path: &Path, n: usize) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}.unit-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}.unit-{n}"),
    };
    path.with_file_name(name)
}

/// The exit status of a farm from its units' statuses: any unit not conformant (1) before
/// any that could not be judged (2), before any incomplete (3); 0 only when every unit is
/// conformant.
pub fn farm_status(units: &[u8]) -> u8 {
    [1, 2, 3]
        .into_iter()
        .find(|s| units.contains(s))
        .unwrap_or(0)
}

/// One line per unit and the farm's verdict, for the end of the run.
pub fn summary(units: &[(String, u8)]) -> String {
    let mut s = String::from("\nfarm (each unit certified on its own):\n");
    for (i, (device, status)) in units.iter().enumerate() {
        let what = match status {
            0 => "CONFORMANT",
            1 => "NOT CONFORMANT",
            3 => "INCOMPLETE",
            _ => "ERROR (could not be certified)",
        };
        s.push_str(&format!("  unit {} ({device}): {what}\n", i + 1));
    }
    let statuses: Vec<u8> = units.iter().map(|u| u.1).collect();
    let conformant = statuses.iter().filter(|&&s| s == 0).count();
    s.push_str(&format!(
        "farm: {conformant} of {} units CONFORMANT\n",
        units.len()
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_paths_keep_folder_and_extension() {
        assert_eq!(
            unit_path(Path::new("out/r.json"), 2),
            PathBuf::from("out/r.unit-2.json")
        );
        assert_eq!(
            unit_path(Path::new("report"), 1),
            PathBuf::from("report.unit-1")
        );
    }

    #[test]
    fn the_worst_unit_decides_the_farm() {
        assert_eq!(farm_status(&[0, 0]), 0);
        assert_eq!(farm_status(&[0, 3]), 3);
        assert_eq!(farm_status(&[3, 2, 0]), 2);
        assert_eq!(farm_status(&[3, 1, 2]), 1);
        assert!(summary(&[("virtual".into(), 0), ("serial:/x".into(), 1)]).contains("1 of 2"));
    }
}
