//! Units nobody reads during a run (`Network::read_region`): GCAL's LGN
//! sheets compute only the block V1 reads (grown by the gain control's
//! reach for the first settling step) and owe the rest to whoever looks.
//! Once resolved (the end of a `run`, `resolve_owed`, a command) nothing
//! differs, bit for bit, from computing every unit: every sheet's
//! activity, every projection's activity and input (but the lateral
//! inputs of owing sheets, see `state`), every weight, on one
//! rank and split over 2 and 3 ranks, with runs that end in the middle of
//! an iteration (lateral events in flight), runs ahead, state pushes and
//! pops, and commands, and with a retina drawing faster than the LGN
//! settles (afferent input in the middle of an iteration, outside the
//! logged pattern). And the owing is real: before resolving, units
//! outside the block hold other values than after.

use crate::dyn_common;

use dyn_common::threads::{Board, Dealt, Grid, ThreadExchange};
use topo_sim::exchange::{Decomposition, Exchange, LocalExchange, WholeSheets};
use topo_sim::ownership::Dealing;
use topo_sim::Network;
use topo_spec::{ModelSpec, SimCommand, Time, Value};

fn gcal() -> ModelSpec {
    dyn_common::example_model("gcal_class.ty", &[("cortex_density", "20")])
}

/// One step of a test schedule.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// `run(t)` (resolves at its end).
    Run(Time),
    /// `run_ahead(t)` (leaves owed what a run owes to its end).
    Ahead(Time),
    /// `resolve_owed`.
    Resolve,
    /// A command (resolves first, plans the regions again).
    Pass,
    /// `state_push`, `run(t)`, `state_pop`: a presentation.
    Presentation(Time),
}

fn t(n: i64, d: i64) -> Time {
    Time::new(n, d)
}

fn play(net: &mut Network, ex: &mut dyn Exchange, steps: &[Step]) {
    for s in steps {
        match *s {
            Step::Run(d) => net.run(d, ex).expect("run"),
            Step::Ahead(d) => net.run_ahead(d, ex).expect("run_ahead"),
            Step::Resolve => net.resolve_owed(ex).expect("resolve_owed"),
            Step::Pass => net.apply_command(&SimCommand::Pass, ex).expect("command"),
            Step::Presentation(d) => {
                net.state_push();
                net.run(d, ex).expect("run");
                net.state_pop().expect("state_pop");
            }
        }
    }
}

/// Every value anyone can read, in bits, named; per local unit, with
/// the unit's global index (row * cols + col) for sheets and projection
/// activities.
type State = Vec<(String, Vec<(usize, u64)>)>;

fn state(net: &Network) -> State {
    let mut out = Vec::new();
    let global = |sheet: &str| {
        let own = net.sheet_ownership(sheet).expect("sheet");
        let (_, cols) = net.sheet_shape(sheet).expect("sheet");
        (0..own.len())
            .map(|i| {
                let (r, c) = own.global(i);
                r * cols + c
            })
            .collect::<Vec<_>>()
    };
    for s in net.sheet_names() {
        let g = global(&s);
        let a = net.activity(&s);
        out.push((
            s,
            g.into_iter().zip(a.iter().map(|x| x.to_bits())).collect(),
        ));
    }
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        assert!(!p.pending_response, "{dest}.{name} still owes its response");
        let g = global(&dest);
        let act = g
            .iter()
            .copied()
            .zip(p.activity.iter().map(|x| x.to_bits()));
        out.push((format!("{dest}.{name} activity"), act.collect()));
        let w = p.cfs.weights.iter().map(|w| u64::from(w.to_bits()));
        out.push((format!("{dest}.{name} weights"), w.enumerate().collect()));
        // A lateral input of a sheet that owes units, delivered in an
        // earlier iteration, keeps what that iteration's exchange of the
        // sheet's (partly owed) activity brought until its next delivery:
        // only a delivery's response reads it, and it replaces it first
        // (the read_region module docs). Every other input is compared.
        let stale_possible = dest == net.sheet_names()[p.src] && net.read_region(&dest).is_some();
        if !p.cfs.dest_units.is_empty() && !stale_possible {
            // The input, as a rectangle of the source in source rows and
            // columns (it is the same rectangle however the run went).
            let n = p.cfs.needed;
            let cols = n.cols().max(1);
            let inp = p
                .input
                .iter()
                .enumerate()
                .map(|(i, x)| ((n.r0 + i / cols) * 100_000 + n.c0 + i % cols, x.to_bits()));
            out.push((format!("{dest}.{name} input"), inp.collect()));
        }
    }
    out
}

