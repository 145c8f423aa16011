//! A `#![no_std]` crate without `alloc` that expands `device!` and drives it through a
//! `Handler`: if the generated code (or `atspec-rt` without features) needed std or a heap,
//! this crate would not compile. CI also builds it on its own (`cargo build -p
//! atspec-nostd-check`) so feature unification cannot hide a std dependency of the runtime.
#![no_std]

/// The generated device side.
pub mod device {
    atspec_codegen::device!("../../../spec/esp-at-http.yaml");
}

use atspec_rt::ByteSink;
use device::{Command, Handler, Reply, respond};

/// A fixed-size output buffer, as a UART driver would have.
pub struct Uart {
    buf: [u8; 512],
    len: usize,
}

impl Default for Uart {
    fn default() -> Self {
        Uart {
            buf: [0; 512],
            len: 0,
        }
    }
}

impl Uart {
    /// Bytes written so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl ByteSink for Uart {
    fn put(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }
}

/// A tiny handler: answers the base commands and reports HTTPCGET sizes from its arguments.
pub struct Tiny<'u> {
    /// Where replies go.
    pub uart: &'u mut Uart,
}

macro_rules! ok {
    ($($m:ident),*) => { $( fn $m(&mut self) { respond::reply(self.uart, Reply::Ok) } )* };
}

impl Handler for Tiny<'_> {
    type Output = ();
    ok!(
        at,
        echo_off,
        echo_on,
        gmr,
        rst,
        syslog_query,
        http_url_cfg_query,
        http_c_head_query
    );
    fn syslog_set(&mut self, _: &device::SyslogSet) {
        respond::reply(self.uart, Reply::Ok)
    }
    fn http_client(&mut self, c: &device::HttpClient<'_>) {
        respond::http_client_body(self.uart, c.url_or_default());
        respond::reply(self.uart, Reply::Ok)
    }
    fn http_get_size(&mut self, c: &device::HttpGetSize<'_>) {
        respond::http_get_size_size(self.uart, c.rx_size_or_default() as i64);
        respond::reply(self.uart, Reply::Ok)
    }
    fn http_c_get(&mut self, c: &device::HttpCGet<'_>) {
        respond::http_c_get_body(self.uart, c.url_or_default());
        respond::reply(self.uart, Reply::Ok)
    }
    fn http_c_post(&mut self, _: &device::HttpCPost<'_>) {
        respond::reply(self.uart, Reply::Prompt)
    }
    fn http_c_put(&mut self, _: &device::HttpCPut<'_>) {
        respond::reply(self.uart, Reply::Prompt)
    }
    fn http_url_cfg_set(&mut self, _: &device::HttpUrlCfgSet) {
        respond::reply(self.uart, Reply::Prompt)
    }
    fn http_c_head_set(&mut self, _: &device::HttpCHeadSet) {
        respond::reply(self.uart, Reply::Prompt)
    }
    fn http_cfg(&mut self, _: &device::HttpCfg) {
        respond::reply(self.uart, Reply::Ok)
    }
}

/// Runs one line the way firmware would: parse with a stack scratch buffer, then dispatch or
/// print the rejection.
pub fn run_line(line: &[u8], uart: &mut Uart, syslog: bool) {
    let mut scratch = [0u8; device::LINE_BYTES];
    match device::parse(line, &mut scratch) {
        Ok(cmd) => {
            let cmd: Command<'_> = cmd;
            device::dispatch(&cmd, &mut Tiny { uart });
        }
        Err(r) => {
            if let (true, Some(code)) = (syslog, r.err_code) {
                respond::err_code_line(uart, code);
            }
            uart.put(r.result);
        }
    }
}
