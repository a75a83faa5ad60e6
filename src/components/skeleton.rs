//! The loading placeholder, shown while a lookup is in flight (after
//! [`SKELETON_AFTER`](crate::tracker::SKELETON_AFTER) when nothing was shown before).

use crate::html::Html;
use crate::i18n::{Key, Texts};

/// Writes grey blocks laid out like a typical result (animated unless reduced motion is
/// preferred), plus the loading text for assistive technology. The blocks have the result's
/// heights (style.css `.sk`: summary card, progress steps, delivery estimate, history
/// heading, five checkpoints, "show all" button), so nothing below the widget moves when
/// the result replaces them; `index.html` reserves the same height before the wasm mounts.
/// The wrapper is `aria-busy`: the area is being filled in.
pub fn write(h: &mut Html, texts: &Texts) {
    h.el("div", &[("aria-busy", "true")], |h| {
        h.el("div", &[("class", "sk"), ("aria-hidden", "true")], |h| {
            for _ in 0..10 {
                h.el("i", &[], |_| {});
            }
        });
        h.text_el("p", &[("class", "vh")], texts.get(Key::Loading));
    });
}
