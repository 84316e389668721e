//! Parses a generated calendar repeatedly (for profilers):
//! `profile_parse [MB] [iterations] [parse|write|stream-write|lex|calcard]`.
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
    let Ok(data) = oxpim_benches::calendar(mb, lf) else {
        eprintln!("cannot generate input");
        std::process::exit(2);
    };
    let mut n = 0usize;
    let doc = oxpim::Parser::new().parse(&data).document;
    for _ in 0..iters {
        n += match what.as_str() {
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
            _ => oxpim::Parser::new().parse(&data).document.components.len(),
        };
    }
    println!("{n}");
}
