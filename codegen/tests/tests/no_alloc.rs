//! `parse`, `dispatch`'s inputs and the response writers never touch the heap: a counting global
//! allocator sees zero allocations while they run over a mix of valid and invalid lines.
// A global allocator is an unsafe trait; this test is the one place the workspace allows it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use atspec_codegen_tests::device;

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarding to the system allocator with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the pointer came from `alloc` above with the same layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

struct Sink([u8; 128], usize);
impl atspec_rt::ByteSink for Sink {
    fn put(&mut self, b: &[u8]) {
        let n = b.len().min(self.0.len() - self.1);
        self.0[self.1..self.1 + n].copy_from_slice(&b[..n]);
        self.1 += n;
    }
}

#[test]
fn parsing_and_writing_allocate_nothing() {
    let lines: [&[u8]; 8] = [
        br#"AT+HTTPCLIENT=3,1,"http://h/post",,,1,"{\"a\":1\,\"b\":2}","X-A: b""#,
        br#"AT+HTTPCGET="http://h/file",0,4096,30000"#,
        br#"AT+HTTPCPOST="",100,2,"Content-Type: text/plain","X-B: c""#,
        b"AT+HTTPURLCFG=8192",
        b"AT+HTTPCFG=3,0,0",
        b"AT+NOSUCH",
        br#"AT+HTTPCGET="u",abc"#,
        b"AT+SYSLOG?",
    ];
    let mut scratch = [0u8; 256];
    let mut sink = Sink([0; 128], 0);
    let before = ALLOCS.load(Ordering::SeqCst);
    let mut accepted = 0;
    for _ in 0..100 {
        for line in lines {
            if device::parse(line, &mut scratch).is_ok() {
                accepted += 1;
            }
        }
        sink.1 = 0;
        device::respond::http_c_get_body(&mut sink, b"payload");
        device::respond::err_code_line(&mut sink, device::err_code::http_status(404));
    }
    let after = ALLOCS.load(Ordering::SeqCst);
    assert_eq!(accepted, 600);
    assert_eq!(after - before, 0, "parse or a writer allocated");
}
