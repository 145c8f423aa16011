//! The CI recipes in `ci/` are YAML that parses, gate on the spec (`ci/spec-gate.sh`) in a job
//! of its own, certify with options this `atspec` accepts (each command line is run with
//! `--help` appended, so clap checks every flag and value), tell a real module where the mock
//! peer is, and keep JUnit and HTML reports. The GitHub and GitLab recipes' command lines
//! are also run for real, in order, against the virtual board, with the jobs' variables set
//! to local values.

mod common;

use std::path::PathBuf;

fn ci(path: &str) -> (String, serde_json::Value) {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../ci")
        .join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let yaml: serde_json::Value =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    (text, yaml)
}

/// Every string in the document (job scripts, `run:` steps).
fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// The jobs whose commands mention `needle`.
fn jobs_with<'a>(
    jobs: &'a serde_json::Map<String, serde_json::Value>,
    needle: &str,
) -> Vec<&'a str> {
    jobs.iter()
        .filter(|(_, j)| {
            let mut s = Vec::new();
            strings(j, &mut s);
            s.iter().any(|x| x.contains(needle))
        })
        .map(|(k, _)| k.as_str())
        .collect()
}

/// Runs an `atspec …` command line of a recipe with CI variables filled in and `--help`
/// appended: clap rejects an unknown flag or a bad value before it prints the help.
fn accepted(line: &str) {
    let filled = line
        .replace("${{ vars.RUNNER_LAN_IP }}", "192.0.2.1")
        .replace("$RUNNER_LAN_IP", "192.0.2.1")
        .replace("$CI_NODE_INDEX/$CI_NODE_TOTAL", "1/2")
        .replace("$CI_NODE_INDEX", "1")
        .replace("$LG_PLACE@$LG_COORDINATOR", "place@127.0.0.1:20408");
    // A shell redirection is the shell's, not the command's.
    let filled = filled.split(" >> ").next().unwrap_or_default();
    let mut words = common::shell_words(filled);
    assert_eq!(words.remove(0), "target/release/atspec", "{line}");
    words.push("--help".into());
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let r = common::atspec(&words);
    assert_eq!(r.code, 0, "`{filled}` is not accepted:\n{}", r.stderr);
}

fn check_recipe(path: &str, jobs_key: Option<&str>) {
    let (text, yaml) = ci(path);
    let jobs = match jobs_key {
        Some(k) => yaml[k].as_object().unwrap().clone(),
        None => yaml
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| v.get("script").is_some())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    let gate = jobs_with(&jobs, "ci/spec-gate.sh");
    let certify = jobs_with(&jobs, "atspec certify");
    assert_eq!(gate.len(), 1, "{path}: one spec-gate job");
    assert!(!certify.is_empty(), "{path}: a certify job");
    assert!(
        !certify.contains(&gate[0]),
        "{path}: the gate is a job of its own"
    );
    let mut all = Vec::new();
    strings(&serde_json::Value::Object(jobs.clone()), &mut all);
    let commands: Vec<&String> = all
        .iter()
        .filter(|s| s.starts_with("target/release/atspec "))
        .collect();
    assert!(!commands.is_empty(), "{path}");
    for c in &commands {
        accepted(c);
    }
    let cert: Vec<&&String> = commands.iter().filter(|c| c.contains(" certify")).collect();
    for c in cert {
        assert!(c.contains("--junit") && c.contains("--html"), "{path}: {c}");
        // A real module must be told where the mock peer is: not the loopback default.
        assert!(
            c.contains("--mock-bind 0.0.0.0:0") && c.contains("--mock-host "),
            "{path}: {c}"
        );
    }
    // Reports are kept whatever the verdict (exit 1 fails the job).
    assert!(text.contains("reports/"), "{path}");
    assert!(
        text.contains("when: always") || text.contains("if: always()"),
        "{path}: reports uploaded on failure too"
    );
}

