//! Figures as people read them in tables: units, thousands separators, markdown rows.

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// `37 %`.
    Percent,
    /// Microseconds shown as `0.65 ms`.
    MicrosAsMs,
    /// A count or rate: `413,651`.
    Count,
    /// `20.3 KiB`.
    Kib,
    /// Seconds shown as `204 ms`.
    SecsAsMs,
}

impl Unit {
    /// The figure, or `–` without one.
    pub fn show(self, value: Option<f64>) -> String {
        let Some(value) = value else {
            return "–".to_owned();
        };
        match self {
            Unit::Percent => format!("{value:.0} %"),
            Unit::MicrosAsMs => format!("{:.2} ms", value / 1000.0),
            Unit::Count => thousands(value),
            Unit::Kib => format!("{value:.1} KiB"),
            Unit::SecsAsMs => format!("{:.0} ms", value * 1000.0),
        }
    }
}

/// A whole number with thousands separators: `413651.4` → `413,651`.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if value.round() < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// A markdown table.
pub fn markdown(header: &[&str], rows: &[Vec<String>]) -> String {
    let line = |cells: Vec<&str>| format!("| {} |\n", cells.join(" | "));
    let mut text = line(header.to_vec());
    text += &line(vec!["---"; header.len()]);
    for row in rows {
        text += &line(row.iter().map(String::as_str).collect());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_units() {
        assert_eq!(Unit::Percent.show(Some(36.6)), "37 %");
        assert_eq!(Unit::MicrosAsMs.show(Some(650.0)), "0.65 ms");
        assert_eq!(Unit::Count.show(Some(413_651.4)), "413,651");
        assert_eq!(Unit::Kib.show(Some(20.34)), "20.3 KiB");
        assert_eq!(Unit::SecsAsMs.show(Some(0.2041)), "204 ms");
        assert_eq!(Unit::Count.show(None), "–");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(-1_234_567.0), "-1,234,567");
    }

    #[test]
    fn draws_markdown() {
        let rows = [vec!["a".to_owned(), "1".to_owned()]];
        assert_eq!(
            markdown(&["x", "y"], &rows),
            "| x | y |\n| --- | --- |\n| a | 1 |\n"
        );
    }
}
