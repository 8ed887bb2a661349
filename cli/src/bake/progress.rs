//! One live view of every target's build, from BuildKit's status stream: plain lines (for CI
//! and pipes), or a block of one line per target redrawn in place on a terminal. The logs of
//! a failing step are printed in full either way.

use bollard::moby::buildkit::v1::StatusResponse;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Plain,
    Tty,
}

#[derive(Default)]
struct Vertex {
    number: usize,
    started: bool,
    done: bool,
    logs: Vec<u8>,
}

#[derive(Default)]
struct TargetView {
    vertices: BTreeMap<String, Vertex>,
    current: String,
    state: String,
}

pub struct Progress {
    mode: Mode,
    targets: Vec<String>,
    views: Vec<TargetView>,
    drawn_lines: usize,
    start: Instant,
}

impl Progress {
    pub fn new(mode: Mode, targets: Vec<String>) -> Progress {
        let views = targets.iter().map(|_| TargetView::default()).collect();
        Progress {
            mode,
            targets,
            views,
            drawn_lines: 0,
            start: Instant::now(),
        }
    }

    fn out(&mut self, line: &str) {
        let mut stdout = std::io::stdout().lock();
        if self.mode == Mode::Tty {
            self.clear(&mut stdout);
        }
        let _ = writeln!(stdout, "{line}");
        if self.mode == Mode::Tty {
            self.draw(&mut stdout);
        }
    }

    fn clear(&mut self, out: &mut impl Write) {
        for _ in 0..self.drawn_lines {
            let _ = write!(out, "\x1b[1A\x1b[2K");
        }
        self.drawn_lines = 0;
    }

    fn draw(&mut self, out: &mut impl Write) {
        let elapsed = self.start.elapsed().as_secs_f32();
        for (name, view) in self.targets.iter().zip(&self.views) {
            let done = view.vertices.values().filter(|v| v.done).count();
            let total = view.vertices.len();
            let what = if view.state.is_empty() {
                format!("{done}/{total} {}", view.current)
            } else {
                view.state.clone()
            };
            let mut line = format!("[{elapsed:5.1}s] {name:<16} {what}");
            line.truncate(120);
            let _ = writeln!(out, "{line}");
        }
        self.drawn_lines = self.targets.len();
        let _ = out.flush();
    }

    /// A status message of target `index`'s build.
    pub fn status(&mut self, index: usize, status: &StatusResponse) {
        let name = self.targets[index].clone();
        // (line, shown on a terminal too): there only errors scroll by; the rest is the view.
        let mut lines: Vec<(String, bool)> = Vec::new();
        let view = &mut self.views[index];
        for v in &status.vertexes {
            let next = view.vertices.len() + 1;
            let vertex = view
                .vertices
                .entry(v.digest.clone())
                .or_insert_with(|| Vertex {
                    number: next,
                    ..Default::default()
                });
            if v.started.is_some() && !vertex.started {
                vertex.started = true;
                view.current = v.name.clone();
                lines.push((format!("[{name}] #{} {}", vertex.number, v.name), false));
            }
            if !v.error.is_empty() && !vertex.done {
                vertex.done = true;
                let logs = String::from_utf8_lossy(&vertex.logs).into_owned();
                lines.push((
                    format!("[{name}] #{} ERROR: {}", vertex.number, v.error),
                    true,
                ));
                if self.mode == Mode::Tty {
                    for log in logs.lines() {
                        lines.push((format!("[{name}] #{}   {log}", vertex.number), true));
                    }
                }
            } else if v.cached && !vertex.done {
                vertex.done = true;
                lines.push((format!("[{name}] #{} CACHED", vertex.number), false));
            } else if v.completed.is_some() && !vertex.done {
                vertex.done = true;
                lines.push((format!("[{name}] #{} DONE", vertex.number), false));
            }
        }
        for log in &status.logs {
            if let Some(vertex) = view.vertices.get_mut(&log.vertex) {
                vertex.logs.extend_from_slice(&log.msg);
                if self.mode == Mode::Plain {
                    for text in String::from_utf8_lossy(&log.msg).lines() {
                        lines.push((format!("[{name}] #{} {text}", vertex.number), false));
                    }
                }
            }
        }
        let tty = self.mode == Mode::Tty;
        for (line, on_tty) in lines {
            if !tty || on_tty {
                self.out(&line);
            }
        }
        if tty {
            let mut stdout = std::io::stdout().lock();
            self.clear(&mut stdout);
            self.draw(&mut stdout);
        }
    }

    /// A target finished (or failed): its line shows the outcome.
    pub fn finish(&mut self, index: usize, outcome: &str) {
        self.views[index].state = outcome.to_string();
        let name = self.targets[index].clone();
        self.out(&format!("[{name}] {outcome}"));
    }

    /// A free-form line about target `index` (tagging, pushing, ...).
    pub fn note(&mut self, index: usize, text: &str) {
        let name = self.targets[index].clone();
        self.out(&format!("[{name}] {text}"));
    }

    /// Leave the terminal clean before the summary.
    pub fn end(&mut self) {
        if self.mode == Mode::Tty {
            let mut stdout = std::io::stdout().lock();
            self.clear(&mut stdout);
        }
    }
}
