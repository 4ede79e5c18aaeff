//! Errors of network construction and simulation.

use std::fmt;

/// What went wrong while building or running a network.
#[derive(Debug, Clone, PartialEq)]
pub enum SimError {
    /// The model asks for something the engine does not implement.
    Unsupported(String),
    /// A parameter is missing or has the wrong type.
    BadParam {
        /// Where (sheet or projection name).
        owner: String,
        /// Parameter name.
        param: String,
        /// What was expected.
        expected: String,
    },
    /// A name (sheet, projection) that does not exist.
    Unknown(String),
    /// Connection-field construction failed.
    Build(String),
    /// Restoring a saved state failed.
    State(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Unsupported(s) => write!(f, "unsupported: {s}"),
            SimError::BadParam {
                owner,
                param,
                expected,
            } => write!(f, "{owner}: parameter '{param}': expected {expected}"),
            SimError::Unknown(s) => write!(f, "unknown name: {s}"),
            SimError::Build(s) => write!(f, "build: {s}"),
            SimError::State(s) => write!(f, "state: {s}"),
        }
    }
}

impl std::error::Error for SimError {}
