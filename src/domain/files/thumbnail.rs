//! Thumbnails: a small JPEG of an uploaded image, made before the upload answers.
//!
//! Decoding untrusted images is where memory goes, so it is bounded before it starts: the
//! header alone gives the dimensions and the decoded size, and an image over the pixel limit
//! or over the decoder memory limit is refused without allocating its pixels (a 65-byte PNG
//! that claims 50,000 × 50,000 pixels costs nothing). The decoder itself also runs under the
//! same memory limit, and at most `concurrency` decodes run at once, on blocking threads.
//!
//! The thumbnail is re-encoded from pixels, so no metadata of the original (EXIF, GPS, ICC,
//! comments) survives; the EXIF orientation is applied first, so it looks the right way up.

use std::io::Cursor;
use std::sync::Arc;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{Error, Problem, Result, Rule};

/// What a thumbnail may cost and how big it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Longest side of the thumbnail, in pixels.
    pub max_side: u32,
    /// Largest image accepted, in pixels (width × height).
    pub max_pixels: u64,
    /// Largest decoded image accepted, in bytes, and the decoder's allocation limit.
    pub max_decode_bytes: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_side: 320,
            max_pixels: 40_000_000,
            max_decode_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Why an image got no thumbnail; each is the client's fault, never a server error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// More pixels than [`Policy::max_pixels`].
    TooManyPixels { width: u32, height: u32 },
    /// Decoding would need more memory than [`Policy::max_decode_bytes`].
    TooMuchMemory,
    /// The bytes do not decode (truncated, corrupt).
    Undecodable,
}

impl Refusal {
    /// The rule this refusal breaks (dialects word it).
    pub fn problem(&self) -> Problem {
        Problem::Rule(match self {
            Refusal::TooManyPixels { .. } => Rule::ImageTooManyPixels,
            Refusal::TooMuchMemory => Rule::ImageTooMuchMemory,
            Refusal::Undecodable => Rule::ImageUndecodable,
        })
    }

    /// The core error for this refusal (a rule broken by the `file` field).
    pub fn into_error(self) -> Error {
        Error::invalid("file", self.problem())
    }
}

/// Makes thumbnails under a [`Policy`], at most `concurrency` at a time in the process.
#[derive(Debug, Clone)]
pub struct Thumbnailer {
    policy: Policy,
    permits: Arc<Semaphore>,
}

impl Thumbnailer {
    /// `concurrency` 0 means one decode per CPU core.
    pub fn new(policy: Policy, concurrency: usize) -> Self {
        let n = if concurrency == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            concurrency
        };
        Self {
            policy,
            permits: Arc::new(Semaphore::new(n)),
        }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Waits for a decode slot. Hold it while the encoded bytes are in memory too, so memory
    /// is bounded by slots × (encoded + decoded size), not by the uploads in flight.
    pub async fn slot(&self) -> Result<SemaphorePermit<'_>> {
        self.permits
            .acquire()
            .await
            .map_err(|e| Error::Internal(anyhow::Error::new(e)))
    }

    /// The thumbnail of `bytes` (JPEG), made on a blocking thread. The caller holds a
    /// [`Self::slot`].
    pub async fn render(&self, bytes: Vec<u8>) -> Result<std::result::Result<Vec<u8>, Refusal>> {
        let policy = self.policy;
        tokio::task::spawn_blocking(move || render(&bytes, &policy))
            .await
            .map_err(|e| Error::Internal(anyhow::Error::new(e)))?
    }
}

/// Decodes `bytes` within `policy`, applies the EXIF orientation and encodes a JPEG whose
/// longest side is at most `policy.max_side`. Outer `Err` is a server fault (encoding failed).
pub fn render(bytes: &[u8], policy: &Policy) -> Result<std::result::Result<Vec<u8>, Refusal>> {
    let image = match decode(bytes, policy) {
        Ok(i) => i,
        Err(r) => return Ok(Err(r)),
    };
    let side = policy.max_side.max(1);
    let small = if image.width() > side || image.height() > side {
        image.thumbnail(side, side)
    } else {
        image
    };
    // JPEG has no alpha: flatten to RGB (transparent pixels take their colour values).
    let rgb = DynamicImage::ImageRgb8(small.into_rgb8());
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    rgb.write_with_encoder(encoder)
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("encoding a thumbnail")))?;
    Ok(Ok(out))
}

/// Reads the header, checks the limits, then decodes (first frame of an animation).
fn decode(bytes: &[u8], policy: &Policy) -> std::result::Result<DynamicImage, Refusal> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Refusal::Undecodable)?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(policy.max_decode_bytes);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > policy.max_pixels {
        return Err(Refusal::TooManyPixels { width, height });
    }
    if decoder.total_bytes() > policy.max_decode_bytes {
        return Err(Refusal::TooMuchMemory);
    }
    decoder.set_limits(limits).map_err(refusal)?;
    // A missing or unreadable orientation tag means "as stored".
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn refusal(err: image::ImageError) -> Refusal {
    match err {
        image::ImageError::Limits(_) => Refusal::TooMuchMemory,
        _ => Refusal::Undecodable,
    }
}