#[test]
fn github_actions_recipe() {
    check_recipe("github/hil.yml", Some("jobs"));
    let (text, yaml) = ci("github/hil.yml");
    assert_eq!(yaml["jobs"]["certify"]["needs"], "spec-gate");
    // Lab hardware never runs pull requests' code (forks' included), and one run at a time.
    assert!(yaml["on"].get("pull_request").is_none(), "{}", yaml["on"]);
    assert!(yaml["on"].get("pull_request_target").is_none());
    assert_eq!(yaml["concurrency"]["cancel-in-progress"], false);
    assert!(yaml["concurrency"]["group"].is_string());
    // The verdict on the run's page.
    assert!(text.contains(
        "atspec report summary --markdown reports/atspec.json >> \"$GITHUB_STEP_SUMMARY\""
    ));
}

#[test]
fn gitlab_recipe_with_shards_and_merge() {
    check_recipe("gitlab/gitlab-ci.yml", None);
    let (text, _) = ci("gitlab/gitlab-ci.yml");
    assert!(text.contains("--shard \"$CI_NODE_INDEX/$CI_NODE_TOTAL\""));
    assert!(text.contains("atspec report merge"));
    // Only the merged JUnit is a test report: the shards' would count every test twice.
    let (_, yaml) = ci("gitlab/gitlab-ci.yml");
    assert!(yaml["certify"]["artifacts"].get("reports").is_none());
    assert_eq!(
        yaml["report"]["artifacts"]["reports"]["junit"],
        "reports/atspec.xml"
    );
}

#[test]
fn labgrid_recipe() {
    check_recipe("labgrid/gitlab-labgrid.yml", None);
    let (text, _) = ci("labgrid/gitlab-labgrid.yml");
    assert!(text.contains("--device \"labgrid:$LG_PLACE@$LG_COORDINATOR\""));
    assert!(text.contains("ATSPEC_LABGRID_CLIENT"));
    // A busy place is waited for, and the module is reset by the place's power driver.
    let reserve = text.find("reserve --wait").expect("reserve --wait");
    assert!(reserve < text.find("atspec certify").unwrap());
    assert!(text.contains("--reset \"cmd:.venv/bin/labgrid-client -p $LG_PLACE power cycle\""));
    assert!(!text.contains("--reset dtr-rts") && !text.contains("--reset rfc2217"));
}

/// A recipe's `atspec` command lines, in order, with shell quotes and redirections gone and
/// the jobs' variables set to local values (the virtual board, this test's loopback).
fn local_commands(path: &str, bind: &str) -> Vec<(Vec<String>, Option<String>)> {
    let (_, yaml) = ci(path);
    let mut all = Vec::new();
    strings(&yaml, &mut all);
    let host = bind.trim_end_matches(":0");
    all.iter()
        .filter(|s| s.starts_with("target/release/atspec "))
        .flat_map(|line| {
            // GitLab's `parallel: 2` runs the shard line once per node.
            let nodes: Vec<u32> = if line.contains("$CI_NODE_INDEX") {
                vec![1, 2]
            } else {
                vec![0]
            };
            nodes.into_iter().map(move |node| {
                let (cmd, redirect) = match line.split_once(" >> ") {
                    Some((c, r)) => (c.to_string(), Some(r.to_string())),
                    None => (line.clone(), None),
                };
                let filled = cmd
                    .replace("${{ vars.RUNNER_LAN_IP }}", host)
                    .replace("$RUNNER_LAN_IP", host)
                    .replace("0.0.0.0:0", bind)
                    .replace("$CI_NODE_INDEX/$CI_NODE_TOTAL", &format!("{node}/2"))
                    .replace("$CI_NODE_INDEX", &node.to_string());
                let words = common::shell_words(&filled).into_iter().skip(1).collect();
                (words, redirect)
            })
        })
        .collect()
}

