//! Lexing, parsing and writing throughput, against calcard, ical and
//! icalendar on the same generated files (1, 10 and 50 MB; CRLF and LF),
//! plus pathological inputs for the linear-time claim.
//!
//! Run with `cargo bench -p oxpim-benches` or `cargo xtask bench`.
//! `OXPIM_BENCH_SIZES=1,10` limits the sizes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use oxpim::contentline::{ParseOptions, Parser, WriteOptions, write_document, write_document_to};
use oxpim::lexer::Lexer;
use oxpim_benches::calendar;

fn sizes() -> Vec<usize> {
    std::env::var("OXPIM_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 10, 50])
}

fn config(
    c: &mut Criterion,
    mb: usize,
) -> criterion::BenchmarkGroup<'_, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(format!("{mb}MB"));
    g.sample_size(if mb >= 50 { 10 } else { 20 });
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(if mb >= 50 { 10 } else { 4 }));
    g
}

fn lex_count(input: &[u8]) -> usize {
    let mut n = 0usize;
    for line in Lexer::new(input) {
        n += line.value().len() + line.name().len();
    }
    n
}

fn text_benches(c: &mut Criterion) {
    for mb in sizes() {
        for lf in [false, true] {
            let data = calendar(mb, lf)
                .expect("generate bench input (needs python3 and ../shared/tools/gen_ics.py)");
            let text = std::str::from_utf8(&data).expect("generated input is UTF-8");
            let tag = if lf { "lf" } else { "crlf" };
            let mut g = config(c, mb);
            g.throughput(Throughput::Bytes(data.len() as u64));

            g.bench_with_input(BenchmarkId::new("lex/oxpim", tag), &data, |b, d| {
                b.iter(|| lex_count(black_box(d)))
            });
            // Every whole-document parse below returns its tree and has it
            // freed outside the timed region, one iteration at a time
            // (`PerIteration`: no two trees alive at once): the figure is
            // the parse. Freeing oxpim's tree is measured on its own
            // (`drop/oxpim`).
            g.bench_with_input(BenchmarkId::new("parse/oxpim", tag), &data, |b, d| {
                b.iter_batched(
                    || (),
                    |()| Parser::new().parse(black_box(d)),
                    BatchSize::PerIteration,
                )
            });
            // The buffer read from a file handed over (`parse_vec`, what
            // the `oxpim` command does): the input is not copied.
            g.bench_with_input(BenchmarkId::new("parse-owned/oxpim", tag), &data, |b, d| {
                b.iter_batched(
                    || d.clone(),
                    |v| Parser::new().parse_vec(black_box(v)),
                    BatchSize::PerIteration,
                )
            });
            // The same parse on two threads (`ParseOptions::threads`, not
            // the default; below 2 MiB it runs on one).
            let two = Parser::with_options(ParseOptions {
                threads: 2,
                ..ParseOptions::default()
            });
            g.bench_with_input(
                BenchmarkId::new("parse-2-threads/oxpim", tag),
                &data,
                |b, d| b.iter_batched(|| (), |()| two.parse(black_box(d)), BatchSize::PerIteration),
            );
            g.bench_with_input(BenchmarkId::new("drop/oxpim", tag), &data, |b, d| {
                b.iter_batched(
                    || Parser::new().parse_vec(d.clone()),
                    drop,
                    BatchSize::PerIteration,
                )
            });
            g.bench_with_input(BenchmarkId::new("stream/oxpim", tag), &data, |b, d| {
                b.iter(|| {
                    oxpim::StreamReader::new(black_box(&d[..]), oxpim::ParseOptions::default())
                        .map(|item| item.map(|i| i.component.properties.len()).unwrap_or(0))
                        .sum::<usize>()
                })
            });
            g.bench_with_input(BenchmarkId::new("parse/calcard", tag), &text, |b, t| {
                b.iter_batched(
                    || (),
                    |()| calcard::icalendar::ICalendar::parse(black_box(t)),
                    BatchSize::PerIteration,
                )
            });
            g.bench_with_input(BenchmarkId::new("parse/ical", tag), &data, |b, d| {
                b.iter_batched(
                    || (),
                    |()| {
                        ical::IcalParser::new(black_box(&d[..]))
                            .filter_map(Result::ok)
                            .collect::<Vec<_>>()
                    },
                    BatchSize::PerIteration,
                )
            });
            // icalendar is quadratic on LF-only input (peers.md §4): only
            // the CRLF files, and only up to 10 MB. Its calendar borrows the
            // unfolded text made inside the routine, so it cannot be
            // returned: here freeing is timed with the parse.
            if !lf && mb <= 10 {
                g.bench_with_input(BenchmarkId::new("parse/icalendar", tag), &text, |b, t| {
                    b.iter(|| {
                        let unfolded = icalendar::parser::unfold(black_box(t));
                        icalendar::parser::read_calendar(&unfolded)
                            .map(|c| c.components.len())
                            .unwrap_or(0)
                    })
                });
            }
            if !lf {
                let doc = Parser::new().parse(&data).document;
                // The written text, like the peers' strings, is freed
                // outside the timed region.
                g.bench_function(BenchmarkId::new("write/oxpim-faithful", tag), |b| {
                    b.iter_batched(
                        || (),
                        |()| write_document(black_box(&doc), &WriteOptions::default()),
                        BatchSize::PerIteration,
                    )
                });
                g.bench_function(BenchmarkId::new("write/oxpim-canonical", tag), |b| {
                    b.iter_batched(
                        || (),
                        |()| write_document(black_box(&doc), &WriteOptions::canonical()),
                        BatchSize::PerIteration,
                    )
                });
                // The same text passed on in 64 KiB pieces as it is made
                // (`write_document_to`, what `oxpim fmt` uses), here to a
                // sink that discards it: no output buffer of the text's size.
                g.bench_function(BenchmarkId::new("write/oxpim-streamed", tag), |b| {
                    b.iter(|| {
                        write_document_to(
                            black_box(&doc),
                            &WriteOptions::canonical(),
                            std::io::sink(),
                        )
                        .is_ok()
                    })
                });
                let cal = calcard::icalendar::ICalendar::parse(text)
                    .expect("calcard parses the generated file");
                g.bench_function(BenchmarkId::new("write/calcard", tag), |b| {
                    b.iter_batched(
                        || (),
                        |()| black_box(&cal).to_string(),
                        BatchSize::PerIteration,
                    )
                });
                if mb <= 10 {
                    let unfolded = icalendar::parser::unfold(text);
                    let parsed = icalendar::parser::read_calendar(&unfolded)
                        .expect("icalendar parses the generated file");
                    let owned: icalendar::Calendar = parsed.into();
                    g.bench_function(BenchmarkId::new("write/icalendar", tag), |b| {
                        b.iter_batched(
                            || (),
                            |()| black_box(&owned).to_string(),
                            BatchSize::PerIteration,
                        )
                    });
                }
            }
            g.finish();
        }
    }
}

