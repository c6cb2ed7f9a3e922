//! `techmatch mailsink`: a local SMTP server for development and the tests that writes every
//! message it receives as an `.eml` file into a folder (`scripts/run.sh` starts one on loopback;
//! the delivery tests start one per test). It accepts any sender and recipient, never relays, and
//! speaks plain SMTP only: point `TECHMATCH_SMTP_HOST`/`PORT` at it with `TECHMATCH_SMTP_TLS=none`.
//! Built on the `mailin-embedded` crate (a small blocking SMTP server).

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use mailin_embedded::{response, Handler, Response, Server, SslConfig};

#[derive(Clone)]
struct ToFiles {
    dir: PathBuf,
    counter: Arc<AtomicU64>,
    buffer: Vec<u8>,
}

impl Handler for ToFiles {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        self.buffer.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buffer.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("{stamp}-{}-{n}", std::process::id());
        match write_atomically(&self.dir, &name, &self.buffer) {
            Ok(path) => {
                tracing::info!(file = %path.display(), bytes = self.buffer.len(), "mail received");
                response::OK
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot write the mail");
                response::INTERNAL_ERROR
            }
        }
    }
}

/// Writes `bytes` to `dir/name.eml` through a temporary file, so a reader never sees half a mail
/// (no fsync: a development sink, and the file is visible to readers once renamed).
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(format!("{name}.eml"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Serves SMTP on `bind` (port 0 picks one; the log line `mail sink listening` gives it) and writes
/// each message into `dir` (created if missing). Runs until the process stops.
pub fn serve(bind: SocketAddr, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let listener = TcpListener::bind(bind)?;
    let port = listener.local_addr()?.port();
    tracing::info!(port, dir = %dir.display(), "mail sink listening");
    let handler = ToFiles { dir: dir.to_path_buf(), counter: Arc::new(AtomicU64::new(0)), buffer: Vec::new() };
    let mut server = Server::new(handler);
    server
        .with_name("techmatch-mailsink")
        .with_ssl(SslConfig::None)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_num_threads(4)
        .with_tcp_listener(listener);
    server.serve().map_err(|e| anyhow::anyhow!("mail sink stopped: {e}"))
}
