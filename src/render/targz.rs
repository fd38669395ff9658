//! A deterministic `.tar.gz` (the script-mode source directory): ustar entries in the given
//! order, mode 0644, owner 0, mtime 0; gzip with stored deflate blocks (RFC 1951 §3.2.4), no
//! name and no time in its header. The same files give the same bytes on every machine, so the
//! archive's name can carry its hash.

use super::zip::crc32;

/// The archive of `files` (path inside the archive, bytes), in that order.
pub fn archive(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    gzip(&tar(files))
}

fn tar(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in files {
        let mut header = [0u8; 512];
        let (prefix, base) = split_name(name);
        put(&mut header[0..100], base.as_bytes());
        put(&mut header[100..108], b"0000644\0");
        put(&mut header[108..116], b"0000000\0");
        put(&mut header[116..124], b"0000000\0");
        put(&mut header[124..136], format!("{:011o}\0", data.len()).as_bytes());
        put(&mut header[136..148], b"00000000000\0");
        header[156] = b'0';
        put(&mut header[257..263], b"ustar\0");
        put(&mut header[263..265], b"00");
        put(&mut header[345..500], prefix.as_bytes());
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|b| *b as u32).sum();
        put(&mut header[148..156], format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// ustar keeps names over 100 bytes as prefix/name (prefix ≤ 155); callers keep paths shorter
/// than that (validation limits the shipped directory's names).
fn split_name(name: &str) -> (&str, &str) {
    if name.len() <= 100 {
        return ("", name);
    }
    match name[..name.len().min(156)].rfind('/') {
        Some(i) if name.len() - i - 1 <= 100 => (&name[..i], &name[i + 1..]),
        _ => ("", &name[..100]),
    }
}

fn put(field: &mut [u8], value: &[u8]) {
    let n = value.len().min(field.len());
    field[..n].copy_from_slice(&value[..n]);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(if chunks.peek().is_none() { 1 } else { 0 });
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::archive;

    #[test]
    fn python_reads_it_back() {
        let files = vec![
            ("train.py".to_string(), b"print('hi')\n".to_vec()),
            ("lib/util.py".to_string(), vec![b'x'; 70_000]),
            ("requirements.txt".to_string(), Vec::new()),
        ];
        let bytes = archive(&files);
        assert_eq!(bytes, archive(&files), "deterministic");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.tar.gz");
        std::fs::write(&path, &bytes).expect("write");
        let script = "import sys, tarfile\nwith tarfile.open(sys.argv[1]) as t:\n    for m in t.getmembers():\n        print(m.name, m.size, oct(m.mode), m.mtime)\n";
        let Ok(out) = std::process::Command::new("python3").args(["-c", script]).arg(&path).output() else {
            return;
        };
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "train.py 12 0o644 0\nlib/util.py 70000 0o644 0\nrequirements.txt 0 0o644 0\n"
        );
    }
}
