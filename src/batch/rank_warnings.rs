//! Rank-local warnings: conditions that one rank sees and the others do
//! not (its CPUs, its block of a sheet).
//!
//! Any rank records them with [`record`] at any time, without
//! communicating. At the batch run's collective points every rank hands its
//! pending ones to rank 0 ([`collect`]), which writes them into the `.out`
//! log in rank order: rank 0's own as `Warning: text`, another rank's as
//! `[rank 3] Warning: text`, and one text seen by several ranks once, as
//! `[ranks 1-3,7] Warning: text`, so that a thousand ranks with the same
//! problem make one line. Each line written counts as one warning.

use super::outlog::OutLog;
use crate::par::context::Gathered;
use crate::par::Context;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Warnings one rank keeps between collective points; later ones are only
/// counted (a warning recorded in a loop must not grow memory or the
/// gather without bound).
const MAX_PENDING: usize = 32;
/// Longest text kept, in bytes.
const MAX_TEXT: usize = 2000;
/// Lines one collection writes; the rest are summed up in one more line.
const MAX_LINES: usize = 20;
/// Rank-list entries (single ranks or ranges) written before eliding.
const MAX_RANK_RUNS: usize = 10;
/// How long the ranks on the error path wait for each other before each
/// reports its own warnings alone.
pub const ERROR_PATH_WAIT: Duration = Duration::from_secs(3);

struct Pending {
    texts: Vec<String>,
    dropped: usize,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    texts: Vec::new(),
    dropped: 0,
});

fn pending() -> std::sync::MutexGuard<'static, Pending> {
    // A panic while holding the lock ends the job anyway; the data is
    // still a plain list.
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Record a warning on this rank, to be written at the next collective
/// point. Local and cheap; callable from any thread.
pub fn record(text: impl Into<String>) {
    let mut text = text.into();
    if text.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(" [...]");
    }
    let mut p = pending();
    if p.texts.len() < MAX_PENDING {
        p.texts.push(text);
    } else {
        p.dropped += 1;
    }
}

/// Take this rank's pending warnings (in the order recorded).
pub fn take() -> Vec<String> {
    let mut p = pending();
    let mut texts = std::mem::take(&mut p.texts);
    let dropped = std::mem::take(&mut p.dropped);
    if dropped > 0 {
        texts.push(format!(
            "{dropped} further warning(s) on this rank were not kept (more than {MAX_PENDING} between two reports)"
        ));
    }
    texts
}

/// One rank's warnings as bytes for the gather (nothing for none).
pub fn encode(texts: &[String]) -> Vec<u8> {
    if texts.is_empty() {
        return Vec::new();
    }
    serde_json::to_vec(texts).unwrap_or_default()
}

/// The inverse of [`encode`]; bytes that are not a list of strings become
/// one warning saying so rather than being lost silently.
pub fn decode(bytes: &[u8]) -> Vec<String> {
    if bytes.is_empty() {
        return Vec::new();
    }
    serde_json::from_slice(bytes).unwrap_or_else(|e| {
        vec![format!(
            "unreadable rank-local warnings ({} bytes): {e}",
            bytes.len()
        )]
    })
}

/// One text and every rank that reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The ranks, ascending, each once.
    pub ranks: Vec<usize>,
    /// The warning.
    pub text: String,
}

/// Group the warnings of every rank (index = rank) by text. Groups come in
/// the order of their first report, ranks ascending, each rank's in the
/// order recorded; a rank repeating a text is listed once.
pub fn group(per_rank: &[Vec<String>]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (rank, texts) in per_rank.iter().enumerate() {
        for text in texts {
            match index.get(text.as_str()) {
                Some(&g) => {
                    let ranks = &mut groups[g].ranks;
                    if ranks.last() != Some(&rank) {
                        ranks.push(rank);
                    }
                }
                None => {
                    index.insert(text, groups.len());
                    groups.push(Group {
                        ranks: vec![rank],
                        text: text.clone(),
                    });
                }
            }
        }
    }
    groups
}

