//! Places where simulated checkpoints happen: real cities with their standard UTC offset,
//! coordinates and a street-level facility address (carrier data the proxy must strip).

/// A city a parcel passes through.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Place {
    pub city: &'static str,
    pub state: &'static str,
    /// ISO 3166-1 alpha-3.
    pub country: &'static str,
    pub country_name: &'static str,
    pub postal_code: &'static str,
    /// A facility's street address.
    pub facility: &'static str,
    pub lat: f64,
    pub lon: f64,
    /// Standard UTC offset in hours (daylight saving time is not simulated).
    pub utc_offset: i8,
}

macro_rules! place {
    ($name:ident, $city:literal, $state:literal, $cc:literal, $cn:literal, $zip:literal, $fac:literal, $lat:literal, $lon:literal, $off:literal) => {
        pub(crate) const $name: Place = Place {
            city: $city,
            state: $state,
            country: $cc,
            country_name: $cn,
            postal_code: $zip,
            facility: $fac,
            lat: $lat,
            lon: $lon,
            utc_offset: $off,
        };
    };
}

place!(
    SHENZHEN,
    "Shenzhen",
    "Guangdong",
    "CHN",
    "China",
    "518128",
    "ECMS Bao'an Logistics Park, 8 Fuyuan 1st Road, Bao'an District",
    22.6393,
    113.8107,
    8
);
place!(
    GUANGZHOU,
    "Guangzhou",
    "Guangdong",
    "CHN",
    "China",
    "510470",
    "Baiyun Airport Cargo Terminal, 1 Airport North Road, Huadu District",
    23.3924,
    113.2988,
    8
);
place!(
    SHANGHAI,
    "Shanghai",
    "Shanghai",
    "CHN",
    "China",
    "201207",
    "Pudong Airport West Cargo Area, 2999 Hunan Road",
    31.1443,
    121.8083,
    8
);
place!(
    HONG_KONG,
    "Hong Kong",
    "Hong Kong",
    "HKG",
    "Hong Kong SAR",
    "999077",
    "Asia Airfreight Terminal, 10 Chun Wan Road, Chek Lap Kok",
    22.3080,
    113.9185,
    8
);
place!(
    LEIPZIG,
    "Leipzig",
    "Saxony",
    "DEU",
    "Germany",
    "04435",
    "Hub Leipzig/Halle, Hermann-Köhl-Straße 1, Schkeuditz",
    51.4239,
    12.2364,
    1
);
place!(
    FRANKFURT,
    "Frankfurt am Main",
    "Hesse",
    "DEU",
    "Germany",
    "60549",
    "CargoCity Süd, Gebäude 579, Frankfurt Airport",
    50.0379,
    8.5622,
    1
);
place!(
    BERLIN,
    "Berlin",
    "Berlin",
    "DEU",
    "Germany",
    "10115",
    "Zustellbasis Berlin-Mitte, Invalidenstraße 112",
    52.5303,
    13.3849,
    1
);
place!(
    PARIS,
    "Paris",
    "Île-de-France",
    "FRA",
    "France",
    "75015",
    "Plateforme Paris-Vaugirard, 82 Rue Lecourbe",
    48.8443,
    2.3064,
    1
);
place!(
    MADRID,
    "Madrid",
    "Community of Madrid",
    "ESP",
    "Spain",
    "28042",
    "Centro Logístico Barajas, Avenida de la Hispanidad 12",
    40.4719,
    -3.5626,
    1
);
place!(
    AMSTERDAM,
    "Amsterdam",
    "North Holland",
    "NLD",
    "Netherlands",
    "1118 CP",
    "Schiphol Cargo, Pelikaanweg 2",
    52.3105,
    4.7683,
    1
);
place!(
    LOS_ANGELES,
    "Los Angeles",
    "California",
    "USA",
    "United States",
    "90045",
    "LAX International Gateway, 5600 W Century Blvd",
    33.9456,
    -118.3765,
    -8
);
place!(
    CHICAGO,
    "Chicago",
    "Illinois",
    "USA",
    "United States",
    "60666",
    "O'Hare Cargo Area, 11600 W Irving Park Rd",
    41.9786,
    -87.9048,
    -6
);
place!(
    NEW_YORK,
    "New York",
    "New York",
    "USA",
    "United States",
    "10001",
    "Midtown Delivery Station, 421 8th Avenue",
    40.7506,
    -73.9971,
    -5
);
place!(
    LONDON,
    "London",
    "England",
    "GBR",
    "United Kingdom",
    "TW6 2JS",
    "Heathrow Worldwide Distribution Centre, Sandringham Road",
    51.4700,
    -0.4543,
    0
);

/// A route: origin city, its export hub, the import hub and the destination city.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lane {
    pub origin: Place,
    pub export_hub: Place,
    pub import_hub: Place,
    pub destination: Place,
}

/// Every lane a created tracking may follow.
pub(crate) const LANES: [Lane; 6] = [
    Lane {
        origin: SHENZHEN,
        export_hub: HONG_KONG,
        import_hub: LEIPZIG,
        destination: BERLIN,
    },
    Lane {
        origin: SHENZHEN,
        export_hub: GUANGZHOU,
        import_hub: LOS_ANGELES,
        destination: NEW_YORK,
    },
    Lane {
        origin: SHANGHAI,
        export_hub: SHANGHAI,
        import_hub: FRANKFURT,
        destination: PARIS,
    },
    Lane {
        origin: GUANGZHOU,
        export_hub: HONG_KONG,
        import_hub: AMSTERDAM,
        destination: MADRID,
    },
    Lane {
        origin: SHENZHEN,
        export_hub: HONG_KONG,
        import_hub: LONDON,
        destination: LONDON,
    },
    Lane {
        origin: SHANGHAI,
        export_hub: SHANGHAI,
        import_hub: CHICAGO,
        destination: CHICAGO,
    },
];

/// Great-circle distance in kilometres (haversine).
pub(crate) fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Rough centre of a country (alpha-3), for EDD distances. Unknown countries get `None`.
pub(crate) fn country_centre(alpha3: &str) -> Option<(f64, f64)> {
    Some(match alpha3 {
        "CHN" => (31.0, 113.0),
        "HKG" => (22.3, 114.2),
        "DEU" => (51.2, 10.4),
        "FRA" => (46.6, 2.4),
        "ESP" => (40.4, -3.7),
        "NLD" => (52.2, 5.3),
        "GBR" => (52.5, -1.5),
        "USA" => (39.8, -98.6),
        "CAN" => (56.1, -106.3),
        "MEX" => (23.6, -102.5),
        "BRA" => (-14.2, -51.9),
        "AUS" => (-25.3, 133.8),
        "JPN" => (36.2, 138.3),
        "KOR" => (36.5, 127.9),
        "IND" => (20.6, 79.0),
        "ITA" => (41.9, 12.6),
        "POL" => (51.9, 19.1),
        "SWE" => (60.1, 18.6),
        "TWN" => (23.7, 121.0),
        "SGP" => (1.35, 103.8),
        _ => return None,
    })
}
