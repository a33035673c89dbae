//! `design-review healthcheck`: probe the local server's `/healthz` (the container image has no
//! curl). Exit 0 when it answers 200.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    process::ExitCode,
    time::Duration,
};

/// Flags of `design-review healthcheck`.
#[derive(Debug, clap::Args)]
pub struct HealthcheckArgs {
    /// The address the server listens on (a 0.0.0.0 address is probed on 127.0.0.1).
    #[arg(long, env = "LISTEN_ADDR", default_value = "0.0.0.0:3000")]
    pub listen_addr: String,
    /// Probe /readyz (database reachable) instead of /healthz (process alive).
    #[arg(long)]
    pub ready: bool,
}

pub fn run(args: HealthcheckArgs) -> ExitCode {
    let path = if args.ready { "/readyz" } else { "/healthz" };
    match probe(&args.listen_addr, path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("design-review: healthcheck failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn probe(listen_addr: &str, path: &str) -> Result<(), String> {
    let mut addr: SocketAddr = listen_addr
        .parse()
        .map_err(|_| format!("LISTEN_ADDR is not a socket address: {listen_addr:?}"))?;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let timeout = Duration::from_secs(3);
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let status = response.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else {
        Err(format!("{path} answered {status:?}"))
    }
}