/// The state after `steps` on one rank, owing unread units or not.
fn whole(spec: &ModelSpec, steps: &[Step], owe: bool) -> State {
    let mut ex = LocalExchange::new();
    let mut net = Network::build(spec, &WholeSheets, &mut ex).expect("build");
    net.set_owe_unread(owe);
    play(&mut net, &mut ex, steps);
    state(&net)
}

fn assert_same(a: &State, b: &State, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: arrays");
    for ((na, va), (nb, vb)) in a.iter().zip(b) {
        assert_eq!(na, nb, "{what}: array names");
        assert!(va == vb, "{what}: {na} differs");
    }
}

/// The state after `steps` on one rank owing unread units, asserted equal
/// to the state computing every unit.
fn same_on_and_off(spec: &ModelSpec, steps: &[Step], what: &str) -> State {
    let on = whole(spec, steps, true);
    let off = whole(spec, steps, false);
    assert_same(&on, &off, what);
    on
}

/// Every rank's units of every sheet and projection activity in `parts`
/// hold the bits of the same unit in `reference` (one rank), and every
/// unit is seen once. Weights and inputs are laid out per rank: the
/// activities cover them, and the one-rank tests compare them whole.
fn assert_ranks_match(reference: &State, parts: &[State], what: &str) {
    for (name, values) in reference {
        if name.ends_with(" weights") || name.ends_with(" input") {
            continue;
        }
        let whole: std::collections::HashMap<usize, u64> = values.iter().copied().collect();
        let mut seen = 0;
        for part in parts {
            let (_, mine) = part.iter().find(|(n, _)| n == name).expect("same arrays");
            for (g, bits) in mine {
                assert_eq!(Some(bits), whole.get(g), "{what}: {name} unit {g}");
                seen += 1;
            }
        }
        assert_eq!(seen, whole.len(), "{what}: {name} units seen");
    }
}

/// Schedules: whole iterations; runs ahead resolved at the end; runs
/// ending inside an iteration (GCAL's retina draws at t + 0.05, the LGN
/// settles at t + 0.10 and t + 0.15, its gain control delivering 0.05
/// after each activation); presentations between iterations; a command
/// while a gain-control event is in flight (after which every unit is
/// computed from that event's buffer, which the resolve refilled).
fn schedules() -> Vec<Vec<Step>> {
    use Step::*;
    vec![
        vec![Run(t(3, 1))],
        vec![Ahead(t(1, 1)), Ahead(t(1, 1)), Ahead(t(1, 1)), Resolve],
        vec![
            Run(t(7, 100)),
            Ahead(t(3, 100)),
            Run(t(102, 100)),
            Ahead(t(5, 100)),
            Resolve,
            Run(t(183, 100)),
        ],
        vec![
            Run(t(1, 1)),
            Presentation(t(1, 1)),
            Ahead(t(1, 1)),
            Ahead(t(12, 100)),
            Pass,
            Run(t(88, 100)),
        ],
    ]
}

#[test]
fn gcal_lgn_owes_the_units_v1_does_not_read() {
    let spec = gcal();
    let mut ex = LocalExchange::new();
    let net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    for lgn in ["LGNOn", "LGNOff"] {
        let b = net.read_region(lgn).expect("the LGN owes units");
        let (rows, cols) = net.sheet_shape(lgn).expect("sheet");
        assert!(b.len() < rows * cols, "{lgn}: {b:?} is the whole sheet");
        let v1 = net
            .projection("V1", &format!("{lgn}Afferent"))
            .expect("afferent");
        let read = v1.cfs.needed;
        assert_eq!(
            b.intersect(&read),
            read,
            "{lgn}: {b:?} misses V1's {read:?}"
        );
        assert!(
            b.len() > read.len(),
            "{lgn}: the gain control's reach is missing"
        );
    }
    // V1 learns; the retina is a generator.
    assert_eq!(net.read_region("V1"), None);
    assert_eq!(net.read_region("Retina"), None);
}

#[test]
fn owing_changes_no_bit_on_one_rank() {
    let spec = gcal();
    let reference = whole(&spec, &[Step::Run(t(3, 1))], false);
    for steps in schedules() {
        let on = same_on_and_off(&spec, &steps, &format!("{steps:?}"));
        if !steps.iter().any(|s| matches!(s, Step::Presentation(_))) {
            // Every schedule runs to t = 3 (a presentation learns too).
            assert_same(&on, &reference, &format!("{steps:?} against run(3)"));
        }
    }
}

