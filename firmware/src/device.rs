//! The code generated from the spec (parser, dispatcher, writers, clauses, limits).

atspec_codegen::device!("../../spec/esp-at-http.yaml");
