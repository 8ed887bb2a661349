//! Servers the end-to-end tests start on this machine: static files over HTTP (downloads,
//! context tars, git's dumb HTTP protocol), and what the bench's registry holds.

/// A static file server on 127.0.0.1 (BuildKit downloads from the daemon's network).
pub struct FileServer {
    child: std::process::Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl FileServer {
    pub fn start(files: &[(&str, &[u8])]) -> FileServer {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        Self::serve(dir)
    }

    /// Serve a directory (kept alive as long as the server).
    pub fn serve(dir: tempfile::TempDir) -> FileServer {
        Self::serve_on(dir, "127.0.0.1")
    }

    /// Serve a directory on `address` (`0.0.0.0` for build containers to reach it).
    pub fn serve_on(dir: tempfile::TempDir, address: &str) -> FileServer {
        let port = std::net::TcpListener::bind((address, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("python3")
            .args(["-m", "http.server", &port.to_string(), "--bind", address])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 serves files");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        FileServer {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The architectures of the `linux` images in the manifest list the registry holds for
/// `repository:tag` (asked over its HTTP API), sorted.
pub fn manifest_list_architectures(repository: &str, tag: &str) -> Vec<String> {
    let accept = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json";
    let out = std::process::Command::new("curl")
        .args(["-sf", "-H", &format!("Accept: {accept}")])
        .arg(format!(
            "http://127.0.0.1:5000/v2/{repository}/manifests/{tag}"
        ))
        .output()
        .expect("curl runs");
    assert!(out.status.success(), "no manifest for {repository}:{tag}");
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON manifest");
    let mut architectures: Vec<String> = list["manifests"]
        .as_array()
        .unwrap_or_else(|| panic!("a manifest list: {list}"))
        .iter()
        .filter(|m| m["platform"]["os"] == "linux")
        .filter_map(|m| m["platform"]["architecture"].as_str().map(str::to_string))
        .collect();
    architectures.sort();
    architectures
}
