//! The bottom layer: LLB ops built from plain typed inputs (no model, no lowering state).
//! Each builder returns a `BuiltOp`: the op, the caps it needs, its marshalled bytes and
//! their digest, encoded once here and reused by the graph.

pub mod exec;
pub mod file;
pub mod source;

use kiln_proto::pb;
use prost::Message;

/// One output of an op: what a filesystem state is. `None` (elsewhere) means scratch.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Output {
    pub digest: String,
    pub index: i64,
}

/// An op ready for the graph: what it is, what it needs, and how it is named.
#[derive(Clone, Debug, PartialEq)]
pub struct BuiltOp {
    pub op: pb::Op,
    /// The LLB caps the op relies on (more may be attributed to parts of a step elsewhere).
    pub caps: Vec<&'static str>,
    /// The op marshalled: what goes into the Definition.
    pub bytes: Vec<u8>,
    /// `sha256:<hex>` of `bytes`: how BuildKit names the op.
    pub digest: String,
}

impl BuiltOp {
    pub fn new(op: pb::Op, caps: Vec<&'static str>) -> Self {
        let bytes = op.encode_to_vec();
        let digest = kiln_proto::digest(&bytes);
        BuiltOp {
            op,
            caps,
            bytes,
            digest,
        }
    }

    /// The op's first output, as a state other ops can use.
    pub fn output(&self, index: i64) -> Output {
        Output {
            digest: self.digest.clone(),
            index,
        }
    }
}

/// How an op refers to its inputs: distinct states in first-use order.
#[derive(Default)]
pub struct Inputs(pub Vec<Output>);

