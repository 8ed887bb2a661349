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
        use std::io::BufRead;
        // Port 0: the server binds a free port itself and says which. (Finding a free port
        // first and handing it over is a race: two tests at once can be given the same one,
        // and one then talks to the other's server.)
        let mut child = std::process::Command::new("python3")
            .args(["-u", "-m", "http.server", "0", "--bind", address])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 serves files");
        // "Serving HTTP on 0.0.0.0 port 41234 (http://0.0.0.0:41234/) ..."
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the server says where it serves");
        let port = line
            .split_whitespace()
            .skip_while(|word| *word != "port")
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in the file server's first line: {line:?}"));
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

/// A git repository made on this machine, for builds to check out over git's "dumb" HTTP
/// protocol (`serve`): commits of whole trees, tags, and the hashes they got.
pub struct GitRepo {
    dir: tempfile::TempDir,
}

impl GitRepo {
    /// An empty repository on branch `main`; `object_format` is `sha1` or `sha256`.
    pub fn new(object_format: &str) -> GitRepo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("repo")).unwrap();
        let repo = GitRepo { dir };
        repo.git(&[
            "init",
            "-q",
            "-b",
            "main",
            &format!("--object-format={object_format}"),
        ]);
        repo
    }

    /// The work tree.
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("repo")
    }

    /// Run git in the work tree (a fixed author, so runs agree) and return what it printed.
    pub fn git(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_AUTHOR_NAME", "kiln")
            .env("GIT_AUTHOR_EMAIL", "kiln@example.invalid")
            .env("GIT_COMMITTER_NAME", "kiln")
            .env("GIT_COMMITTER_EMAIL", "kiln@example.invalid")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Commit everything in the work tree; returns the commit's hash.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A", "."]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Serve it on 127.0.0.1; the repository's URL is `http://127.0.0.1:PORT/repo/.git`.
    pub fn serve(self) -> FileServer {
        self.git(&["update-server-info"]);
        FileServer::serve(self.dir)
    }
}
