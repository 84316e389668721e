//! iCalendar → MAPI messages (MS-OXCICAL import) for the 10 MB generated
//! calendar, as events per second, on one thread (the default) and on two;
//! and MAPI messages → iCalendar.
//!
//! The parse is done once, outside the measurement: this measures the
//! conversion. Run with `cargo bench -p oxpim-benches --bench ical_mapi` or
//! `cargo xtask bench`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use oxpim::{ExportOptions, ImportOptions};

fn options() -> ImportOptions {
    ImportOptions {
        now: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
        ..ImportOptions::default()
    }
}

fn conversion(c: &mut Criterion) {
    let bytes = oxpim_benches::calendar(10, false).expect("generated calendar");
    let doc = oxpim::parse(&bytes).document;
    let events = doc
        .components
        .iter()
        .map(|c| c.children("VEVENT").count())
        .sum::<usize>();
    let imported = oxpim::calendar_to_messages(&doc, options());
    let mut g = c.benchmark_group("ical-mapi");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(events as u64));
    // The messages made are freed outside the timed region, one iteration
    // at a time (`PerIteration`); freeing them is timed on its own
    // (`drop/10mb`).
    g.bench_function("import/10mb", |b| {
        b.iter_batched(
            || (),
            |()| oxpim::calendar_to_messages(black_box(&doc), options()),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("drop/10mb", |b| {
        b.iter_batched(
            || oxpim::calendar_to_messages(&doc, options()),
            drop,
            BatchSize::PerIteration,
        )
    });
    // The same conversion with the series shared between two threads
    // (`ImportOptions::threads`; the default is one).
    let two = ImportOptions {
        threads: 2,
        ..options()
    };
    g.bench_function("import-2-threads/10mb", |b| {
        b.iter_batched(
            || (),
            |()| oxpim::calendar_to_messages(black_box(&doc), two.clone()),
            BatchSize::PerIteration,
        )
    });
    g.throughput(Throughput::Elements(imported.messages.len() as u64));
    g.bench_function("export/10mb", |b| {
        b.iter_batched(
            || (),
            |()| {
                oxpim::messages_to_calendar(
                    black_box(&imported.messages),
                    ExportOptions {
                        now: options().now,
                        ..ExportOptions::default()
                    },
                )
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, conversion);
criterion_main!(benches);
