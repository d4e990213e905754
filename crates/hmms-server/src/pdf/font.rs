//! The report fonts: HMMS Sans regular and bold (a subset of Liberation Sans 2.1 under the SIL
//! Open Font License, made by `scripts/subset-fonts`), compiled into the binary so every server
//! draws the same document. Text is measured with the fonts' own advance widths and written as
//! glyph ids; each document embeds only the glyphs it used, with a map back to Unicode so the
//! text can be searched and copied.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;

use super::deflate;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/HmmsSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/HmmsSans-Bold.ttf");

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// A font as one document uses it: the glyphs drawn so far, renumbered for the subset.
pub struct Font {
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    /// The PDF resource name (`F1`, `F2`).
    pub resource: &'static [u8],
    postscript: &'static str,
    bold: bool,
    units_per_em: f32,
    remapper: GlyphRemapper,
    /// New glyph id → the character it was first drawn for (the ToUnicode map).
    chars: BTreeMap<u16, char>,
}

impl Font {
    /// The compiled-in font of `weight`. The font files are part of the source tree, so a
    /// failure to parse them is a build defect; it is still answered as an error, not a panic.
    pub fn new(weight: Weight) -> anyhow::Result<Self> {
        let (data, resource, postscript, bold) = match weight {
            Weight::Regular => (REGULAR, &b"F1"[..], "HMMSSans-Regular", false),
            Weight::Bold => (BOLD, &b"F2"[..], "HMMSSans-Bold", true),
        };
        let face = ttf_parser::Face::parse(data, 0)?;
        Ok(Self {
            data,
            units_per_em: f32::from(face.units_per_em()),
            face,
            resource,
            postscript,
            bold,
            remapper: GlyphRemapper::new(),
            chars: BTreeMap::new(),
        })
    }

    fn glyph(&self, c: char) -> u16 {
        let c = match c {
            // Line breaks and tabs inside a cell are drawn as spaces.
            '\n' | '\r' | '\t' => ' ',
            c => c,
        };
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('\u{FFFD}'))
            .map_or(0, |g| g.0)
    }

    fn advance(&self, glyph: u16) -> f32 {
        self.face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .map_or(0.0, f32::from)
            / self.units_per_em
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
    }

    /// `text` as the bytes of a PDF string in this font (two-byte glyph ids of the subset),
    /// remembering the glyphs for the subset and the Unicode map.
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let new = self.remapper.remap(self.glyph(c));
            self.chars.entry(new).or_insert(c);
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }

    /// Writes the font (Type 0 with a CID TrueType descendant, the used glyphs only) as the
    /// objects from `first` on; returns the next free object id.
    pub fn write(&self, pdf: &mut Pdf, first: Ref) -> anyhow::Result<Ref> {
        let [type0, cid, descriptor, cmap, file] =
            std::array::from_fn::<i32, 5, _>(|i| first.get() + i as i32).map(Ref::new);
        let subset = subsetter::subset(self.data, 0, &self.remapper)
            .map_err(|e| anyhow::anyhow!("font subset: {e}"))?;
        // The subset's tag is derived from its glyphs, so the same text gives the same file.
        let tag = subset_tag(self.remapper.remapped_gids());
        let base = format!("{tag}+{}", self.postscript);
        let base = Name(base.as_bytes());
        let to_1000 = |v: f32| v / self.units_per_em * 1000.0;

        pdf.type0_font(type0)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);

        let widths: Vec<f32> = self
            .remapper
            .remapped_gids()
            .map(|old| self.advance(old) * 1000.0)
            .collect();
        let mut font = pdf.cid_font(cid);
        font.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"Identity"),
                supplement: 0,
            })
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        font.widths().consecutive(0, widths);
        font.finish();

        let b = self.face.global_bounding_box();
        let ascent = to_1000(f32::from(self.face.ascender()));
        pdf.font_descriptor(descriptor)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                to_1000(f32::from(b.x_min)),
                to_1000(f32::from(b.y_min)),
                to_1000(f32::from(b.x_max)),
                to_1000(f32::from(b.y_max)),
            ))
            .italic_angle(0.0)
            .ascent(ascent)
            .descent(to_1000(f32::from(self.face.descender())))
            .cap_height(
                self.face
                    .capital_height()
                    .map_or(ascent, |h| to_1000(f32::from(h))),
            )
            .stem_v(if self.bold { 140.0 } else { 80.0 })
            .font_file2(file);

        let mut unicode = UnicodeCmap::new(
            Name(b"Custom"),
            SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"UCS"),
                supplement: 0,
            },
        );
        for (glyph, c) in &self.chars {
            unicode.pair(*glyph, *c);
        }
        pdf.cmap(cmap, &unicode.finish());

        let packed = deflate(&subset);
        pdf.stream(file, &packed).filter(Filter::FlateDecode);
        Ok(Ref::new(file.get() + 1))
    }
}

/// Six capital letters naming a subset (the PDF convention `ABCDEF+Font`).
fn subset_tag(glyphs: impl Iterator<Item = u16>) -> String {
    // FNV-1a over the glyph ids: stable across builds and platforms.
    let mut h: u32 = 0x811c_9dc5;
    for g in glyphs {
        for b in g.to_be_bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_wider_text_wider_and_bold_wider_than_regular() {
        let regular = Font::new(Weight::Regular).unwrap();
        let bold = Font::new(Weight::Bold).unwrap();
        let narrow = regular.width("iiii", 10.0);
        let wide = regular.width("MMMM", 10.0);
        assert!(wide > 2.0 * narrow, "{wide} vs {narrow}");
        assert!(bold.width("Peter Kamau", 10.0) > regular.width("Peter Kamau", 10.0));
        // Liberation Sans is metric-compatible with Arial: "M" is 0.833 em.
        assert!((regular.width("M", 1000.0) - 833.0).abs() < 1.0);
    }

    #[test]
    fn encodes_each_character_once_in_the_subset() {
        let mut f = Font::new(Weight::Regular).unwrap();
        let a = f.encode("Łódź");
        let b = f.encode("dź");
        assert_eq!(a.len(), 8);
        // The same glyphs get the same new ids.
        assert_eq!(&a[4..], &b[..]);
        assert_eq!(f.chars.len(), 4);
    }
}
