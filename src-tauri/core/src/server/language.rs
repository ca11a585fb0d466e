//! Which language a phone's page comes in: the phone's own pick, else the deck's, else the browser's.

use axum::http::{header, HeaderMap};

include!(concat!(env!("OUT_DIR"), "/phone_pages.rs"));
include!(concat!(env!("OUT_DIR"), "/remote_pages.rs"));

/// The cookie the phone page's language menu sets; the page reloads to take it.
pub const LANGUAGE_COOKIE: &str = "handsup-lang";

/// One language's phone page, as the build made it.
pub struct PhonePage {
    pub code: &'static str,
    pub plain: &'static str,
    pub gzip: &'static [u8],
}

/// The page for this request. Order: the language the phone chose in its menu (a
/// cookie), the deck's `lang:`, the browser's languages by preference, English.
pub fn phone_page(headers: &HeaderMap, deck_lang: Option<&str>) -> PhonePage {
    let chosen = cookie(headers, LANGUAGE_COOKIE).and_then(known);
    let index = chosen.or_else(|| deck_lang.and_then(known)).or_else(|| browser_languages(headers)).unwrap_or(0);
    let (code, _, plain, gzip) = PHONE_PAGES[index];
    PhonePage { code, plain, gzip }
}

/// The presenter's remote in the language of the phone it opens on (the browser's
/// languages, English otherwise): its code and page.
pub fn remote_page(headers: &HeaderMap) -> (&'static str, &'static str) {
    // Built in the same order as the phone pages, so one index names the language in both.
    let index = browser_languages(headers).unwrap_or(0);
    REMOTE_PAGES.get(index).copied().unwrap_or(REMOTE_PAGES[0])
}

/// What a phone opening the join address reads while a past session is on screen
/// (a page of its own, without the phone page's script): a heading and a sentence.
pub fn session_ended(code: &str) -> (&'static str, &'static str) {
    match code {
        "de" => (
            "Diese Sitzung ist beendet",
            "Die Ergebnisse werden gerade noch einmal gezeigt. Es gibt nichts mehr zu beantworten.",
        ),
        "fr" => ("Cette session est terminée", "Les résultats sont affichés à nouveau. Il n’y a plus rien à répondre."),
        "es" => {
            ("Esta sesión ha terminado", "Se están mostrando de nuevo los resultados. Ya no hay nada que responder.")
        }
        "it" => (
            "Questa sessione è terminata",
            "Si stanno mostrando di nuovo i risultati. Non c’è più niente a cui rispondere.",
        ),
        "nl" => {
            ("Deze sessie is afgelopen", "De resultaten worden nog eens getoond. Er valt nu niets te beantwoorden.")
        }
        "pt" => {
            ("Esta sessão terminou", "Os resultados estão a ser mostrados de novo. Não há nada para responder agora.")
        }
        "pl" => ("Ta sesja się zakończyła", "Prowadzący ponownie pokazuje wyniki. Nie ma już na co odpowiadać."),
        _ => ("This session has ended", "The presenter is showing its results again. There is nothing to answer now."),
    }
}

/// A language tag's index in [`PHONE_PAGES`] by its primary subtag: `pt-BR` is `pt`.
fn known(tag: &str) -> Option<usize> {
    let primary = tag.trim().split(['-', '_']).next()?;
    PHONE_PAGES.iter().position(|(code, ..)| code.eq_ignore_ascii_case(primary))
}

/// The first language in `Accept-Language` we have, by its `q` weight (ties keep their order).
fn browser_languages(headers: &HeaderMap) -> Option<usize> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut ranked: Vec<(f32, usize, usize)> = value
        .split(',')
        .enumerate()
        .filter_map(|(order, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let weight = parts
                .filter_map(|param| param.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (weight > 0.0).then_some(())?;
            Some((weight, order, known(tag)?))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.first().map(|(_, _, index)| *index)
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_phone_then_the_deck_then_the_browser_decide() {
        let browser = (header::ACCEPT_LANGUAGE, "de-CH, fr;q=0.9, en;q=0.8");
        assert_eq!(phone_page(&headers(std::slice::from_ref(&browser)), None).code, "de");
        assert_eq!(phone_page(&headers(std::slice::from_ref(&browser)), Some("pl")).code, "pl");
        let chosen = (header::COOKIE, "other=1; handsup-lang=nl");
        assert_eq!(phone_page(&headers(&[browser.clone(), chosen]), Some("pl")).code, "nl");
        // A deck in a language the page does not come in leaves the choice to the browser.
        assert_eq!(phone_page(&headers(&[browser]), Some("ja")).code, "de");
        assert_eq!(phone_page(&HeaderMap::new(), None).code, "en");
    }

    #[test]
    fn weights_and_unknown_tags() {
        let weighted = (header::ACCEPT_LANGUAGE, "ja, it;q=0.5, pt-BR;q=0.7, *;q=0.1");
        assert_eq!(phone_page(&headers(&[weighted]), None).code, "pt");
        let refused = (header::ACCEPT_LANGUAGE, "fr;q=0, es");
        assert_eq!(phone_page(&headers(&[refused]), None).code, "es");
        let garbage = (header::ACCEPT_LANGUAGE, ";;,q=,  ,");
        assert_eq!(phone_page(&headers(&[garbage, (header::COOKIE, "handsup-lang=xx")]), None).code, "en");
    }

    #[test]
    fn the_ended_page_speaks_every_language() {
        for (code, ..) in PHONE_PAGES {
            let (heading, text) = session_ended(code);
            assert!(!heading.is_empty() && !text.is_empty(), "{code}");
            assert!(code == &"en" || heading != session_ended("en").0, "{code} falls back to English");
            assert!(!heading.contains('<') && !text.contains('<'), "{code}");
        }
    }

    #[test]
    fn every_language_is_built_with_its_own_strings() {
        let codes: Vec<&str> = PHONE_PAGES.iter().map(|(code, ..)| *code).collect();
        assert_eq!(codes, ["en", "de", "fr", "es", "it", "nl", "pt", "pl"]);
        for (code, _, plain, gzip) in PHONE_PAGES {
            assert!(plain.contains(&format!("<html lang=\"{code}\">")), "{code}");
            assert!(plain.contains(&format!("{{\"lang\":\"{code}\"")), "{code}");
            assert!(!plain.contains("{{i18n}}"), "{code}");
            assert!(gzip.len() <= 14 * 1024 - 512, "{code}: {} bytes gzipped", gzip.len());
            let mut unpacked = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(*gzip), &mut unpacked).expect("gunzip");
            assert_eq!(unpacked, *plain, "{code}");
        }
    }

    #[test]
    fn the_remote_comes_in_the_same_languages() {
        let phone: Vec<&str> = PHONE_PAGES.iter().map(|(code, ..)| *code).collect();
        let remote: Vec<&str> = REMOTE_PAGES.iter().map(|(code, _)| *code).collect();
        assert_eq!(phone, remote);
        for (code, page) in REMOTE_PAGES {
            assert!(page.contains(&format!("<html lang=\"{code}\">")) && !page.contains("{{"), "{code}");
        }
        let german = (header::ACCEPT_LANGUAGE, "de-AT, en;q=0.5");
        assert_eq!(remote_page(&headers(std::slice::from_ref(&german))).0, "de");
        assert_eq!(remote_page(&headers(&[])).0, "en");
        // Its words are the German table's, not English ones.
        assert!(remote_page(&headers(std::slice::from_ref(&german))).1.contains("\"Folie {n} von {total}\""));
    }
}
