//! The channel ports of Topographica's `ChannelGeneratorSheet`
//! (topo/base/generatorsheet.py): when the input pattern has more than
//! one channel (`num_channels()`, imagen's `ChannelGenerator`), the sheet
//! sends each channel on a port `Activity0`..`Activity<N-1>` besides the
//! default activity on `Activity`; a projection reads one with its
//! `src_port`.
//!
//! Each rank renders every channel over the same canvas as the default
//! activity (its own block plus what outgoing projections read), so the
//! channel activities are distributed like any generator sheet's and
//! bit-identical over rank counts: every rendered value is a per-unit
//! computation.

use crate::error::SimError;
use topo_spec::{Component, Value};

/// The channels of one channel generator sheet on this rank.
pub struct Channels {
    /// Channel values over the generator's canvas block, one per port.
    pub canvases: Vec<Vec<f64>>,
    /// Channel values of the owned units (laid out like the sheet's
    /// activity), for snapshots and probes.
    pub activity: Vec<Vec<f64>>,
    /// Whether the current input pattern has the channels
    /// (`set_input_generator` with a single-channel pattern leaves the
    /// ports silent, as Topographica sends nothing on them then).
    pub active: bool,
}

impl Channels {
    /// The ports of a sheet whose `input_generator` is `pattern`: `None`
    /// when the pattern has at most one channel (the sheet then acts as
    /// a plain GeneratorSheet, `set_input_generator`'s "monochrome"
    /// case). Refuses the options that need whole-sheet sums.
    pub fn of(sheet: &Component, name: &str, owned: usize) -> Result<Option<Channels>, SimError> {
        if !matches!(
            sheet.get("constant_mean_total_channels_output"),
            None | Some(Value::None)
        ) {
            return Err(SimError::Unsupported(format!(
                "{name}: constant_mean_total_channels_output (topo-hpc supports None)"
            )));
        }
        match sheet.get("channel_output_fns") {
            None | Some(Value::None) => {}
            Some(Value::Dict(d)) if d.is_empty() => {}
            Some(_) => {
                return Err(SimError::Unsupported(format!(
                    "{name}: channel_output_fns (topo-hpc supports an empty dict)"
                )))
            }
        }
        let pattern = sheet
            .get("input_generator")
            .and_then(Value::as_object)
            .ok_or_else(|| SimError::Build(format!("{name}: input_generator missing")))?;
        let n = count(pattern, name)?;
        Ok((n > 1).then(|| Channels {
            canvases: vec![Vec::new(); n],
            activity: vec![vec![0.0; owned]; n],
            active: true,
        }))
    }

    /// Number of ports `Activity0`..
    pub fn len(&self) -> usize {
        self.canvases.len()
    }

    /// Whether there are no channel ports.
    pub fn is_empty(&self) -> bool {
        self.canvases.is_empty()
    }

    /// A new input pattern (`ChannelGeneratorSheet.set_input_generator`):
    /// the ports stay if it has the same number of channels and fall
    /// silent if it has at most one; another count would re-make the
    /// ports under connections already made, which is refused.
    pub fn set_pattern(&mut self, pattern: &Component, name: &str) -> Result<(), SimError> {
        let n = count(pattern, name)?;
        if n > 1 && n != self.len() {
            return Err(SimError::Unsupported(format!(
                "{name}: input pattern with {n} channels on a sheet connected with {} channel ports",
                self.len()
            )));
        }
        self.active = n > 1;
        Ok(())
    }
}

fn count(pattern: &Component, name: &str) -> Result<usize, SimError> {
    topo_pattern::num_channels(pattern)
        .map_err(|e| SimError::Build(format!("{name}: input pattern: {e}")))
}

/// The channel a `src_port` names (`Activity<i>`), if it names one.
pub fn port_channel(port: &str) -> Option<usize> {
    let digits = port.strip_prefix("Activity")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::port_channel;

    #[test]
    fn ports_name_channels() {
        assert_eq!(port_channel("Activity0"), Some(0));
        assert_eq!(port_channel("Activity12"), Some(12));
        assert_eq!(port_channel("Activity"), None);
        assert_eq!(port_channel("Activity-1"), None);
        assert_eq!(port_channel("Other0"), None);
    }
}
