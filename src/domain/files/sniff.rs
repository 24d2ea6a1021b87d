//! What an upload really is, judged from its first bytes only: the declared MIME type and the
//! file name are never consulted.
//!
//! `infer` names the format from its magic number; the checks here then insist that the
//! format's fixed header is complete and plausible, so a bare signature, a truncated header or
//! a text file that happens to start with `GIF` is refused.

/// How many leading bytes [`detect`] wants to see (fewer only when the whole upload is shorter).
pub const HEAD_LEN: usize = 64;

/// The image formats the server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl ImageKind {
    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Gif => "image/gif",
            ImageKind::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::Gif => "gif",
            ImageKind::Webp => "webp",
        }
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        [
            ImageKind::Png,
            ImageKind::Jpeg,
            ImageKind::Gif,
            ImageKind::Webp,
        ]
        .into_iter()
        .find(|k| k.mime() == mime)
    }
}

/// The image format of an upload whose first bytes are `head` (up to [`HEAD_LEN`] of them);
/// `None` when it is not one of the accepted formats or its header is incomplete.
pub fn detect(head: &[u8]) -> Option<ImageKind> {
    let kind = ImageKind::from_mime(infer::get(head)?.mime_type())?;
    let complete = match kind {
        ImageKind::Png => png_header(head),
        ImageKind::Jpeg => jpeg_header(head),
        ImageKind::Gif => gif_header(head),
        ImageKind::Webp => webp_header(head),
    };
    complete.then_some(kind)
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Signature, then a whole IHDR chunk (length 13, non-zero size, valid depth and colour type).
fn png_header(b: &[u8]) -> bool {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if b.len() < 33 || !b.starts_with(SIGNATURE) || be32(&b[8..12]) != 13 || &b[12..16] != b"IHDR" {
        return false;
    }
    let (width, height, depth, colour) = (be32(&b[16..20]), be32(&b[20..24]), b[24], b[25]);
    width > 0
        && height > 0
        && matches!(depth, 1 | 2 | 4 | 8 | 16)
        && matches!(colour, 0 | 2 | 3 | 4 | 6)
        && b[26] == 0
        && b[27] == 0
        && b[28] <= 1
}

/// Start of image, then a first segment that may follow it, whole (or filling the window:
/// an Exif segment can be far longer than [`HEAD_LEN`]).
fn jpeg_header(b: &[u8]) -> bool {
    if b.len() < 6 || b[..3] != [0xFF, 0xD8, 0xFF] {
        return false;
    }
    // APPn, DQT, DHT, DRI, COM, or a start of frame (C0–CF without the C8 reserved marker).
    let marker_ok = matches!(b[3], 0xE0..=0xEF | 0xDB | 0xC4 | 0xDD | 0xFE)
        || (matches!(b[3], 0xC0..=0xCF) && b[3] != 0xC8);
    let segment_len = usize::from(u16::from_be_bytes([b[4], b[5]]));
    marker_ok && segment_len >= 2 && b.len() >= (4 + segment_len).min(HEAD_LEN)
}

/// `GIF87a`/`GIF89a` and the whole logical screen descriptor.
fn gif_header(b: &[u8]) -> bool {
    b.len() >= 13 && (b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a"))
}

/// The RIFF container, then the first chunk's header and the bytes that identify its bitstream.
fn webp_header(b: &[u8]) -> bool {
    if b.len() < 21 || &b[..4] != b"RIFF" || &b[8..12] != b"WEBP" {
        return false;
    }
    match &b[12..16] {
        // Lossy: 3-byte frame tag, then the start code 9D 01 2A.
        b"VP8 " => b.len() >= 30 && b[23..26] == [0x9D, 0x01, 0x2A],
        // Lossless: signature byte 0x2F.
        b"VP8L" => b[20] == 0x2F,
        // Extended: 10 bytes of flags and canvas size.
        b"VP8X" => b.len() >= 30,
        _ => false,
    }
}

#[cfg(test)]
pub(crate) mod samples {
    //! Smallest real images of each format, shared with the pipeline's tests.

    /// A 1×1 PNG.
    pub const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    /// A 1×1 GIF.
    pub const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    /// The start of a JFIF JPEG.
    pub const JPEG: &[u8] =
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9";
    /// A lossless 1×1 WebP.
    pub const WEBP: &[u8] = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00";
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    #[test]
    fn real_images_are_recognised() {
        assert_eq!(detect(PNG), Some(ImageKind::Png));
        assert_eq!(detect(GIF), Some(ImageKind::Gif));
        assert_eq!(detect(JPEG), Some(ImageKind::Jpeg));
        assert_eq!(detect(WEBP), Some(ImageKind::Webp));
    }

    #[test]
    fn truncated_headers_are_refused() {
        for image in [PNG, GIF, JPEG, WEBP] {
            for cut in [0, 1, 3, 4, 5, 8, 12] {
                assert_eq!(detect(&image[..cut]), None, "{cut} bytes of {image:?}");
            }
        }
        assert_eq!(detect(&PNG[..32]), None);
        assert_eq!(detect(&PNG[..33]), Some(ImageKind::Png));
        assert_eq!(detect(&WEBP[..20]), None);
    }

    #[test]
    fn lookalikes_are_refused() {
        assert_eq!(detect(b"GIF is a nice format, says this text file"), None);
        assert_eq!(detect(b"hello, I am text in a file named image.png"), None);
        assert_eq!(detect(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), None);
        assert_eq!(
            detect(b"BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"),
            None
        );
        let mut png_bad_chunk = PNG.to_vec();
        png_bad_chunk[12..16].copy_from_slice(b"IDAT");
        assert_eq!(detect(&png_bad_chunk), None);
        let mut png_zero_width = PNG.to_vec();
        png_zero_width[16..20].copy_from_slice(&[0, 0, 0, 0]);
        assert_eq!(detect(&png_zero_width), None);
        let mut riff_wave = WEBP.to_vec();
        riff_wave[8..12].copy_from_slice(b"WAVE");
        assert_eq!(detect(&riff_wave), None);
    }

    #[test]
    fn mime_types_round_trip() {
        for k in [
            ImageKind::Png,
            ImageKind::Jpeg,
            ImageKind::Gif,
            ImageKind::Webp,
        ] {
            assert_eq!(ImageKind::from_mime(k.mime()), Some(k));
        }
        assert_eq!(ImageKind::from_mime("text/plain"), None);
    }
}
