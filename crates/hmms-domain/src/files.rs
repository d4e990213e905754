//! What an uploaded file really is, judged by its first bytes, never by its name or the
//! content type a client claims.

/// The kinds of file HMMS keeps: photos and scanned documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Webp => "webp",
            FileKind::Pdf => "pdf",
        }
    }

    /// The kind a client announces by content type, before any byte is seen.
    pub fn from_content_type(ct: &str) -> Option<Self> {
        [FileKind::Jpeg, FileKind::Png, FileKind::Webp, FileKind::Pdf]
            .into_iter()
            .find(|k| k.content_type().eq_ignore_ascii_case(ct.trim()))
    }

    pub fn is_image(self) -> bool {
        !matches!(self, FileKind::Pdf)
    }
}

/// The kind of file `bytes` holds, from its magic number.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some(FileKind::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(FileKind::Png),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some(FileKind::Webp),
        [b'%', b'P', b'D', b'F', b'-', ..] => Some(FileKind::Pdf),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileKind::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(FileKind::Webp));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(sniff(b"MZ\x90\0 an executable"), None);
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff(b""), None);
    }
}

crate::keyed_enum! {
    /// What an attached file is for.
    AttachmentKind {
        Photo = "photo",
        Document = "document",
        Signature = "signature",
    }
}
