//! Where a frontend run spends its time, for `scripts/bench-frontend.sh`: with
//! `KILN_FRONTEND_TIMINGS` set (an image built for measuring), each phase's end is written to
//! stderr, which BuildKit puts in its daemon log.

use std::sync::Mutex;
use std::time::Instant;

static MARKS: Mutex<Vec<(&'static str, Instant)>> = Mutex::new(Vec::new());

/// Note that `phase` ends now.
pub fn mark(phase: &'static str) {
    if let Ok(mut marks) = MARKS.lock() {
        marks.push((phase, Instant::now()));
    }
}

/// Write the phases (milliseconds each, from the first mark) when asked to.
pub fn report() {
    if std::env::var_os("KILN_FRONTEND_TIMINGS").is_none() {
        return;
    }
    let Ok(marks) = MARKS.lock() else { return };
    let Some((_, start)) = marks.first() else {
        return;
    };
    let mut previous = *start;
    let phases: Vec<String> = marks
        .iter()
        .skip(1)
        .map(|(phase, at)| {
            let text = format!("{phase} {:.1}", (*at - previous).as_secs_f64() * 1000.0);
            previous = *at;
            text
        })
        .collect();
    eprintln!("kiln-frontend timings (ms): {}", phases.join(", "));
}