/// Ascending ranks as ranges: `1-3,7`; past `MAX_RANK_RUNS` entries the
/// rest is elided with the total, `0,2,4,...(500 ranks)`.
pub fn rank_list(ranks: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &r in ranks {
        match runs.last_mut() {
            Some((_, hi)) if *hi + 1 == r => *hi = r,
            _ => runs.push((r, r)),
        }
    }
    let shown: Vec<String> = runs
        .iter()
        .take(MAX_RANK_RUNS)
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        })
        .collect();
    let mut s = shown.join(",");
    if runs.len() > MAX_RANK_RUNS {
        s.push_str(&format!(",...({} ranks)", ranks.len()));
    }
    s
}

/// The prefix naming who warned: nothing for rank 0 alone (as in a
/// one-rank run), `[rank 3] `, `[ranks 0-3] `.
pub fn prefix(ranks: &[usize]) -> String {
    match ranks {
        [0] => String::new(),
        [r] => format!("[rank {r}] "),
        _ => format!("[ranks {}] ", rank_list(ranks)),
    }
}

/// The `(prefix, text)` of every line to write: at most `max_lines`, the
/// last of them summing up the groups that did not fit.
pub fn lines(groups: Vec<Group>, max_lines: usize) -> Vec<(String, String)> {
    let max_lines = max_lines.max(1);
    if groups.len() <= max_lines {
        return groups
            .iter()
            .map(|g| (prefix(&g.ranks), g.text.clone()))
            .collect();
    }
    let (shown, hidden) = groups.split_at(max_lines - 1);
    let mut out: Vec<(String, String)> = shown
        .iter()
        .map(|g| (prefix(&g.ranks), g.text.clone()))
        .collect();
    let mut ranks: Vec<usize> = hidden.iter().flat_map(|g| g.ranks.clone()).collect();
    ranks.sort_unstable();
    ranks.dedup();
    out.push((
        prefix(&ranks),
        format!(
            "{} more distinct rank-local warning(s) not shown",
            hidden.len()
        ),
    ));
    out
}

/// Write every rank's warnings (index = rank) into the log (rank 0).
pub fn write(log: &OutLog, per_rank: &[Vec<String>]) {
    for (who, text) in lines(group(per_rank), MAX_LINES) {
        log.warning_from(&who, &text);
    }
}

/// Collective: bring every rank's pending warnings to rank 0's log. Call
/// where all ranks are anyway in step (between run segments, after an
/// analysis, at the end of the run).
pub fn collect(ctx: &Context, log: &OutLog) {
    let mine = encode(&take());
    if let Some(all) = ctx.gather(&mine) {
        let per_rank: Vec<Vec<String>> = all.iter().map(|b| decode(b)).collect();
        write(log, &per_rank);
    }
}

