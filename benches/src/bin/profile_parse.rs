//! Parses a generated calendar repeatedly (for profilers):
//! `profile_parse [MB] [iterations] [parse|parse-vec|write|stream-write|lex|calcard]`.
//! Prints the time per input byte of the loop to stderr; `parse-vec` hands
//! a fresh copy of the input to `Parser::parse_vec` in each iteration and
//! times the parse and the freeing of its tree apart (the copy is not timed).
#![allow(missing_docs)]
fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let iters: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let what = std::env::args().nth(3).unwrap_or_else(|| "parse".into());
    // `OXPIM_LF=1` profiles the LF-only variant of the generated file.
    let lf = std::env::var_os("OXPIM_LF").is_some();
    // `OXPIM_THREADS=N` parses with `ParseOptions::threads = N`.
    let threads: usize = std::env::var("OXPIM_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let parser = oxpim::Parser::with_options(oxpim::ParseOptions {
        threads,
        ..oxpim::ParseOptions::default()
    });
    let Ok(data) = oxpim_benches::calendar(mb, lf) else {
        eprintln!("cannot generate input");
        std::process::exit(2);
    };
    let mut n = 0usize;
    let doc = oxpim::Parser::new().parse(&data).document;
    let mut spent = std::time::Duration::ZERO;
    let mut dropping = std::time::Duration::ZERO;
    for _ in 0..iters {
        let t = std::time::Instant::now();
        n += match what.as_str() {
            "parse-vec" => {
                let owned = data.clone();
                let t2 = std::time::Instant::now();
                let parsed = parser.parse_vec(owned);
                spent += t2.elapsed();
                let t3 = std::time::Instant::now();
                let k = parsed.document.components.len();
                drop(parsed);
                dropping += t3.elapsed();
                k
            }
            "write" => {
                oxpim::contentline::write_document(&doc, &oxpim::WriteOptions::canonical()).len()
            }
            "stream-write" => {
                let mut sink = std::io::sink();
                oxpim::contentline::write_document_to(
                    &doc,
                    &oxpim::WriteOptions::canonical(),
                    &mut sink,
                )
                .map_or(0, |()| 1)
            }
            "lex" => oxpim::lexer::Lexer::new(&data).count(),
            "calcard" => {
                calcard::icalendar::ICalendar::parse(std::str::from_utf8(&data).unwrap_or(""))
                    .map(|c| c.components.len())
                    .unwrap_or(0)
            }
            _ => parser.parse(&data).document.components.len(),
        };
        if what != "parse-vec" {
            spent += t.elapsed();
        }
    }
    eprintln!(
        "{:.3} ns/byte, drop {:.3}",
        spent.as_nanos() as f64 / (iters * data.len()) as f64,
        dropping.as_nanos() as f64 / (iters * data.len()) as f64
    );
    println!("{n}");
}
