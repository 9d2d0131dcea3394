// The memory limit is process-wide: its test lives in a binary of its own,
// so that no other test runs under the lowered limit.
mod common;

use common::assert_fails;
use trajplot::{ErrorKind, Labels};

#[test]
fn a_size_beyond_the_limit_is_refused_and_the_default_returns() {
    trajplot::set_memory_limit(0);
    let default = trajplot::memory_limit();
    assert!(default > 1 << 20, "default limit {}", default);

    trajplot::set_memory_limit(1 << 20);
    assert_eq!(trajplot::memory_limit(), 1 << 20);
    let big = "x".repeat(600_000);
    assert_fails(
        Labels::new(&[big.as_str(), big.as_str()], 2, 1),
        ErrorKind::OutOfRange,
        &["more than the memory limit of 1048576 bytes"],
    );
    let small = "y".repeat(1000);
    let labels = Labels::new(&[small.as_str(), small.as_str()], 2, 1).unwrap();
    assert_eq!(labels.label(1, 0).unwrap(), small);

    trajplot::set_memory_limit(0);
    assert_eq!(trajplot::memory_limit(), default);
}
