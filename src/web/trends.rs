//! Trends (pure): per week, the median and 90th-percentile time from a review's first
//! evaluation to its approval, and how many reviews were pending at the week's end, drawn as a
//! small SVG chart beside a table of the same numbers.

use chrono::{DateTime, Duration, Utc};
use maud::{Markup, html};

use crate::store::reviews::ReviewTimeline;

/// Weeks shown.
pub const WEEKS: usize = 12;

/// One week's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    pub end: DateTime<Utc>,
    /// Reviews approved during the week.
    pub approved: usize,
    /// Hours from first evaluation to approval, of the reviews approved during the week.
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    /// Reviews open and not approved at the week's end.
    pub pending: usize,
}

/// The `p`-th percentile (nearest rank) of sorted `values`.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// The last `weeks` weeks ending at `now`, oldest first.
pub fn weekly(timelines: &[ReviewTimeline], now: DateTime<Utc>, weeks: usize) -> Vec<Week> {
    (0..weeks)
        .rev()
        .map(|ago| {
            let end = now - Duration::weeks(ago as i64);
            let start = end - Duration::weeks(1);
            let mut hours: Vec<f64> = timelines
                .iter()
                .filter_map(|t| {
                    let approved = t.approved_at.filter(|a| *a > start && *a <= end)?;
                    Some((approved - t.first_seen_at).num_minutes().max(0) as f64 / 60.0)
                })
                .collect();
            hours.sort_by(f64::total_cmp);
            let pending = timelines
                .iter()
                .filter(|t| {
                    t.first_seen_at <= end
                        && t.approved_at.is_none_or(|a| a > end)
                        && t.closed_at.is_none_or(|c| c > end)
                })
                .count();
            Week {
                end,
                approved: hours.len(),
                median_hours: percentile(&hours, 50.0),
                p90_hours: percentile(&hours, 90.0),
                pending,
            }
        })
        .collect()
}

fn hours(value: Option<f64>) -> String {
    value.map_or("—".to_string(), |h| format!("{h:.1} h"))
}

/// A bar per week for pending reviews and a line for the median time to approval.
fn chart(weeks: &[Week]) -> Markup {
    let (width, height, pad) = (600.0, 220.0, 24.0);
    let max_pending = weeks.iter().map(|w| w.pending).max().unwrap_or(0).max(1) as f64;
    let max_hours = weeks
        .iter()
        .filter_map(|w| w.p90_hours)
        .fold(1.0_f64, f64::max);
    let step = (width - 2.0 * pad) / weeks.len().max(1) as f64;
    let y = |fraction: f64| height - pad - fraction * (height - 2.0 * pad);
    let line: Vec<String> = weeks
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let h = w.median_hours?;
            Some(format!(
                "{:.1},{:.1}",
                pad + step * (i as f64 + 0.5),
                y(h / max_hours)
            ))
        })
        .collect();
    html! {
        svg viewBox=(format!("0 0 {width} {height}")) width="100%" role="img"
            aria-label="Pending reviews per week (bars) and median hours to approval (line)" {
            line x1=(pad) y1=(y(0.0)) x2=(width - pad) y2=(y(0.0)) stroke="#d1d9e0" {}
            // The scales: the tallest bar's count, the line's top in hours, the first and last week.
            text x=(pad) y=(pad - 8.0) fill="#9a6700" { (max_pending) " pending" }
            @if line.len() > 1 {
                text x=(width - pad) y=(pad - 8.0) text-anchor="end" fill="#0969da" { (format!("{max_hours:.0} h")) }
            }
            @if let (Some(first), Some(last)) = (weeks.first(), weeks.last()) {
                text x=(pad) y=(height - 6.0) fill="#59636e" { (first.end.format("%Y-%m-%d")) }
                text x=(width - pad) y=(height - 6.0) text-anchor="end" fill="#59636e" { (last.end.format("%Y-%m-%d")) }
            }
            @for (i, w) in weeks.iter().enumerate() {
                rect x=(format!("{:.1}", pad + step * i as f64 + step * 0.15))
                     y=(format!("{:.1}", y(w.pending as f64 / max_pending)))
                     width=(format!("{:.1}", step * 0.7))
                     height=(format!("{:.1}", y(0.0) - y(w.pending as f64 / max_pending)))
                     fill="#9a6700" opacity="0.35" { title { (w.pending) " pending" } }
            }
            @if line.len() > 1 {
                polyline points=(line.join(" ")) fill="none" stroke="#0969da" stroke-width="2" {}
            }
        }
    }
}

/// `/trends`.
pub fn page(weeks: &[Week], repo: &str) -> Markup {
    html! {
        h1 { "Trends" @if !repo.is_empty() { " · " (repo) } }
        form.filters method="get" action="/trends" {
            label { "Repository" input type="text" name="repo" value=(repo) placeholder="all repositories"; }
            button type="submit" { "Show" }
        }
        p.muted.small { "Bars: reviews pending at the end of each week. Line: median hours from a doc's first evaluation to approval." }
        div.trends {
        (chart(weeks))
        div.table-wrap { table {
            thead { tr { th { "Week ending" } th { "Approved" } th { "Median" } th { abbr title="90th percentile" { "P90" } } th { abbr title="Pending at the end of the week" { "Pending" } } } }
            tbody { @for w in weeks.iter().rev() { tr {
                td.nowrap { (w.end.format("%Y-%m-%d")) } td { (w.approved) }
                td { (hours(w.median_hours)) } td { (hours(w.p90_hours)) } td { (w.pending) }
            } } }
        } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000, 0).unwrap() + Duration::hours(hours)
    }

    #[test]
    fn weekly_figures_count_approvals_in_their_week_and_pending_at_its_end() {
        let t = |first, approved: Option<i64>, closed: Option<i64>| ReviewTimeline {
            repo: "acme/a".into(),
            first_seen_at: at(first),
            approved_at: approved.map(at),
            closed_at: closed.map(at),
        };
        let timelines = vec![
            t(0, Some(10), None),
            t(0, Some(30), None),
            t(5, Some(105), None),
            t(20, None, None),
            t(20, None, Some(40)),
        ];
        let weeks = weekly(&timelines, at(168), 1);
        assert_eq!(
            weeks,
            vec![Week {
                end: at(168),
                approved: 3,
                median_hours: Some(30.0),
                p90_hours: Some(100.0),
                pending: 1,
            }]
        );
    }
}