#[cfg(test)]
pub(crate) mod samples {
    //! Images made in memory for tests.

    use image::{ImageBuffer, Rgb};

    /// A `w` × `h` RGB image encoded as `format`.
    pub fn encoded(w: u32, h: u32, format: image::ImageFormat) -> Vec<u8> {
        let img = ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, format)
            .unwrap();
        out.into_inner()
    }

    /// A PNG of nothing but a header that claims `w` × `h` pixels of 8-bit RGBA, with an
    /// empty image-data chunk: 65 bytes or so, however large it claims to be.
    pub fn lying_png(w: u32, h: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
            out.extend((data.len() as u32).to_be_bytes());
            let mut crc_input = kind.to_vec();
            crc_input.extend(data);
            out.extend(kind);
            out.extend(data);
            out.extend(crc32(&crc_input).to_be_bytes());
        }
        let mut ihdr = Vec::new();
        ihdr.extend(w.to_be_bytes());
        ihdr.extend(h.to_be_bytes());
        ihdr.extend([8, 6, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    /// A `w` × `h` JPEG with an EXIF block that says "rotate 90° clockwise" (orientation 6)
    /// and carries a GPS-looking marker string.
    pub fn rotated_jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
        let plain = encoded(w, h, image::ImageFormat::Jpeg);
        let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
        tiff.extend([0, 1]); // one entry
        tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation = 6
        tiff.extend([0, 0, 0, 0]); // no next IFD
        tiff.extend(b"GPS 22.5431N 114.0579E");
        let mut app1 = b"Exif\x00\x00".to_vec();
        app1.extend(tiff);
        let mut out = plain[..2].to_vec();
        out.extend([0xff, 0xe1]);
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
        out.extend(&plain[2..]);
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    fn decoded(bytes: &[u8]) -> DynamicImage {
        image::load_from_memory(bytes).unwrap()
    }

    #[test]
    fn a_large_image_becomes_a_jpeg_within_the_longest_side() {
        let png = encoded(1000, 400, image::ImageFormat::Png);
        let thumb = render(&png, &Policy::default()).unwrap().unwrap();
        assert_eq!(&thumb[..3], b"\xff\xd8\xff", "a JPEG");
        let t = decoded(&thumb);
        assert_eq!((t.width(), t.height()), (320, 128));
    }

    #[test]
    fn a_small_image_keeps_its_size() {
        let jpeg = encoded(100, 50, image::ImageFormat::Jpeg);
        let t = decoded(&render(&jpeg, &Policy::default()).unwrap().unwrap());
        assert_eq!((t.width(), t.height()), (100, 50));
    }

    #[test]
    fn exif_orientation_is_applied_and_metadata_is_dropped() {
        let jpeg = rotated_jpeg_with_exif(200, 100);
        assert!(jpeg.windows(3).any(|w| w == b"GPS"));
        let thumb = render(&jpeg, &Policy::default()).unwrap().unwrap();
        let t = decoded(&thumb);
        assert_eq!((t.width(), t.height()), (100, 200), "rotated upright");
        assert!(!thumb.windows(4).any(|w| w == b"Exif"));
        assert!(!thumb.windows(3).any(|w| w == b"GPS"));
    }

    #[test]
    fn a_lying_header_is_refused_before_any_pixel_is_allocated() {
        let png = lying_png(50_000, 50_000);
        assert!(png.len() < 80, "{} bytes", png.len());
        let r = render(&png, &Policy::default()).unwrap();
        assert_eq!(
            r,
            Err(Refusal::TooManyPixels {
                width: 50_000,
                height: 50_000
            })
        );
    }

    #[test]
    fn decoded_size_over_the_memory_limit_is_refused() {
        // 4,000 × 4,000 RGBA = 64 MB decoded, under the pixel limit.
        let png = lying_png(4_000, 4_000);
        let policy = Policy {
            max_decode_bytes: 32 * 1024 * 1024,
            ..Policy::default()
        };
        assert_eq!(render(&png, &policy).unwrap(), Err(Refusal::TooMuchMemory));
    }

    #[test]
    fn truncated_images_are_undecodable_not_errors() {
        let png = encoded(200, 200, image::ImageFormat::Png);
        let r = render(&png[..png.len() / 2], &Policy::default()).unwrap();
        assert_eq!(r, Err(Refusal::Undecodable));
        let r = render(b"not an image at all", &Policy::default()).unwrap();
        assert_eq!(r, Err(Refusal::Undecodable));
    }
}
