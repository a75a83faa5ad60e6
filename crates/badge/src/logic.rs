//! The badge's decisions that need no browser: reading `data-*` values, the destination,
//! the countdown's wording and timing, the words of each language. Tested on the host.

use trackfront_types::{PostalCode, ServiceLevel, parse_country};

/// Where to deliver, already checked with the proxy's own parsers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    /// As given (alpha-2 or alpha-3), upper-cased.
    pub country: String,
    /// Normalised postal code, if any.
    pub postal: Option<String>,
    /// State or province, if any.
    pub state: Option<String>,
}

impl Dest {
    /// Checks a destination as the proxy will.
    ///
    /// # Errors
    /// Which field is wrong, as a [`Field`].
    pub fn parse(country: &str, postal: &str, state: &str) -> Result<Self, Field> {
        let country = country.trim().to_ascii_uppercase();
        parse_country(&country).map_err(|_| Field::Country)?;
        let postal = match postal.trim() {
            "" => None,
            p => Some(
                PostalCode::parse(p)
                    .map_err(|_| Field::Postal)?
                    .as_str()
                    .to_owned(),
            ),
        };
        let state = Some(state.trim())
            .filter(|s| !s.is_empty() && s.chars().take(65).fold(0, |n, _| n + 1) <= 64)
            .map(str::to_owned);
        Ok(Self {
            country,
            postal,
            state,
        })
    }

    /// The `localStorage` form: `country|postal|state`.
    pub fn store(&self) -> String {
        cat(&[
            &self.country,
            "|",
            self.postal.as_deref().unwrap_or(""),
            "|",
            self.state.as_deref().unwrap_or(""),
        ])
    }

    /// Reads [`Dest::store`]'s form back; `None` when it no longer parses.
    pub fn load(stored: &str) -> Option<Self> {
        let mut parts = stored.splitn(3, '|');
        let (c, p, s) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
        Self::parse(c, p, s).ok()
    }

    /// Short text for people: `10001, US`.
    pub fn label(&self) -> String {
        match &self.postal {
            Some(p) => cat(&[p, ", ", &self.country]),
            None => self.country.clone(),
        }
    }
}

/// A destination field the shopper must correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Not an ISO 3166-1 code.
    Country,
    /// Not a postal code.
    Postal,
}

/// `data-services`: the service names in order, without duplicates, at most 10;
/// `standard` when none is given; the first name that is not a service name is the error.
pub fn services(raw: Option<&str>) -> Result<Vec<String>, &str> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.unwrap_or("standard").split(',') {
        if s.trim().is_empty() {
            continue;
        }
        let s = ServiceLevel::parse(s).map_err(|_| s.trim())?;
        if !out.iter().any(|o| o == s.as_str()) && out.len() < 10 {
            out.push(s.as_str().to_owned());
        }
    }
    if out.is_empty() {
        out.push("standard".to_owned());
    }
    Ok(out)
}

/// `data-processing-days`: 0 to 30, else `None` (the caller hides the badge: a guess would
/// promise dates the shop cannot keep).
pub fn processing_days(raw: Option<&str>) -> Option<u8> {
    match raw.map(str::trim) {
        None | Some("") => Some(0),
        Some(s) => s.parse::<u8>().ok().filter(|d| *d <= 30),
    }
}

/// The region of a language tag (`en-US` → `US`), a guess for the shopper's country.
pub fn region_of(lang: &str) -> Option<String> {
    lang.split(['-', '_'])
        .skip(1)
        .find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase)
        .filter(|r| parse_country(r).is_ok())
}

/// Whole hours and minutes left, rounded down (but at least one minute while any time is
/// left); `None` once the cutoff has passed.
pub fn countdown(ms_left: f64) -> Option<(u32, u32)> {
    if !(ms_left.is_finite() && ms_left > 0.0) {
        return None;
    }
    let minutes = (ms_left / 60_000.0).floor().clamp(1.0, f64::from(u32::MAX)) as u32;
    Some((minutes / 60, minutes % 60))
}

/// Milliseconds until the shown minute changes (the next tick), between 1 s and 60 s.
pub fn next_tick(ms_left: f64) -> i32 {
    // Integer arithmetic: a float remainder would pull libm's fmod into the wasm.
    let r = (ms_left as i64).rem_euclid(60_000) as i32;
    (r + 250).clamp(1_000, 60_250)
}

