//! Topographica's `state_push` / `state_pop` around a measurement
//! (featuremapper's `pattern_response` restores the whole simulation after
//! measuring), so that analysis never changes what the model learns next.
//!
//! The engine's snapshot export is kept in memory and imported into a
//! freshly built network with the same decomposition.

use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, Result};
use serde_json::Value as Json;
use topo_sim::network::InFlight;
use topo_sim::state::{ArrayData, LocalArray};

/// This rank's part of a saved simulation state.
pub struct SavedState {
    arrays: Vec<LocalArray>,
    meta: Json,
    in_flight: InFlight,
}

/// Saves the state, activity in flight included (a model whose delays
/// leave events queued at the analysis time, e.g. hierarchical.ty's 0.5
/// delays and 0.25 phase, is measured as Topographica measures it).
pub fn state_push(sess: &Session) -> Result<SavedState> {
    let (arrays, meta, in_flight) = sess
        .net
        .export_state_in_flight()
        .map_err(|e| anyhow!("saving the state before analysis: {e}"))?;
    Ok(SavedState {
        arrays,
        meta,
        in_flight,
    })
}

/// Collective: replaces the session by a fresh one holding `saved`.
pub fn state_pop(ctx: &Context, sess: &mut Session, saved: SavedState) -> Result<()> {
    let mut fresh = Session::build(ctx, sess.spec.clone())?;
    let arrays = saved.arrays;
    let mut read = |path: &str, start: &[usize], count: &[usize]| -> Result<ArrayData, String> {
        let a = arrays
            .iter()
            .find(|a| a.path == path)
            .ok_or_else(|| format!("{path} was not saved"))?;
        sub_slab(a, start, count)
    };
    fresh
        .net
        .import_state(&saved.meta, &mut read, &mut fresh.ex)
        .map_err(|e| anyhow!("restoring the state after analysis: {e}"))?;
    fresh
        .net
        .import_in_flight(saved.in_flight)
        .map_err(|e| anyhow!("restoring the state after analysis: {e}"))?;
    *sess = fresh;
    Ok(())
}

/// The hyperslab `(start, count)` of a saved local array; it must lie
/// inside one of the hyperslabs this rank saved (same decomposition).
fn sub_slab(a: &LocalArray, start: &[usize], count: &[usize]) -> Result<ArrayData, String> {
    let n = a.global_shape.len();
    if start.len() != n || count.len() != n {
        return Err(format!("{}: rank mismatch in a state read", a.path));
    }
    if count.contains(&0) {
        return Ok(a.data.empty_like());
    }
    let mut base = 0;
    let mut found = None;
    for sl in &a.slabs {
        let inside = (0..n)
            .all(|d| start[d] >= sl.start[d] && start[d] + count[d] <= sl.start[d] + sl.count[d]);
        if inside {
            found = Some((sl, base));
            break;
        }
        base += sl.len();
    }
    let Some((sl, base)) = found else {
        return Err(format!(
            "{}: the read {start:?}+{count:?} is not inside this rank's saved part {:?}",
            a.path, a.slabs
        ));
    };
    let total: usize = count.iter().product();
    let mut idx = Vec::with_capacity(total);
    let mut pos = vec![0usize; n];
    for _ in 0..total {
        let mut flat = 0;
        for d in 0..n {
            flat = flat * sl.count[d] + (start[d] - sl.start[d] + pos[d]);
        }
        idx.push(base + flat);
        for d in (0..n).rev() {
            pos[d] += 1;
            if pos[d] < count[d] {
                break;
            }
            pos[d] = 0;
        }
    }
    Ok(match &a.data {
        ArrayData::F64(v) => ArrayData::F64(idx.iter().map(|&i| v[i]).collect()),
        ArrayData::F32(v) => ArrayData::F32(idx.iter().map(|&i| v[i]).collect()),
        ArrayData::I32(v) => ArrayData::I32(idx.iter().map(|&i| v[i]).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use topo_sim::state::Hyperslab;

    #[test]
    fn sub_slab_reads_a_rectangle_of_the_saved_part() {
        // Saved part: rows 2..5, cols 10..14 of a larger array, value = 100r + c,
        // and a second stripe, rows 6..8.
        let data: Vec<f64> = (2..5)
            .chain(6..8)
            .flat_map(|r| (10..14).map(move |c| (100 * r + c) as f64))
            .collect();
        let slab = |r0: usize, rows: usize| Hyperslab {
            start: vec![r0, 10],
            count: vec![rows, 4],
        };
        let a = LocalArray {
            path: "x".into(),
            global_shape: vec![8, 20],
            slabs: vec![slab(2, 3), slab(6, 2)],
            data: ArrayData::F64(data),
        };
        let ArrayData::F64(v) = sub_slab(&a, &[3, 11], &[2, 2]).unwrap() else {
            panic!("wrong type")
        };
        assert_eq!(v, vec![311.0, 312.0, 411.0, 412.0]);
        let ArrayData::F64(v) = sub_slab(&a, &[7, 12], &[1, 2]).unwrap() else {
            panic!("wrong type")
        };
        assert_eq!(v, vec![712.0, 713.0]);
        assert!(sub_slab(&a, &[1, 11], &[2, 2]).is_err());
        // Spanning two stripes (row 5 is not saved) is refused.
        assert!(sub_slab(&a, &[4, 11], &[3, 1]).is_err());
    }
}
