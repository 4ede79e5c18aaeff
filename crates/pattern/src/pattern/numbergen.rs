//! [`Randomness`] over topo-numbergen's [`Streams`]: the model's numbergen
//! generators and imagen's shared numpy stream.

use super::{Randomness, UniformSource};
use std::collections::BTreeMap;
use topo_numbergen::{NumpyRandomState, Streams};
use topo_spec::{Time, UserClass, Value};

impl UniformSource for NumpyRandomState {
    fn random_sample(&mut self) -> f64 {
        NumpyRandomState::random_sample(self)
    }

    fn skip(&mut self, n: u64) {
        NumpyRandomState::skip(self, n)
    }
}

impl Randomness for Streams {
    fn value(&mut self, v: &Value, t: Time) -> Result<f64, String> {
        Streams::value(self, v, t).map_err(|e| e.to_string())
    }

    fn force_new(&mut self, v: &Value, t: Time) -> Result<f64, String> {
        Streams::force_new(self, v, t).map_err(|e| e.to_string())
    }

    fn shared_uniform(&mut self) -> &mut dyn UniformSource {
        self.shared_numpy()
    }

    fn hashed_uniform(&mut self, name: &str, t: Time) -> Result<Box<dyn UniformSource>, String> {
        Ok(Box::new(Streams::hashed_numpy(self, name, t)))
    }

    fn prepare_draws(&mut self, gen: &topo_spec::Component, t: Time) {
        Streams::prepare_draws(self, gen, t)
    }

    fn user_classes(&self) -> Option<std::sync::Arc<BTreeMap<String, UserClass>>> {
        Some(Streams::user_classes(self))
    }

    fn pattern_state(&self, instance: &str) -> Option<BTreeMap<String, f64>> {
        Some(Streams::pattern_state(self, instance))
    }

    fn set_pattern_state(&mut self, instance: &str, state: &BTreeMap<String, f64>) {
        Streams::set_pattern_state(self, instance, state)
    }
}