impl Inputs {
    /// The index of a state among the inputs (added if new); -1 for scratch.
    pub fn index(&mut self, state: Option<&Output>) -> i64 {
        let Some(state) = state else { return -1 };
        match self.0.iter().position(|o| o == state) {
            Some(i) => i as i64,
            None => {
                self.0.push(state.clone());
                self.0.len() as i64 - 1
            }
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn into_pb(self) -> Vec<pb::Input> {
        self.0
            .into_iter()
            .map(|o| pb::Input {
                digest: o.digest,
                index: o.index,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_dsl::model::{Network, Security, Sharing};

    fn linux() -> pb::Platform {
        crate::platform::to_pb("linux/amd64")
    }

    fn base() -> Output {
        Output {
            digest: format!("sha256:{}", "1".repeat(64)),
            index: 0,
        }
    }

    /// An exec op with one mount of each kind.
    fn every_mount() -> BuiltOp {
        exec::exec_op(
            exec::ExecSpec {
                args: vec!["/bin/sh".into(), "-c".into(), "make".into()],
                env: vec!["PATH=/usr/bin".into()],
                cwd: "/src".into(),
                user: "1000".into(),
                network: Network::None,
                security: Security::Sandbox,
                mounts: vec![
                    exec::MountSpec::Cache {
                        target: "/root/.cache".into(),
                        id: "c".into(),
                        sharing: Sharing::Locked,
                        state: None,
                        selector: String::new(),
                        readonly: false,
                    },
                    exec::MountSpec::Secret {
                        id: "tok".into(),
                        target: None,
                        env: Some("TOKEN".into()),
                        required: true,
                    },
                    exec::MountSpec::Ssh {
                        id: "default".into(),
                        target: "/run/ssh".into(),
                        required: false,
                    },
                    exec::MountSpec::Tmpfs {
                        target: "/tmp".into(),
                        size: Some(1 << 20),
                    },
                    exec::MountSpec::Bind {
                        target: "/in".into(),
                        state: Some(base()),
                        selector: "out".into(),
                        readonly: true,
                    },
                ],
                remove_mount_stubs: false,
            },
            Some(&base()),
            linux(),
        )
    }

    /// The digests of representative ops, pinned: any change to how ops are encoded (field
    /// order, defaults, attrs) changes them, and every cache key with them.
    #[test]
    fn pinned_digests() {
        let pinned = [
            (
                source::image_op("docker.io/library/alpine:3.20", &linux(), None),
                "sha256:d21afdbbb32f0bc0381a3c2678070b3a2efb0cb6881a8ac0ecb3471df423cb84",
            ),
            (
                source::image_op("docker.io/library/alpine:3.20", &linux(), Some("pull")),
                "sha256:c30eff1d3d84712eecf28000539c1300c1bcb8e7bd8d56c9607338135271d20e",
            ),
            (
                source::local_op("context", Some("s1"), &["target".to_string()]),
                "sha256:960d06fc51f0bdf65d23fcaf9b9926e4c4bd17b82cba8aa8d5e543ba4bb13d3d",
            ),
            (
                source::http_op(
                    "https://example.com/t.tar.gz",
                    Some(&"AB".repeat(32)),
                    "t.tar.gz",
                    Some(0o755),
                ),
                "sha256:98a3a4959b9b621fd0c025fd8ca150d8aa48b15440a110ba8fc0603c03222ed0",
            ),
            (
                source::git_op("https://github.com/a/b.git", Some("v1"), true),
                "sha256:f940b0202d0ad0ea818d8eef1c921578de351b0603af1986cf252fb9cbf1fc08",
            ),
            (
                file::file_op(
                    {
                        let mut inputs = Inputs::default();
                        inputs.index(Some(&base()));
                        inputs
                    },
                    vec![file::mkdir_action(
                        0,
                        "/src",
                        0o755,
                        Some(file::chown("app:app", 0)),
                    )],
                    vec!["file.base"],
                ),
                "sha256:161582619a4ebc1cb36bff14112a4817e5f2d106e0a0a46a6916785a51372dd7",
            ),
            (
                file::file_op(
                    Inputs(vec![base()]),
                    vec![file::symlink_action(0, "/a", "/b")],
                    vec!["file.base", "file.symlink.create"],
                ),
                "sha256:61af2e6f8e6bc067ce7c8f6b63813b09776a28632e654d26b8224baf93ec0bd1",
            ),
            (
                file::merge_op(
                    base(),
                    source::image_op("docker.io/library/busybox:latest", &linux(), None).output(0),
                ),
                "sha256:7f6cea0660a8038bb66ccc772ba5e0e51cd9bfa6cb11b62bde5f28019fd4dcdf",
            ),
            (
                every_mount(),
                "sha256:0c036b18ad4d87e6ab324adbd07510f02f5c57a310ef3ba9340a90737fe2abc1",
            ),
            (
                exec::unzip_op(base(), base(), "t.zip", linux()),
                "sha256:09a69a570e7dff609a0df40e862fdb81388b9fa6065e96a443517dee7ad2458f",
            ),
        ];
        let mut wrong = Vec::new();
        for (i, (built, digest)) in pinned.iter().enumerate() {
            assert_eq!(built.digest, kiln_proto::digest(&built.bytes));
            assert_eq!(built.bytes, built.op.encode_to_vec());
            if built.digest != *digest {
                wrong.push(format!("#{i}: {} (pinned {digest})", built.digest));
            }
        }
        assert!(wrong.is_empty(), "digests changed:\n{}", wrong.join("\n"));
    }

    #[test]
    fn caps_follow_options() {
        let plain = source::image_op("docker.io/library/alpine:3", &linux(), Some("default"));
        assert_eq!(plain.caps, ["source.image"]);
        let local = source::local_op("ctx", None, &[]);
        assert_eq!(local.caps, ["source.local", "source.local.sharedkeyhint"]);
        let exec = exec::exec_op(
            exec::ExecSpec {
                args: vec!["true".into()],
                env: Vec::new(),
                cwd: "/".into(),
                user: String::new(),
                network: Network::Host,
                security: Security::Insecure,
                mounts: Vec::new(),
                remove_mount_stubs: false,
            },
            None,
            linux(),
        );
        assert_eq!(
            exec.caps,
            [
                "exec.meta.base",
                "exec.mount.bind",
                "exec.meta.setsdefaultpath",
                "exec.meta.network",
                "exec.meta.security"
            ]
        );
    }
}
