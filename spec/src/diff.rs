//! Semantic diff.
