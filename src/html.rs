//! A small HTML writer for the read-only parts of a result (summary, progress, estimate,
//! timeline), which the widget sets as one element's `inner_html`.
//!
//! Why not `view!`: Leptos compiles build, diff, mount and unmount code for every distinct
//! view type, and a result has dozens of them, although none of its markup reacts to
//! anything but a whole new result. Written as a string, the same markup costs a few
//! string pushes per element (see docs/widget-size.md for the bytes).
//!
//! Safe by construction: tag and attribute names are `&'static str` (literals in our code),
//! and every value and text that goes in is escaped, so text from a carrier (checkpoint
//! messages, locations) can never become markup. Elements are written by [`Html::el`],
//! which closes what it opens, so the markup is always balanced.

/// `attrs` without its last attribute unless `last` holds: for an attribute that is only
/// sometimes there (`selected`, `open`, `aria-current`).
pub fn last_if<'a, 'v>(
    attrs: &'a [(&'static str, &'v str)],
    last: bool,
) -> &'a [(&'static str, &'v str)] {
    &attrs[..attrs.len() - usize::from(!last)]
}

/// Markup under construction.
#[derive(Debug, Default)]
pub struct Html(String);

impl Html {
    /// An empty fragment.
    pub fn new() -> Self {
        Self::default()
    }

    /// `<tag name="value"…>`, then what `children` writes, then `</tag>`.
    pub fn el(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        children: impl FnOnce(&mut Self),
    ) -> &mut Self {
        self.open(tag, attrs);
        children(self);
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// A void element such as `<input>`: attributes and no content.
    pub fn void_el(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.open(tag, attrs);
        self
    }

    /// An element holding only `text`.
    pub fn text_el(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        text: &str,
    ) -> &mut Self {
        self.el(tag, attrs, |h| {
            h.text(text);
        })
    }

    fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) {
        self.0.push('<');
        self.0.push_str(tag);
        for (name, value) in attrs {
            self.0.push(' ');
            self.0.push_str(name);
            self.0.push_str("=\"");
            self.escape(value);
            self.0.push('"');
        }
        self.0.push('>');
    }

    /// Text, escaped.
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.escape(text);
        self
    }

    fn escape(&mut self, s: &str) {
        for c in s.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '"' => self.0.push_str("&quot;"),
                '\'' => self.0.push_str("&#39;"),
                c => self.0.push(c),
            }
        }
    }

    /// The markup.
    pub fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Carrier text is data, never markup: a checkpoint message or location with tags or
    /// quotes must come out as text and must not end an attribute.
    #[test]
    fn carrier_text_cannot_become_markup() {
        let mut h = Html::new();
        h.el("li", &[("title", "\" onmouseover=\"x")], |h| {
            h.text_el("p", &[], "<img src=x onerror=alert(1)> & 'more'");
        });
        assert_eq!(
            h.finish(),
            "<li title=\"&quot; onmouseover=&quot;x\"><p>&lt;img src=x onerror=alert(1)&gt; \
             &amp; &#39;more&#39;</p></li>"
        );
    }

    #[test]
    fn nesting_is_balanced() {
        let mut h = Html::new();
        h.el("ol", &[("class", "steps")], |h| {
            h.el("li", &[], |h| {
                h.text("a");
            });
            h.el("li", &[], |_| {});
        });
        assert_eq!(h.finish(), "<ol class=\"steps\"><li>a</li><li></li></ol>");
    }
}
