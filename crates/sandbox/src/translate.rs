//! `lang`: translated checkpoint messages. The common journey messages have real German,
//! French and Spanish texts; any other supported language gets a deterministic
//! `[lang] ` prefix, so a pass-through of `lang` is always observable. Unsupported
//! languages leave the messages alone.

use aftership::model::Tracking;

/// Languages AfterShip can translate checkpoint messages into (reference §1.4).
const SUPPORTED: [&str; 42] = [
    "en", "fr", "fr-CA", "ar", "bg", "ca", "hr", "cs", "da", "nl", "et", "tl", "fi", "de", "el",
    "he", "hi", "hu", "id", "it", "ja", "ko", "lv", "lt", "ms", "pl", "pt", "ro", "ru", "sr", "sk",
    "sl", "es", "sv", "th", "tr", "uk", "vi", "zh-Hans", "zh-Hant", "nb", "en-US",
];

/// (English, German, French, Spanish).
const TABLE: [(&str, &str, &str, &str); 13] = [
    (
        "Shipment information received",
        "Sendungsinformationen erhalten",
        "Informations d'expédition reçues",
        "Información del envío recibida",
    ),
    (
        "Shipment picked up",
        "Sendung abgeholt",
        "Colis pris en charge",
        "Envío recogido",
    ),
    (
        "Arrived at sorting center",
        "Im Sortierzentrum angekommen",
        "Arrivé au centre de tri",
        "Llegó al centro de clasificación",
    ),
    (
        "Departed from sorting center",
        "Sortierzentrum verlassen",
        "Parti du centre de tri",
        "Salió del centro de clasificación",
    ),
    (
        "Departed from airport of origin",
        "Abflug vom Ursprungsflughafen",
        "Départ de l'aéroport d'origine",
        "Salió del aeropuerto de origen",
    ),
    (
        "Arrived at destination country",
        "Im Zielland angekommen",
        "Arrivé dans le pays de destination",
        "Llegó al país de destino",
    ),
    (
        "Customs clearance started",
        "Verzollung begonnen",
        "Dédouanement commencé",
        "Despacho de aduanas iniciado",
    ),
    (
        "Customs clearance completed",
        "Verzollung abgeschlossen",
        "Dédouanement terminé",
        "Despacho de aduanas completado",
    ),
    (
        "Departed from facility",
        "Einrichtung verlassen",
        "Parti de l'établissement",
        "Salió de la instalación",
    ),
    (
        "Arrived at delivery facility",
        "In der Zustellbasis angekommen",
        "Arrivé au site de distribution",
        "Llegó al centro de reparto",
    ),
    (
        "Out for delivery",
        "In Zustellung",
        "En cours de livraison",
        "En reparto",
    ),
    ("Delivered", "Zugestellt", "Livré", "Entregado"),
    (
        "Held by customs: awaiting import documents",
        "Vom Zoll angehalten: Einfuhrpapiere fehlen",
        "Retenu en douane : documents d'importation attendus",
        "Retenido en aduanas: a la espera de documentos de importación",
    ),
];

fn base(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or(lang)
}

/// The message in `lang`.
pub(crate) fn message(msg: &str, lang: &str) -> String {
    if !SUPPORTED.contains(&lang) || base(lang) == "en" {
        return msg.to_owned();
    }
    let row = TABLE.iter().find(|r| r.0 == msg);
    match (base(lang), row) {
        ("de", Some(r)) => r.1.to_owned(),
        ("fr", Some(r)) => r.2.to_owned(),
        ("es", Some(r)) => r.3.to_owned(),
        _ => format!("[{lang}] {msg}"),
    }
}

/// Translates every checkpoint message of `t`.
pub(crate) fn tracking(t: &mut Tracking, lang: &str) {
    for c in t.checkpoints.iter_mut().flatten() {
        if let Some(m) = c.message.as_mut() {
            *m = message(m, lang);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn known_messages_are_translated_others_marked() {
        assert_eq!(message("Delivered", "de"), "Zugestellt");
        assert_eq!(
            message("Out for delivery", "fr-CA"),
            "En cours de livraison"
        );
        assert_eq!(message("Delivered", "ja"), "[ja] Delivered");
        assert_eq!(message("Something new", "es"), "[es] Something new");
        assert_eq!(message("Delivered", "en"), "Delivered");
        assert_eq!(message("Delivered", "xx"), "Delivered");
    }
}
