//! Map analysis for topo-hpc: feature preference collation, pinwheels,
//! hypercolumn size and PNG plots (issue 7).
//!
//! Everything here is a pure function of plain row-major `f64` arrays
//! (wrapped in [`Grid`]), independent of the simulation engine, so it runs
//! on a rank's block or on gathered sheets alike.
//!
//! * Orientation maps as featuremapper's `measure_or_pref`:
//!   [`or_pref_presentations`] lists the sine gratings in presentation
//!   order, a [`FeatureCollector`] keeps each unit's peak response per
//!   feature bin ([`FeatureCollector::add`]) and turns them into
//!   preference/selectivity maps ([`FeatureCollector::map`],
//!   `DSF_WeightedAverage`; see [`distribution`]).
//! * Pinwheels: [`find_pinwheels`] (zero contours of Re/Im of
//!   `exp(i·2π·pref/range)` from [`contour_segments`], crossings by
//!   [`segment_intersection`]).
//! * Hypercolumns: [`fft_power`], [`wavenumber_spectrum`],
//!   [`kaschube_fit`] (Levenberg–Marquardt, [`levenberg_marquardt`]),
//!   [`hypercolumns`], [`pinwheel_density`], [`gamma_metric`]; all at once
//!   with [`map_quality`].
//! * Plots ([`plot`]): [`plot::activity_image`],
//!   [`plot::orientation_image`], [`plot::cf_grid_image`] (with
//!   [`plot::grid_plot_coords`] for Topographica's choice of units),
//!   written with [`plot::RgbImage::save_png`].

pub mod collector;
pub mod contour;
pub mod distribution;
pub mod error;
pub mod features;
pub mod fft;
pub mod grid;
pub mod hypercolumn;
pub mod lm;
pub mod map_quality;
pub mod pinwheels;
pub mod plot;

pub use collector::{FeatureCollector, FeatureMap, DEFAULT_SELECTIVITY_MULTIPLIER};
pub use contour::{contour_segments, Extent, Segment};
pub use distribution::{wrap, Axis};
pub use error::{AnalysisError, Result};
pub use features::{
    or_pref_features, or_pref_presentations, Feature, OrPrefParams, SineGratingStimulus,
};
pub use grid::Grid;
pub use hypercolumn::{
    fft_power, gamma_metric, hypercolumns, kaschube_fit, kaschube_fn, pinwheel_density,
    wavenumber_spectrum, Hypercolumns,
};
pub use lm::{levenberg_marquardt, FitResult};
pub use map_quality::{map_quality, MapQuality};
pub use pinwheels::{find_pinwheels, segment_intersection, Pinwheels};
