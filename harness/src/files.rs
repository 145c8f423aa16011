//! Files the harness reads from users and writes for them, written as a careful tool does:
//! inputs must be regular files of a stated size (a spec, profile or report given as
//! `/dev/zero` or a FIFO is refused, not read forever), and private material is created with
//! its final mode at open (never chmod after), never through a symbolic link, and never over an
//! existing file unless asked (then through a temporary file renamed into place, which replaces
//! a link rather than writing where it points).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Mode of private keys and logs that carry a device's whole conversation (as OpenSSH keeps
/// its keys).
pub const PRIVATE: u32 = 0o600;
/// Mode of public material (certificates, a README).
pub const PUBLIC: u32 = 0o644;

/// Checks that `path` is a regular file of at most `max` bytes before it is read; `what`
/// names it in the error.
pub fn check_input(path: &Path, max: u64, what: &str) -> Result<(), String> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("{shown}: error: cannot read the {what}: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "{shown}: error: the {what} must be a regular file (not a device, FIFO or directory)"
        ));
    }
    if meta.len() > max {
        return Err(format!(
            "{shown}: error: the {what} is {} bytes; at most {max} are read",
            meta.len()
        ));
    }
    Ok(())
}

/// Reads a text input after [`check_input`].
pub fn read_input(path: &Path, max: u64, what: &str) -> Result<String, String> {
    check_input(path, max, what)?;
    std::fs::read_to_string(path)
        .map_err(|e| format!("{}: error: cannot read the {what}: {e}", path.display()))
}

/// Creates `path` with `mode`, refusing an existing file or link; with `replace`, writes a
/// temporary file beside it and renames it over the old one.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32, replace: bool) -> std::io::Result<()> {
    let create = |p: &Path| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .mode(mode)
            .open(p)
    };
    if !replace {
        let mut f = create(path)?;
        return f.write_all(bytes).and_then(|()| f.sync_all());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut f = create(&tmp)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("atspec-files-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn keys_are_private_at_creation_and_links_are_never_followed() {
        let d = dir("keys");
        let key = d.join("k.pem");
        write_new(&key, b"secret", PRIVATE, false).unwrap();
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // An existing file is refused without `replace`.
        assert!(write_new(&key, b"again", PRIVATE, false).is_err());
        // A link to a victim: refused, and with `replace` the link is replaced, the victim
        // untouched.
        let victim = d.join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        let link = d.join("l.pem");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(write_new(&link, b"key", PRIVATE, false).is_err());
        write_new(&link, b"key", PRIVATE, true).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "key");
        assert!(
            !std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn inputs_must_be_small_regular_files() {
        let e = check_input(Path::new("/dev/zero"), 1024, "spec").unwrap_err();
        assert!(e.contains("must be a regular file"), "{e}");
        let d = dir("inputs");
        let big = d.join("big.yaml");
        std::fs::write(&big, vec![b'#'; 2048]).unwrap();
        let e = check_input(&big, 1024, "device profile").unwrap_err();
        assert!(e.contains("is 2048 bytes; at most 1024"), "{e}");
        assert!(check_input(&big, 4096, "device profile").is_ok());
        let _ = std::fs::remove_dir_all(&d);
    }
}
