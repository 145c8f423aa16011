//! `cargo run -p atspec-spec --example lint -- FILE`: the lint without the CLI.
fn main() {
    let path = std::env::args().nth(1).expect("usage: lint FILE");
    match atspec_spec::load(&path) {
        Ok(s) => println!(
            "ok: {} commands, {} clauses",
            s.commands.len(),
            s.clauses.len()
        ),
        Err(d) => {
            println!("{d}");
            std::process::exit(1)
        }
    }
}
