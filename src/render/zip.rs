//! A deterministic ZIP archive of one file (the Lambda's source): stored (no compression), a
//! fixed timestamp (1980-01-01 00:00) and mode 0644, so the same source gives the same bytes
//! on every machine and `source_code_hash` changes only when the code does. Replaces the
//! `archive` provider: one provider less to download, lock and trust (APPNOTE.TXT 6.3.10).

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as ZIP needs it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
        *slot = c;
    }
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc = table[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc ^ 0xFFFF_FFFF
}

/// The archive holding `name` with `content`. Both must be under 4 GiB (a Lambda source is).
pub fn single_file(name: &str, content: &[u8]) -> Vec<u8> {
    let crc = crc32(content);
    let size = content.len() as u32;
    let name_bytes = name.as_bytes();
    let n = name_bytes.len() as u16;
    // DOS date 1980-01-01 (day 1, month 1, year 0), time 00:00.
    let (time, date) = (0u16, (1u16 << 5) | 1);
    let mut out = Vec::with_capacity(content.len() + 2 * name_bytes.len() + 100);
    let le16 = |o: &mut Vec<u8>, v: u16| o.extend_from_slice(&v.to_le_bytes());
    let le32 = |o: &mut Vec<u8>, v: u32| o.extend_from_slice(&v.to_le_bytes());
    // Local file header.
    le32(&mut out, 0x0403_4B50);
    le16(&mut out, 20); // version needed: 2.0
    le16(&mut out, 0); // flags
    le16(&mut out, 0); // method: stored
    le16(&mut out, time);
    le16(&mut out, date);
    le32(&mut out, crc);
    le32(&mut out, size);
    le32(&mut out, size);
    le16(&mut out, n);
    le16(&mut out, 0); // extra length
    out.extend_from_slice(name_bytes);
    out.extend_from_slice(content);
    let central = out.len() as u32;
    // Central directory header.
    le32(&mut out, 0x0201_4B50);
    le16(&mut out, (3 << 8) | 20); // made by: Unix, 2.0 (so the mode below is read)
    le16(&mut out, 20);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, time);
    le16(&mut out, date);
    le32(&mut out, crc);
    le32(&mut out, size);
    le32(&mut out, size);
    le16(&mut out, n);
    le16(&mut out, 0); // extra
    le16(&mut out, 0); // comment
    le16(&mut out, 0); // disk
    le16(&mut out, 0); // internal attributes
    le32(&mut out, 0o100644 << 16); // external: regular file, rw-r--r--
    le32(&mut out, 0); // offset of the local header
    out.extend_from_slice(name_bytes);
    let central_size = out.len() as u32 - central;
    // End of central directory.
    le32(&mut out, 0x0605_4B50);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 1);
    le16(&mut out, 1);
    le32(&mut out, central_size);
    le32(&mut out, central);
    le16(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_the_check_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn same_input_same_bytes() {
        assert_eq!(single_file("a.py", b"print(1)\n"), single_file("a.py", b"print(1)\n"));
        assert_ne!(single_file("a.py", b"print(1)\n"), single_file("a.py", b"print(2)\n"));
    }
}
