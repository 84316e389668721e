//! Converts the generated 10 MB calendar to MAPI messages repeatedly (for
//! profilers): `profile_ical [iterations] [threads]`.
#![allow(missing_docs)]

fn main() {
    let iters: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let threads: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let bytes = match oxpim_benches::calendar(10, false) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("profile_ical: {e}");
            std::process::exit(2);
        }
    };
    let doc = oxpim::parse(&bytes).document;
    let options = oxpim::ImportOptions {
        now: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
        threads,
        ..oxpim::ImportOptions::default()
    };
    let mut n = 0;
    for _ in 0..iters {
        n += oxpim::calendar_to_messages(&doc, options.clone())
            .messages
            .len();
    }
    println!("{n} messages");
}
