// The 11-line mix of HTTP command lines both parse benches time: this one (Rust) and
// codegen/c-tests/benches/parse.rs (Rust beside the generated C). Included, not a module.

/// The bytes a parser reads in one batch: the lines without their CR LF.
fn mix_bytes() -> u64 {
    MIX.iter().map(|l| l.len() as u64).sum()
}

/// One batch: every line of the mix through `parse`, each of which must accept it (else the
/// bench would time rejections).
fn parse_batch(mut parse: impl FnMut(&[u8]) -> bool) {
    let ok = MIX
        .iter()
        .filter(|line| parse(std::hint::black_box(line)))
        .count();
    assert_eq!(ok, MIX.len());
}

/// Realistic command lines, terminator removed: every form of the HTTP set plus the base.
const MIX: &[&[u8]] = &[
    br#"AT+HTTPCLIENT=2,0,"http://httpbin.org/get","httpbin.org","/get",1"#,
    br#"AT+HTTPCLIENT=3,1,"http://192.168.4.2:8080/api/v1/telemetry",,,1,"{\"t\":21.5\,\"h\":40\,\"id\":\"dev-42\"}","Authorization: Bearer abcdef0123456789""#,
    br#"AT+HTTPCGET="https://example.com/firmware/v2/image.bin",1024,4096,30000"#,
    br#"AT+HTTPGETSIZE="http://www.baidu.com/img/bdlogo.gif""#,
    br#"AT+HTTPCPOST="http://h.example/upload",1024,2,"Content-Type: application/octet-stream","X-Device: 42""#,
    br#"AT+HTTPCPUT="",512"#,
    b"AT+HTTPURLCFG=300",
    b"AT+HTTPCHEAD=18",
    b"AT+HTTPCFG=2,0,0",
    b"AT+SYSLOG=1",
    b"AT",
];
