//! The CI recipes in `ci/` are YAML that parses, gate on the spec (`ci/spec-gate.sh`) in a job
//! of its own, certify with options this `atspec` accepts (each command line is run with
//! `--help` appended, so clap checks every flag and value), and keep JUnit and HTML reports.

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
        .replace("$CI_NODE_INDEX/$CI_NODE_TOTAL", "1/2")
        .replace("$CI_NODE_INDEX", "1")
        .replace("$LG_PLACE@$LG_COORDINATOR", "place@127.0.0.1:20408")
        .replace('"', "");
    let mut words: Vec<&str> = filled.split_whitespace().collect();
    assert_eq!(words.remove(0), "target/release/atspec", "{line}");
    words.push("--help");
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
    let (_, yaml) = ci("github/hil.yml");
    assert_eq!(yaml["jobs"]["certify"]["needs"], "spec-gate");
}

#[test]
fn gitlab_recipe_with_shards_and_merge() {
    check_recipe("gitlab/gitlab-ci.yml", None);
    let (text, _) = ci("gitlab/gitlab-ci.yml");
    assert!(text.contains("--shard \"$CI_NODE_INDEX/$CI_NODE_TOTAL\""));
    assert!(text.contains("atspec report merge"));
}

#[test]
fn labgrid_recipe() {
    check_recipe("labgrid/gitlab-labgrid.yml", None);
    let (text, _) = ci("labgrid/gitlab-labgrid.yml");
    assert!(text.contains("--device \"labgrid:$LG_PLACE@$LG_COORDINATOR\""));
    assert!(text.contains("ATSPEC_LABGRID_CLIENT"));
}
