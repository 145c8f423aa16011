//! Rendering the human reference.
