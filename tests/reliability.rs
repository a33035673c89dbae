//! Reliability under faults, crashes, shutdowns and replicas, with the real binary against the
//! fake GitHub; and property tests of the parsers that take untrusted input. What each test
//! proves and the measured figures are in `docs/reliability.md`.

mod support;

#[path = "reliability/common.rs"]
mod common;
#[path = "reliability/crash.rs"]
mod crash;
#[path = "reliability/exposure.rs"]
mod exposure;
#[path = "reliability/faults.rs"]
mod faults;
#[path = "reliability/memory.rs"]
mod memory;
#[path = "reliability/props.rs"]
mod props;
#[path = "reliability/replicas.rs"]
mod replicas;
#[path = "reliability/shutdown.rs"]
mod shutdown;
#[path = "reliability/sockets.rs"]
mod sockets;
