//! `kiln-frontend unzip ARCHIVE DIR`: the frontend image doubles as the tool that unpacks
//! zip downloads (BuildKit unpacks tar archives itself, but not zip). Lowering runs it in an
//! exec op with the frontend image as root filesystem, without network.

use std::path::Path;

/// Unpack `archive` into `dest`: modes from the archive, symlinks kept, and entries whose
/// path would leave `dest` refused.
pub fn unzip(archive: &Path, dest: &Path) -> Result<(), String> {
    let file = std::fs::File::open(archive)
        .map_err(|e| format!("cannot open {}: {e}", archive.display()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| format!("{} is not a zip archive: {e}", archive.display()))?;
    std::fs::create_dir_all(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    zip.extract(dest)
        .map_err(|e| format!("cannot unpack {}: {e}", archive.display()))
}

/// The `unzip` command line: exit code 0, or 1 with a message.
pub fn main(args: &[String]) -> i32 {
    let [archive, dest] = args else {
        eprintln!("usage: kiln-frontend unzip ARCHIVE DIR");
        return 2;
    };
    match unzip(Path::new(archive), Path::new(dest)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("kiln: {e}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    fn archive(entries: &[(&str, &[u8], u32)]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
        for (name, data, mode) in entries {
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
                .unix_permissions(*mode);
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
        file
    }

    #[test]
    fn unpacks_files_with_their_modes() {
        let zip = archive(&[
            ("bin/tool", b"#!/bin/sh\n", 0o755),
            ("README", b"hi\n", 0o644),
        ]);
        let dest = tempfile::tempdir().unwrap();
        unzip(zip.path(), dest.path()).unwrap();
        let tool = dest.path().join("bin/tool");
        assert_eq!(std::fs::read(&tool).unwrap(), b"#!/bin/sh\n");
        let mode = std::fs::metadata(&tool).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(std::fs::read(dest.path().join("README")).unwrap(), b"hi\n");
    }

    #[test]
    fn refuses_paths_that_leave_the_directory_and_non_zip_files() {
        let zip = archive(&[("../escape", b"x", 0o644)]);
        let dest = tempfile::tempdir().unwrap();
        let inner = dest.path().join("inner");
        let result = unzip(zip.path(), &inner);
        assert!(result.is_err(), "{result:?}");
        assert!(!dest.path().join("escape").exists());
        let not_zip = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(not_zip.path(), b"plain text").unwrap();
        let err = unzip(not_zip.path(), &inner).unwrap_err();
        assert!(err.contains("is not a zip archive"), "{err}");
    }
}
