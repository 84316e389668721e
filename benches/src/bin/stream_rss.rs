//! Streams a large calendar file through `StreamReader` and reports the
//! items read, the throughput and the peak resident set size.
//!
//! `stream_rss FILE` reads FILE; `stream_rss --make FILE MB` first writes a
//! calendar of about MB megabytes by repeating the events of the generated
//! 10 MB calendar inside one VCALENDAR.
#![allow(missing_docs)]

use std::io::{BufWriter, Write};
use std::time::Instant;

use oxpim::{ParseOptions, StreamReader};

fn make(path: &str, mb: usize) -> std::io::Result<()> {
    let seed = oxpim_benches::calendar(10, false)?;
    let text = String::from_utf8_lossy(&seed).into_owned();
    let first = text.find("BEGIN:VEVENT").unwrap_or(0);
    let last = text.rfind("END:VCALENDAR").unwrap_or(text.len());
    let (head, events) = (&text[..first], &text[first..last]);
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    out.write_all(head.as_bytes())?;
    let target = mb * 1_000_000;
    let mut written = head.len();
    while written < target {
        out.write_all(events.as_bytes())?;
        written += events.len();
    }
    out.write_all(b"END:VCALENDAR\r\n")?;
    out.flush()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = match args.as_slice() {
        [flag, path, mb] if flag == "--make" => {
            let mb: usize = mb.parse().unwrap_or(1000);
            if let Err(e) = make(path, mb) {
                eprintln!("cannot write {path}: {e}");
                std::process::exit(2);
            }
            path.clone()
        }
        [path] => path.clone(),
        _ => {
            eprintln!("usage: stream_rss FILE | stream_rss --make FILE MB");
            std::process::exit(2);
        }
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot open {path}: {e}");
            std::process::exit(2);
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = Instant::now();
    let mut items = 0u64;
    let mut properties = 0u64;
    let mut errors = 0u64;
    for item in StreamReader::new(file, ParseOptions::default()) {
        match item {
            Ok(it) => {
                items += 1;
                properties += it.component.properties.len() as u64;
            }
            Err(e) => {
                errors += 1;
                eprintln!("error: {e}");
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let rss = oxpim_benches::peak_rss_bytes().unwrap_or(0);
    println!(
        "{{\"bytes\": {size}, \"items\": {items}, \"properties\": {properties}, \"errors\": {errors}, \"seconds\": {secs:.3}, \"mb_per_s\": {:.1}, \"peak_rss_bytes\": {rss}}}",
        size as f64 / 1e6 / secs
    );
}
