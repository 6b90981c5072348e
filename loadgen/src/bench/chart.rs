//! `chart`: relay latency and server CPU against offered load, for both servers. Runs the
//! open-loop relay (100 pairs, `--rate` half the delivered load) at each load, a fresh
//! server per point, saves the reports to `latency-<UTC timestamp>.json`, draws the SVG
//! and prints the medians as a markdown table. `--from` redraws a saved run.

use super::table::{Unit, markdown, thousands};
use super::{Bench, Kind, Record, SERVERS, Setup, median, values};
use anyhow::{Context as _, Result, bail};
use plotters::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Chatting pairs at every point.
const PAIRS: u32 = 100;

/// Options of `chart`.
#[derive(Debug, Clone, clap::Args)]
pub struct ChartArgs {
    /// Offered loads in delivered messages per second (each message is sent at half).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10000,20000,40000,60000,80000"
    )]
    loads: Vec<u32>,
    /// Measured seconds per point.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Repetitions of every point; medians are drawn.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10))]
    reps: u32,
    /// Redraw this saved run instead of measuring.
    #[arg(long)]
    from: Option<PathBuf>,
    /// The SVG to write.
    #[arg(long, default_value = "bench/results/latency.svg")]
    out: PathBuf,
    #[command(flatten)]
    setup: Setup,
}

/// A measured point as saved.
#[derive(Serialize)]
struct PointOut {
    offered_delivered_per_sec: u32,
    #[serde(flatten)]
    record: Record,
}

/// A saved point as read back (older saved runs have the same fields).
#[derive(Deserialize)]
struct Point {
    server: Kind,
    offered_delivered_per_sec: u32,
    report: Option<Value>,
}

/// A saved run.
#[derive(Deserialize)]
struct Saved {
    meta: Value,
    points: Vec<Point>,
}

/// The medians drawn for one server at one load.
#[derive(Debug, Clone, Copy)]
struct Medians {
    load: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu: f64,
    tool_cpu: f64,
}

/// Runs `chart`.
pub async fn run(args: &ChartArgs) -> Result<()> {
    let saved = match &args.from {
        Some(path) => serde_json::from_str(
            &std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
        )?,
        None => measure(args).await?,
    };
    let series = SERVERS.map(|server| medians(&saved.points, server));
    if series.iter().all(Vec::is_empty) {
        bail!("no successful runs to draw");
    }
    draw(&saved.meta, &series, &args.out)?;
    println!("{}", table(&saved.points));
    eprintln!("chart: {}", args.out.display());
    Ok(())
}

async fn measure(args: &ChartArgs) -> Result<Saved> {
    if args.loads.is_empty()
        || args.loads.contains(&0)
        || args.duration.is_nan()
        || args.duration <= 0.0
    {
        bail!("--loads and --duration must be positive");
    }
    let mut bench = Bench::new(&args.setup)?;
    let mut points = Vec::new();
    for rep in 1..=args.reps {
        for &load in &args.loads {
            eprintln!(
                "rep {rep}/{}: {} delivered/s offered",
                args.reps,
                thousands(load.into())
            );
            let scenario = format!(
                "relay --pairs {PAIRS} --rate {} --duration {}",
                f64::from(load) / 2.0,
                args.duration
            );
            let scenario: Vec<String> = scenario.split(' ').map(str::to_owned).collect();
            for server in SERVERS {
                let record = bench
                    .run(
                        rep,
                        server,
                        &format!("load {load}"),
                        &scenario,
                        args.duration,
                    )
                    .await?;
                points.push(PointOut {
                    offered_delivered_per_sec: load,
                    record,
                });
            }
        }
    }
    let mut meta = bench.meta();
    meta["pairs"] = json!(PAIRS);
    meta["duration_secs"] = json!(args.duration);
    meta["reps"] = json!(args.reps);
    meta["loads_delivered_per_sec"] = json!(args.loads);
    let text = format!("{:#}\n", json!({"meta": meta, "points": points}));
    let path = bench.save(
        &format!(
            "latency-{}.json",
            meta["timestamp_utc"].as_str().unwrap_or("now")
        ),
        &text,
    )?;
    eprintln!("raw figures: {}", path.display());
    Ok(serde_json::from_str(&text)?)
}

