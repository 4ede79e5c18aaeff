//! The error type shared by every analysis function.

use std::fmt;

/// Why an analysis step could not be carried out.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisError {
    /// An array does not have the number of elements its shape announces.
    Shape {
        /// What the array is (e.g. "preference map").
        what: String,
        /// Elements required by the stated shape.
        expected: usize,
        /// Elements actually supplied.
        actual: usize,
    },
    /// A parameter is outside the values the computation can use.
    InvalidParameter(String),
    /// A presentation named a feature value that is not one of the feature's bins.
    UnknownFeatureValue {
        /// Feature name.
        feature: String,
        /// The value that matched no bin.
        value: f64,
    },
    /// Writing or encoding an image failed.
    Image(String),
}

impl fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnalysisError::Shape {
                what,
                expected,
                actual,
            } => write!(
                f,
                "{what}: expected {expected} values for its shape, got {actual}"
            ),
            AnalysisError::InvalidParameter(msg) => write!(f, "invalid parameter: {msg}"),
            AnalysisError::UnknownFeatureValue { feature, value } => write!(
                f,
                "feature {feature}: value {value} is not one of the measured values"
            ),
            AnalysisError::Image(msg) => write!(f, "image: {msg}"),
        }
    }
}

impl std::error::Error for AnalysisError {}

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, AnalysisError>;