/// Concatenates (without `format!`, whose machinery costs kilobytes of wasm).
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// A decimal number, zero-padded to `width` digits.
pub fn num(mut n: u32, width: usize) -> String {
    let mut digits = Vec::with_capacity(10);
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// `YYYY-MM-DD`.
pub fn iso(d: trackfront_types::IsoDate) -> String {
    cat(&[
        &num(d.year().into(), 4),
        "-",
        &num(d.month().into(), 2),
        "-",
        &num(d.day().into(), 2),
    ])
}

/// Fills `{x}` placeholders (one ASCII letter each) from `vals`; others stay as written.
/// (`get` instead of indexing: a panicking slice pulls core's panic formatting in.)
pub fn fill(template: &str, vals: &[(u8, &str)]) -> String {
    let b = template.as_bytes();
    let mut out = String::with_capacity(template.len() + 16);
    let mut last = 0;
    let mut i = 0;
    while i + 2 < b.len() {
        if b[i] == b'{'
            && b[i + 2] == b'}'
            && let Some((_, v)) = vals.iter().find(|(k, _)| *k == b[i + 1])
        {
            out.push_str(template.get(last..i).unwrap_or_default());
            out.push_str(v);
            i += 3;
            last = i;
            continue;
        }
        i += 1;
    }
    out.push_str(template.get(last..).unwrap_or_default());
    out
}

/// Escapes text for `innerHTML`.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The badge's words in one language. `{h}`/`{m}`/`{t}`/`{d}` are filled in.
#[derive(Debug)]
pub struct Words {
    /// Before the dates.
    pub arrives: &'static str,
    /// Countdown with hours and minutes.
    pub within_hm: &'static str,
    /// Countdown under an hour.
    pub within_m: &'static str,
    /// The paused form: a fixed clock time.
    pub order_by: &'static str,
    /// Pause button.
    pub pause: &'static str,
    /// Resume button.
    pub resume: &'static str,
    /// The destination fieldset's legend.
    pub deliver_to: &'static str,
    /// Postal code field.
    pub postal: &'static str,
    /// Country field.
    pub country: &'static str,
    /// Submit button.
    pub update: &'static str,
    /// Announced once after the shopper changes the destination.
    pub updated: &'static str,
    /// Shown when nothing can be estimated for the shopper's own destination.
    pub none: &'static str,
    /// Field errors.
    pub bad_country: &'static str,
    /// Field errors.
    pub bad_postal: &'static str,
}

const EN: Words = Words {
    arrives: "Arrives",
    within_hm: "Order within {h} h {m} min",
    within_m: "Order within {m} min",
    order_by: "Order by {t}",
    pause: "Pause countdown",
    resume: "Resume countdown",
    deliver_to: "Deliver to",
    postal: "Postal code",
    country: "Country",
    update: "Update",
    updated: "Delivery estimate updated for {d}.",
    none: "No delivery estimate for {d}.",
    bad_country: "Enter a country code such as US or DE.",
    bad_postal: "Enter a postal code of letters and digits.",
};

const DE: Words = Words {
    arrives: "Lieferung",
    within_hm: "Bestellen Sie innerhalb von {h} Std. {m} Min.",
    within_m: "Bestellen Sie innerhalb von {m} Min.",
    order_by: "Bestellen Sie bis {t}",
    pause: "Countdown anhalten",
    resume: "Countdown fortsetzen",
    deliver_to: "Lieferung nach",
    postal: "Postleitzahl",
    country: "Land",
    update: "Aktualisieren",
    updated: "Lieferschätzung für {d} aktualisiert.",
    none: "Keine Lieferschätzung für {d}.",
    bad_country: "Geben Sie einen Ländercode wie DE oder AT ein.",
    bad_postal: "Geben Sie eine Postleitzahl aus Buchstaben und Ziffern ein.",
};

const FR: Words = Words {
    arrives: "Livraison",
    within_hm: "Commandez d’ici {h} h {m} min",
    within_m: "Commandez d’ici {m} min",
    order_by: "Commandez avant {t}",
    pause: "Suspendre le compte à rebours",
    resume: "Reprendre le compte à rebours",
    deliver_to: "Livrer à",
    postal: "Code postal",
    country: "Pays",
    update: "Mettre à jour",
    updated: "Estimation de livraison mise à jour pour {d}.",
    none: "Aucune estimation de livraison pour {d}.",
    bad_country: "Saisissez un code pays comme FR ou BE.",
    bad_postal: "Saisissez un code postal en lettres et chiffres.",
};

const ES: Words = Words {
    arrives: "Llega",
    within_hm: "Pide en {h} h {m} min",
    within_m: "Pide en {m} min",
    order_by: "Pide antes de las {t}",
    pause: "Pausar cuenta atrás",
    resume: "Reanudar cuenta atrás",
    deliver_to: "Entregar en",
    postal: "Código postal",
    country: "País",
    update: "Actualizar",
    updated: "Estimación de entrega actualizada para {d}.",
    none: "No hay estimación de entrega para {d}.",
    bad_country: "Introduce un código de país como ES o MX.",
    bad_postal: "Introduce un código postal de letras y números.",
};

/// The words for a language tag (its primary subtag), English when unknown.
pub fn words(lang: &str) -> &'static Words {
    let primary = lang.split(['-', '_']).next().unwrap_or("");
    match primary.to_ascii_lowercase().as_str() {
        "de" => &DE,
        "fr" => &FR,
        "es" => &ES,
        _ => &EN,
    }
}

