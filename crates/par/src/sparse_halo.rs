//! Sparse halo messages: when most of a dense halo message is zero (GCAL's
//! lateral CFs span most of V1, whose activity is a few blobs), send its
//! non-zero `(index, value)` pairs instead.
//!
//! The choice is made per message and per exchange from the data, by the
//! sender alone: sparse when `2 * nnz < n` for a dense message of `n`
//! values. The receiver posts room for the dense message and tells the two
//! forms apart by the received count (`n`: dense; fewer: pairs), so no
//! flag is needed and both sides agree by construction. Values travel
//! bit-exact; only positive zeros are left out (a `-0.0` is sent as a
//! pair, so the receiver's zero fill restores every bit).

/// Packs `dense` as `(index, value)` pairs into `pairs` if that is
/// shorter; returns the number of values to send from `pairs`, or `None`
/// to send `dense` as it is. `pairs` must hold `dense.len()` values.
pub fn pack(dense: &[f64], pairs: &mut [f64]) -> Option<usize> {
    let n = dense.len();
    let mut w = 0;
    for (i, &v) in dense.iter().enumerate() {
        if v.to_bits() == 0 {
            continue;
        }
        // Too many non-zeros: the pairs would not be shorter.
        if w + 2 >= n {
            return None;
        }
        // Indices are below 2^53, exact as f64.
        pairs[w] = i as f64;
        pairs[w + 1] = v;
        w += 2;
    }
    (w < n).then_some(w)
}

/// Expands a received message of `count` values into the dense `out` (its
/// full length being the dense message's): copied when `count ==
/// out.len()`, else scattered from `(index, value)` pairs over zeros.
pub fn unpack(received: &[f64], count: usize, out: &mut [f64]) {
    if count == out.len() {
        out.copy_from_slice(&received[..count]);
        return;
    }
    out.fill(0.0);
    for p in received[..count].chunks_exact(2) {
        out[p[0] as usize] = p[1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(dense: &[f64]) -> (Option<usize>, Vec<f64>) {
        let mut pairs = vec![f64::NAN; dense.len()];
        let sent = pack(dense, &mut pairs);
        let (buf, count) = match sent {
            Some(w) => (pairs, w),
            None => (dense.to_vec(), dense.len()),
        };
        let mut out = vec![7.0; dense.len()];
        unpack(&buf, count, &mut out);
        (sent, out)
    }

    #[test]
    fn sparse_when_shorter_dense_otherwise_and_bits_are_kept() {
        let mut v = vec![0.0; 10];
        v[3] = 0.25;
        v[9] = -0.0;
        let (sent, out) = round_trip(&v);
        assert_eq!(sent, Some(4));
        assert_eq!(
            out.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        // Half non-zero: 2 * 5 == 10 is not shorter, dense.
        let half: Vec<f64> = (0..10)
            .map(|i| if i % 2 == 0 { 1.0 + i as f64 } else { 0.0 })
            .collect();
        let (sent, out) = round_trip(&half);
        assert_eq!(sent, None);
        assert_eq!(out, half);
        // Four of ten: 8 < 10, sparse.
        let mut four = vec![0.0; 10];
        for i in [0, 4, 5, 9] {
            four[i] = f64::from(i as u8) + 0.5;
        }
        assert_eq!(round_trip(&four), (Some(8), four.clone()));
        // All zero: no pair at all.
        assert_eq!(round_trip(&[0.0; 5]), (Some(0), vec![0.0; 5]));
        // Empty and NaN.
        assert_eq!(round_trip(&[]).0, None);
        let (_, out) = round_trip(&[f64::NAN, 0.0, 0.0, 0.0, 0.0]);
        assert!(out[0].is_nan() && out[1..].iter().all(|&x| x.to_bits() == 0));
    }
}
