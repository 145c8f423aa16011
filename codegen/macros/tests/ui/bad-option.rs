// An unknown macro option is named at its own span.
atspec_codegen::host!("../../../../spec/esp-at-http.yaml", runtim = ::atspec_rt);

fn main() {}
