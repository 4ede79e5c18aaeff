//! What map measurement needs (Topographica's `pattern_present`):
//! replace a generator sheet's input pattern, save and restore the event
//! queue and time around a presentation (`event_push` / `event_pop`).
//! Plasticity switches and `apply_output_fns` are in the parent module.

use super::Network;
use crate::error::SimError;
use crate::queue::EventKind;
use crate::sheet::SheetKind;
use topo_spec::Component;

impl Network {
    /// `GeneratorSheet.set_input_generator`: the pattern this sheet
    /// renders from now on; returns the previous one.
    pub fn set_input_generator(
        &mut self,
        sheet: &str,
        pattern: Component,
    ) -> Result<Component, SimError> {
        let i = self.sheet_index(sheet)?;
        match &mut self.sheets[i].kind {
            SheetKind::Generator(g) => {
                if let Some(ch) = &mut g.channels {
                    ch.set_pattern(&pattern, sheet)?;
                }
                Ok(std::mem::replace(&mut g.pattern, pattern))
            }
            _ => Err(SimError::Unknown(format!(
                "{sheet} is not a GeneratorSheet"
            ))),
        }
    }

    /// The pattern a generator sheet renders.
    pub fn input_generator(&self, sheet: &str) -> Result<&Component, SimError> {
        match &self.sheet_ref(sheet)?.kind {
            SheetKind::Generator(g) => Ok(&g.pattern),
            _ => Err(SimError::Unknown(format!(
                "{sheet} is not a GeneratorSheet"
            ))),
        }
    }

    /// `Simulation.event_push`: save the time and the event queue.
    pub fn event_push(&mut self) {
        self.event_stack.push((self.time, self.queue.clone()));
    }

    /// `Simulation.event_pop`: restore the time and queue of the last
    /// [`Network::event_push`]. In-flight buffers of dropped events are
    /// returned to their pools.
    pub fn event_pop(&mut self) -> Result<(), SimError> {
        let (t, q) = self
            .event_stack
            .pop()
            .ok_or_else(|| SimError::State("event_pop without event_push".into()))?;
        self.time = t;
        self.queue = q;
        let mut used: Vec<Vec<bool>> = self
            .projs
            .iter()
            .map(|p| vec![false; p.pool.len()])
            .collect();
        for (_, e) in self.queue.events() {
            if let EventKind::Deliver { proj, buf } = e {
                used[proj][buf] = true;
            }
        }
        for (p, u) in self.projs.iter_mut().zip(used) {
            p.free = (0..p.pool.len()).filter(|&i| !u[i]).collect();
        }
        Ok(())
    }
}