/// [`collect`] on the error path, where some ranks may never arrive (the
/// error may be this rank's alone): if every rank comes within
/// [`ERROR_PATH_WAIT`], as with an error all ranks meet, rank 0 writes all
/// warnings as usual; otherwise rank 0 writes its own and every other rank
/// prints its own on stderr with its rank, so none is lost.
pub fn collect_on_error(ctx: &Context, log: &OutLog) {
    let mine = take();
    match ctx.gather_within(&encode(&mine), ERROR_PATH_WAIT) {
        Gathered::All(all) => {
            let per_rank: Vec<Vec<String>> = all.iter().map(|b| decode(b)).collect();
            write(log, &per_rank);
        }
        Gathered::Sent => {}
        Gathered::Incomplete if ctx.is_root() => write(log, &[mine]),
        Gathered::Incomplete => {
            let me = [ctx.rank()];
            let text: String = mine
                .iter()
                .map(|t| format!("{}Warning: {t}\n", prefix(&me)))
                .collect();
            // One write, so the lines reach mpirun whole.
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rank_lists_are_ranges() {
        assert_eq!(rank_list(&[3]), "3");
        assert_eq!(rank_list(&[1, 2, 3, 7]), "1-3,7");
        assert_eq!(rank_list(&[0, 2, 3, 5, 6, 7, 9]), "0,2-3,5-7,9");
        let even: Vec<usize> = (0..1000).step_by(2).collect();
        assert_eq!(rank_list(&even), "0,2,4,6,8,10,12,14,16,18,...(500 ranks)");
        let all: Vec<usize> = (0..1000).collect();
        assert_eq!(rank_list(&all), "0-999");
    }

    #[test]
    fn prefixes_name_the_ranks_except_rank_0_alone() {
        assert_eq!(prefix(&[0]), "");
        assert_eq!(prefix(&[5]), "[rank 5] ");
        assert_eq!(prefix(&[0, 1]), "[ranks 0-1] ");
        assert_eq!(prefix(&[1, 2, 3, 7]), "[ranks 1-3,7] ");
    }

    #[test]
    fn identical_texts_group_in_rank_order() {
        let per_rank = vec![
            texts(&["mine"]),
            texts(&["same", "only 1"]),
            texts(&[]),
            texts(&["same", "same"]),
            texts(&["same", "mine"]),
        ];
        let got: Vec<String> = lines(group(&per_rank), 20)
            .into_iter()
            .map(|(p, t)| format!("{p}Warning: {t}"))
            .collect();
        assert_eq!(
            got,
            vec![
                "[ranks 0,4] Warning: mine",
                "[ranks 1,3-4] Warning: same",
                "[rank 1] Warning: only 1",
            ]
        );
    }

    #[test]
    fn a_thousand_ranks_with_one_text_make_one_line() {
        let mut per_rank = vec![Vec::new(); 1000];
        for t in per_rank.iter_mut().skip(1) {
            t.push("oversubscribed".to_string());
        }
        let l = lines(group(&per_rank), 20);
        assert_eq!(
            l,
            vec![("[ranks 1-999] ".to_string(), "oversubscribed".to_string())]
        );
    }

    #[test]
    fn too_many_distinct_texts_are_summed_up_in_the_last_line() {
        let per_rank: Vec<Vec<String>> = (0..30).map(|r| vec![format!("unit {r}")]).collect();
        let l = lines(group(&per_rank), 5);
        assert_eq!(l.len(), 5);
        assert_eq!(l[0], (String::new(), "unit 0".to_string()));
        assert_eq!(l[3], ("[rank 3] ".to_string(), "unit 3".to_string()));
        assert_eq!(
            l[4],
            (
                "[ranks 4-29] ".to_string(),
                "26 more distinct rank-local warning(s) not shown".to_string()
            )
        );
    }

    #[test]
    fn encoding_round_trips_and_nothing_is_empty() {
        assert!(encode(&[]).is_empty());
        assert!(decode(&[]).is_empty());
        let t = texts(&["a\nb", "quote \" and ünïcode", ""]);
        assert_eq!(decode(&encode(&t)), t);
        let bad = decode(b"\xff not json");
        assert_eq!(bad.len(), 1);
        assert!(
            bad[0].starts_with("unreadable rank-local warnings"),
            "{bad:?}"
        );
    }

    #[test]
    fn one_rank_collects_its_own_warnings_unprefixed_and_counted() {
        // The only test in this binary touching the process-wide queue.
        let ctx = Context::local();
        let log = OutLog::terminal(false);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.out");
        log.open(&p, &["topo-hpc".into()]).unwrap();
        record("first");
        record("x".repeat(MAX_TEXT + 10));
        for i in 0..MAX_PENDING {
            record(format!("many {i}"));
        }
        collect(&ctx, &log);
        collect(&ctx, &log); // nothing pending: writes nothing
        log.close();
        let out = std::fs::read_to_string(&p).unwrap();
        let warn: Vec<&str> = out.lines().filter(|l| l.starts_with("Warning: ")).collect();
        // MAX_PENDING kept (first, the long one, MAX_PENDING - 2 of the
        // loop) plus the line counting the ones not kept, in MAX_LINES.
        assert_eq!(warn.len(), MAX_LINES, "{out}");
        assert_eq!(warn[0], "Warning: first");
        assert!(warn[1].ends_with("x [...]"), "{}", warn[1]);
        assert!(warn[1].len() < MAX_TEXT + 20);
        assert_eq!(
            warn[MAX_LINES - 1],
            format!(
                "Warning: {} more distinct rank-local warning(s) not shown",
                MAX_PENDING + 1 - (MAX_LINES - 1)
            )
        );
        assert!(out.lines().all(|l| !l.starts_with('[')), "{out}");
        assert_eq!(log.counts(), (0, MAX_LINES));
        assert!(take().is_empty());
    }
}
