//! Map analysis: feature preferences, pinwheels, hypercolumns and plots.