#[test]
fn owed_units_are_really_skipped_until_resolved() {
    let spec = gcal();
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    net.run(t(1, 1), &mut ex).expect("run");
    net.run_ahead(t(1, 1), &mut ex).expect("run_ahead");
    let owed = net.activity("LGNOn").to_vec();
    net.resolve_owed(&mut ex).expect("resolve");
    let resolved = net.activity("LGNOn").to_vec();
    // What V1 reads is exact all along; the computed block beyond it is
    // exact only up to the first settling step; outside, nothing is.
    let read = net
        .projection("V1", "LGNOnAfferent")
        .expect("afferent")
        .cfs
        .needed;
    let b = net.read_region("LGNOn").expect("region");
    let own = net.sheet_ownership("LGNOn").expect("sheet");
    let (mut inside, mut outside_changed) = (0, 0);
    for (i, (a, r)) in owed.iter().zip(&resolved).enumerate() {
        let (row, col) = own.global(i);
        if read.contains(row, col) {
            assert_eq!(a.to_bits(), r.to_bits(), "unit ({row}, {col}) read by V1");
            inside += 1;
        } else if !b.contains(row, col) && a.to_bits() != r.to_bits() {
            outside_changed += 1;
        }
    }
    assert_eq!(inside, read.len());
    assert!(
        outside_changed > 0,
        "no unit outside {b:?} was owed: nothing was skipped"
    );
}

/// The state of every rank after `steps` on `n` threads exchanging
/// through a board, owing unread units.
fn split(
    spec: &ModelSpec,
    n: usize,
    steps: &[Step],
    make: &(dyn Fn(usize) -> Box<dyn Decomposition + Send> + Sync),
) -> Vec<State> {
    let board = Board::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|rank| {
                let board = board.clone();
                s.spawn(move || {
                    let mut ex = ThreadExchange::new(rank, n, board);
                    let decomp = make(rank);
                    let mut net = Network::build(spec, decomp.as_ref(), &mut ex).expect("build");
                    play(&mut net, &mut ex, steps);
                    state(&net)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("rank"))
            .collect()
    })
}

#[test]
fn owing_changes_no_bit_split_over_ranks() {
    let spec = gcal();
    for steps in schedules() {
        let reference = whole(&spec, &steps, false);
        let grid = |pr: usize, pc: usize| {
            move |rank: usize| -> Box<dyn Decomposition + Send> { Box::new(Grid { rank, pr, pc }) }
        };
        let dealt = |rank: usize| -> Box<dyn Decomposition + Send> {
            Box::new(Dealt {
                rank,
                size: 3,
                dealing: Dealing::Stripes { stripe: 1 },
            })
        };
        let runs: Vec<(&str, Vec<State>)> = vec![
            ("2x1", split(&spec, 2, &steps, &grid(2, 1))),
            ("1x2", split(&spec, 2, &steps, &grid(1, 2))),
            ("3 dealt", split(&spec, 3, &steps, &dealt)),
        ];
        for (what, parts) in runs {
            assert_ranks_match(&reference, &parts, &format!("{what} {steps:?}"));
        }
    }
}

/// GCAL with the retina drawing every `period` instead of every 1.0.
fn fast_retina(period: f64) -> ModelSpec {
    let mut spec = gcal();
    let retina = spec
        .sheets
        .iter_mut()
        .find(|s| s.name == "Retina")
        .expect("a retina");
    retina
        .component
        .params
        .insert("period".into(), Value::Float(period));
    spec
}

/// A retina drawing faster than the LGN settles: its deliveries to the
/// LGN (0.05 after each draw) fall between the LGN's settling steps (0.05
/// apart) or start iterations with a gain-control event of the last,
/// which the log does not cover. Each resolves the LGN there and computes
/// every unit until its next regular iteration; nothing may differ from
/// computing every unit all along, on one rank or two.
#[test]
fn afferent_input_mid_iteration_changes_no_bit() {
    let steps = [Step::Run(t(1, 1)), Step::Ahead(t(1, 2)), Step::Resolve];
    let odd = [
        Step::Ahead(t(37, 100)),
        Step::Pass,
        Step::Run(t(71, 100)),
        Step::Ahead(t(29, 100)),
        Step::Resolve,
    ];
    for period in [0.03, 0.07, 0.2] {
        same_on_and_off(
            &fast_retina(period),
            &odd,
            &format!("retina period {period}, odd steps"),
        );
    }
    for period in [
        0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.09, 0.1, 0.12, 0.15, 0.2, 0.25, 0.33,
    ] {
        same_on_and_off(
            &fast_retina(period),
            &steps,
            &format!("retina period {period}"),
        );
    }
    let spec = fast_retina(0.07);
    let reference = whole(&spec, &steps, false);
    let grid =
        |rank: usize| -> Box<dyn Decomposition + Send> { Box::new(Grid { rank, pr: 2, pc: 1 }) };
    let parts = split(&spec, 2, &steps, &grid);
    assert_ranks_match(&reference, &parts, "2x1, period 0.07");
}
