//! Map analysis for topo-hpc: feature preference collation, pinwheels,
//! hypercolumn size and PNG plots (issue 7).
//!
//! Everything here is a pure function of plain row-major `f64` arrays
//! (wrapped in [`Grid`]; row 0 is the top row of the sheet), independent of
//! the simulation engine, so it runs on a rank's block or on gathered
//! sheets alike.
//!
//! # Orientation maps (featuremapper `measure_or_pref`)
//! * [`or_pref_presentations`] lists the sine gratings (frequency 2.4,
//!   orientations `k·π/4`, phases `k·2π/18`, scale 0.3) in featuremapper's
//!   order (phase fastest, then orientation, then frequency);
//!   [`SineGratingStimulus::feature_values`] gives the values to record.
//! * A [`FeatureCollector`] (one per measured sheet block and duration)
//!   keeps each unit's peak response per feature bin
//!   ([`FeatureCollector::add`]; bins start at 0) and turns them into
//!   preference/selectivity maps ([`FeatureCollector::map`],
//!   [`FeatureCollector::maps`]) with `DSF_WeightedAverage`
//!   ([`distribution`]): vector average wrapped into `[0, range)` for
//!   cyclic features, weighted average otherwise; selectivity times the
//!   multiplier ([`DEFAULT_SELECTIVITY_MULTIPLIER`] 17, GCAL sets 2).
//!
//! # Pinwheels and hypercolumns (featuremapper `analysis/`)
//! * [`find_pinwheels`]: zero contours of Re/Im of `exp(i·2π·pref/range)`
//!   by marching squares ([`contour_segments`], placed as matplotlib's
//!   `contour(origin='upper', extent=...)`), crossings by featuremapper's
//!   formula ([`segment_intersection`]).
//! * [`fft_power`], [`wavenumber_spectrum`], [`kaschube_fit`]
//!   (Levenberg–Marquardt, [`levenberg_marquardt`]), [`hypercolumns`]
//!   (kmax, units per hypercolumn), [`pinwheel_density`] (count / kmax²,
//!   pinwheels per hypercolumn²), [`gamma_metric`]; all at once with
//!   [`map_quality()`], one log line with [`MapQuality::summary`].
//!
//! # Plots ([`plot`])
//! [`plot::activity_image`] (grayscale, [`plot::Normalization`]),
//! [`plot::orientation_image`] (hue = preference/range, optional
//! selectivity as saturation or value), [`plot::mark_points`] (pinwheel
//! markers), [`plot::cf_grid_image`] (one projection's CFs, each
//! normalised on its own, tiled with gaps; [`plot::grid_plot_coords`]
//! gives Topographica's choice of units), all with an integer
//! nearest-neighbour enlargement, written by [`plot::RgbImage::save_png`].
//!
//! # Receptive fields (featuremapper `ReverseCorrelation`)
//! [`ReverseCorrelation`] sums response × input over noise presentations
//! for each unit of a region of interest ([`roi_block`]).
//!
//! # Where this differs from featuremapper / Topographica
//! * The Kaschube fit uses our own damped Levenberg–Marquardt, not MINPACK:
//!   converged coefficients agree to ~1e-5, but where scipy falls into a
//!   degenerate minimum the two can differ. Fits with a non-positive
//!   Gaussian height or a peak outside the measured wavenumbers are
//!   rejected (featuremapper only requires `a1 > 0`) and kmax falls back
//!   to the arg-max wavenumber.
//! * Pinwheel intersections are searched cell by cell (segments of
//!   different grid cells cannot cross under the half-open tests) instead
//!   of over matplotlib path pairs; the points are the same.
//! * featuremapper stores 0 as its `rho_metric`; [`MapQuality`] reports
//!   the gamma metric it computes first.
//! * Plots: Topographica saves at one pixel per unit and pads its CF
//!   contact sheet with 3 white pixels; here the enlargement factor, gap
//!   and margin are parameters.

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
pub mod reverse_correlation;

pub use collector::{FeatureCollector, FeatureMap, DEFAULT_SELECTIVITY_MULTIPLIER};
pub use contour::{contour_segments, Extent, Segment};
pub use distribution::{wrap, Axis};
pub use error::{AnalysisError, Result};
pub use features::{
    feature_product, or_pref_features, or_pref_presentations, Feature, OrPrefParams,
    SineGratingStimulus,
};
pub use grid::Grid;
pub use hypercolumn::{
    fft_power, gamma_metric, hypercolumns, hypercolumns_with_init, kaschube_fit, kaschube_fn,
    pinwheel_density, wavenumber_spectrum, Hypercolumns,
};
pub use lm::{levenberg_marquardt, FitResult};
pub use map_quality::{map_quality, MapQuality};
pub use pinwheels::{find_pinwheels, segment_intersection, Pinwheels};
pub use reverse_correlation::{roi_block, ReverseCorrelation, RoiBlock};
