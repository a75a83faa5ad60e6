//! (filled in with issue 4's tests)