/// The reports of one server at one load.
fn reports(points: &[Point], server: Kind, load: u32) -> impl Iterator<Item = &Value> {
    points
        .iter()
        .filter(move |point| point.server == server && point.offered_delivered_per_sec == load)
        .filter_map(|point| point.report.as_ref())
}

fn loads(points: &[Point]) -> Vec<u32> {
    let mut loads: Vec<u32> = points
        .iter()
        .map(|point| point.offered_delivered_per_sec)
        .collect();
    loads.sort_unstable();
    loads.dedup();
    loads
}

/// One server's medians at each load it has reports for.
fn medians(points: &[Point], server: Kind) -> Vec<Medians> {
    loads(points)
        .into_iter()
        .filter_map(|load| {
            let at = |pointer| median(values(reports(points, server, load), pointer));
            Some(Medians {
                load: load.into(),
                p50_ms: at("/latency_us/p50")? / 1000.0,
                p99_ms: at("/latency_us/p99")? / 1000.0,
                cpu: at("/server_cpu_percent").unwrap_or(0.0),
                tool_cpu: at("/loadgen_cpu_percent").unwrap_or(0.0),
            })
        })
        .collect()
}

/// The medians as a markdown table, one row per load.
fn table(points: &[Point]) -> String {
    let mut header = vec!["delivered/s offered".to_owned()];
    for server in SERVERS {
        let label = server.label();
        header.extend([
            format!("{label} delivered/s"),
            format!("{label} p50 / p99"),
            format!("{label} server CPU"),
        ]);
    }
    let rows: Vec<Vec<String>> = loads(points)
        .into_iter()
        .map(|load| {
            let mut row = vec![thousands(load.into())];
            for server in SERVERS {
                let at = |pointer| median(values(reports(points, server, load), pointer));
                let ms = |pointer| Unit::MicrosAsMs.show(at(pointer));
                row.push(Unit::Count.show(at("/delivered_per_sec")));
                row.push(format!(
                    "{} / {}",
                    ms("/latency_us/p50"),
                    ms("/latency_us/p99")
                ));
                row.push(Unit::Percent.show(at("/server_cpu_percent")));
            }
            row
        })
        .collect();
    markdown(
        &header.iter().map(String::as_str).collect::<Vec<_>>(),
        &rows,
    )
}

fn color(server: Kind) -> RGBColor {
    match server {
        Kind::Circle => RGBColor(0x1f, 0x6f, 0xd1),
        Kind::Node => RGBColor(0xd9, 0x54, 0x1e),
    }
}

