// The spec error must be reported at the macro's string literal with the YAML's file:line:col.
atspec_codegen::device!("../../../../fixtures/spec/broken-duplicate-id.yaml");

fn main() {}