/// A countdown sentence.
pub fn within(w: &Words, h: u32, m: u32) -> String {
    let (hh, mm) = (num(h, 1), num(m, 1));
    let t = if h == 0 { w.within_m } else { w.within_hm };
    fill(t, &[(b'h', &hh), (b'm', &mm)])
}

/// `standard` → `Standard`, `next_day` → `Next day`.
pub fn service_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '_' | '-' => out.push(' '),
            c if i == 0 => out.push(c.to_ascii_uppercase()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_use_the_proxy_parsers() {
        let d = Dest::parse(" us ", "10001", " NY ").unwrap();
        assert_eq!(d.country, "US");
        assert_eq!(d.postal.as_deref(), Some("10001"));
        assert_eq!(d.state.as_deref(), Some("NY"));
        assert_eq!(Dest::load(&d.store()), Some(d.clone()));
        assert_eq!(d.label(), "10001, US");
        assert_eq!(
            Dest::parse("de", " sw1a ", "").unwrap().postal.as_deref(),
            Some("SW1A")
        );
        assert_eq!(Dest::parse("ZZ", "", ""), Err(Field::Country));
        assert_eq!(Dest::parse("DE", "<b>", ""), Err(Field::Postal));
        assert_eq!(Dest::load("garbage"), None);
        assert_eq!(Dest::load("DE||").unwrap().postal, None);
    }

    #[test]
    fn data_attributes() {
        assert_eq!(services(None).unwrap(), ["standard"]);
        assert_eq!(
            services(Some("standard, Express,standard,")).unwrap(),
            ["standard", "express"]
        );
        assert_eq!(services(Some(",,")).unwrap(), ["standard"]);
        // Regression: a bad name was dropped silently (and with nothing left, the badge
        // showed standard shipping's dates as if asked for).
        assert_eq!(services(Some("standard, bad one")), Err("bad one"));
        assert_eq!(processing_days(Some("2")), Some(2));
        assert_eq!(processing_days(None), Some(0));
        assert_eq!(processing_days(Some("31")), None);
        assert_eq!(processing_days(Some("-1")), None);
        assert_eq!(region_of("en-US").as_deref(), Some("US"));
        assert_eq!(region_of("zh-Hant-TW").as_deref(), Some("TW"));
        assert_eq!(region_of("de"), None);
        assert_eq!(region_of("en-ZZ"), None);
    }

    #[test]
    fn countdown_rounds_down_and_ticks_when_the_minute_changes() {
        let min = 60_000.0;
        assert_eq!(
            countdown(3.0 * 60.0 * min + 12.0 * min + 59_000.0),
            Some((3, 12))
        );
        assert_eq!(countdown(59.0 * min), Some((0, 59)));
        assert_eq!(countdown(59_999.0), Some((0, 1)));
        assert_eq!(countdown(0.0), None);
        assert_eq!(countdown(-5.0), None);
        assert_eq!(countdown(f64::NAN), None);
        assert_eq!(next_tick(12.0 * min + 30_000.0), 30_250);
        assert_eq!(next_tick(12.0 * min), 1_000);
        assert!(next_tick(12.0 * min + 59_999.0) <= 60_250);
        let en = words("en-GB");
        assert_eq!(within(en, 3, 12), "Order within 3 h 12 min");
        assert_eq!(within(en, 0, 5), "Order within 5 min");
        assert!(within(words("de-AT"), 1, 2).starts_with("Bestellen"));
        assert_eq!(words("xx").arrives, "Arrives");
    }

    #[test]
    fn text_helpers() {
        assert_eq!(num(0, 1), "0");
        assert_eq!(num(7, 2), "07");
        assert_eq!(num(2026, 4), "2026");
        assert_eq!(num(u32::MAX, 1), "4294967295");
        let d = trackfront_types::IsoDate::parse("2028-02-29").unwrap();
        assert_eq!(iso(d), "2028-02-29");
        assert_eq!(
            fill("a {x} b {y}{x}", &[(b'x', "1"), (b'y', "22")]),
            "a 1 b 221"
        );
        assert_eq!(fill("{z} {", &[(b'x', "1")]), "{z} {");
        assert_eq!(fill("", &[]), "");
        assert_eq!(fill("{x}", &[(b'x', "é")]), "é");
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(service_label("next_day"), "Next day");
        assert_eq!(service_label("express"), "Express");
    }
}