/// Inputs that break quadratic parsers: one 50 MB line, five million empty
/// lines, and a line of fifty thousand parameters.
fn pathological(c: &mut Criterion) {
    let mut g = c.benchmark_group("pathological");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));

    let mut single = b"BEGIN:VCALENDAR\r\nX-BIG:".to_vec();
    single.extend(std::iter::repeat_n(b'a', 50_000_000));
    single.extend_from_slice(b"\r\nEND:VCALENDAR\r\n");
    g.throughput(Throughput::Bytes(single.len() as u64));
    g.bench_function("lex/single-50MB-line", |b| {
        b.iter(|| lex_count(black_box(&single)))
    });
    g.bench_function("parse/single-50MB-line", |b| {
        b.iter(|| Parser::new().parse(black_box(&single)).diagnostics.len())
    });

    let empty = vec![b'\n'; 5_000_000];
    g.throughput(Throughput::Bytes(empty.len() as u64));
    g.bench_function("lex/5M-empty-lines", |b| {
        b.iter(|| Lexer::new(black_box(&empty)).count())
    });
    g.bench_function("parse/5M-empty-lines", |b| {
        b.iter(|| Parser::new().parse(black_box(&empty)).diagnostics.len())
    });

    let mut params = b"BEGIN:VCALENDAR\r\nX-P".to_vec();
    for i in 0..50_000 {
        params.extend_from_slice(format!(";P{i}=\"v:{i}\"").as_bytes());
    }
    params.extend_from_slice(b":x\r\nEND:VCALENDAR\r\n");
    g.throughput(Throughput::Bytes(params.len() as u64));
    g.bench_function("parse/50k-parameters", |b| {
        b.iter(|| Parser::new().parse(black_box(&params)).diagnostics.len())
    });
    // The same line with the parameter limit (1 000 by default) raised
    // above 50 000: every parameter is kept, in a hashed map.
    let mut opts = oxpim::contentline::ParseOptions::default();
    opts.limits.max_params = 100_000;
    let keep_all = Parser::with_options(opts);
    g.bench_function("parse/50k-parameters-kept", |b| {
        b.iter(|| keep_all.parse(black_box(&params)).diagnostics.len())
    });
    g.finish();
}

criterion_group!(benches, text_benches, pathological);
criterion_main!(benches);
