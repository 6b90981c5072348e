//! What the profanity filter costs per chat payload (BENCHMARKS.md, "Profanity filter: cost
//! per message").
//!
//! Run with `cargo run --release --example profanity_cost [-- RUNS]` (default 1,000,000
//! runs per payload of about 100 bytes, a hundredth of that for the 2,000-character one). For each payload it prints the wall time and the CPU time of this
//! thread per call (the machine is shared: CPU time is the figure to compare), and the
//! heap allocations per call.

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use circle::filter::mask_profanity;
use serde_json::value::RawValue;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use thread_cpu::thread_cpu_ns;

/// The system allocator, counting allocations.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Typical chat payloads of about 100 bytes, as the web client sends them.
const PAYLOADS: [(&str, &str); 4] = [
    (
        "clean, ASCII",
        r#"{"room":"4f1c2a9e8b7d6c5a4f1c2a9e8b7d6c5a","text":"How was your day? I went hiking near the lake"}"#,
    ),
    (
        "dirty, ASCII",
        r#"{"room":"4f1c2a9e8b7d6c5a4f1c2a9e8b7d6c5a","text":"How was your day? I went hiking, shitty lake"}"#,
    ),
    (
        "clean, accents",
        r#"{"room":"4f1c2a9e8b7d6c5a4f1c2a9e8b7d6c5a","text":"Ça va ? Je suis allée au lac, c'était génial"}"#,
    ),
    (
        "dirty, accents",
        r#"{"room":"4f1c2a9e8b7d6c5a4f1c2a9e8b7d6c5a","text":"Ça va ? Je suis allée au lac, shit, génial"}"#,
    ),
];

/// `count` payloads of about 45 characters of text each, made of words that appear once
/// in all of them: every word misses the filter's per-thread cache (the worst case).
fn unseen_words(count: usize) -> Vec<Box<RawValue>> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut word = || {
        let mut w = String::new();
        for _ in 0..6 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            w.push((b'a' + (seed >> 59) as u8 % 26) as char);
        }
        w
    };
    (0..count)
        .map(|_| {
            let text: Vec<String> = (0..6).map(|_| word()).collect();
            let json = serde_json::json!({"room": "4f1c2a9e8b7d6c5a", "text": text.join(" ")});
            RawValue::from_string(json.to_string()).expect("valid JSON")
        })
        .collect()
}

fn main() {
    let runs: u64 = std::env::args()
        .nth(1)
        .map(|runs| runs.parse().expect("RUNS must be a number"))
        .unwrap_or(1_000_000);
    println!("{runs} runs per 100-byte payload");
    let long = "the quick brown fox jumps over a lazy dog ".repeat(48)[..2000].to_owned();
    let long = serde_json::json!({"room": "4f1c2a9e8b7d6c5a", "text": long}).to_string();
    let payloads = PAYLOADS
        .map(|(name, json)| (name, json.to_owned()))
        .into_iter()
        .chain([("clean, 2000 ch", long)]);
    for (name, json) in payloads {
        let payload = RawValue::from_string(json.clone()).expect("valid JSON");
        let masked = mask_profanity(&payload).is_some();
        let allocations = ALLOCATIONS.load(Ordering::Relaxed);
        // A long text costs in proportion to its length: fewer runs give the same precision.
        let runs = if json.len() > 1000 {
            (runs / 100).max(1)
        } else {
            runs
        };
        let (cpu, wall) = (thread_cpu_ns(), Instant::now());
        for _ in 0..runs {
            black_box(mask_profanity(black_box(&payload)));
        }
        let wall = wall.elapsed().as_nanos() as u64 / runs;
        let cpu = (thread_cpu_ns() - cpu) / runs;
        let allocations = (ALLOCATIONS.load(Ordering::Relaxed) - allocations) / runs;
        println!(
            "{name:<15} {:>4} bytes, masked: {masked:<5}  {cpu:>6} ns CPU, {wall:>6} ns wall, \
             {allocations} allocations per payload",
            json.len()
        );
    }
    let unseen = unseen_words((runs as usize / 10).max(1));
    let cpu = thread_cpu_ns();
    for payload in &unseen {
        black_box(mask_profanity(black_box(payload)));
    }
    let cpu = (thread_cpu_ns() - cpu) / unseen.len() as u64;
    println!(
        "unseen words    {:>4} bytes, masked: false  {cpu:>6} ns CPU (every word misses the cache)",
        unseen[0].get().len()
    );
}
