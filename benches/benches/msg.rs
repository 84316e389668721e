//! Outlook `.msg` files: writing and reading 10 000 appointment messages
//! (each with 26 properties, 14 of them named, two recipients and one
//! attachment), as messages per second.
//!
//! Run with `cargo bench -p oxpim-benches --bench msg` or `cargo xtask bench`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oxpim::mapi::{Attachment, FileTime, Message, PropValue, PropertyBag, props};

const N: usize = 10_000;

fn appointment(i: usize) -> Message {
    let t = FileTime(133_802_064_000_000_000 + i as u64 * 36_000_000_000);
    let mut m = Message::with_class("IPM.Appointment");
    let p = &mut m.properties;
    p.set(&props::PID_TAG_SUBJECT, format!("Meeting number {i}"))
        .unwrap();
    p.set(
        &props::PID_TAG_NORMALIZED_SUBJECT,
        format!("Meeting number {i}"),
    )
    .unwrap();
    p.set(&props::PID_TAG_BODY, "Agenda\r\n".repeat(20))
        .unwrap();
    p.set(&props::PID_TAG_CREATION_TIME, t).unwrap();
    p.set(&props::PID_TAG_LAST_MODIFICATION_TIME, t).unwrap();
    p.set(&props::PID_TAG_IMPORTANCE, 1).unwrap();
    p.set(&props::PID_TAG_SENSITIVITY, 0).unwrap();
    p.set(&props::PID_TAG_MESSAGE_FLAGS, 1).unwrap();
    p.set(&props::PID_TAG_SENDER_NAME, "Organizer").unwrap();
    p.set(&props::PID_TAG_SENDER_EMAIL_ADDRESS, "org@example.org")
        .unwrap();
    p.set(&props::PID_TAG_SENDER_ADDRESS_TYPE, "SMTP").unwrap();
    p.set(&props::PID_LID_APPOINTMENT_START_WHOLE, t).unwrap();
    p.set(
        &props::PID_LID_APPOINTMENT_END_WHOLE,
        FileTime(t.0 + 18_000_000_000),
    )
    .unwrap();
    p.set(&props::PID_LID_COMMON_START, t).unwrap();
    p.set(&props::PID_LID_COMMON_END, FileTime(t.0 + 18_000_000_000))
        .unwrap();
    p.set(&props::PID_LID_APPOINTMENT_DURATION, 30).unwrap();
    p.set(&props::PID_LID_LOCATION, "Room 1").unwrap();
    p.set(&props::PID_LID_BUSY_STATUS, 2).unwrap();
    p.set(&props::PID_LID_APPOINTMENT_SUB_TYPE, false).unwrap();
    p.set(&props::PID_LID_APPOINTMENT_STATE_FLAGS, 1).unwrap();
    p.set(&props::PID_LID_RECURRING, false).unwrap();
    p.set(&props::PID_LID_REMINDER_SET, true).unwrap();
    p.set(&props::PID_LID_REMINDER_DELTA, 15).unwrap();
    p.set(&props::PID_LID_GLOBAL_OBJECT_ID, vec![7u8; 56])
        .unwrap();
    p.set(&props::PID_NAME_KEYWORDS, vec!["Work".to_string()])
        .unwrap();
    for (n, name) in ["Ann Example", "Bob Beispiel"].iter().enumerate() {
        let mut r = PropertyBag::new();
        r.set(&props::PID_TAG_RECIPIENT_TYPE, 1 + n as i32).unwrap();
        r.set(&props::PID_TAG_DISPLAY_NAME, *name).unwrap();
        r.set(&props::PID_TAG_SMTP_ADDRESS, "someone@example.org")
            .unwrap();
        r.set(&props::PID_TAG_RECIPIENT_TRACK_STATUS, 0).unwrap();
        r.insert(
            props::PID_TAG_ENTRY_ID.key(),
            PropValue::Binary(vec![0; 40].into()),
        );
        m.recipients.push(r);
    }
    m.attachments
        .push(Attachment::by_value("agenda.txt", vec![b'x'; 2000]));
    m
}

fn msg(c: &mut Criterion) {
    let messages: Vec<Message> = (0..N).map(appointment).collect();
    let files: Vec<Vec<u8>> = messages
        .iter()
        .map(|m| oxpim::msg::to_bytes(m).unwrap())
        .collect();
    let mut g = c.benchmark_group("msg");
    g.sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(N as u64));
    g.bench_function("write/10k-appointments", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(oxpim::msg::to_bytes(black_box(m)).unwrap());
            }
        });
    });
    g.bench_function("read/10k-appointments", |b| {
        b.iter(|| {
            for f in &files {
                black_box(oxpim::msg::from_bytes(black_box(f)).unwrap());
            }
        });
    });
    g.finish();
}

criterion_group!(benches, msg);
criterion_main!(benches);
