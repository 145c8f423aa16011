//! `atspec pki init DIR`: a persistent PKI to provision into a device, so that a real module
//! can be certified on every TLS trust check (`atspec certify --pki DIR`).

use std::path::PathBuf;
use std::process::ExitCode;

/// `atspec pki …`.
#[derive(Debug, clap::Subcommand)]
pub enum PkiCommand {
    /// Write a CA the device trusts and a client identity it presents, as PEM files, with a
    /// README on loading them into ESP-AT (AT+SYSMFG or the mfg_nvs partition).
    Init {
        /// Directory to write (created if missing).
        dir: PathBuf,
        /// Replace a PKI that is already there.
        #[arg(long)]
        force: bool,
    },
}

/// Runs `atspec pki …`.
pub fn run(c: PkiCommand) -> ExitCode {
    match c {
        PkiCommand::Init { dir, force } => match atspec::mock::tls::provision(&dir, force) {
            Ok(files) => {
                for f in files {
                    println!("wrote {}", f.display());
                }
                println!(
                    "load ca.crt, client.crt and client.key into the device (see {}), then: atspec certify --device … --pki {}",
                    dir.join("README.md").display(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("atspec pki init: {e}");
                ExitCode::from(2)
            }
        },
    }
}