/// Draws latency (log scale) above and CPU below, against offered load.
fn draw(meta: &Value, series: &[Vec<Medians>; 2], out: &Path) -> Result<()> {
    let all = || series.iter().flatten();
    let x_max = all().map(|m| m.load).fold(0.0, f64::max) * 1.05;
    let ms = || all().flat_map(|m| [m.p50_ms, m.p99_ms]);
    let y_lo = 10f64
        .powf(ms().fold(f64::MAX, f64::min).max(1e-3).log10().floor())
        .min(0.1);
    let y_hi = 10f64
        .powf(ms().fold(1.0, f64::max).log10().ceil())
        .max(y_lo * 100.0);
    let text = |key: &str| meta[key].as_str().unwrap_or("?").to_owned();
    let reps = meta["reps"].as_u64().unwrap_or(1);

    let root = SVGBackend::new(out, (920, 760)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        "Relay latency against offered load: The Circle and Node socket.io",
        ("sans-serif", 20),
    )?;
    let (top, bottom) = root.split_vertically(500);
    let subtitle = format!(
        "open loop, {PAIRS} pairs, {} s per point, median of {reps}; git {}, Node {} / socket.io {}, {}",
        meta["duration_secs"],
        text("git_revision"),
        text("node"),
        text("socket_io"),
        text("timestamp_utc")
    );
    let mut latency = ChartBuilder::on(&top)
        .caption(subtitle, ("sans-serif", 13))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, (y_lo..y_hi).log_scale())?;
    latency
        .configure_mesh()
        .x_desc("offered load (delivered messages per second)")
        .y_desc("latency at the partner (ms, log scale)")
        .x_label_formatter(&|v| format!("{}k", v / 1000.0))
        .y_label_formatter(&|v| format!("{v}"))
        .draw()?;
    let target = RGBColor(0x2a, 0x9d, 0x2a);
    latency
        .draw_series(DashedLineSeries::new(
            [(0.0, 1.0), (x_max, 1.0)],
            3,
            4,
            target.into(),
        ))?
        .label("p99 target 1 ms")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], target));
    for (server, points) in SERVERS.iter().zip(series) {
        let color = color(*server);
        let p50 = points.iter().map(|m| (m.load, m.p50_ms));
        let p99 = points.iter().map(|m| (m.load, m.p99_ms));
        latency
            .draw_series(LineSeries::new(p50.clone(), color.stroke_width(2)).point_size(4))?
            .label(format!("{} p50", server.label()))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], color.stroke_width(2)));
        latency
            .draw_series(DashedLineSeries::new(
                p99.clone(),
                7,
                4,
                color.stroke_width(2),
            ))?
            .label(format!("{} p99", server.label()))
            .legend(move |(x, y)| TriangleMarker::new((x + 12, y), 5, color.filled()));
        latency.draw_series(p99.map(|at| TriangleMarker::new(at, 5, color.filled())))?;
    }
    latency
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;

    let mut cpu = ChartBuilder::on(&bottom)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, 0.0..100.0)?;
    cpu.configure_mesh()
        .x_desc("offered load (delivered messages per second)")
        .y_desc("CPU, % of one core")
        .x_label_formatter(&|v| format!("{}k", v / 1000.0))
        .draw()?;
    for (server, points) in SERVERS.iter().zip(series) {
        let color = color(*server);
        cpu.draw_series(
            LineSeries::new(
                points.iter().map(|m| (m.load, m.cpu)),
                color.stroke_width(2),
            )
            .point_size(3),
        )?
        .label(format!("{} server (pinned CPU)", server.label()))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], color.stroke_width(2)));
        cpu.draw_series(DashedLineSeries::new(
            points.iter().map(|m| (m.load, m.tool_cpu)),
            2,
            3,
            color.into(),
        ))?
        .label(format!("load generator against {}", server.label()))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], color));
    }
    cpu.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(server: Kind, load: u32, p99: u64, cpu: f64) -> Point {
        let report = json!({"delivered_per_sec": load, "server_cpu_percent": cpu, "loadgen_cpu_percent": 50.0,
            "latency_us": {"p50": p99 / 2, "p99": p99}});
        Point {
            server,
            offered_delivered_per_sec: load,
            report: Some(report),
        }
    }

    #[test]
    fn draws_and_tabulates_medians() {
        let points = [
            point(Kind::Circle, 10_000, 400, 16.0),
            point(Kind::Circle, 10_000, 600, 18.0),
            point(Kind::Node, 10_000, 900, 30.0),
            point(Kind::Circle, 40_000, 700, 38.0),
            point(Kind::Node, 40_000, 2_100, 73.0),
        ];
        let table = table(&points);
        assert!(
            table.contains(
                "| 10,000 | 10,000 | 0.25 ms / 0.50 ms | 17 % | 10,000 | 0.45 ms / 0.90 ms | 30 % |"
            ),
            "{table}"
        );
        let series = SERVERS.map(|server| medians(&points, server));
        assert_eq!(series[0].len(), 2);
        let out = tempfile::NamedTempFile::new().unwrap();
        let meta = json!({"reps": 2, "duration_secs": 5, "node": "v20"});
        draw(&meta, &series, out.path()).unwrap();
        let svg = std::fs::read_to_string(out.path()).unwrap();
        assert!(
            svg.starts_with("<svg")
                && svg.contains("The Circle p50")
                && svg.contains("p99 target 1 ms")
        );
    }
}