/// Runs a recipe's command lines in `dir` as its CI job would: shell globs expanded, the
/// `ATSPEC_*` variables of the job replaced by local ones. Returns each line's exit status
/// and standard output.
fn run_recipe(path: &str, dir: &std::path::Path) -> Vec<(String, i32, String)> {
    let bind = common::own_loopback();
    let mut out = Vec::new();
    for (words, _) in local_commands(path, &bind) {
        let mut args = Vec::new();
        for w in &words {
            match w.strip_suffix("*.json") {
                // `reports/shard-*.json`: the shell's glob, sorted.
                Some(prefix) => {
                    let (folder, stem) = prefix.rsplit_once('/').unwrap();
                    let mut found: Vec<String> = std::fs::read_dir(dir.join(folder))
                        .unwrap()
                        .filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| n.starts_with(stem) && n.ends_with(".json"))
                        .map(|n| format!("{folder}/{n}"))
                        .collect();
                    found.sort();
                    args.extend(found);
                }
                None => args.push(w.clone()),
            }
        }
        let r = std::process::Command::new(env!("CARGO_BIN_EXE_atspec"))
            .current_dir(dir)
            .args(&args)
            // The job's variables, local: the virtual board as ESP-AT 4.1 (for --profile
            // auto), no hardware reset, no Wi-Fi setup, no PKI; a short run.
            .env("ATSPEC_DEVICE", "virtual")
            .env("ATSPEC_ESP_AT_VERSION", "4.1")
            .env("ATSPEC_RESET", "none")
            .env("ATSPEC_CASES", "2")
            .env("ATSPEC_SKIP_TIMING", "true")
            .env("ATSPEC_QUIET", "true")
            .env_remove("ATSPEC_PKI")
            .env_remove("ATSPEC_SETUP")
            .output()
            .unwrap();
        out.push((
            args.join(" "),
            r.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&r.stdout).into_owned(),
        ));
    }
    out
}

#[test]
fn the_github_recipe_runs_for_real() {
    let dir = common::tempdir("recipe-github");
    let runs = run_recipe("github/hil.yml", &dir);
    let summary: Vec<String> = runs
        .iter()
        .map(|(c, code, _)| format!("{code} {c}"))
        .collect();
    assert_eq!(runs.len(), 2, "{summary:?}");
    // Timing checks skipped (a short test run): INCOMPLETE, and nothing failed.
    assert_eq!(runs[0].1, 3, "{summary:?}");
    let report = std::fs::read_to_string(dir.join("reports/atspec.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    // `--profile auto` read the board's AT+GMR.
    assert_eq!(
        report["verdicts"][0]["profile"], "esp-at-4.1",
        "{}",
        report["verdicts"]
    );
    assert!(dir.join("reports/atspec.html").is_file() && dir.join("reports/atspec.xml").is_file());
    // The step summary: the verdict heading and the profiles' table.
    assert_eq!(runs[1].1, 3);
    assert!(
        runs[1].2.starts_with("## ⚠️ atspec: INCOMPLETE"),
        "{}",
        runs[1].2
    );
    assert!(runs[1].2.contains("| profile | verdict |"), "{}", runs[1].2);
}

#[test]
fn the_gitlab_recipe_runs_for_real() {
    let dir = common::tempdir("recipe-gitlab");
    let runs = run_recipe("gitlab/gitlab-ci.yml", &dir);
    let codes: Vec<i32> = runs.iter().map(|r| r.1).collect();
    // Two shards (each INCOMPLETE alone, as the job allows), then the merge.
    assert_eq!(runs.len(), 3, "{runs:?}");
    assert_eq!(codes, [3, 3, 3], "{runs:?}");
    let merged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reports/atspec.json")).unwrap())
            .unwrap();
    assert_eq!(merged["scope"]["shards"], serde_json::json!([1, 2]));
    // Only the timing checks are unproved: the shards together are the whole run.
    let gaps: Vec<&str> = merged["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert!(gaps[0].starts_with("timing checks skipped"), "{gaps:?}");
}
