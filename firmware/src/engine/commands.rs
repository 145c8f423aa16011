//! The command handlers the generated dispatcher calls: base commands and the HTTP
//! configuration commands answer at once; the transfer commands start a transaction
//! ([`super::http`]).

use atspec_rt::ByteSink;

use super::{DataFor, Engine, RESERVE, Streaming};
use crate::device::{self, Reply, respond};
use crate::http::Fill;
use crate::net::HttpCommand;
use crate::store::Auth;

impl<const TX: usize, const RX: usize> device::Handler for Engine<TX, RX> {
    type Output = ();

    fn at(&mut self) {
        implements!(BaseAtOk);
        self.reply(Reply::Ok);
    }

    fn echo_off(&mut self) {
        implements!(EchoSwitch);
        self.echo = false;
        self.reply(Reply::Ok);
    }

    fn echo_on(&mut self) {
        implements!(EchoSwitch);
        self.echo = true;
        self.reply(Reply::Ok);
    }

    fn gmr(&mut self) {
        implements!(BaseGmrVersionLines);
        let mut line = [0u8; 64];
        match self.profile.and_then(|p| p.esp_at_version) {
            Some((major, minor)) => {
                implements!(BaseGmrAtVersion);
                // ESP-AT's layout: `AT version:x.y.0.0(<build>)`.
                let mut w = Fill::new(&mut line);
                w.put(b"AT version:");
                atspec_rt::sink::put_decimal(&mut w, i64::from(major));
                w.put(b".");
                atspec_rt::sink::put_decimal(&mut w, i64::from(minor));
                w.put(concat!(".0.0(atspec ", env!("CARGO_PKG_VERSION"), ")").as_bytes());
                let n = w.len;
                respond::gmr_version(&mut self.out, &line[..n]);
            }
            None => respond::gmr_version(
                &mut self.out,
                concat!("AT version:atspec ", env!("CARGO_PKG_VERSION")).as_bytes(),
            ),
        }
        let mut w = Fill::new(&mut line);
        w.put(b"Spec version:");
        w.put(device::SPEC_NAME.as_bytes());
        w.put(b" ");
        w.put(device::SPEC_VERSION.as_bytes());
        let n = w.len;
        respond::gmr_version(&mut self.out, &line[..n]);
        self.reply(Reply::Ok);
    }

    fn rst(&mut self) {
        implements!(BaseRstReady);
        self.reply(Reply::Ok);
        self.reset();
        self.reply(Reply::Ready);
    }

    fn syslog_query(&mut self) {
        implements!(SyslogQuery);
        respond::syslog_query_status(&mut self.out, i64::from(self.syslog));
        self.reply(Reply::Ok);
        #[cfg(feature = "mutants")]
        if self.quirk(crate::quirk::Quirk::LateTrailer) {
            self.late_trailer = Some(0);
        }
    }

    fn syslog_set(&mut self, cmd: &device::SyslogSet) {
        implements!(SyslogSet);
        self.syslog = cmd.status == device::SyslogSetStatus::On;
        self.reply(Reply::Ok);
    }

    fn http_client(&mut self, cmd: &device::HttpClient<'_>) {
        self.start_client(cmd);
    }

    fn http_get_size(&mut self, cmd: &device::HttpGetSize<'_>) {
        let sizes = (
            cmd.tx_size_or_default(),
            cmd.rx_size_or_default(),
            cmd.timeout_or_default(),
        );
        self.start_sized(HttpCommand::GetSize, cmd.url, sizes);
    }

    fn http_c_get(&mut self, cmd: &device::HttpCGet<'_>) {
        let sizes = (
            cmd.tx_size_or_default(),
            cmd.rx_size_or_default(),
            cmd.timeout_or_default(),
        );
        self.start_sized(HttpCommand::CGet, cmd.url, sizes);
    }

    fn http_c_post(&mut self, cmd: &device::HttpCPost<'_>) {
        self.start_send(false, cmd.url, cmd.length, cmd.http_req_header.as_slice());
    }

    fn http_c_put(&mut self, cmd: &device::HttpCPut<'_>) {
        self.start_send(true, cmd.url, cmd.length, cmd.http_req_header.as_slice());
    }

    fn http_url_cfg_query(&mut self) {
        implements!(HttpurlcfgQuery);
        let Engine { url, out, .. } = self;
        match url.get() {
            // Fits the reserve (with its header and OK): answered at once.
            Some(u) if u.len() + 32 <= RESERVE => {
                respond::http_url_cfg_query_url(out, u);
                self.reply(Reply::Ok);
            }
            // Up to 8192 bytes: written by `poll_transmit` straight from the store; input
            // meanwhile is input to a running command.
            Some(u) => {
                respond::http_url_cfg_query_url_head(out, u.len());
                self.streaming = Streaming::Url { at: 0 };
            }
            None => self.reply(Reply::Ok),
        }
    }

    fn http_url_cfg_set(&mut self, cmd: &device::HttpUrlCfgSet) {
        implements!(HttpurlcfgLengthRange);
        if cmd.url_length == 0 {
            implements!(HttpurlcfgClear);
            self.url.clear();
            self.reply(Reply::Ok);
            return;
        }
        let n = cmd.url_length as usize;
        self.url.begin(n);
        self.start_data(DataFor::Url, n);
    }

    fn http_c_head_query(&mut self) {
        implements!(HttpcheadQuery);
        // `+HTTPCHEAD:<i>,"…"` CR LF per entry, then OK: at once when it fits the reserve.
        let size: usize = self.headers.iter().map(|e| e.len() + 20).sum::<usize>() + 8;
        if size > RESERVE {
            self.streaming = Streaming::Headers { next: 0 };
            return;
        }
        let Engine { headers, out, .. } = self;
        for (i, entry) in headers.iter().enumerate() {
            respond::http_c_head_query_entry(out, i as i64, entry);
        }
        self.reply(Reply::Ok);
    }

    fn http_c_head_set(&mut self, cmd: &device::HttpCHeadSet) {
        let n = cmd.req_header_len as usize;
        if n == 0 {
            implements!(HttpcheadClear);
            self.headers.clear();
            self.reply(Reply::Ok);
            return;
        }
        if !self.can_store_header(n) {
            implements!(HttpcheadLengthRange);
            self.reply(Reply::Error);
            return;
        }
        implements!(HttpcheadPrompt);
        self.headers.begin();
        self.start_data(DataFor::Header, n);
    }

    fn http_cfg(&mut self, cmd: &device::HttpCfg) {
        implements!(HttpcfgModeMeaning, HttpcfgGlobal);
        let mode = cmd.auth_mode.value() as u8;
        let pki = cmd.pki_number.unwrap_or(0).max(0) as u32;
        let ca = cmd.ca_number.unwrap_or(0).max(0) as u32;
        let p = self.config.pki;
        if mode & 1 != 0 {
            implements!(HttpcfgNoCert);
            if pki >= p.certs {
                respond::http_cfg_no_cert(&mut self.out);
                return self.reply(Reply::Error);
            }
            if pki >= p.keys {
                respond::http_cfg_no_key(&mut self.out);
                return self.reply(Reply::Error);
            }
        }
        if mode & 2 != 0 && ca >= p.cas {
            implements!(HttpcfgNoCa);
            respond::http_cfg_no_ca(&mut self.out);
            return self.reply(Reply::Error);
        }
        self.auth = Auth { mode, pki, ca };
        self.reply(Reply::Ok);
    }
}
